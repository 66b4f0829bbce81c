package sqlite

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
	"github.com/ninsho/ninsho/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) store.Store {
		return open(t, t.TempDir())
	})
}

func open(tb testing.TB, dir string) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), dir)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	p := store.UserPool{ID: "us-east-1_reopen000", Name: "reopen", CreatedAt: time.UnixMilli(1700000000123).UTC()}
	u := store.User{PoolID: p.ID, Username: "alice", Key: "alice", Sub: "sub-1", Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{"email": "alice@example.com"}}
	if err := s.CreateUserPool(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, dir)
	gotP, err := s.GetUserPool(t.Context(), p.ID)
	if err != nil || gotP.Name != p.Name || !gotP.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("GetUserPool after reopening = %+v, %v", gotP, err)
	}
	us, err := s.FindUsersByAttribute(t.Context(), p.ID, "email", "alice@example.com", 0)
	if err != nil || len(us) != 1 || us[0].Sub != "sub-1" {
		t.Errorf("FindUsersByAttribute after reopening = %+v, %v", us, err)
	}
}

func TestMigrationsRecordedOnce(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	s = open(t, dir)

	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil || len(ms) == 0 {
		t.Fatalf("LoadMigrations = %d migrations, %v", len(ms), err)
	}
	rows, err := s.r.QueryContext(t.Context(), `SELECT version, COUNT(*), MIN(applied_at) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v, n int
		var at int64
		if err := rows.Scan(&v, &n, &at); err != nil {
			t.Fatal(err)
		}
		if n != 1 || at <= 0 {
			t.Errorf("version %d: recorded %d times, applied_at %d", v, n, at)
		}
		versions = append(versions, v)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.Version)
	}
	if !slices.Equal(versions, want) {
		t.Errorf("recorded versions %v, want %v", versions, want)
	}
}

// TestTwoStoresOneFile runs read-modify-writes from two Stores on one file, as
// two processes would: BEGIN IMMEDIATE and busy_timeout make them queue
// rather than fail or lose updates.
func TestTwoStoresOneFile(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, dir), open(t, dir)
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
				n, err := strconv.Atoi(string(u.Extra))
				u.Extra = strconv.AppendInt(nil, int64(n+1), 10)
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

// TestPanicInTransactionReleasesTheWriter checks that a panic in InObjectTx's
// fn, once recovered (as net/http does), leaves no transaction holding the one
// write connection.
func TestPanicInTransactionReleasesTheWriter(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := t.Context()
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
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.PutObject(wctx, store.Object{Kind: "k", Key: "after"}); err != nil {
		t.Fatalf("PutObject after a panicking transaction: %v", err)
	}
	if _, err := s.GetObject(ctx, "k", "lost"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetObject of the panicking transaction's write: %v, want ErrNotFound", err)
	}
}
