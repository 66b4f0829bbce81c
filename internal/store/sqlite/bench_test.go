package sqlite

import (
	"database/sql"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/storetest"
)

// benchStore opens a store with a pool of storetest.BenchUsers users, inserted in one
// transaction.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, b.TempDir())
	ctx := b.Context()
	if err := s.CreateUserPool(ctx, store.UserPool{ID: storetest.BenchPool, Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ins, err := s.txStmt(ctx, tx, insertUser)
		if err != nil {
			return err
		}
		for i := range storetest.BenchUsers {
			args, err := userArgs(storetest.BenchUser(i))
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Let the planner have statistics, as a long-running server would.
	if _, err := s.w.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchObjectStore opens a store with storetest.BenchObjects objects, put in one
// transaction.
func benchObjectStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, b.TempDir())
	ctx := b.Context()
	now := time.Now()
	err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
		for i := range storetest.BenchObjects {
			if err := tx.CreateObject(ctx, storetest.BenchObject(i, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkStore runs the store benchmarks every backend shares
// (storetest.Bench).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return benchStore(b) }, func(b *testing.B) store.Store { return benchObjectStore(b) })
}
