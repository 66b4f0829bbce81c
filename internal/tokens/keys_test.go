package tokens

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ninsho/ninsho/internal/store"
)

const testScope = "us-east-1_TESTPOOL1"

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// newTestKeys returns a Keys over st with a settable clock and 1024-bit keys
// (2048 in benchmarks), as one server instance would have.
func newTestKeys(st store.SigningKeyStore, c *clock) *Keys {
	return &Keys{Store: st, Now: c.Now, Bits: 1024}
}

func ensured(t testing.TB) (*Keys, *memStore, *clock) {
	t.Helper()
	st, c := newMemStore(), &clock{t: t0}
	k := newTestKeys(st, c)
	if err := k.Ensure(context.Background(), testScope); err != nil {
		t.Fatal(err)
	}
	return k, st, c
}

func activeKID(t testing.TB, st *memStore, scope, use string) string {
	t.Helper()
	keys, n := st.all(scope, use)
	if n != 1 {
		t.Fatalf("%d active %s keys, want 1", n, use)
	}
	for _, k := range keys {
		if k.RetiredAt.IsZero() {
			return k.KID
		}
	}
	return ""
}

func accessClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":       "8f6c1e2a-0d1b-4f0e-9a57-4c1f3a2b7e10",
		"token_use": "access",
		"scope":     "aws.cognito.signin.user.admin",
		"iat":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"jti":       NewJTI(),
	}
}

func TestEnsure(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, k *Keys, st *memStore)
	}{
		{"creates one id and one access key with different kids", func(t *testing.T, k *Keys, st *memStore) {
			if err := k.Ensure(ctx, testScope); err != nil {
				t.Fatal(err)
			}
			id, access := activeKID(t, st, testScope, UseID), activeKID(t, st, testScope, UseAccess)
			if id == access {
				t.Fatalf("id and access keys share kid %s", id)
			}
			if len(id) != 44 || len(access) != 44 {
				t.Fatalf("kids %q %q, want 44 base64 characters", id, access)
			}
		}},
		{"creates nothing when called again", func(t *testing.T, k *Keys, st *memStore) {
			for range 3 {
				if err := k.Ensure(ctx, testScope); err != nil {
					t.Fatal(err)
				}
			}
			for _, use := range []string{UseID, UseAccess} {
				if keys, _ := st.all(testScope, use); len(keys) != 1 {
					t.Fatalf("%d %s keys, want 1", len(keys), use)
				}
			}
		}},
		{"creates only the uses it is asked for", func(t *testing.T, k *Keys, st *memStore) {
			if err := k.Ensure(ctx, testScope, UseAccess); err != nil {
				t.Fatal(err)
			}
			if keys, _ := st.all(testScope, UseID); len(keys) != 0 {
				t.Fatalf("%d id keys, want 0", len(keys))
			}
			activeKID(t, st, testScope, UseAccess)
		}},
		{"keeps scopes apart", func(t *testing.T, k *Keys, st *memStore) {
			for _, s := range []string{testScope, "us-east-1_OTHERPOOL"} {
				if err := k.Ensure(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if activeKID(t, st, testScope, UseID) == activeKID(t, st, "us-east-1_OTHERPOOL", UseID) {
				t.Fatal("two scopes share a key")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			tt.run(t, newTestKeys(st, &clock{t: t0}), st)
		})
	}
}

func TestEnsureConcurrently(t *testing.T) {
	const instances = 6
	for _, tt := range []struct {
		name         string
		uniqueActive bool
	}{
		{"instances racing on a fresh scope end with one active key per use (kid unique)", false},
		{"instances racing on a fresh scope end with one active key per use (active key unique per use)", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore()
			st.uniqueActive = tt.uniqueActive
			st.afterList = barrier(instances) // all read "no keys" before any creates
			c := &clock{t: t0}
			ks := make([]*Keys, instances)
			var wg sync.WaitGroup
			errs := make([]error, instances)
			for i := range ks {
				ks[i] = newTestKeys(st, c)
				wg.Go(func() { errs[i] = ks[i].Ensure(ctx, testScope) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			for _, use := range []string{UseID, UseAccess} {
				kid := activeKID(t, st, testScope, use)
				// Every instance signs with the survivor.
				for i, k := range ks {
					tok, err := k.Sign(ctx, testScope, use, jwt.MapClaims{"token_use": use, "exp": t0.Add(time.Hour).Unix()})
					if err != nil {
						t.Fatal(err)
					}
					if got := headerKID(t, tok); got != kid {
						t.Fatalf("instance %d signs %s tokens with %s, want %s", i, use, got, kid)
					}
				}
			}
		})
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	t.Run("makes a new active key and the old one keeps verifying", func(t *testing.T) {
		k, st, c := ensured(t)
		old := activeKID(t, st, testScope, UseAccess)
		oldTok, err := k.Sign(ctx, testScope, UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		if err := k.Rotate(ctx, testScope, UseAccess); err != nil {
			t.Fatal(err)
		}
		cur := activeKID(t, st, testScope, UseAccess)
		if cur == old {
			t.Fatal("the active key did not change")
		}
		if keys, _ := st.all(testScope, UseAccess); len(keys) != 2 {
			t.Fatalf("%d access keys, want 2", len(keys))
		}
		tok, err := k.Sign(ctx, testScope, UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if got := headerKID(t, tok); got != cur {
			t.Fatalf("signed with %s, want the new key %s", got, cur)
		}
		for _, tk := range []string{oldTok, tok} {
			if _, err := k.Verify(ctx, testScope, tk, c.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if id, _ := st.all(testScope, UseID); len(id) != 1 {
			t.Fatal("rotating access keys touched id keys")
		}
	})
	t.Run("two instances rotating at once end with exactly one new key", func(t *testing.T) {
		k, st, c := ensured(t)
		old := activeKID(t, st, testScope, UseID)
		other := newTestKeys(st, c)
		st.afterList = barrier(2) // both read the old key as active
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, inst := range []*Keys{k, other} {
			wg.Go(func() { errs[i] = inst.Rotate(ctx, testScope, UseID) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		keys, n := st.all(testScope, UseID)
		if len(keys) != 2 || n != 1 {
			t.Fatalf("%d id keys, %d active; want 2 keys, 1 active", len(keys), n)
		}
		if activeKID(t, st, testScope, UseID) == old {
			t.Fatal("the old key is still active")
		}
	})
	t.Run("RotateIfOlder rotates only a key that is due", func(t *testing.T) {
		k, st, c := ensured(t)
		old := activeKID(t, st, testScope, UseID)
		c.Advance(time.Hour)
		if did, err := k.RotateIfOlder(ctx, testScope, UseID, 2*time.Hour); err != nil || did {
			t.Fatalf("rotated %v, %v; want no rotation", did, err)
		}
		c.Advance(time.Hour)
		if did, err := k.RotateIfOlder(ctx, testScope, UseID, 2*time.Hour); err != nil || !did {
			t.Fatalf("rotated %v, %v; want a rotation", did, err)
		}
		if activeKID(t, st, testScope, UseID) == old {
			t.Fatal("the old key is still active")
		}
	})
	t.Run("creates a key when the use has none", func(t *testing.T) {
		st, c := newMemStore(), &clock{t: t0}
		if err := newTestKeys(st, c).Rotate(ctx, testScope, UseID); err != nil {
			t.Fatal(err)
		}
		activeKID(t, st, testScope, UseID)
	})
	t.Run("Sign bridges the moment between retirement and the new key", func(t *testing.T) {
		k, st, c := ensured(t)
		old := activeKID(t, st, testScope, UseID)
		// What a rotating instance has done before its create.
		if _, err := st.UpdateSigningKey(ctx, old, func(sk store.SigningKey) (store.SigningKey, error) {
			sk.RetiredAt = c.Now()
			return sk, nil
		}); err != nil {
			t.Fatal(err)
		}
		k.invalidate(testScope)
		tok, err := k.Sign(ctx, testScope, UseID, jwt.MapClaims{"exp": c.Now().Add(time.Hour).Unix()})
		if err != nil || headerKID(t, tok) != old {
			t.Fatalf("got %v, want a token by the just-retired key", err)
		}
		// Once ListTTL has passed the retired key signs no more.
		c.Advance(k.ttl())
		if _, err := k.Sign(ctx, testScope, UseID, jwt.MapClaims{}); !errors.Is(err, ErrNoKey) {
			t.Fatalf("got %v, want ErrNoKey", err)
		}
	})
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	const lifetime = 24 * time.Hour
	k, st, c := ensured(t)
	active := activeKID(t, st, testScope, UseID)
	retire := func() string {
		t.Helper()
		kid := activeKID(t, st, testScope, UseAccess)
		if err := k.Rotate(ctx, testScope, UseAccess); err != nil {
			t.Fatal(err)
		}
		return kid
	}
	old := retire()
	c.Advance(lifetime + time.Hour)
	recent := retire()

	tests := []struct {
		name string
		kid  string
		kept bool
	}{
		{"deletes a key retired longer ago than the token lifetime plus ListTTL", old, false},
		{"keeps a key retired within the token lifetime", recent, true},
		{"keeps active keys", active, true},
	}
	n, err := k.Prune(ctx, testScope, lifetime)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st.mu.Lock()
			_, ok := st.keys[tt.kid]
			st.mu.Unlock()
			if ok != tt.kept {
				t.Fatalf("kept %v, want %v", ok, tt.kept)
			}
		})
	}
}

func TestCaching(t *testing.T) {
	ctx := context.Background()
	t.Run("Sign, Verify and JWKS make no store round trip while the list is fresh", func(t *testing.T) {
		k, st, c := ensured(t)
		tok, err := k.Sign(ctx, testScope, UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		before := st.lists.Load()
		for range 50 {
			if _, err := k.Sign(ctx, testScope, UseAccess, accessClaims(c.Now())); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Verify(ctx, testScope, tok, c.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := k.JWKS(ctx, testScope); err != nil {
				t.Fatal(err)
			}
		}
		if n := st.lists.Load() - before; n != 0 {
			t.Fatalf("%d store reads, want 0", n)
		}
		c.Advance(k.ttl())
		if _, err := k.Sign(ctx, testScope, UseAccess, accessClaims(c.Now())); err != nil {
			t.Fatal(err)
		}
		if n := st.lists.Load() - before; n != 1 {
			t.Fatalf("%d store reads after ListTTL, want 1", n)
		}
	})
	t.Run("another instance's new key verifies at once and is signed with within ListTTL", func(t *testing.T) {
		a, st, c := ensured(t)
		b := newTestKeys(st, c)
		if _, err := b.JWKS(ctx, testScope); err != nil { // b caches the list
			t.Fatal(err)
		}
		if err := a.Rotate(ctx, testScope, UseAccess); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		tok, err := a.Sign(ctx, testScope, UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Verify(ctx, testScope, tok, c.Now()); err != nil {
			t.Fatalf("b does not verify a's new key: %v", err)
		}
		c.Advance(b.ttl())
		tb, err := b.Sign(ctx, testScope, UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if headerKID(t, tb) != headerKID(t, tok) {
			t.Fatal("b still signs with the retired key after ListTTL")
		}
	})
	t.Run("unknown kids cause at most one store read per 250 ms", func(t *testing.T) {
		k, st, c := ensured(t)
		other := newTestKeys(st, c)
		if err := other.Ensure(ctx, "us-east-1_OTHERPOOL"); err != nil {
			t.Fatal(err)
		}
		foreign, err := other.Sign(ctx, "us-east-1_OTHERPOOL", UseAccess, accessClaims(c.Now()))
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		if _, err := k.JWKS(ctx, testScope); err != nil {
			t.Fatal(err)
		}
		before := st.lists.Load()
		for range 100 {
			if _, err := k.Verify(ctx, testScope, foreign, c.Now()); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("got %v, want ErrUnknownKey", err)
			}
		}
		if n := st.lists.Load() - before; n > 1 {
			t.Fatalf("%d store reads, want at most 1", n)
		}
	})
}
