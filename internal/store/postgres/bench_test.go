package postgres

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/storetest"
)

// benchStore opens a store, in a schema of its own, with a pool of
// storetest.BenchUsers users, copied in and analyzed.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, freshSchema(b))
	if err := s.CreateUserPool(b.Context(), store.UserPool{ID: storetest.BenchPool, Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	us := make([]store.User, storetest.BenchUsers)
	for i := range us {
		us[i] = storetest.BenchUser(i)
	}
	insertUsers(b, s, us)
	return s
}

// benchObjectStore opens a store with storetest.BenchObjects objects, put in one
// transaction.
func benchObjectStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, freshSchema(b))
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
	if _, err := s.pool.Exec(ctx, `ANALYZE objects`); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkStore runs the store benchmarks every backend shares
// (storetest.Bench).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return benchStore(b) }, func(b *testing.B) store.Store { return benchObjectStore(b) })
}
