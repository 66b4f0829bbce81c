package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/big"
)

// smallBLen is the size of the server secret b: 256 bits, as Cognito uses.
const smallBLen = 32

// ServerSession is the server half of one SRP exchange: the secret b, the
// public B = (k·v + g^b) mod N and the verifier v. It is made at
// InitiateAuth (or DEVICE_SRP_AUTH), persisted with MarshalBinary until
// RespondToAuthChallenge, and must be used for one key derivation only.
type ServerSession struct {
	b, bigB, v *big.Int
}

// NewServerSession starts an exchange for the stored verifier (as returned
// by [Verifier], or the decoded PasswordVerifier of ConfirmDevice; leading
// zero bytes are fine). It fails only if the verifier is not in [1, N).
func NewServerSession(verifier []byte) (*ServerSession, error) {
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || v.Cmp(groupN) >= 0 {
		return nil, ErrBadVerifier
	}
	return newServerSession(v), nil
}

func newServerSession(v *big.Int) *ServerSession {
	buf := make([]byte, smallBLen)
	for {
		// crypto/rand.Read never fails (Go ≥ 1.24 aborts the program
		// instead), so the error is not checked.
		rand.Read(buf)
		b := new(big.Int).SetBytes(buf)
		if s, ok := serverSessionFromB(v, b); ok {
			return s
		}
	}
}

// serverSessionFromB computes B = (k·v + g^b) mod N for a given b, reporting
// false when b is 0 or B ≡ 0 (mod N), which a server must never send.
func serverSessionFromB(v, b *big.Int) (*ServerSession, bool) {
	if b.Sign() == 0 {
		return nil, false
	}
	bigB := new(big.Int).Mul(groupK, v)
	bigB.Add(bigB, gExp(b))
	bigB.Mod(bigB, groupN)
	if bigB.Sign() == 0 {
		return nil, false
	}
	return &ServerSession{b: b, bigB: bigB, v: v}, true
}

// BHex is the SRP_B challenge parameter: B as BigInteger.toString(16)
// (lowercase, no leading zeros), which CognitoUser.js parses with
// new BigInteger(SRP_B, 16).
func (s *ServerSession) BHex() string { return toHex(s.bigB) }

// Key derives the 16-byte session key from the client's SRP_A (hex, any
// case, odd length allowed): it refuses A ≡ 0 (mod N) and u = 0, then
// computes S = (A·v^u)^b mod N and the HKDF of computehkdf in
// AuthenticationHelper.js. A wrong password does not make Key fail; it makes
// the key differ, so the claim signature will not verify.
func (s *ServerSession) Key(aHex string) ([]byte, error) {
	a, err := parseHex(aHex)
	if err != nil {
		return nil, err
	}
	if isZeroModN(a) {
		return nil, ErrIllegalA
	}
	// u hashes PAD(A) of A as the client sent it (calculateU), not A mod N.
	u := computeU(a, s.bigB)
	if u.Sign() == 0 {
		return nil, ErrIllegalU
	}
	base := new(big.Int).Exp(s.v, u, groupN)
	base.Mul(base, a)
	base.Mod(base, groupN)
	sv := new(big.Int).Exp(base, s.b, groupN)
	return deriveKey(u, sv), nil
}

// sessionVersion tags the MarshalBinary layout.
const sessionVersion = 1

// MarshalBinary encodes the session for storage between InitiateAuth and
// RespondToAuthChallenge: a version byte, then b, B and v, each as a
// big-endian uint16 length and the value's minimal bytes. The encoding holds
// the secret b; store it server side only.
func (s *ServerSession) MarshalBinary() ([]byte, error) {
	out := []byte{sessionVersion}
	for _, n := range []*big.Int{s.b, s.bigB, s.v} {
		b := n.Bytes()
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
		out = append(out, b...)
	}
	return out, nil
}

var errBadSession = errors.New("srp: malformed server session")

// UnmarshalBinary decodes what MarshalBinary produced, checking that every
// value is in range.
func (s *ServerSession) UnmarshalBinary(data []byte) error {
	if len(data) < 1 || data[0] != sessionVersion {
		return errBadSession
	}
	data = data[1:]
	var vals [3]*big.Int
	for i := range vals {
		if len(data) < 2 {
			return errBadSession
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if n > nLen || len(data) < n {
			return errBadSession
		}
		vals[i] = new(big.Int).SetBytes(data[:n])
		data = data[n:]
	}
	if len(data) != 0 {
		return errBadSession
	}
	b, bigB, v := vals[0], vals[1], vals[2]
	for _, x := range vals {
		if x.Sign() == 0 || x.Cmp(groupN) >= 0 {
			return errBadSession
		}
	}
	*s = ServerSession{b: b, bigB: bigB, v: v}
	return nil
}

// FakeSession is a [ServerSession] and SALT for a user that does not exist,
// for pools with PreventUserExistenceErrors: the salt and the verifier are
// derived from HMAC-SHA256(secret, poolName, userID), so repeated attempts
// for the same unknown user see the same SALT, as they would for a real
// user, while B is fresh each time. The salt has the distribution of
// [NewSalt]'s and the verifier that of a real one (a random quadratic
// residue, as g^x is), and no modular exponentiation beyond the usual g^b is
// spent, so timing does not tell fake from real. secret must be a server
// secret of at least 32 random bytes. The resulting key never matches any
// password the client can know, so the claim fails as for a wrong password.
func FakeSession(poolName, userID string, secret []byte) (*ServerSession, string) {
	stream := fakeStream(secret, poolName, userID)
	var salt []byte
	for salt == nil {
		block := stream()
		block[0] &= 0x7f
		if block[0] != 0 {
			salt = block[:SaltLen]
		}
	}
	// r is 64 bytes (512 bits) more than N so r mod N is near uniform;
	// v = r² mod N is then a uniform quadratic residue, like g^x.
	var wide []byte
	for len(wide) < nLen+64 {
		wide = append(wide, stream()...)
	}
	r := new(big.Int).SetBytes(wide[:nLen+64])
	r.Mod(r, groupN)
	if r.Sign() == 0 {
		r.SetInt64(1)
	}
	v := r.Mul(r, r).Mod(r, groupN)
	return newServerSession(v), SaltHex(salt)
}

// fakeStream returns successive blocks of HMAC-SHA256(secret, label ||
// counter || len(poolName) || poolName || userID).
func fakeStream(secret []byte, poolName, userID string) func() []byte {
	var counter uint32
	return func() []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("ninsho srp fake user v1\x00"))
		var hdr [8]byte
		binary.BigEndian.PutUint32(hdr[:4], counter)
		binary.BigEndian.PutUint32(hdr[4:], uint32(len(poolName)))
		m.Write(hdr[:])
		m.Write([]byte(poolName))
		m.Write([]byte(userID))
		counter++
		return m.Sum(nil)
	}
}
