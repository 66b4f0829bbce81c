package storetest

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

var userTests = []subtest{
	{"a created user reads back as it was written, by key and by sub", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := newUser(poolA, "alice")
		u.Username = "Alice"
		u.Status = "FORCE_CHANGE_PASSWORD"
		u.Enabled = false
		u.Attributes = map[string]string{
			"email":              "alice@example.com",
			"email_verified":     "false",
			"name":               "Ålice Ünïcødé 日本語 🙂",
			"given_name":         "",
			"custom:empty":       "",
			"custom:json":        `{"a":[1,"<&>"]}`,
			"custom:newline":     "line1\nline2\t\"quoted\" \\",
			"preferred_username": "ali",
		}
		mustUser(t, s, u)
		got, err := s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "user by key", got, u)
		got, err = s.GetUserBySub(t.Context(), poolA, u.Sub)
		noErr(t, "GetUserBySub", err)
		same(t, "user by sub", got, u)
	}},
	{"a user's times come back in UTC to the millisecond and zero times stay zero", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := newUser(poolA, "alice")
		u.CreatedAt = time.Date(2001, 2, 3, 4, 5, 6, 999_999_999, time.FixedZone("-0330", -(3*3600+1800)))
		u.UpdatedAt = time.Date(2099, 12, 31, 23, 59, 59, 1_000_000, time.UTC)
		u.PasswordSetAt = time.Time{}
		mustUser(t, s, u)
		got, err := s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "user", got, u)
		if !got.PasswordSetAt.IsZero() {
			t.Errorf("PasswordSetAt = %v, want zero", got.PasswordSetAt)
		}
		if d := got.CreatedAt.Sub(u.CreatedAt); d > 0 || d <= -time.Millisecond {
			t.Errorf("CreatedAt = %v, want %v to the millisecond", got.CreatedAt, u.CreatedAt)
		}
	}},
	{"a user without attributes, password or extra reads back without them", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := store.User{PoolID: poolA, Username: "bare", Key: "bare", Sub: "5e0c1d2e-0000-4000-8000-000000000000", Status: "UNCONFIRMED"}
		mustUser(t, s, u)
		got, err := s.GetUser(t.Context(), poolA, "bare")
		noErr(t, "GetUser", err)
		same(t, "user", got, u)
	}},
	{"getting a missing user returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		_, err := s.GetUser(t.Context(), poolA, "bob")
		wantErr(t, "GetUser", err, store.ErrNotFound)
		_, err = s.GetUser(t.Context(), poolA, "Alice")
		wantErr(t, "GetUser(other case)", err, store.ErrNotFound)
		_, err = s.GetUserBySub(t.Context(), poolA, "00000000-0000-4000-8000-000000000000")
		wantErr(t, "GetUserBySub", err, store.ErrNotFound)
		_, err = s.GetUser(t.Context(), poolB, "alice")
		wantErr(t, "GetUser(other pool)", err, store.ErrNotFound)
		_, err = s.GetUserBySub(t.Context(), poolB, u.Sub)
		wantErr(t, "GetUserBySub(other pool)", err, store.ErrNotFound)
	}},
	{"creating a user twice returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		dup := newUser(poolA, "alice") // same key, another sub
		dup.Status = "UNCONFIRMED"
		wantErr(t, "CreateUser(same key)", s.CreateUser(t.Context(), dup), store.ErrExists)
		got, err := s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "user", got, u)
	}},
	{"creating a user with a sub taken in the pool returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		dup := newUser(poolA, "bob")
		dup.Sub = u.Sub
		wantErr(t, "CreateUser(same sub)", s.CreateUser(t.Context(), dup), store.ErrExists)
		_, err := s.GetUser(t.Context(), poolA, "bob")
		wantErr(t, "GetUser(bob)", err, store.ErrNotFound)
	}},
	{"the same key and sub in another user pool are fine", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		u := mustUser(t, s, newUser(poolA, "alice"))
		v := u
		v.PoolID = poolB
		v.Status = "UNCONFIRMED"
		mustUser(t, s, v)
		got, err := s.GetUser(t.Context(), poolB, "alice")
		noErr(t, "GetUser(B)", err)
		same(t, "user in B", got, v)
		got, err = s.GetUserBySub(t.Context(), poolA, u.Sub)
		noErr(t, "GetUserBySub(A)", err)
		same(t, "user in A", got, u)
	}},
	{"creating a user in a missing user pool returns ErrNotFound", func(t *testing.T, s store.Store) {
		wantErr(t, "CreateUser", s.CreateUser(t.Context(), newUser(poolA, "alice")), store.ErrNotFound)
	}},
	{"users are counted per user pool", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		for _, k := range []string{"a", "b", "c"} {
			mustUser(t, s, newUser(poolA, k))
		}
		mustUser(t, s, newUser(poolB, "a"))
		for pool, want := range map[string]int{poolA: 3, poolB: 1, "us-east-1_none00000": 0} {
			n, err := s.CountUsers(t.Context(), pool)
			noErr(t, "CountUsers", err)
			if n != want {
				t.Errorf("CountUsers(%s) = %d, want %d", pool, n, want)
			}
		}
	}},
	{"updating a user stores what the updater returns", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		var seen store.User
		want := u
		want.Username = "ALICE"
		want.Sub = "11111111-2222-4333-8444-555555555555"
		want.Status = "RESET_REQUIRED"
		want.Enabled = false
		want.Attributes = map[string]string{"email": "new@example.com", "custom:x": ""}
		want.Password = store.Password{Salt: []byte("salt2"), Verifier: []byte("verifier2")}
		want.PasswordSetAt = at(2 * time.Hour)
		want.Extra = []byte(`{"n":1}`)
		want.CreatedAt = at(-time.Hour)
		want.UpdatedAt = at(3 * time.Hour)
		got, err := s.UpdateUser(t.Context(), poolA, "alice", func(old store.User) (store.User, error) {
			seen = old
			return want, nil
		})
		noErr(t, "UpdateUser", err)
		same(t, "updater's argument", seen, u)
		same(t, "returned user", got, want)
		got, err = s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "stored user", got, want)
		got, err = s.GetUserBySub(t.Context(), poolA, want.Sub)
		noErr(t, "GetUserBySub(new sub)", err)
		same(t, "stored user by sub", got, want)
		_, err = s.GetUserBySub(t.Context(), poolA, u.Sub)
		wantErr(t, "GetUserBySub(old sub)", err, store.ErrNotFound)
	}},
	{"an updater that changes nothing leaves the user as it was", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		got, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) { return u, nil })
		noErr(t, "UpdateUser", err)
		same(t, "returned user", got, u)
		got, err = s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "stored user", got, u)
	}},
	{"updating a missing user returns ErrNotFound without calling the updater", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		mustUser(t, s, newUser(poolB, "alice"))
		_, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) {
			t.Error("updater called")
			return u, nil
		})
		wantErr(t, "UpdateUser", err, store.ErrNotFound)
	}},
	{"a user updater's error aborts the update and is returned", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		_, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) {
			u.Status = "RESET_REQUIRED"
			u.Attributes = map[string]string{"email": "changed@example.com"}
			return u, errTest
		})
		wantErr(t, "UpdateUser", err, errTest)
		got, err := s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "stored user", got, u)
		us, err := s.FindUsersByAttribute(t.Context(), poolA, "email", "changed@example.com", 0)
		noErr(t, "FindUsersByAttribute", err)
		sameKeys(t, "found by the aborted email", userKeys(us), nil)
	}},
	{"a user updater cannot change the pool or key", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		u := mustUser(t, s, newUser(poolA, "alice"))
		got, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) {
			u.PoolID, u.Key, u.Status = poolB, "bob", "RESET_REQUIRED"
			return u, nil
		})
		noErr(t, "UpdateUser", err)
		want := u
		want.Status = "RESET_REQUIRED"
		same(t, "returned user", got, want)
		got, err = s.GetUser(t.Context(), poolA, "alice")
		noErr(t, "GetUser", err)
		same(t, "stored user", got, want)
		for _, k := range [][2]string{{poolB, "bob"}, {poolB, "alice"}, {poolA, "bob"}} {
			_, err = s.GetUser(t.Context(), k[0], k[1])
			wantErr(t, "GetUser("+k[0]+", "+k[1]+")", err, store.ErrNotFound)
		}
	}},
	{"giving a user another user's sub returns ErrExists", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		a := mustUser(t, s, newUser(poolA, "alice"))
		b := mustUser(t, s, newUser(poolA, "bob"))
		_, err := s.UpdateUser(t.Context(), poolA, "bob", func(u store.User) (store.User, error) {
			u.Sub = a.Sub
			return u, nil
		})
		wantErr(t, "UpdateUser", err, store.ErrExists)
		got, err := s.GetUser(t.Context(), poolA, "bob")
		noErr(t, "GetUser", err)
		same(t, "stored user", got, b)
	}},
	{"indexed attributes follow updates", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := newUser(poolA, "alice")
		u.Attributes = map[string]string{"email": "old@example.com", "phone_number": "+15550100"}
		mustUser(t, s, u)
		_, err := s.UpdateUser(t.Context(), poolA, "alice", func(u store.User) (store.User, error) {
			u.Attributes = map[string]string{"email": "new@example.com", "given_name": "Alice"}
			return u, nil
		})
		noErr(t, "UpdateUser", err)
		for _, c := range []struct {
			attr, value string
			want        []string
		}{
			{"email", "old@example.com", nil},
			{"email", "new@example.com", []string{"alice"}},
			{"phone_number", "+15550100", nil},
			{"given_name", "Alice", []string{"alice"}},
		} {
			us, err := s.FindUsersByAttribute(t.Context(), poolA, c.attr, c.value, 0)
			noErr(t, "FindUsersByAttribute", err)
			sameKeys(t, "find "+c.attr+"="+c.value, userKeys(us), c.want)
			us, err = s.ListUsers(t.Context(), poolA, store.UserFilter{Attribute: c.attr, Value: c.value}, store.Page{})
			noErr(t, "ListUsers", err)
			sameKeys(t, "list "+c.attr+"="+c.value, userKeys(us), c.want)
		}
		us, err := s.ListUsers(t.Context(), poolA, store.UserFilter{Attribute: "phone_number", Prefix: true}, store.Page{})
		noErr(t, "ListUsers", err)
		sameKeys(t, "users with a phone number", userKeys(us), nil)
	}},
	{"deleting a user removes it and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := mustUser(t, s, newUser(poolA, "alice"))
		mustUser(t, s, newUser(poolA, "bob"))
		noErr(t, "DeleteUser", s.DeleteUser(t.Context(), poolA, "alice"))
		_, err := s.GetUser(t.Context(), poolA, "alice")
		wantErr(t, "GetUser", err, store.ErrNotFound)
		_, err = s.GetUserBySub(t.Context(), poolA, u.Sub)
		wantErr(t, "GetUserBySub", err, store.ErrNotFound)
		us, err := s.FindUsersByAttribute(t.Context(), poolA, "email", "alice@example.com", 0)
		noErr(t, "FindUsersByAttribute", err)
		sameKeys(t, "found", userKeys(us), nil)
		_, err = s.GetUser(t.Context(), poolA, "bob")
		noErr(t, "GetUser(bob)", err)
		wantErr(t, "second DeleteUser", s.DeleteUser(t.Context(), poolA, "alice"), store.ErrNotFound)
		// Key and sub are free again.
		mustUser(t, s, u)
	}},
}
