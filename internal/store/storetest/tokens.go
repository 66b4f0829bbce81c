package storetest

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

var tokenTests = []subtest{
	{"a created refresh token reads back by hash and by origin", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		tok := newToken(poolA, "alice")
		tok.Hash = []byte{0, 0xff, 0x10, 0, 0, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 0}
		mustToken(t, s, tok)
		got, err := s.GetRefreshToken(t.Context(), tok.Hash)
		noErr(t, "GetRefreshToken", err)
		same(t, "token by hash", got, tok)
		got, err = s.GetRefreshTokenByOrigin(t.Context(), tok.OriginJTI)
		noErr(t, "GetRefreshTokenByOrigin", err)
		same(t, "token by origin", got, tok)
	}},
	{"a refresh token created revoked reads back revoked", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		tok := newToken(poolA, "alice")
		tok.Revoked = true
		tok.AuthTime = time.Time{}
		mustToken(t, s, tok)
		got, err := s.GetRefreshToken(t.Context(), tok.Hash)
		noErr(t, "GetRefreshToken", err)
		same(t, "token", got, tok)
	}},
	{"getting a missing refresh token returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		tok := mustToken(t, s, newToken(poolA, "alice"))
		_, err := s.GetRefreshToken(t.Context(), append([]byte{}, tok.Hash[:8]...))
		wantErr(t, "GetRefreshToken", err, store.ErrNotFound)
		_, err = s.GetRefreshTokenByOrigin(t.Context(), "missing")
		wantErr(t, "GetRefreshTokenByOrigin", err, store.ErrNotFound)
	}},
	{"creating a refresh token with a taken hash or origin returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		tok := mustToken(t, s, newToken(poolA, "alice"))
		dup := newToken(poolA, "bob")
		dup.Hash = tok.Hash
		wantErr(t, "CreateRefreshToken(same hash)", s.CreateRefreshToken(t.Context(), dup), store.ErrExists)
		dup = newToken(poolA, "bob")
		dup.OriginJTI = tok.OriginJTI
		wantErr(t, "CreateRefreshToken(same origin)", s.CreateRefreshToken(t.Context(), dup), store.ErrExists)
		_, err := s.GetRefreshToken(t.Context(), dup.Hash)
		wantErr(t, "GetRefreshToken(failed)", err, store.ErrNotFound)
	}},
	{"creating a refresh token in a missing user pool returns ErrNotFound", func(t *testing.T, s store.Store) {
		wantErr(t, "CreateRefreshToken", s.CreateRefreshToken(t.Context(), newToken(poolA, "alice")), store.ErrNotFound)
	}},
	{"revoking a refresh token marks it revoked", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		tok := mustToken(t, s, newToken(poolA, "alice"))
		other := mustToken(t, s, newToken(poolA, "alice"))
		noErr(t, "RevokeRefreshToken", s.RevokeRefreshToken(t.Context(), tok.Hash))
		got, err := s.GetRefreshToken(t.Context(), tok.Hash)
		noErr(t, "GetRefreshToken", err)
		tok.Revoked = true
		same(t, "revoked token", got, tok)
		got, err = s.GetRefreshToken(t.Context(), other.Hash)
		noErr(t, "GetRefreshToken(other)", err)
		same(t, "other token", got, other)
		noErr(t, "second RevokeRefreshToken", s.RevokeRefreshToken(t.Context(), tok.Hash))
		wantErr(t, "RevokeRefreshToken(missing)", s.RevokeRefreshToken(t.Context(), []byte("missing")), store.ErrNotFound)
	}},
	{"revoking a user's refresh tokens revokes those of that user in that pool and counts them", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		var alice []store.RefreshToken
		for range 3 {
			alice = append(alice, mustToken(t, s, newToken(poolA, "alice")))
		}
		noErr(t, "RevokeRefreshToken", s.RevokeRefreshToken(t.Context(), alice[0].Hash))
		bob := mustToken(t, s, newToken(poolA, "bob"))
		aliceB := mustToken(t, s, newToken(poolB, "alice"))
		n, err := s.RevokeUserRefreshTokens(t.Context(), poolA, "alice")
		noErr(t, "RevokeUserRefreshTokens", err)
		if n != 2 {
			t.Errorf("RevokeUserRefreshTokens = %d, want 2 (one of three was revoked already)", n)
		}
		for _, tok := range alice {
			got, err := s.GetRefreshToken(t.Context(), tok.Hash)
			noErr(t, "GetRefreshToken", err)
			if !got.Revoked {
				t.Errorf("alice's token %x not revoked", tok.Hash)
			}
		}
		for _, tok := range []store.RefreshToken{bob, aliceB} {
			got, err := s.GetRefreshToken(t.Context(), tok.Hash)
			noErr(t, "GetRefreshToken", err)
			if got.Revoked {
				t.Errorf("token of %s in %s revoked", tok.Username, tok.PoolID)
			}
		}
		n, err = s.RevokeUserRefreshTokens(t.Context(), poolA, "alice")
		noErr(t, "second RevokeUserRefreshTokens", err)
		if n != 0 {
			t.Errorf("second RevokeUserRefreshTokens = %d, want 0", n)
		}
		n, err = s.RevokeUserRefreshTokens(t.Context(), poolA, "nobody")
		noErr(t, "RevokeUserRefreshTokens(nobody)", err)
		if n != 0 {
			t.Errorf("RevokeUserRefreshTokens(nobody) = %d, want 0", n)
		}
	}},
	{"deleting expired refresh tokens removes those that expired before the time", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		cut := at(24 * time.Hour)
		var old, kept []store.RefreshToken
		for i, exp := range []time.Time{cut.Add(-time.Hour), cut.Add(-time.Millisecond), cut, cut.Add(time.Millisecond), cut.Add(time.Hour)} {
			pool := poolA
			if i%2 == 1 {
				pool = poolB
			}
			tok := newToken(pool, "alice")
			tok.ExpiresAt = exp
			mustToken(t, s, tok)
			if exp.Before(cut) {
				old = append(old, tok)
			} else {
				kept = append(kept, tok)
			}
		}
		n, err := s.DeleteExpiredRefreshTokens(t.Context(), cut)
		noErr(t, "DeleteExpiredRefreshTokens", err)
		if n != len(old) {
			t.Errorf("DeleteExpiredRefreshTokens = %d, want %d", n, len(old))
		}
		for _, tok := range old {
			_, err := s.GetRefreshToken(t.Context(), tok.Hash)
			wantErr(t, "GetRefreshToken(expired)", err, store.ErrNotFound)
		}
		for _, tok := range kept {
			_, err := s.GetRefreshToken(t.Context(), tok.Hash)
			noErr(t, "GetRefreshToken(kept)", err)
		}
		n, err = s.DeleteExpiredRefreshTokens(t.Context(), cut)
		noErr(t, "second DeleteExpiredRefreshTokens", err)
		if n != 0 {
			t.Errorf("second DeleteExpiredRefreshTokens = %d, want 0", n)
		}
	}},
}
