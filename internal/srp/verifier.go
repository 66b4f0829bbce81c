package srp

import (
	"crypto/rand"
	"crypto/subtle"
	"math/big"
	"strings"
)

// SaltLen is the length of the salts made by NewSalt.
const SaltLen = 16

// PoolName is the pool "name" that SRP hashes: the part of the user-pool id
// after the first '_' and before any further one, as
// getUserPoolId().split('_')[1] in CognitoUserPool.js getUserPoolName. It is
// "" when the id has no '_'.
func PoolName(userPoolID string) string {
	parts := strings.Split(userPoolID, "_")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// NewSalt returns SaltLen random bytes whose first byte is in 0x01..0x7f, so
// that the salt is its own PAD: the round trip bytes → [SaltHex] → the
// client's new BigInteger(SALT, 16) → padHex reproduces exactly these bytes
// (generateHashDevice in AuthenticationHelper.js builds device salts the same
// way, with padHex of 16 random bytes).
func NewSalt() ([]byte, error) {
	salt := make([]byte, SaltLen)
	for {
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		salt[0] &= 0x7f
		if salt[0] != 0 {
			return salt, nil
		}
	}
}

// SaltHex is the SALT challenge parameter for salt: the hex of salt read as
// an unsigned big-endian integer, formatted as BigInteger.toString(16)
// (lowercase, no leading zeros). Any encoding of the same integer (for
// example the 17-byte padHex form that ConfirmDevice sends) gives the same
// result.
func SaltHex(salt []byte) string {
	return toHex(new(big.Int).SetBytes(salt))
}

// Verifier returns v = g^x mod N with x = H(PAD(salt) || H(poolName ||
// userID || ":" || password)), as minimal big-endian bytes (no sign byte).
// salt is read as an unsigned big-endian integer, so leading zero bytes do
// not matter. For a user pool, poolName is [PoolName] of the pool id and
// userID is USER_ID_FOR_SRP (the real username); for a device they are the
// device group key and the device key. Mirrors generateHashDevice in
// AuthenticationHelper.js.
func Verifier(poolName, userID, password string, salt []byte) []byte {
	return verifierInt(poolName, userID, password, new(big.Int).SetBytes(salt)).Bytes()
}

func verifierInt(poolName, userID, password string, salt *big.Int) *big.Int {
	x := computeX(poolName, userID, password, salt)
	return gExp(x)
}

// VerifyPassword recomputes the verifier of password and compares it with
// verifier in constant time. verifier may carry leading zero bytes (as the
// padHex-encoded PasswordVerifier of ConfirmDevice does). It is the check for
// flows that receive the password itself (USER_PASSWORD_AUTH,
// ADMIN_USER_PASSWORD_AUTH).
func VerifyPassword(poolName, userID, password string, salt, verifier []byte) bool {
	stored := new(big.Int).SetBytes(verifier)
	if stored.Sign() == 0 || stored.Cmp(groupN) >= 0 {
		return false
	}
	got := verifierInt(poolName, userID, password, new(big.Int).SetBytes(salt))
	var a, b [nLen]byte
	stored.FillBytes(a[:])
	got.FillBytes(b[:])
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
