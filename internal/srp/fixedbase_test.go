package srp

import (
	"crypto/rand"
	"math/big"
	"testing"
)

func TestFixedBaseExponentiationMatchesExp(t *testing.T) {
	cases := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(255), big.NewInt(256),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)), // 2^256 - 1
		new(big.Int).Lsh(big.NewInt(1), 255),
		new(big.Int).Lsh(big.NewInt(1), 300), // beyond the table: falls back to Exp
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 256)
	for range 200 {
		e, _ := rand.Int(rand.Reader, limit)
		cases = append(cases, e)
	}
	for _, e := range cases {
		want := new(big.Int).Exp(groupG, e, groupN)
		if got := gExp(e); got.Cmp(want) != 0 {
			t.Fatalf("gExp(%x) differs from Exp", e)
		}
	}
}

func BenchmarkGExp(b *testing.B) {
	e, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 256))
	gExp(e)
	b.ResetTimer()
	for b.Loop() {
		gExp(e)
	}
}
