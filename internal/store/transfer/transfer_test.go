package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/postgres"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

// fill writes records of every aggregate, with the fields a copy could lose
// set: verifiers and Extra, revoked tokens, retired keys, expiring objects
// of every kind the services keep, NUL bytes and non-ASCII text.
func fill(t *testing.T, s store.Store, users int) {
	t.Helper()
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for p, pool := range []string{"us-east-1_Migrate01", "eu-west-1_Migrate02"} {
		must("pool", s.CreateUserPool(ctx, store.UserPool{ID: pool, Name: "pool " + pool, Settings: []byte(`{"MfaConfiguration":"OPTIONAL"}`), CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}))
		must("client", s.CreateClient(ctx, store.Client{ID: fmt.Sprintf("client%02d", p), PoolID: pool, Name: "web", Secret: "s3cret", Settings: []byte(`{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"]}`), CreatedAt: t0, UpdatedAt: t0}))
		must("public client", s.CreateClient(ctx, store.Client{ID: fmt.Sprintf("public%02d", p), PoolID: pool, Name: "spa", CreatedAt: t0, UpdatedAt: t0.Add(time.Minute)}))
		for i := range users {
			name := fmt.Sprintf("user%04d", i)
			u := store.User{
				PoolID: pool, Username: name, Key: name, Sub: fmt.Sprintf("%08d-0000-4000-8000-%012d", p, i),
				Status: "CONFIRMED", Enabled: i%7 != 0,
				Attributes:    map[string]string{"email": name + "@example.com", "email_verified": "true", "custom:note": "naïve \x00 ☃"},
				Password:      store.Password{Salt: []byte{byte(i), 0, 0xff}, Verifier: bytes.Repeat([]byte{byte(i), 0}, 192)},
				PasswordSetAt: t0.Add(time.Duration(i) * time.Second),
				Extra:         []byte(fmt.Sprintf(`{"mfa":{"totp":"seed%d"}}`, i)),
				CreatedAt:     t0, UpdatedAt: t0.Add(time.Duration(i) * time.Millisecond),
			}
			if i%5 == 0 {
				u.Status, u.Password, u.Extra, u.PasswordSetAt = "FORCE_CHANGE_PASSWORD", store.Password{}, nil, time.Time{}
			}
			must("user", s.CreateUser(ctx, u))
			h := bytes.Repeat([]byte{byte(p), byte(i)}, 16)
			must("token", s.CreateRefreshToken(ctx, store.RefreshToken{Hash: h, PoolID: pool, ClientID: "client00", Username: name,
				OriginJTI: fmt.Sprintf("jti-%d-%d", p, i), AuthTime: t0, IssuedAt: t0.Add(time.Second), ExpiresAt: t0.Add(30 * 24 * time.Hour)}))
			if i%3 == 0 {
				must("revoke", s.RevokeRefreshToken(ctx, h))
			}
		}
		must("session", s.CreateAuthSession(ctx, store.AuthSession{Hash: []byte("session-" + pool), PoolID: pool, ClientID: "client00", Username: "user0001",
			Challenge: "PASSWORD_VERIFIER", Data: []byte(`{"B":"ab"}`), ExpiresAt: t0.Add(3 * time.Minute)}))
		for k, use := range []string{"id", "access"} {
			must("key", s.CreateSigningKey(ctx, store.SigningKey{KID: fmt.Sprintf("kid-%d-%d", p, k), Scope: pool, Use: use, Algorithm: "RS256", Private: []byte("der\x00" + use), CreatedAt: t0.Add(time.Hour)}))
			must("retired key", s.CreateSigningKey(ctx, store.SigningKey{KID: fmt.Sprintf("old-%d-%d", p, k), Scope: pool, Use: use, Algorithm: "RS256", Private: []byte("old"), CreatedAt: t0, RetiredAt: t0.Add(time.Hour)}))
		}
	}
	must("sts key", s.CreateSigningKey(ctx, store.SigningKey{KID: "sts-1", Scope: "sts", Use: "token", Algorithm: "RS256", Private: []byte("sts"), CreatedAt: t0}))
	kinds := []string{"iam.role", "iam.policy", "iam.user", "sts.credential", "identity.pool", "identity.identity", "identity.login", "identity.ref",
		"userpool.group", "userpool.lockout", "notify.message", "notify.smtp", "apigw.api", "apigw.domain"}
	for i, kind := range kinds {
		for j := range 3 {
			o := store.Object{Kind: kind, Key: fmt.Sprintf("owner%d/name%d", i, j), Value: []byte(fmt.Sprintf(`{"i":%d,"j":%d}`, i, j)), CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(j) * time.Second)}
			if j == 1 {
				o.ExpiresAt = t0.Add(time.Hour)
			}
			must("object", s.CreateObject(ctx, o))
		}
	}
}

// dump is every record of a store, in an order independent of the backend.
type dump struct {
	Pools    []store.UserPool
	Clients  []store.Client
	Users    []store.User
	Tokens   []store.RefreshToken
	Keys     []store.SigningKey
	Sessions []store.AuthSession
	Objects  []store.Object
}

func dumpAll(t *testing.T, s store.Dumper) dump {
	t.Helper()
	var d dump
	err := s.Dump(t.Context(), store.DumpVisitor{
		UserPool:     func(r store.UserPool) error { d.Pools = append(d.Pools, r); return nil },
		Client:       func(r store.Client) error { d.Clients = append(d.Clients, r); return nil },
		User:         func(r store.User) error { d.Users = append(d.Users, r); return nil },
		RefreshToken: func(r store.RefreshToken) error { d.Tokens = append(d.Tokens, r); return nil },
		SigningKey:   func(r store.SigningKey) error { d.Keys = append(d.Keys, r); return nil },
		AuthSession:  func(r store.AuthSession) error { d.Sessions = append(d.Sessions, r); return nil },
		Object:       func(r store.Object) error { d.Objects = append(d.Objects, r); return nil },
	})
	if err != nil {
		t.Fatalf("Dump: %v", err)
	}
	sortBy(d.Pools, func(r store.UserPool) string { return r.ID })
	sortBy(d.Clients, func(r store.Client) string { return r.ID })
	sortBy(d.Users, func(r store.User) string { return r.PoolID + "/" + r.Key })
	sortBy(d.Tokens, func(r store.RefreshToken) string { return string(r.Hash) })
	sortBy(d.Keys, func(r store.SigningKey) string { return r.KID })
	sortBy(d.Sessions, func(r store.AuthSession) string { return string(r.Hash) })
	sortBy(d.Objects, func(r store.Object) string { return r.Kind + "\x00" + r.Key })
	return d
}

func sortBy[T any](s []T, key func(T) string) {
	slices.SortFunc(s, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}

func sameDump(t *testing.T, what string, got, want dump) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		gf, wf := g.Field(i), w.Field(i)
		if gf.Len() != wf.Len() {
			t.Errorf("%s: %d %s, want %d", what, gf.Len(), name, wf.Len())
			continue
		}
		for j := range gf.Len() {
			if !reflect.DeepEqual(gf.Index(j).Interface(), wf.Index(j).Interface()) {
				t.Errorf("%s: %s[%d]:\n got  %+v\n want %+v", what, name, j, gf.Index(j).Interface(), wf.Index(j).Interface())
			}
		}
	}
}

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const users = 40

func wantCounts() Counts {
	return Counts{UserPools: 2, Clients: 4, Users: 2 * users, RefreshTokens: 2 * users, SigningKeys: 9, AuthSessions: 2, Objects: 14 * 3}
}

// smallBatches makes Copy write users in batches of 7 for the test, so that
// every batch but the last is full and the last is not.
func smallBatches(t *testing.T) {
	n := userBatch
	userBatch = 7
	t.Cleanup(func() { userBatch = n })
}

func TestCopyMovesEveryRecord(t *testing.T) {
	smallBatches(t)
	src, dst := openSQLite(t), openSQLite(t)
	fill(t, src, users)
	want := dumpAll(t, src)
	if n := len(want.Users); n != 2*users {
		t.Fatalf("the source holds %d users", n)
	}
	c, err := Copy(t.Context(), dst, src, Options{})
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if c != wantCounts() {
		t.Errorf("Copy counted %v, want %v", c, wantCounts())
	}
	sameDump(t, "target", dumpAll(t, dst), want)

	// The target answers the lookups the services make, not only a dump.
	ctx := t.Context()
	u, err := dst.GetUserBySub(ctx, "eu-west-1_Migrate02", "00000001-0000-4000-8000-000000000007")
	if err != nil || u.Enabled || u.Attributes["custom:note"] != "naïve \x00 ☃" {
		t.Errorf("GetUserBySub = %+v, %v", u, err)
	}
	if us, err := dst.ListUsers(ctx, "us-east-1_Migrate01", store.UserFilter{Attribute: "email", Value: "user0003@example.com"}, store.Page{}); err != nil || len(us) != 1 {
		t.Errorf("ListUsers by email = %d users, %v", len(us), err)
	}
	tok, err := dst.GetRefreshTokenByOrigin(ctx, "jti-0-3")
	if err != nil || !tok.Revoked {
		t.Errorf("token revoked before the move: %+v, %v", tok, err)
	}
	ks, err := dst.ListSigningKeys(ctx, "us-east-1_Migrate01")
	if err != nil || len(ks) != 4 || ks[3].RetiredAt.IsZero() {
		t.Errorf("ListSigningKeys = %+v, %v", ks, err)
	}
	if o, err := dst.GetObject(ctx, "sts.credential", "owner3/name1"); err != nil || !o.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("GetObject = %+v, %v", o, err)
	}
}

func TestCopyRefusesANonEmptyTargetUnlessForced(t *testing.T) {
	src, dst := openSQLite(t), openSQLite(t)
	fill(t, src, 5)
	if _, err := Copy(t.Context(), dst, src, Options{}); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	want := dumpAll(t, src)

	// A second run fails before writing anything.
	_, err := Copy(t.Context(), dst, src, Options{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second Copy = %v, want ErrNotEmpty naming --force", err)
	}
	sameDump(t, "target after a refused copy", dumpAll(t, dst), want)

	// One object alone makes a target non-empty.
	lone := openSQLite(t)
	if err := lone.CreateObject(t.Context(), store.Object{Kind: "notify.message", Key: "m", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(t.Context(), lone, src, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Copy onto a target with one object = %v, want ErrNotEmpty", err)
	}

	// With Force the target is replaced: the same result as the first run,
	// and nothing of what the target held before.
	c, err := Copy(t.Context(), lone, src, Options{Force: true})
	if err != nil {
		t.Fatalf("forced Copy: %v", err)
	}
	if c.Total() != len(want.Pools)+len(want.Clients)+len(want.Users)+len(want.Tokens)+len(want.Keys)+len(want.Sessions)+len(want.Objects) {
		t.Errorf("forced Copy counted %v", c)
	}
	sameDump(t, "forced target", dumpAll(t, lone), want)
}

// failing is a target whose CreateUser fails from its tenth call on.
type failing struct {
	Target
	calls atomic.Int64
}

var errDisk = errors.New("disk full")

func (f *failing) CreateUser(ctx context.Context, u store.User) error {
	if f.calls.Add(1) >= 10 {
		return errDisk
	}
	return f.Target.CreateUser(ctx, u)
}

func TestCopyStopsAtTheFirstFailedWrite(t *testing.T) {
	src := openSQLite(t)
	fill(t, src, users)
	dst := &failing{Target: openSQLite(t)}
	_, err := Copy(t.Context(), dst, src, Options{})
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "copy user ") {
		t.Fatalf("Copy = %v, want the failed write's error", err)
	}
	if n := dst.calls.Load(); n > 10+4*8+8 {
		t.Errorf("Copy went on writing after the failure: %d CreateUser calls", n)
	}
	// The target is left part-filled: a second run refuses it until forced.
	if _, err := Copy(t.Context(), dst.Target, src, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Copy onto the part-filled target = %v, want ErrNotEmpty", err)
	}
	if _, err := Copy(t.Context(), dst.Target, src, Options{Force: true}); err != nil {
		t.Errorf("forced Copy onto the part-filled target: %v", err)
	}
	sameDump(t, "target", dumpAll(t, dst.Target), dumpAll(t, src))
}

// TestCopyToPostgresAndBack moves an SQLite store into PostgreSQL and from
// there into a fresh SQLite store: both copies hold every record unchanged.
func TestCopyToPostgresAndBack(t *testing.T) {
	smallBatches(t)
	dsn := postgresDB(t)
	src := openSQLite(t)
	fill(t, src, users)
	want := dumpAll(t, src)
	pg, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	c, err := Copy(t.Context(), pg, src, Options{})
	if err != nil {
		t.Fatalf("Copy to PostgreSQL: %v", err)
	}
	if c != wantCounts() {
		t.Errorf("Copy counted %v, want %v", c, wantCounts())
	}
	sameDump(t, "PostgreSQL", dumpAll(t, pg), want)
	if _, err := Copy(t.Context(), pg, src, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second Copy to PostgreSQL = %v, want ErrNotEmpty", err)
	}
	if _, err := Copy(t.Context(), pg, src, Options{Force: true}); err != nil {
		t.Errorf("forced second Copy to PostgreSQL: %v", err)
	}
	sameDump(t, "PostgreSQL after a forced copy", dumpAll(t, pg), want)

	back := openSQLite(t)
	if _, err := Copy(t.Context(), back, pg, Options{}); err != nil {
		t.Fatalf("Copy back to SQLite: %v", err)
	}
	sameDump(t, "SQLite from PostgreSQL", dumpAll(t, back), want)
}

// postgresDB creates a database on the server NINSHO_TEST_POSTGRES names and
// drops it after the test.
func postgresDB(t *testing.T) string {
	t.Helper()
	server := os.Getenv("NINSHO_TEST_POSTGRES")
	if server == "" {
		t.Skip("NINSHO_TEST_POSTGRES is not set: no PostgreSQL to test against (scripts/test.sh starts one)")
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	name := "ninsho_transfer_" + strings.ToLower(rand.Text()[:10])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
