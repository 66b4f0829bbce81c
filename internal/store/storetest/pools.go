package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

var poolTests = []subtest{
	{"a created user pool reads back as it was written", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		got, err := s.GetUserPool(t.Context(), p.ID)
		noErr(t, "GetUserPool", err)
		same(t, "user pool", got, p)
	}},
	{"creating a user pool twice returns ErrExists", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		p.Name = "other"
		wantErr(t, "second CreateUserPool", s.CreateUserPool(t.Context(), p), store.ErrExists)
		got, err := s.GetUserPool(t.Context(), p.ID)
		noErr(t, "GetUserPool", err)
		if got.Name != "pool "+p.ID {
			t.Errorf("pool name %q: the failed create overwrote it", got.Name)
		}
	}},
	{"getting a missing user pool returns ErrNotFound", func(t *testing.T, s store.Store) {
		_, err := s.GetUserPool(t.Context(), "us-east-1_missing00")
		wantErr(t, "GetUserPool", err, store.ErrNotFound)
	}},
	{"user pools are listed by id and paged", func(t *testing.T, s store.Store) {
		ids := []string{"eu-west-1_c", "us-east-1_a", "ap-south-1_b", "us-east-1_B", "eu-west-1_a"}
		for _, id := range ids {
			mustPool(t, s, id)
		}
		want := []string{"ap-south-1_b", "eu-west-1_a", "eu-west-1_c", "us-east-1_B", "us-east-1_a"}
		list := func(p store.Page) ([]string, error) {
			ps, err := s.ListUserPools(t.Context(), p)
			var keys []string
			for _, p := range ps {
				keys = append(keys, p.ID)
			}
			return keys, err
		}
		for _, n := range []int{1, 2, 3, 5, 6} {
			sameKeys(t, fmt.Sprintf("pages of %d", n), pageThrough(t, n, list), want)
		}
		all, err := list(store.Page{})
		noErr(t, "ListUserPools", err)
		sameKeys(t, "limit 0", all, want)
		after, err := list(store.Page{After: "eu-west-1_b"})
		noErr(t, "ListUserPools", err)
		sameKeys(t, "after a missing id", after, want[2:])
		ps, err := s.ListUserPools(t.Context(), store.Page{Limit: 1})
		noErr(t, "ListUserPools", err)
		same(t, "listed pool", ps, []store.UserPool{newPool("ap-south-1_b")})
	}},
	{"listing user pools of an empty store returns none", func(t *testing.T, s store.Store) {
		ps, err := s.ListUserPools(t.Context(), store.Page{})
		noErr(t, "ListUserPools", err)
		if len(ps) != 0 {
			t.Errorf("got %d pools", len(ps))
		}
	}},
	{"updating a user pool stores what the updater returns", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		var seen store.UserPool
		got, err := s.UpdateUserPool(t.Context(), p.ID, func(old store.UserPool) (store.UserPool, error) {
			seen = old
			old.Name = "renamed"
			old.Settings = []byte(`{"mfa":"ON"}`)
			old.UpdatedAt = at(time.Hour)
			return old, nil
		})
		noErr(t, "UpdateUserPool", err)
		same(t, "updater's argument", seen, p)
		want := p
		want.Name, want.Settings, want.UpdatedAt = "renamed", []byte(`{"mfa":"ON"}`), at(time.Hour)
		same(t, "returned pool", got, want)
		got, err = s.GetUserPool(t.Context(), p.ID)
		noErr(t, "GetUserPool", err)
		same(t, "stored pool", got, want)
	}},
	{"updating a missing user pool returns ErrNotFound without calling the updater", func(t *testing.T, s store.Store) {
		_, err := s.UpdateUserPool(t.Context(), "us-east-1_missing00", func(p store.UserPool) (store.UserPool, error) {
			t.Error("updater called")
			return p, nil
		})
		wantErr(t, "UpdateUserPool", err, store.ErrNotFound)
	}},
	{"a user pool updater's error aborts the update and is returned", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		_, err := s.UpdateUserPool(t.Context(), p.ID, func(p store.UserPool) (store.UserPool, error) {
			p.Name = "changed"
			return p, errTest
		})
		wantErr(t, "UpdateUserPool", err, errTest)
		got, err := s.GetUserPool(t.Context(), p.ID)
		noErr(t, "GetUserPool", err)
		same(t, "stored pool", got, p)
	}},
	{"a user pool updater cannot change the id", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		got, err := s.UpdateUserPool(t.Context(), p.ID, func(p store.UserPool) (store.UserPool, error) {
			p.ID = "us-east-1_bbbbbbbbb"
			p.Name = "renamed"
			return p, nil
		})
		noErr(t, "UpdateUserPool", err)
		want := p
		want.Name = "renamed"
		same(t, "returned pool", got, want)
		got, err = s.GetUserPool(t.Context(), p.ID)
		noErr(t, "GetUserPool", err)
		same(t, "stored pool", got, want)
		_, err = s.GetUserPool(t.Context(), "us-east-1_bbbbbbbbb")
		wantErr(t, "GetUserPool(new id)", err, store.ErrNotFound)
	}},
	{"deleting a user pool removes it and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		p := mustPool(t, s, "us-east-1_aaaaaaaaa")
		noErr(t, "DeleteUserPool", s.DeleteUserPool(t.Context(), p.ID))
		_, err := s.GetUserPool(t.Context(), p.ID)
		wantErr(t, "GetUserPool", err, store.ErrNotFound)
		wantErr(t, "second DeleteUserPool", s.DeleteUserPool(t.Context(), p.ID), store.ErrNotFound)
	}},
	{"deleting a user pool removes its clients, users, refresh tokens, auth sessions and signing keys", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		const gone, kept = "us-east-1_gone00000", "us-east-1_kept00000"
		type records struct {
			tok  store.RefreshToken
			sess store.AuthSession
		}
		recs := map[string]records{}
		for _, id := range []string{gone, kept} {
			mustPool(t, s, id)
			mustClient(t, s, id, "client-"+id)
			mustUser(t, s, newUser(id, "alice"))
			recs[id] = records{mustToken(t, s, newToken(id, "alice")), mustSession(t, s, newSession(id))}
			mustKey(t, s, newKey("kid-"+id, id, t0))
		}
		noErr(t, "DeleteUserPool", s.DeleteUserPool(ctx, gone))

		_, err := s.GetClient(ctx, gone, "client-"+gone)
		wantErr(t, "GetClient", err, store.ErrNotFound)
		_, err = s.GetClientByID(ctx, "client-"+gone)
		wantErr(t, "GetClientByID", err, store.ErrNotFound)
		cs, err := s.ListClients(ctx, gone, store.Page{})
		noErr(t, "ListClients", err)
		if len(cs) != 0 {
			t.Errorf("ListClients: %d clients left", len(cs))
		}
		_, err = s.GetUser(ctx, gone, "alice")
		wantErr(t, "GetUser", err, store.ErrNotFound)
		if n, err := s.CountUsers(ctx, gone); err != nil || n != 0 {
			t.Errorf("CountUsers = %d, %v; want 0", n, err)
		}
		_, err = s.GetRefreshToken(ctx, recs[gone].tok.Hash)
		wantErr(t, "GetRefreshToken", err, store.ErrNotFound)
		_, err = s.GetRefreshTokenByOrigin(ctx, recs[gone].tok.OriginJTI)
		wantErr(t, "GetRefreshTokenByOrigin", err, store.ErrNotFound)
		_, err = s.GetAuthSession(ctx, recs[gone].sess.Hash)
		wantErr(t, "GetAuthSession", err, store.ErrNotFound)
		ks, err := s.ListSigningKeys(ctx, gone)
		noErr(t, "ListSigningKeys", err)
		if len(ks) != 0 {
			t.Errorf("ListSigningKeys: %d keys left", len(ks))
		}

		// The other pool keeps everything.
		_, err = s.GetClient(ctx, kept, "client-"+kept)
		noErr(t, "GetClient(kept)", err)
		_, err = s.GetUser(ctx, kept, "alice")
		noErr(t, "GetUser(kept)", err)
		_, err = s.GetRefreshToken(ctx, recs[kept].tok.Hash)
		noErr(t, "GetRefreshToken(kept)", err)
		_, err = s.GetAuthSession(ctx, recs[kept].sess.Hash)
		noErr(t, "GetAuthSession(kept)", err)
		ks, err = s.ListSigningKeys(ctx, kept)
		noErr(t, "ListSigningKeys(kept)", err)
		if len(ks) != 1 {
			t.Errorf("ListSigningKeys(kept): %d keys, want 1", len(ks))
		}
		// The id can be used again.
		mustPool(t, s, gone)
		mustUser(t, s, newUser(gone, "alice"))
	}},
}
