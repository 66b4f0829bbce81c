package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

const poolA, poolB = "us-east-1_poolAAAAA", "us-east-1_poolBBBBB"

var clientTests = []subtest{
	{"a created client reads back as it was written", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		c := mustClient(t, s, poolA, "3n4b5urk1ft4fl3mg5e62d9ado")
		got, err := s.GetClient(t.Context(), poolA, c.ID)
		noErr(t, "GetClient", err)
		same(t, "client", got, c)
	}},
	{"a client without secret or settings reads back without them", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		c := store.Client{ID: "c1", PoolID: poolA, Name: "public"}
		noErr(t, "CreateClient", s.CreateClient(t.Context(), c))
		got, err := s.GetClient(t.Context(), poolA, c.ID)
		noErr(t, "GetClient", err)
		same(t, "client", got, c)
	}},
	{"creating a client twice returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		c := mustClient(t, s, poolA, "c1")
		wantErr(t, "second CreateClient", s.CreateClient(t.Context(), c), store.ErrExists)
	}},
	{"creating a client with an id taken in another user pool returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		c := mustClient(t, s, poolA, "c1")
		wantErr(t, "CreateClient(other pool)", s.CreateClient(t.Context(), newClient(poolB, "c1")), store.ErrExists)
		got, err := s.GetClientByID(t.Context(), "c1")
		noErr(t, "GetClientByID", err)
		same(t, "client", got, c)
	}},
	{"a client is found by id alone", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		mustClient(t, s, poolA, "c1")
		c := mustClient(t, s, poolB, "c2")
		got, err := s.GetClientByID(t.Context(), "c2")
		noErr(t, "GetClientByID", err)
		same(t, "client", got, c)
		_, err = s.GetClientByID(t.Context(), "c3")
		wantErr(t, "GetClientByID(missing)", err, store.ErrNotFound)
		noErr(t, "DeleteUserPool", s.DeleteUserPool(t.Context(), poolB))
		_, err = s.GetClientByID(t.Context(), "c2")
		wantErr(t, "GetClientByID(deleted pool)", err, store.ErrNotFound)
	}},
	{"creating a client in a missing user pool returns ErrNotFound", func(t *testing.T, s store.Store) {
		wantErr(t, "CreateClient", s.CreateClient(t.Context(), newClient(poolA, "c1")), store.ErrNotFound)
	}},
	{"a client is found only in its own user pool", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		mustClient(t, s, poolA, "c1")
		_, err := s.GetClient(t.Context(), poolB, "c1")
		wantErr(t, "GetClient(other pool)", err, store.ErrNotFound)
		_, err = s.GetClient(t.Context(), poolA, "c2")
		wantErr(t, "GetClient(missing)", err, store.ErrNotFound)
	}},
	{"clients are listed by id and paged, per user pool", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		for _, id := range []string{"d", "a", "c", "e", "b"} {
			mustClient(t, s, poolA, id)
		}
		mustClient(t, s, poolB, "0")
		mustClient(t, s, poolB, "bz")
		list := func(p store.Page) ([]string, error) {
			cs, err := s.ListClients(t.Context(), poolA, p)
			var ids []string
			for _, c := range cs {
				if c.PoolID != poolA {
					t.Errorf("client %s of pool %s listed", c.ID, c.PoolID)
				}
				ids = append(ids, c.ID)
			}
			return ids, err
		}
		want := []string{"a", "b", "c", "d", "e"}
		for _, n := range []int{1, 2, 4, 5, 10} {
			sameKeys(t, fmt.Sprintf("pages of %d", n), pageThrough(t, n, list), want)
		}
		all, err := list(store.Page{})
		noErr(t, "ListClients", err)
		sameKeys(t, "limit 0", all, want)
		after, err := list(store.Page{After: "bb", Limit: 2})
		noErr(t, "ListClients", err)
		sameKeys(t, "after a missing id", after, []string{"c", "d"})
		cs, err := s.ListClients(t.Context(), poolA, store.Page{Limit: 1})
		noErr(t, "ListClients", err)
		same(t, "listed client", cs, []store.Client{newClient(poolA, "a")})
	}},
	{"updating a client stores what the updater returns", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		c := mustClient(t, s, poolA, "c1")
		var seen store.Client
		got, err := s.UpdateClient(t.Context(), poolA, c.ID, func(old store.Client) (store.Client, error) {
			seen = old
			old.Name, old.Secret, old.Settings, old.UpdatedAt = "renamed", "", []byte(`{}`), at(time.Hour)
			return old, nil
		})
		noErr(t, "UpdateClient", err)
		same(t, "updater's argument", seen, c)
		want := c
		want.Name, want.Secret, want.Settings, want.UpdatedAt = "renamed", "", []byte(`{}`), at(time.Hour)
		same(t, "returned client", got, want)
		got, err = s.GetClient(t.Context(), poolA, c.ID)
		noErr(t, "GetClient", err)
		same(t, "stored client", got, want)
	}},
	{"updating a missing client returns ErrNotFound without calling the updater", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		_, err := s.UpdateClient(t.Context(), poolA, "c1", func(c store.Client) (store.Client, error) {
			t.Error("updater called")
			return c, nil
		})
		wantErr(t, "UpdateClient", err, store.ErrNotFound)
	}},
	{"a client updater's error aborts the update and is returned", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		c := mustClient(t, s, poolA, "c1")
		_, err := s.UpdateClient(t.Context(), poolA, c.ID, func(c store.Client) (store.Client, error) {
			c.Name = "changed"
			return c, errTest
		})
		wantErr(t, "UpdateClient", err, errTest)
		got, err := s.GetClient(t.Context(), poolA, c.ID)
		noErr(t, "GetClient", err)
		same(t, "stored client", got, c)
	}},
	{"a client updater cannot change the pool or id", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		c := mustClient(t, s, poolA, "c1")
		got, err := s.UpdateClient(t.Context(), poolA, c.ID, func(c store.Client) (store.Client, error) {
			c.PoolID, c.ID, c.Name = poolB, "c2", "renamed"
			return c, nil
		})
		noErr(t, "UpdateClient", err)
		want := c
		want.Name = "renamed"
		same(t, "returned client", got, want)
		got, err = s.GetClient(t.Context(), poolA, c.ID)
		noErr(t, "GetClient", err)
		same(t, "stored client", got, want)
		for _, k := range [][2]string{{poolB, "c1"}, {poolB, "c2"}, {poolA, "c2"}} {
			_, err = s.GetClient(t.Context(), k[0], k[1])
			wantErr(t, "GetClient("+k[0]+", "+k[1]+")", err, store.ErrNotFound)
		}
	}},
	{"deleting a client removes it and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustClient(t, s, poolA, "c1")
		mustClient(t, s, poolA, "c2")
		noErr(t, "DeleteClient", s.DeleteClient(t.Context(), poolA, "c1"))
		_, err := s.GetClient(t.Context(), poolA, "c1")
		wantErr(t, "GetClient", err, store.ErrNotFound)
		_, err = s.GetClient(t.Context(), poolA, "c2")
		noErr(t, "GetClient(c2)", err)
		wantErr(t, "second DeleteClient", s.DeleteClient(t.Context(), poolA, "c1"), store.ErrNotFound)
	}},
}
