package tokens

import (
	"context"
	"testing"
)

// benchKeys returns a Keys with 2048-bit id and access keys for testScope.
func benchKeys(b *testing.B) *Keys {
	b.Helper()
	st, c := newMemStore(), &clock{t: t0}
	k := &Keys{Store: st, Now: c.Now}
	if err := k.Ensure(context.Background(), testScope); err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	k := benchKeys(b)
	claims := accessClaims(t0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(ctx, testScope, UseAccess, claims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignParallel(b *testing.B) {
	ctx := context.Background()
	k := benchKeys(b)
	claims := accessClaims(t0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Sign(ctx, testScope, UseAccess, claims); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	k := benchKeys(b)
	tok, err := k.Sign(ctx, testScope, UseAccess, accessClaims(t0))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(ctx, testScope, tok, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyParallel(b *testing.B) {
	ctx := context.Background()
	k := benchKeys(b)
	tok, err := k.Sign(ctx, testScope, UseAccess, accessClaims(t0))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Verify(ctx, testScope, tok, t0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkJWKS(b *testing.B) {
	ctx := context.Background()
	k := benchKeys(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.JWKS(ctx, testScope); err != nil {
			b.Fatal(err)
		}
	}
}
