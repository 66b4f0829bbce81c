package srp

import (
	"crypto/rand"
	"math/big"
)

// smallALen is the size of the client secret a: 128 bytes, as
// generateRandomSmallA in AuthenticationHelper.js.
const smallALen = 128

// Client is the client half of the exchange, a port of AuthenticationHelper
// (the parts CognitoUser.js uses). It exists for tests and for ninsho's own
// test clients; a Client is for one exchange.
type Client struct {
	poolName string
	a, bigA  *big.Int
}

// NewClient draws a random a and computes A = g^a mod N (calculateA). For a
// user pool, poolName is [PoolName] of the pool id; for device SRP it is the
// device group key.
func NewClient(poolName string) (*Client, error) {
	buf := make([]byte, smallALen)
	for {
		if _, err := rand.Read(buf); err != nil {
			return nil, err
		}
		if c, err := newClientFromA(poolName, new(big.Int).SetBytes(buf)); err == nil {
			return c, nil
		}
	}
}

func newClientFromA(poolName string, a *big.Int) (*Client, error) {
	bigA := new(big.Int).Exp(groupG, a, groupN)
	if bigA.Sign() == 0 {
		return nil, ErrIllegalA
	}
	return &Client{poolName: poolName, a: a, bigA: bigA}, nil
}

// AHex is the SRP_A auth parameter, formatted as CognitoUser.js does
// (largeAValue.toString(16): lowercase, no leading zeros).
func (c *Client) AHex() string { return toHex(c.bigA) }

// Key derives the 16-byte key from the challenge, as
// getPasswordAuthenticationKey in AuthenticationHelper.js: it refuses
// B ≡ 0 (mod N) and u = 0, then computes S = (B − k·g^x)^(a + u·x) mod N
// (calculateS). userID is USER_ID_FOR_SRP (or the device key), saltHex and
// bHex are the SALT and SRP_B parameters.
func (c *Client) Key(userID, password, saltHex, bHex string) ([]byte, error) {
	bigB, err := parseHex(bHex)
	if err != nil {
		return nil, err
	}
	if isZeroModN(bigB) {
		return nil, ErrIllegalB
	}
	u := computeU(c.bigA, bigB)
	if u.Sign() == 0 {
		return nil, ErrIllegalU
	}
	salt, err := parseHex(saltHex)
	if err != nil {
		return nil, err
	}
	x := computeX(c.poolName, userID, password, salt)
	gx := new(big.Int).Exp(groupG, x, groupN)
	base := new(big.Int).Mul(groupK, gx)
	base.Sub(bigB, base)
	base.Mod(base, groupN) // Euclidean: non-negative
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	s := new(big.Int).Exp(base, exp, groupN)
	return deriveKey(u, s), nil
}
