package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
	"github.com/ninsho/ninsho/internal/store/storetest"
)

// testDSN is the server the tests use: NINSHO_TEST_POSTGRES, a URL to a
// database in which the tests may create databases (scripts/test.sh starts
// a throwaway cluster and sets it).
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := serverDSN()
	if dsn == "" {
		tb.Skip("NINSHO_TEST_POSTGRES is not set: no PostgreSQL to test against (scripts/test.sh starts one)")
	}
	return dsn
}

// serverDSN is NINSHO_TEST_POSTGRES, or NINSHO_TEST_POSTGRES_DSN (the name
// STYLE.md gives).
func serverDSN() string {
	if dsn := os.Getenv("NINSHO_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return os.Getenv("NINSHO_TEST_POSTGRES_DSN")
}

var (
	dbOnce sync.Once
	dbDSN  string // the database of this test binary, created once
	dbErr  error
	schema atomic.Int64
)

// TestMain drops the database the tests created.
func TestMain(m *testing.M) {
	code := m.Run()
	if dbDSN != "" {
		if err := dropDatabase(serverDSN(), dbDSN); err != nil {
			fmt.Fprintln(os.Stderr, "drop test database:", err)
		}
	}
	os.Exit(code)
}

// withParams returns the URL dsn with another database (if db is not "")
// and the query parameters set.
func withParams(tb testing.TB, dsn, db string, params map[string]string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("NINSHO_TEST_POSTGRES must be a postgres:// URL: %q", dsn)
	}
	if db != "" {
		u.Path = "/" + db
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// testDatabase returns the DSN of a database created for this test binary.
func testDatabase(tb testing.TB) string {
	dsn := testDSN(tb)
	dbOnce.Do(func() {
		name := "ninsho_test_" + strings.ToLower(rand.Text()[:12])
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			dbErr = err
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
			dbErr = err
			return
		}
		dbDSN = withParams(tb, dsn, name, nil)
	})
	if dbErr != nil {
		tb.Fatalf("create test database: %v", dbErr)
	}
	return dbDSN
}

func dropDatabase(serverDSN, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverDSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+` WITH (FORCE)`)
	return err
}

// freshSchema creates an empty schema in the test database and returns a
// DSN whose search_path is that schema.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	dsn := testDatabase(tb)
	name := fmt.Sprintf("t%d", schema.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			tb.Error(err)
		}
	})
	return withParams(tb, dsn, "", map[string]string{"search_path": name})
}

func open(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.RunTests(t, func(t *testing.T) store.Store {
		return open(t, freshSchema(t))
	})
}

// TestMigrationsSameVersionsAsSQLite checks that both dialects have the
// same migration versions (the SQLite ones are read from its directory).
func TestMigrationsSameVersionsAsSQLite(t *testing.T) {
	pg, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := sqlstore.LoadMigrations(os.DirFS("../sqlite"), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	versions := func(ms []sqlstore.Migration) (vs []int) {
		for _, m := range ms {
			vs = append(vs, m.Version)
		}
		return vs
	}
	if !slices.Equal(versions(pg), versions(lite)) || len(pg) == 0 {
		t.Errorf("postgres migrations %v, sqlite %v", versions(pg), versions(lite))
	}
}

// TestConcurrentOpenMigratesOnce starts several stores on one empty schema
// at once, as instances starting together would: all open, and every
// migration is recorded once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := freshSchema(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			s, err := Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open: %v", err)
		}
	}
	s := open(t, dsn)
	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(t.Context(), `SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for rows.Next() {
		var v, c int
		if err := rows.Scan(&v, &c); err != nil {
			t.Fatal(err)
		}
		if c != 1 {
			t.Errorf("version %d recorded %d times", v, c)
		}
		got = append(got, v)
	}
	rows.Close()
	var want []int
	for _, m := range ms {
		want = append(want, m.Version)
	}
	if !slices.Equal(got, want) {
		t.Errorf("recorded versions %v, want %v", got, want)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dsn := freshSchema(t)
	s := open(t, dsn)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), dsn); err == nil {
		s.Close()
		t.Fatal("Open of a database from the future succeeded")
	}
}

// TestTwoStoresOneDatabase runs read-modify-writes from two Stores on one
// database, as two instances would: none is lost.
func TestTwoStoresOneDatabase(t *testing.T) {
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	ctx := t.Context()
	if err := a.CreateUserPool(ctx, store.UserPool{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateUser(ctx, store.User{PoolID: "p", Username: "u", Key: "u", Sub: "s", Extra: []byte("0")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			_, err := s.UpdateUser(ctx, "p", "u", func(u store.User) (store.User, error) {
				var n int
				_, err := fmt.Sscan(string(u.Extra), &n)
				u.Extra = fmt.Append(nil, n+1)
				return u, err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	u, err := b.GetUser(ctx, "p", "u")
	if err != nil || string(u.Extra) != "20" {
		t.Errorf("GetUser = %s, %v; want 20", u.Extra, err)
	}
}

// TestTransactionsDecideOnWhatTheyList runs, from two Stores, transactions
// that create an object under a prefix only while fewer than two are there
// (an access-key quota): SERIALIZABLE makes exactly two succeed, where READ
// COMMITTED would let most through.
func TestTransactionsDecideOnWhatTheyList(t *testing.T) {
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	ctx := t.Context()
	errQuota := errors.New("quota reached")
	var wg sync.WaitGroup
	var created, refused atomic.Int32
	for i := range 10 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
				os, err := tx.ListObjects(ctx, "iam.key", "alice/", store.Page{})
				if err != nil {
					return err
				}
				if len(os) >= 2 {
					return errQuota
				}
				return tx.CreateObject(ctx, store.Object{Kind: "iam.key", Key: fmt.Sprintf("alice/%02d", i)})
			})
			switch {
			case err == nil:
				created.Add(1)
			case errors.Is(err, errQuota):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	os, err := a.ListObjects(ctx, "iam.key", "alice/", store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(os) != 2 || created.Load() != 2 || refused.Load() != 8 {
		t.Errorf("%d objects, %d created, %d refused; want 2, 2, 8", len(os), created.Load(), refused.Load())
	}
}

// TestSwallowedSerializationFailureIsRetried: fn ignoring a failed
// statement must not commit (the transaction is aborted) nor report
// success without its writes.
func TestSwallowedSerializationFailureIsRetried(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	if err := s.CreateObject(ctx, store.Object{Kind: "k", Key: "c", Value: []byte("0")}); err != nil {
		t.Fatal(err)
	}
	runs := 0
	err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
		runs++
		o, err := tx.GetObject(ctx, "k", "c")
		if err != nil {
			return err
		}
		if runs == 1 {
			// Another instance changes the object after this transaction's
			// snapshot was taken.
			if _, err := s.UpdateObject(ctx, "k", "c", func(o store.Object) (store.Object, error) {
				o.Value = []byte("10")
				return o, nil
			}); err != nil {
				return err
			}
		}
		o.Value = append(o.Value, '1')
		_ = tx.PutObject(ctx, o) // the error is ignored
		return nil
	})
	if err != nil || runs != 2 {
		t.Fatalf("InObjectTx = %v after %d runs; want nil after 2", err, runs)
	}
	o, err := s.GetObject(ctx, "k", "c")
	if err != nil || string(o.Value) != "101" {
		t.Errorf("GetObject = %q, %v; want 101", o.Value, err)
	}
}

// TestPanicInTransactionRollsBack checks that a panic in InObjectTx's fn,
// once recovered, leaves none of its writes and no connection in a
// transaction.
func TestPanicInTransactionRollsBack(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	for range 8 { // more than the pool's connections
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not go on")
				}
			}()
			_ = s.InObjectTx(ctx, func(tx store.ObjectTx) error {
				if err := tx.PutObject(ctx, store.Object{Kind: "k", Key: "lost"}); err != nil {
					t.Error(err)
				}
				panic("boom")
			})
		}()
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.PutObject(wctx, store.Object{Kind: "k", Key: "after"}); err != nil {
		t.Fatalf("PutObject after panicking transactions: %v", err)
	}
	if _, err := s.GetObject(ctx, "k", "lost"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetObject of the panicking transaction's write: %v, want ErrNotFound", err)
	}
}

// TestPoolSettingsFromTheURL checks that pgxpool's URL parameters set the
// pool (and are not sent to the server, which would refuse them).
func TestPoolSettingsFromTheURL(t *testing.T) {
	dsn := withParams(t, freshSchema(t), "", map[string]string{"pool_max_conns": "3", "pool_min_conns": "1"})
	s := open(t, dsn)
	if c := s.pool.Config(); c.MaxConns != 3 || c.MinConns != 1 {
		t.Errorf("MaxConns %d, MinConns %d; want 3, 1", c.MaxConns, c.MinConns)
	}
	if _, err := s.CountUsers(t.Context(), "p"); err != nil {
		t.Error(err)
	}
}

func TestOpenRefusesABadURL(t *testing.T) {
	for _, dsn := range []string{"postgres://u@127.0.0.1:1/x?pool_max_conns=zero", "postgres://u@127.0.0.1:1/x?connect_timeout=2"} {
		if s, err := Open(t.Context(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestConnectTimeout(t *testing.T) {
	for dsn, want := range map[string]time.Duration{
		"postgres://u@h/x":                   defaultConnectTimeout,
		"postgres://u@h/x?connect_timeout=3": 3 * time.Second,
	} {
		cfg, err := connConfig(dsn)
		if err != nil || cfg.ConnConfig.ConnectTimeout != want {
			t.Errorf("%s: ConnectTimeout %v, %v; want %v", dsn, cfg.ConnConfig.ConnectTimeout, err, want)
		}
	}
}

// TestDeadlockIsRetried makes two transactions write two objects in
// opposite orders: PostgreSQL aborts one with a deadlock (40P01), which is
// run again, and both commit.
func TestDeadlockIsRetried(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	for _, k := range []string{"x", "y"} {
		if err := s.CreateObject(ctx, store.Object{Kind: "k", Key: k, Value: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	var both sync.WaitGroup
	both.Add(2)
	var runs atomic.Int32
	write := func(first, second string) error {
		firstRun := true
		return s.InObjectTx(ctx, func(tx store.ObjectTx) error {
			runs.Add(1)
			if err := tx.PutObject(ctx, store.Object{Kind: "k", Key: first, Value: []byte(`{"by":"` + first + `"}`)}); err != nil {
				return err
			}
			if firstRun {
				firstRun = false
				both.Done()
				both.Wait() // each holds its first row now
			}
			return tx.PutObject(ctx, store.Object{Kind: "k", Key: second, Value: []byte(`{"by":"` + first + `"}`)})
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- write("x", "y") }()
	go func() { errs <- write("y", "x") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("InObjectTx: %v", err)
		}
	}
	if runs.Load() < 3 {
		t.Errorf("%d runs of fn; want a rerun after the deadlock", runs.Load())
	}
	x, _ := s.GetObject(ctx, "k", "x")
	y, _ := s.GetObject(ctx, "k", "y")
	if string(x.Value) != string(y.Value) {
		t.Errorf("x = %s, y = %s: the transactions interleaved", x.Value, y.Value)
	}
}

// TestEndlessConflictsEndInErrConflict: a transaction that meets a
// serialization failure on every run gives up after maxAttempts runs with
// store.ErrConflict.
func TestEndlessConflictsEndInErrConflict(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	if err := s.CreateObject(ctx, store.Object{Kind: "k", Key: "c", Value: []byte("0")}); err != nil {
		t.Fatal(err)
	}
	runs := 0
	err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
		runs++
		o, err := tx.GetObject(ctx, "k", "c")
		if err != nil {
			return err
		}
		// Another instance changes the object after every snapshot.
		if _, err := s.UpdateObject(ctx, "k", "c", func(o store.Object) (store.Object, error) { return o, nil }); err != nil {
			return err
		}
		return tx.PutObject(ctx, o)
	})
	if !errors.Is(err, store.ErrConflict) || runs != maxAttempts {
		t.Errorf("InObjectTx = %v after %d runs; want ErrConflict after %d", err, runs, maxAttempts)
	}
}
