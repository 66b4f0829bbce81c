package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// dumpTests check store.Dumper, for the backends that implement it.
var dumpTests = []subtest{
	{"dump streams every record of every aggregate as a get returns it", func(t *testing.T, s store.Store) {
		d := dumper(t, s)
		ctx := t.Context()
		var pools []store.UserPool
		var clients []store.Client
		var users []store.User
		var tokens []store.RefreshToken
		var keys []store.SigningKey
		var sessions []store.AuthSession
		var objects []store.Object
		for _, id := range []string{"us-east-1_dumpB", "us-east-1_dumpA"} {
			pools = append(pools, mustPool(t, s, id))
			clients = append(clients, mustClient(t, s, id, "client-"+id))
			for _, k := range []string{"bob", "alice"} {
				u := newUser(id, k)
				if k == "bob" {
					u.Enabled, u.Status, u.Password, u.Extra = false, "FORCE_CHANGE_PASSWORD", store.Password{}, nil
				}
				users = append(users, mustUser(t, s, u))
			}
			tok := mustToken(t, s, newToken(id, "alice"))
			revoked := mustToken(t, s, newToken(id, "bob"))
			noErr(t, "RevokeRefreshToken", s.RevokeRefreshToken(ctx, revoked.Hash))
			revoked.Revoked = true
			tokens = append(tokens, tok, revoked)
			k := mustKey(t, s, newKey("kid-"+id, id, t0))
			retired := newKey("kid-old-"+id, id, at(-time.Hour))
			retired.RetiredAt = at(-time.Minute)
			keys = append(keys, k, mustKey(t, s, retired))
			sessions = append(sessions, mustSession(t, s, newSession(id)))
		}
		keys = append(keys, mustKey(t, s, newKey("kid-sts", "sts", t0)))
		for _, kind := range []string{kindB, kindA} {
			for _, key := range []string{"b/2", "a/1", ""} {
				o := newObject(kind, key)
				if key == "a/1" {
					o.ExpiresAt = at(time.Hour)
				}
				if key == "" {
					o.Value = nil
				}
				objects = append(objects, mustObject(t, s, o))
			}
		}

		var got struct {
			pools    []store.UserPool
			clients  []store.Client
			users    []store.User
			tokens   []store.RefreshToken
			keys     []store.SigningKey
			sessions []store.AuthSession
			objects  []store.Object
		}
		var order []string
		note := func(a string) {
			if len(order) == 0 || order[len(order)-1] != a {
				order = append(order, a)
			}
		}
		err := d.Dump(ctx, store.DumpVisitor{
			UserPool:     func(p store.UserPool) error { note("pool"); got.pools = append(got.pools, p); return nil },
			Client:       func(c store.Client) error { note("client"); got.clients = append(got.clients, c); return nil },
			User:         func(u store.User) error { note("user"); got.users = append(got.users, u); return nil },
			RefreshToken: func(r store.RefreshToken) error { note("token"); got.tokens = append(got.tokens, r); return nil },
			SigningKey:   func(k store.SigningKey) error { note("key"); got.keys = append(got.keys, k); return nil },
			AuthSession:  func(a store.AuthSession) error { note("session"); got.sessions = append(got.sessions, a); return nil },
			Object:       func(o store.Object) error { note("object"); got.objects = append(got.objects, o); return nil },
		})
		noErr(t, "Dump", err)
		sameKeys(t, "aggregate order", order, []string{"pool", "client", "user", "token", "key", "session", "object"})
		// Compare as sets: the order within an aggregate is the backend's
		// key order, which the test need not restate.
		sameSet(t, "pools", got.pools, pools, func(p store.UserPool) string { return p.ID })
		sameSet(t, "clients", got.clients, clients, func(c store.Client) string { return c.ID })
		sameSet(t, "users", got.users, users, func(u store.User) string { return u.PoolID + "/" + u.Key })
		sameSet(t, "tokens", got.tokens, tokens, func(r store.RefreshToken) string { return string(r.Hash) })
		sameSet(t, "keys", got.keys, keys, func(k store.SigningKey) string { return k.KID })
		sameSet(t, "sessions", got.sessions, sessions, func(a store.AuthSession) string { return string(a.Hash) })
		sameSet(t, "objects", got.objects, objects, func(o store.Object) string { return o.Kind + "\x00" + o.Key })
	}},
	{"dump skips the aggregates without a function and stops at the first error", func(t *testing.T, s store.Store) {
		d := dumper(t, s)
		ctx := t.Context()
		mustPool(t, s, "us-east-1_dumpStop")
		for _, k := range []string{"a", "b", "c"} {
			mustUser(t, s, newUser("us-east-1_dumpStop", k))
		}
		mustObject(t, s, newObject(kindA, "x"))
		stop := errors.New("stop")
		n := 0
		err := d.Dump(ctx, store.DumpVisitor{User: func(store.User) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		}, Object: func(store.Object) error {
			t.Error("Dump went on after an error")
			return nil
		}})
		if !errors.Is(err, stop) || n != 2 {
			t.Errorf("Dump = %v after %d users, want the visitor's error after 2", err, n)
		}
		n = 0
		noErr(t, "Dump of objects only", d.Dump(ctx, store.DumpVisitor{Object: func(store.Object) error { n++; return nil }}))
		if n != 1 {
			t.Errorf("Dump of objects only visited %d objects, want 1", n)
		}
	}},
	{"dump of an empty store visits nothing", func(t *testing.T, s store.Store) {
		d := dumper(t, s)
		fail := func(string) error { t.Error("a record in an empty store"); return nil }
		noErr(t, "Dump", d.Dump(t.Context(), store.DumpVisitor{
			UserPool:     func(store.UserPool) error { return fail("pool") },
			Client:       func(store.Client) error { return fail("client") },
			User:         func(store.User) error { return fail("user") },
			RefreshToken: func(store.RefreshToken) error { return fail("token") },
			SigningKey:   func(store.SigningKey) error { return fail("key") },
			AuthSession:  func(store.AuthSession) error { return fail("session") },
			Object:       func(store.Object) error { return fail("object") },
		}))
	}},
}

func dumper(t *testing.T, s store.Store) store.Dumper {
	t.Helper()
	d, ok := s.(store.Dumper)
	if !ok {
		t.Skip("the store is not a store.Dumper")
	}
	return d
}

// sameSet compares got and want ignoring order, by key.
func sameSet[T any](t *testing.T, what string, got, want []T, key func(T) string) {
	t.Helper()
	by := func(a, b T) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	}
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, by)
	slices.SortFunc(want, by)
	if got == nil {
		got = []T{}
	}
	if want == nil {
		want = []T{}
	}
	same(t, what, got, want)
}
