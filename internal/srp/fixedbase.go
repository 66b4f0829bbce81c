package srp

import (
	"math/big"
	"sync"
)

// Every exponentiation with the group generator (the verifier g^x, the
// server's g^b, the client's g^a) has the same base and modulus, so it can
// use a precomputed table instead of generic square-and-multiply: with
// table[i][j] = g^(j·256^i) mod N, g^e is the product of one entry per
// byte of e. For the 256-bit exponents of x and b that is at most 32
// multiplications instead of about 320 Montgomery steps in big.Int.Exp;
// it makes the password check of every USER_PASSWORD sign-in and the SRP_B
// of every SRP sign-in about three times cheaper. The table costs about
// 3 MB and 50 ms, built on first use.

const (
	fixedBaseBytes = 32 // exponents up to 256 bits use the table
)

var (
	fixedBaseOnce  sync.Once
	fixedBaseTable [fixedBaseBytes][256]*big.Int
)

func buildFixedBase() {
	step := new(big.Int).Set(groupG) // g^(256^i)
	for i := range fixedBaseBytes {
		row := &fixedBaseTable[i]
		row[1] = new(big.Int).Set(step)
		for j := 2; j < 256; j++ {
			v := new(big.Int).Mul(row[j-1], step)
			row[j] = v.Mod(v, groupN)
		}
		// g^(256^(i+1)) = (g^(255·256^i)) · g^(256^i)
		next := new(big.Int).Mul(row[255], step)
		step = next.Mod(next, groupN)
	}
}

// gExp returns g^e mod N for e ≥ 0.
func gExp(e *big.Int) *big.Int {
	if e.Sign() < 0 || e.BitLen() > 8*fixedBaseBytes {
		return new(big.Int).Exp(groupG, e, groupN)
	}
	fixedBaseOnce.Do(buildFixedBase)
	var buf [fixedBaseBytes]byte
	e.FillBytes(buf[:])
	acc := big.NewInt(1)
	tmp := new(big.Int)
	for i := range fixedBaseBytes {
		b := buf[fixedBaseBytes-1-i] // byte i, least significant first
		if b == 0 {
			continue
		}
		tmp.Mul(acc, fixedBaseTable[i][b])
		acc.Mod(tmp, groupN)
	}
	return acc
}
