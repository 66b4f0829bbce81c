package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ninsho/ninsho/internal/store"
)

var miscTests = []subtest{
	{"Reset removes every record and leaves the store usable", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		mustPool(t, s, poolA)
		mustClient(t, s, poolA, "c1")
		u := mustUser(t, s, newUser(poolA, "alice"))
		tok := mustToken(t, s, newToken(poolA, "alice"))
		sess := mustSession(t, s, newSession(poolA))
		mustKey(t, s, newKey("k1", poolA, t0))
		mustKey(t, s, newKey("k2", "issuer", t0))
		noErr(t, "Reset", s.Reset(ctx))

		ps, err := s.ListUserPools(ctx, store.Page{})
		noErr(t, "ListUserPools", err)
		if len(ps) != 0 {
			t.Errorf("%d pools left", len(ps))
		}
		_, err = s.GetClient(ctx, poolA, "c1")
		wantErr(t, "GetClient", err, store.ErrNotFound)
		_, err = s.GetUser(ctx, poolA, "alice")
		wantErr(t, "GetUser", err, store.ErrNotFound)
		_, err = s.GetRefreshToken(ctx, tok.Hash)
		wantErr(t, "GetRefreshToken", err, store.ErrNotFound)
		_, err = s.GetAuthSession(ctx, sess.Hash)
		wantErr(t, "GetAuthSession", err, store.ErrNotFound)
		for _, scope := range []string{poolA, "issuer"} {
			ks, err := s.ListSigningKeys(ctx, scope)
			noErr(t, "ListSigningKeys", err)
			if len(ks) != 0 {
				t.Errorf("%d keys of %s left", len(ks), scope)
			}
		}
		mustPool(t, s, poolA)
		mustClient(t, s, poolA, "c1")
		mustUser(t, s, u)
		mustToken(t, s, tok)
		mustKey(t, s, newKey("k1", poolA, t0))
	}},
	{"concurrent updates of one user lose no update", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := newUser(poolA, "alice")
		u.Extra = []byte(`{"n":0}`)
		mustUser(t, s, u)
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				_, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) {
					var c struct{ N int }
					if err := json.Unmarshal(u.Extra, &c); err != nil {
						return u, err
					}
					c.N++
					u.Extra = fmt.Appendf(nil, `{"n":%d}`, c.N)
					return u, nil
				})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, "UpdateUser", err)
		}
		got, err := s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		if string(got.Extra) != fmt.Sprintf(`{"n":%d}`, workers) {
			t.Errorf("Extra = %s after %d increments", got.Extra, workers)
		}
	}},
	{"concurrently created users with distinct keys all succeed", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for i := range workers {
			wg.Go(func() {
				errs <- s.CreateUser(t.Context(), newUser(poolA, fmt.Sprintf("user%02d", i)))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, "CreateUser", err)
		}
		n, err := s.CountUsers(t.Context(), poolA)
		noErr(t, "CountUsers", err)
		if n != workers {
			t.Errorf("CountUsers = %d, want %d", n, workers)
		}
	}},
	{"concurrently creating one user key succeeds exactly once", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				errs <- s.CreateUser(t.Context(), newUser(poolA, "alice")) // distinct subs
			})
		}
		wg.Wait()
		close(errs)
		var ok, exists int
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrExists):
				exists++
			default:
				t.Errorf("CreateUser: %v", err)
			}
		}
		if ok != 1 || exists != workers-1 {
			t.Errorf("%d successes and %d ErrExists, want 1 and %d", ok, exists, workers-1)
		}
		n, err := s.CountUsers(t.Context(), poolA)
		noErr(t, "CountUsers", err)
		if n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}
	}},
}
