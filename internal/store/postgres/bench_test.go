package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	benchPool  = "us-east-1_benchmark"
	benchUsers = 10_000
)

func benchUser(i int) store.User {
	key := fmt.Sprintf("user%05d", i)
	return store.User{
		PoolID: benchPool, Username: key, Key: key,
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

// benchStore opens a store, in a schema of its own, with a pool of
// benchUsers users, copied in and analyzed.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, freshSchema(b))
	if err := s.CreateUserPool(b.Context(), store.UserPool{ID: benchPool, Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	us := make([]store.User, benchUsers)
	for i := range us {
		us[i] = benchUser(i)
	}
	insertUsers(b, s, us)
	return s
}

func BenchmarkGetUser(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.GetUser(ctx, benchPool, fmt.Sprintf("user%05d", i%benchUsers)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkGetUserParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer() // RunParallel, unlike b.Loop, would time the setup
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.GetUser(ctx, benchPool, fmt.Sprintf("user%05d", i%benchUsers)); err != nil {
				b.Error(err)
				return
			}
			i += 7919
		}
	})
}

func BenchmarkUpdateUser(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		_, err := s.UpdateUser(ctx, benchPool, fmt.Sprintf("user%05d", i%benchUsers), func(u store.User) (store.User, error) {
			u.Extra = fmt.Appendf(u.Extra[:0], `{"n":%d}`, i)
			u.UpdatedAt = time.Now()
			return u, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkCreateRefreshToken(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	now := time.Now()
	var n [8]byte
	i := uint64(0)
	for b.Loop() {
		binary.BigEndian.PutUint64(n[:], i)
		h := sha256.Sum256(n[:])
		err := s.CreateRefreshToken(ctx, store.RefreshToken{
			Hash: h[:], PoolID: benchPool, ClientID: "client", Username: fmt.Sprintf("user%05d", i%benchUsers),
			OriginJTI: fmt.Sprintf("jti-%d", i), AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkListUsersEmailFilter(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    func(i int) store.UserFilter
		want int
	}{
		{"exact", func(i int) store.UserFilter {
			return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user%05d@example.com", i%benchUsers)}
		}, 1},
		{"prefix10", func(i int) store.UserFilter {
			return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user%04d", i%(benchUsers/10)), Prefix: true}
		}, 10},
		{"prefix1000/page60", func(i int) store.UserFilter {
			return store.UserFilter{Attribute: "email", Value: fmt.Sprintf("user0%d", i%10), Prefix: true}
		}, 60},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				us, err := s.ListUsers(ctx, benchPool, c.f(i), store.Page{Limit: 60})
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
}

const benchObjects = 10_000

// benchObject is an IAM-role-sized object: about 1 KiB of JSON.
func benchObject(i int, now time.Time) store.Object {
	key := fmt.Sprintf("123456789012/role%05d", i)
	v := fmt.Appendf(nil, `{"RoleName":"role%05d","Arn":"arn:aws:iam::123456789012:role/role%05d","Policy":"`, i, i)
	for len(v) < 1000 {
		v = append(v, 'x')
	}
	v = append(v, `"}`...)
	return store.Object{Kind: "iam.role", Key: key, Value: v, CreatedAt: now, UpdatedAt: now}
}

// benchObjectStore opens a store with benchObjects objects, put in one
// transaction.
func benchObjectStore(b *testing.B) *Store {
	b.Helper()
	s := open(b, freshSchema(b))
	ctx := b.Context()
	now := time.Now()
	err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
		for i := range benchObjects {
			if err := tx.CreateObject(ctx, benchObject(i, now)); err != nil {
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

func BenchmarkGetObject(b *testing.B) {
	s := benchObjectStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.GetObject(ctx, "iam.role", fmt.Sprintf("123456789012/role%05d", i%benchObjects)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkGetObjectParallel(b *testing.B) {
	s := benchObjectStore(b)
	ctx := context.Background()
	b.ResetTimer() // RunParallel, unlike b.Loop, would time the setup
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.GetObject(ctx, "iam.role", fmt.Sprintf("123456789012/role%05d", i%benchObjects)); err != nil {
				b.Error(err)
				return
			}
			i += 7919
		}
	})
}

// BenchmarkPutObject replaces existing objects (the upsert's update path)
// and, in "new", creates new ones.
func BenchmarkPutObject(b *testing.B) {
	s := benchObjectStore(b)
	ctx := context.Background()
	now := time.Now()
	b.Run("replace", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := s.PutObject(ctx, benchObject(i%benchObjects, now)); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("new", func(b *testing.B) {
		i := benchObjects
		for b.Loop() {
			if err := s.PutObject(ctx, benchObject(i, now)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkListObjectsPrefix(b *testing.B) {
	s := benchObjectStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		// 10 objects: role00000..role00009 and so on.
		os, err := s.ListObjects(ctx, "iam.role", fmt.Sprintf("123456789012/role%04d", i%(benchObjects/10)), store.Page{Limit: 60})
		if err != nil {
			b.Fatal(err)
		}
		if len(os) != 10 {
			b.Fatalf("%d objects, want 10", len(os))
		}
		i += 7919
	}
}
