package storetest

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

var sessionTests = []subtest{
	{"a created auth session reads back as it was written", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		a := mustSession(t, s, newSession(poolA))
		got, err := s.GetAuthSession(t.Context(), a.Hash)
		noErr(t, "GetAuthSession", err)
		same(t, "session", got, a)
	}},
	{"getting a missing auth session returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustSession(t, s, newSession(poolA))
		_, err := s.GetAuthSession(t.Context(), []byte("missing"))
		wantErr(t, "GetAuthSession", err, store.ErrNotFound)
	}},
	{"creating an auth session twice returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		a := mustSession(t, s, newSession(poolA))
		a.Challenge = "NEW_PASSWORD_REQUIRED"
		wantErr(t, "second CreateAuthSession", s.CreateAuthSession(t.Context(), a), store.ErrExists)
	}},
	{"creating an auth session in a missing user pool returns ErrNotFound", func(t *testing.T, s store.Store) {
		wantErr(t, "CreateAuthSession", s.CreateAuthSession(t.Context(), newSession(poolA)), store.ErrNotFound)
	}},
	{"deleting an auth session removes it and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		a := mustSession(t, s, newSession(poolA))
		b := mustSession(t, s, newSession(poolA))
		noErr(t, "DeleteAuthSession", s.DeleteAuthSession(t.Context(), a.Hash))
		_, err := s.GetAuthSession(t.Context(), a.Hash)
		wantErr(t, "GetAuthSession", err, store.ErrNotFound)
		_, err = s.GetAuthSession(t.Context(), b.Hash)
		noErr(t, "GetAuthSession(other)", err)
		wantErr(t, "second DeleteAuthSession", s.DeleteAuthSession(t.Context(), a.Hash), store.ErrNotFound)
	}},
	{"deleting expired auth sessions removes those that expired before the time", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		cut := at(time.Hour)
		var old, kept []store.AuthSession
		for _, exp := range []time.Time{cut.Add(-time.Minute), cut.Add(-time.Millisecond), cut, cut.Add(time.Minute)} {
			a := newSession(poolA)
			a.ExpiresAt = exp
			mustSession(t, s, a)
			if exp.Before(cut) {
				old = append(old, a)
			} else {
				kept = append(kept, a)
			}
		}
		n, err := s.DeleteExpiredAuthSessions(t.Context(), cut)
		noErr(t, "DeleteExpiredAuthSessions", err)
		if n != len(old) {
			t.Errorf("DeleteExpiredAuthSessions = %d, want %d", n, len(old))
		}
		for _, a := range old {
			_, err := s.GetAuthSession(t.Context(), a.Hash)
			wantErr(t, "GetAuthSession(expired)", err, store.ErrNotFound)
		}
		for _, a := range kept {
			got, err := s.GetAuthSession(t.Context(), a.Hash)
			noErr(t, "GetAuthSession(kept)", err)
			same(t, "kept session", got, a)
		}
	}},
}
