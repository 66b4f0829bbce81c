package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// The store benchmarks, the same for every backend: each backend's
// bench_test.go opens its stores (loaded as it loads fastest, with planner
// statistics) and calls Bench.

const (
	// BenchPool holds BenchUsers users (BenchUser) in a benchmark store.
	BenchPool  = "us-east-1_benchmark"
	BenchUsers = 10_000
	// BenchObjects is the number of objects (BenchObject) in an object
	// benchmark store.
	BenchObjects = 10_000
)

// BenchUser is the i-th user of BenchPool.
func BenchUser(i int) store.User {
	key := fmt.Sprintf("user%05d", i)
	return store.User{
		PoolID: BenchPool, Username: key, Key: key,
		Sub:     fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		Status:  "CONFIRMED",
		Enabled: i%10 != 0,
		Attributes: map[string]string{
			"email": key + "@example.com", "email_verified": "true",
			"given_name": "Given", "family_name": fmt.Sprintf("Family%d", i%100),
			"phone_number": fmt.Sprintf("+1555%07d", i),
		},
		Password:      store.Password{Salt: make([]byte, 16), Verifier: make([]byte, 384)},
		PasswordSetAt: time.Now(),
		Extra:         []byte(`{"n":0}`),
		CreatedAt:     time.Now(),
		UpdatedAt:     time.Now(),
	}
}

// BenchObject is the i-th object of an object benchmark store, an
// IAM-role-sized object: about 1 KiB of JSON.
func BenchObject(i int, now time.Time) store.Object {
	key := fmt.Sprintf("123456789012/role%05d", i)
	v := fmt.Appendf(nil, `{"RoleName":"role%05d","Arn":"arn:aws:iam::123456789012:role/role%05d","Policy":"`, i, i)
	for len(v) < 1000 {
		v = append(v, 'x')
	}
	v = append(v, `"}`...)
	return store.Object{Kind: "iam.role", Key: key, Value: v, CreatedAt: now, UpdatedAt: now}
}

// Bench runs the store benchmarks. users opens a store holding BenchPool
// and its users; objects opens one holding the benchmark objects.
func Bench(b *testing.B, users, objects func(b *testing.B) store.Store) {
	b.Run("GetUser", func(b *testing.B) {
		s := users(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, err := s.GetUser(ctx, BenchPool, fmt.Sprintf("user%05d", i%BenchUsers)); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("GetUserParallel", func(b *testing.B) {
		s := users(b)
		ctx := context.Background()
		b.ResetTimer() // RunParallel, unlike b.Loop, would time the setup
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.GetUser(ctx, BenchPool, fmt.Sprintf("user%05d", i%BenchUsers)); err != nil {
					b.Error(err)
					return
				}
				i += 7919
			}
		})
	})
	b.Run("UpdateUser", func(b *testing.B) {
		s := users(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			_, err := s.UpdateUser(ctx, BenchPool, fmt.Sprintf("user%05d", i%BenchUsers), func(u store.User) (store.User, error) {
				u.Extra = fmt.Appendf(u.Extra[:0], `{"n":%d}`, i)
				u.UpdatedAt = time.Now()
				return u, nil
			})
			if err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("CreateRefreshToken", func(b *testing.B) {
		s := users(b)
		ctx := context.Background()
		now := time.Now()
		var n [8]byte
		i := uint64(0)
		for b.Loop() {
			binary.BigEndian.PutUint64(n[:], i)
			h := sha256.Sum256(n[:])
			err := s.CreateRefreshToken(ctx, store.RefreshToken{
				Hash: h[:], PoolID: BenchPool, ClientID: "client", Username: fmt.Sprintf("user%05d", i%BenchUsers),
				OriginJTI: fmt.Sprintf("jti-%d", i), AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ListUsersEmailFilter", func(b *testing.B) {
		s := users(b)
		ctx := context.Background()
		for _, c := range []struct {
			name string
			f    func(i int) store.UserFilter
			want int
		}{
			{"exact", func(i int) store.UserFilter {
				return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user%05d@example.com", i%BenchUsers)}
			}, 1},
			{"prefix10", func(i int) store.UserFilter {
				return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user%04d", i%(BenchUsers/10)), Prefix: true}
			}, 10},
			{"prefix1000/page60", func(i int) store.UserFilter {
				return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user0%d", i%10), Prefix: true}
			}, 60},
		} {
			b.Run(c.name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					us, err := s.ListUsers(ctx, BenchPool, c.f(i), store.Page{Limit: 60})
					if err != nil {
						b.Fatal(err)
					}
					if len(us) != c.want {
						b.Fatalf("%d users, want %d", len(us), c.want)
					}
					i += 7919
				}
			})
		}
	})
	b.Run("GetObject", func(b *testing.B) {
		s := objects(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, err := s.GetObject(ctx, "iam.role", fmt.Sprintf("123456789012/role%05d", i%BenchObjects)); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("GetObjectParallel", func(b *testing.B) {
		s := objects(b)
		ctx := context.Background()
		b.ResetTimer() // RunParallel, unlike b.Loop, would time the setup
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.GetObject(ctx, "iam.role", fmt.Sprintf("123456789012/role%05d", i%BenchObjects)); err != nil {
					b.Error(err)
					return
				}
				i += 7919
			}
		})
	})
	b.Run("PutObject", func(b *testing.B) {
		s := objects(b)
		ctx := context.Background()
		now := time.Now()
		b.Run("replace", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := s.PutObject(ctx, BenchObject(i%BenchObjects, now)); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
		b.Run("new", func(b *testing.B) {
			i := BenchObjects
			for b.Loop() {
				if err := s.PutObject(ctx, BenchObject(i, now)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
	b.Run("ListObjectsPrefix", func(b *testing.B) {
		s := objects(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			// 10 objects: role00000..role00009 and so on.
			os, err := s.ListObjects(ctx, "iam.role", fmt.Sprintf("123456789012/role%04d", i%(BenchObjects/10)), store.Page{Limit: 60})
			if err != nil {
				b.Fatal(err)
			}
			if len(os) != 10 {
				b.Fatalf("%d objects, want 10", len(os))
			}
			i += 7919
		}
	})
}
