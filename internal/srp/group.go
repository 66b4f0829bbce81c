package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"math/big"
)

// nHex is the RFC 5054 3072-bit prime, initN in AuthenticationHelper.js.
const nHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// nLen is the byte length of N (3072 bits).
const nLen = 384

// maxHexLen bounds the hex strings accepted from the wire. Values are below
// N (768 hex digits); the slack admits clients that zero-pad.
const maxHexLen = 2 * 2 * nLen

var (
	groupN = mustHex(nHex)
	groupG = big.NewInt(2)
	// groupK is k = H(PAD(N) || PAD(g)), as the AuthenticationHelper
	// constructor computes it.
	groupK = hashInt(pad(groupN), pad(groupG))
)

// infoBits is the HKDF info, AuthenticationHelper.js infoBits, followed by
// the HKDF block counter 0x01 (computehkdf).
var infoBits = []byte("Caldera Derived Key\x01")

// Errors returned when a peer's value is unusable. They are deliberately
// terse; callers map them to NotAuthorizedException or
// InvalidParameterException.
var (
	ErrBadHex      = errors.New("srp: malformed hex integer")
	ErrIllegalA    = errors.New("srp: A mod N is 0")
	ErrIllegalB    = errors.New("srp: B mod N is 0")
	ErrIllegalU    = errors.New("srp: u is 0")
	ErrBadVerifier = errors.New("srp: verifier out of range")
)

func mustHex(s string) *big.Int {
	n, err := parseHex(s)
	if err != nil {
		panic(err)
	}
	return n
}

// parseHex parses a non-negative hex integer as new BigInteger(s, 16) would
// for the strings Cognito clients send: digits of either case, any length up
// to maxHexLen, leading zeros allowed. Signs, prefixes, underscores and
// spaces are refused (math/big alone would accept some of them).
func parseHex(s string) (*big.Int, error) {
	if len(s) == 0 || len(s) > maxHexLen {
		return nil, ErrBadHex
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, ErrBadHex
		}
	}
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil, ErrBadHex
	}
	return n, nil
}

// toHex formats n as BigInteger.toString(16) does for non-negative values:
// lowercase, no leading zeros.
func toHex(n *big.Int) string { return n.Text(16) }

// pad is PAD(x): the minimal two's-complement big-endian encoding of a
// non-negative x, as padHex in AuthenticationHelper.js (and Java's
// BigInteger.toByteArray) produce it. PAD(0) is a single 0x00 byte.
func pad(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

// hash is H = SHA-256 over the concatenation of parts (hash/hexHash).
func hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// hashInt is new BigInteger(hexHash(...), 16): the digest read as an
// unsigned big-endian integer.
func hashInt(parts ...[]byte) *big.Int {
	return new(big.Int).SetBytes(hash(parts...))
}

// computeX is x = H(PAD(salt) || H(pool || userID || ":" || password)),
// getPasswordAuthenticationKey (and generateHashDevice) in
// AuthenticationHelper.js.
func computeX(poolName, userID, password string, salt *big.Int) *big.Int {
	inner := hash([]byte(poolName + userID + ":" + password))
	return hashInt(pad(salt), inner)
}

// computeU is u = H(PAD(A) || PAD(B)), calculateU in AuthenticationHelper.js.
func computeU(a, b *big.Int) *big.Int { return hashInt(pad(a), pad(b)) }

// deriveKey is computehkdf(PAD(S), PAD(u)) in AuthenticationHelper.js:
// one-block HKDF-SHA256 with salt PAD(u), truncated to 16 bytes.
func deriveKey(u, s *big.Int) []byte {
	prk := hmac.New(sha256.New, pad(u))
	prk.Write(pad(s))
	okm := hmac.New(sha256.New, prk.Sum(nil))
	okm.Write(infoBits)
	return okm.Sum(nil)[:16]
}

// isZeroModN reports whether x ≡ 0 (mod N).
func isZeroModN(x *big.Int) bool {
	return new(big.Int).Mod(x, groupN).Sign() == 0
}
