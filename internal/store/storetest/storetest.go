package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/store"
)

// RunTests runs the conformance suite. newStore must return a fresh, empty
// store for each call and arrange for its Close (t.Cleanup).
func RunTests(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, group := range [][]subtest{poolTests, clientTests, userTests, listTests, tokenTests, keyTests, sessionTests, miscTests, objectTests, dumpTests, bulkTests} {
		for _, st := range group {
			t.Run(st.name, func(t *testing.T) {
				st.run(t, newStore(t))
			})
		}
	}
}

type subtest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// errTest is what failing updaters return.
var errTest = errors.New("storetest: updater failed")

// t0 has sub-millisecond digits and a zone other than UTC, to check that
// times come back in UTC to the millisecond.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123_456_789, time.FixedZone("UTC+9", 9*3600))

func at(d time.Duration) time.Time { return t0.Add(d) }

// ---- fixtures ----

func newPool(id string) store.UserPool {
	return store.UserPool{ID: id, Name: "pool " + id, Settings: []byte(`{"mfa":"OFF"}`), CreatedAt: t0, UpdatedAt: at(time.Second)}
}

func mustPool(t *testing.T, s store.Store, id string) store.UserPool {
	t.Helper()
	p := newPool(id)
	if err := s.CreateUserPool(t.Context(), p); err != nil {
		t.Fatalf("CreateUserPool(%s): %v", id, err)
	}
	return p
}

func newClient(poolID, id string) store.Client {
	return store.Client{ID: id, PoolID: poolID, Name: "client " + id, Secret: "secret-" + id, Settings: []byte(`{"flows":["USER_SRP_AUTH"]}`), CreatedAt: t0, UpdatedAt: t0}
}

func mustClient(t *testing.T, s store.Store, poolID, id string) store.Client {
	t.Helper()
	c := newClient(poolID, id)
	if err := s.CreateClient(t.Context(), c); err != nil {
		t.Fatalf("CreateClient(%s, %s): %v", poolID, id, err)
	}
	return c
}

func newUser(poolID, key string) store.User {
	return store.User{
		PoolID:        poolID,
		Username:      key,
		Key:           key,
		Sub:           uuid.NewString(),
		Status:        "CONFIRMED",
		Enabled:       true,
		Attributes:    map[string]string{"email": key + "@example.com", "email_verified": "true"},
		Password:      store.Password{Salt: []byte{0, 1, 2, 0xff}, Verifier: bytes.Repeat([]byte{0xab, 0}, 128)},
		PasswordSetAt: at(time.Minute),
		Extra:         []byte(`{"n":0}`),
		CreatedAt:     t0,
		UpdatedAt:     at(time.Minute),
	}
}

func mustUser(t *testing.T, s store.Store, u store.User) store.User {
	t.Helper()
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%s, %s): %v", u.PoolID, u.Key, err)
	}
	return u
}

func newToken(poolID, username string) store.RefreshToken {
	h := uuid.New()
	return store.RefreshToken{
		Hash:      h[:],
		PoolID:    poolID,
		ClientID:  "client1",
		Username:  username,
		OriginJTI: uuid.NewString(),
		AuthTime:  t0,
		IssuedAt:  at(time.Second),
		ExpiresAt: at(30 * 24 * time.Hour),
	}
}

func mustToken(t *testing.T, s store.Store, tok store.RefreshToken) store.RefreshToken {
	t.Helper()
	if err := s.CreateRefreshToken(t.Context(), tok); err != nil {
		t.Fatalf("CreateRefreshToken: %v", err)
	}
	return tok
}

func newKey(kid, scope string, created time.Time) store.SigningKey {
	return store.SigningKey{KID: kid, Scope: scope, Use: "id", Algorithm: "RS256", Private: []byte("der-" + kid), CreatedAt: created}
}

func mustKey(t *testing.T, s store.Store, k store.SigningKey) store.SigningKey {
	t.Helper()
	if err := s.CreateSigningKey(t.Context(), k); err != nil {
		t.Fatalf("CreateSigningKey(%s): %v", k.KID, err)
	}
	return k
}

func newSession(poolID string) store.AuthSession {
	h := uuid.New()
	return store.AuthSession{Hash: h[:], PoolID: poolID, ClientID: "client1", Username: "alice", Challenge: "PASSWORD_VERIFIER", Data: []byte(`{"b":"ff"}`), ExpiresAt: at(3 * time.Minute)}
}

func mustSession(t *testing.T, s store.Store, a store.AuthSession) store.AuthSession {
	t.Helper()
	if err := s.CreateAuthSession(t.Context(), a); err != nil {
		t.Fatalf("CreateAuthSession: %v", err)
	}
	return a
}

// ---- comparison ----

// normalize returns a copy of a model value in which times are cut to the
// millisecond in UTC and empty slices and maps are nil, so that values
// compare with reflect.DeepEqual as the suite means them to.
func normalize(v any) any {
	rv := reflect.New(reflect.TypeOf(v)).Elem()
	rv.Set(reflect.ValueOf(v))
	normValue(rv)
	return rv.Interface()
}

var timeType = reflect.TypeOf(time.Time{})

func normValue(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		if tm := v.Interface().(time.Time); !tm.IsZero() {
			v.Set(reflect.ValueOf(time.UnixMilli(tm.UnixMilli()).UTC()))
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			normValue(v.Field(i))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	case v.Kind() == reflect.Slice:
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(s, v)
		for i := range s.Len() {
			normValue(s.Index(i))
		}
		if s.Len() == 0 {
			s = reflect.Zero(v.Type())
		}
		v.Set(s)
	case v.Kind() == reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// checkUTC fails the test for a non-zero time not in UTC.
func checkUTC(t *testing.T, v any) {
	t.Helper()
	var walk func(reflect.Value, string)
	walk = func(v reflect.Value, path string) {
		switch {
		case v.Type() == timeType:
			if tm := v.Interface().(time.Time); !tm.IsZero() && tm.Location() != time.UTC {
				t.Errorf("%s = %v: not in UTC", path, tm)
			}
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(reflect.ValueOf(v), "got")
}

// same fails the test unless got is want as the suite compares them.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	checkUTC(t, got)
	if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, g, w)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func userKeys(us []store.User) []string {
	keys := []string{}
	for _, u := range us {
		keys = append(keys, u.Key)
	}
	return keys
}

func sameKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// pageThrough lists everything with pages of size n, checking that no page
// is longer than n, and returns the keys in the order listed.
func pageThrough(t *testing.T, n int, list func(store.Page) ([]string, error)) []string {
	t.Helper()
	all := []string{}
	after := ""
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("paging does not end")
		}
		keys, err := list(store.Page{After: after, Limit: n})
		noErr(t, "list page", err)
		if len(keys) > n {
			t.Fatalf("page after %q has %d records, limit %d", after, len(keys), n)
		}
		all = append(all, keys...)
		if len(keys) < n {
			return all
		}
		after = keys[len(keys)-1]
	}
}
