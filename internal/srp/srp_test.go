package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

const (
	testPool = "AbCdEf123"
	testUser = "alice"
	testPass = "Passw0rd!"
)

var testSecretBlock = []byte("opaque secret block from the server")

// signIn runs one whole exchange: the server holds (salt, verifier) for
// testUser/testPass, the client types password. It returns whether the
// server accepted the claim.
func signIn(t *testing.T, password string) bool {
	t.Helper()
	salt, err := NewSalt()
	if err != nil {
		t.Fatal(err)
	}
	verifier := Verifier(testPool, testUser, testPass, salt)

	// InitiateAuth: the server persists the session between calls.
	srv, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := srv.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	cli, err := NewClient(testPool)
	if err != nil {
		t.Fatal(err)
	}
	ckey, err := cli.Key(testUser, password, SaltHex(salt), srv.BHex())
	if err != nil {
		t.Fatal(err)
	}
	ts := FormatTimestamp(time.Now())
	claim := base64.StdEncoding.EncodeToString(ClaimSignature(ckey, testPool, testUser, testSecretBlock, ts))

	// RespondToAuthChallenge.
	var restored ServerSession
	if err := restored.UnmarshalBinary(stored); err != nil {
		t.Fatal(err)
	}
	skey, err := restored.Key(cli.AHex())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTimestamp(ts); err != nil {
		t.Fatal(err)
	}
	ok := VerifyClaim(skey, testPool, testUser, testSecretBlock, ts, claim)
	if ok != bytes.Equal(ckey, skey) {
		t.Fatalf("VerifyClaim = %v but keys equal = %v", ok, bytes.Equal(ckey, skey))
	}
	return ok
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"the right password yields the same key and the claim is accepted", testPass, true},
		{"a wrong password yields a different key and the claim is refused", "Passw0rd?", false},
		{"an empty password is refused", "", false},
		{"a password differing only in case is refused", strings.ToLower(testPass), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signIn(t, tt.password); got != tt.want {
				t.Errorf("accepted = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestServerRefusesIllegalA(t *testing.T) {
	s, err := NewServerSession(Verifier(testPool, testUser, testPass, []byte{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	n := toHex(groupN)
	tests := []struct {
		name string
		a    string
		want error
	}{
		{"A = 0 is refused", "0", ErrIllegalA},
		{"A = 0 written with leading zeros is refused", "0000", ErrIllegalA},
		{"A = N is refused", n, ErrIllegalA},
		{"A = N in upper case is refused", strings.ToUpper(n), ErrIllegalA},
		{"A = 2N is refused", toHex(new(big.Int).Lsh(groupN, 1)), ErrIllegalA},
		{"an empty A is refused", "", ErrBadHex},
		{"a negative A is refused", "-1", ErrBadHex},
		{"a 0x prefix is refused", "0x1234", ErrBadHex},
		{"underscores are refused", "12_34", ErrBadHex},
		{"spaces are refused", " 1234", ErrBadHex},
		{"an absurdly long A is refused", strings.Repeat("1", maxHexLen+1), ErrBadHex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Key(tt.a); !errors.Is(err, tt.want) {
				t.Errorf("Key(%.20q) error = %v, want %v", tt.a, err, tt.want)
			}
		})
	}
}

func TestServerAcceptsLegalAInAnySpelling(t *testing.T) {
	verifier := Verifier(testPool, testUser, testPass, []byte{1, 2, 3})
	s, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClientFromA(testPool, big.NewInt(12345)) // A is short: odd-length hex
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Key(c.AHex())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a    string
	}{
		{"upper-case hex gives the same key", strings.ToUpper(c.AHex())},
		{"zero-padded hex gives the same key", "00" + c.AHex()},
		{"fixed-width hex gives the same key", hex.EncodeToString(c.bigA.FillBytes(make([]byte, nLen)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Key(tt.a)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Key = %x, %v; want %x", got, err, want)
			}
		})
	}
}

func TestClientRefusesIllegalB(t *testing.T) {
	c, err := NewClient(testPool)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    string
		want error
	}{
		{"B = 0 is refused", "0", ErrIllegalB},
		{"B = N is refused", toHex(groupN), ErrIllegalB},
		{"a malformed B is refused", "xyz", ErrBadHex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Key(testUser, testPass, "1", tt.b); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2023, time.September, 5, 8, 3, 1, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"the JS client's format with an unpadded day is accepted", "Tue Sep 5 08:03:01 UTC 2023", true},
		{"a zero-padded day is refused", "Tue Sep 05 08:03:01 UTC 2023", false},
		{"a wrong weekday is refused", "Wed Sep 5 08:03:01 UTC 2023", false},
		{"a space-padded day is refused", "Tue Sep  5 08:03:01 UTC 2023", false},
		{"an unpadded hour is refused", "Tue Sep 5 8:03:01 UTC 2023", false},
		{"a zone other than UTC is refused", "Tue Sep 5 08:03:01 GMT 2023", false},
		{"a full month name is refused", "Tue September 5 08:03:01 UTC 2023", false},
		{"trailing text is refused", "Tue Sep 5 08:03:01 UTC 2023 ", false},
		{"an RFC 3339 time is refused", "2023-09-05T08:03:01Z", false},
		{"an impossible date is refused", "Sat Sep 31 08:03:01 UTC 2023", false},
		{"the empty string is refused", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseTimestamp(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if tt.ok && !got.Equal(want) {
				t.Errorf("ParseTimestamp(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
}

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"a one-digit day is not padded", time.Date(2023, 9, 5, 8, 3, 1, 0, time.UTC), "Tue Sep 5 08:03:01 UTC 2023"},
		{"a two-digit day is written as is", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), "Thu Feb 29 23:59:59 UTC 2024"},
		{"a non-UTC time is converted to UTC", time.Date(2023, 9, 5, 10, 3, 1, 0, time.FixedZone("CEST", 2*3600)), "Tue Sep 5 08:03:01 UTC 2023"},
		{"fractions of a second are dropped", time.Date(2023, 9, 5, 8, 3, 1, 999_000_000, time.UTC), "Tue Sep 5 08:03:01 UTC 2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatTimestamp(tt.in); got != tt.want {
				t.Errorf("FormatTimestamp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewSaltRoundTripsThroughSaltHex(t *testing.T) {
	for i := 0; i < 200; i++ {
		salt, err := NewSalt()
		if err != nil {
			t.Fatal(err)
		}
		if len(salt) != SaltLen {
			t.Fatalf("len = %d", len(salt))
		}
		// The client does new BigInteger(SALT, 16) and hashes padHex of it.
		n, err := parseHex(SaltHex(salt))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pad(n), salt) {
			t.Fatalf("PAD(BigInteger(SaltHex(%x))) = %x", salt, pad(n))
		}
	}
	// And the client, given only SaltHex, agrees with the stored verifier.
	if !signIn(t, testPass) {
		t.Error("sign-in with a NewSalt salt failed")
	}
}

func TestSaltHex(t *testing.T) {
	tests := []struct {
		name string
		salt []byte
		want string
	}{
		{"a salt is its big-integer hex", []byte{0x3b, 0x1d}, "3b1d"},
		{"a leading zero nibble is dropped", []byte{0x0a, 0xbc}, "abc"},
		{"a padHex 00 prefix is dropped", []byte{0x00, 0xe0, 0x11}, "e011"},
		{"an empty salt is zero", nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SaltHex(tt.salt); got != tt.want {
				t.Errorf("SaltHex = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPoolName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"the part after the underscore is the pool name", "us-east-1_AbCdEf123", "AbCdEf123"},
		{"only the second underscore-separated part is used, as split('_')[1]", "local_abc_def", "abc"},
		{"an id without an underscore has an empty pool name", "nounderscore", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PoolName(tt.in); got != tt.want {
				t.Errorf("PoolName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestVerifyPassword(t *testing.T) {
	salt := []byte{0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	v := Verifier(testPool, testUser, testPass, salt)
	tests := []struct {
		name     string
		pool     string
		user     string
		password string
		salt     []byte
		verifier []byte
		want     bool
	}{
		{"the right password is accepted", testPool, testUser, testPass, salt, v, true},
		{"a verifier with a leading zero byte is accepted", testPool, testUser, testPass, salt, append([]byte{0}, v...), true},
		{"a salt with a leading zero byte is the same salt", testPool, testUser, testPass, append([]byte{0}, salt...), v, true},
		{"a wrong password is refused", testPool, testUser, "nope", salt, v, false},
		{"another user's name is refused", testPool, "bob", testPass, salt, v, false},
		{"another pool is refused", "Other", testUser, testPass, salt, v, false},
		{"another salt is refused", testPool, testUser, testPass, salt[1:], v, false},
		{"an empty verifier is refused", testPool, testUser, testPass, salt, nil, false},
		{"a verifier of N is refused", testPool, testUser, testPass, salt, groupN.Bytes(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyPassword(tt.pool, tt.user, tt.password, tt.salt, tt.verifier); got != tt.want {
				t.Errorf("VerifyPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewServerSessionRefusesBadVerifiers(t *testing.T) {
	tests := []struct {
		name     string
		verifier []byte
	}{
		{"an empty verifier is refused", nil},
		{"a zero verifier is refused", []byte{0, 0}},
		{"a verifier of N is refused", groupN.Bytes()},
		{"a verifier above N is refused", bytes.Repeat([]byte{0xff}, nLen+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewServerSession(tt.verifier); !errors.Is(err, ErrBadVerifier) {
				t.Errorf("error = %v, want ErrBadVerifier", err)
			}
		})
	}
}

func TestServerSessionBinaryEncoding(t *testing.T) {
	s, err := NewServerSession(Verifier(testPool, testUser, testPass, []byte{7}))
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got ServerSession
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.b.Cmp(s.b) != 0 || got.bigB.Cmp(s.bigB) != 0 || got.v.Cmp(s.v) != 0 || got.BHex() != s.BHex() {
		t.Error("the decoded session differs")
	}

	bad := []struct {
		name string
		data []byte
	}{
		{"empty data is refused", nil},
		{"an unknown version is refused", append([]byte{9}, data[1:]...)},
		{"truncated data is refused", data[:len(data)-1]},
		{"trailing bytes are refused", append(append([]byte{}, data...), 0)},
		{"a zero b is refused", []byte{1, 0, 0, 0, 1, 5, 0, 1, 5}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var s ServerSession
			if err := s.UnmarshalBinary(tt.data); err == nil {
				t.Error("UnmarshalBinary accepted it")
			}
		})
	}
}

func TestNewServerSessionIsFreshEachTime(t *testing.T) {
	v := Verifier(testPool, testUser, testPass, []byte{7})
	a, _ := NewServerSession(v)
	b, _ := NewServerSession(v)
	if a.BHex() == b.BHex() {
		t.Error("two sessions share B")
	}
}

func TestFakeSession(t *testing.T) {
	secret := bytes.Repeat([]byte{0x5a}, 32)
	s1, salt1 := FakeSession(testPool, "ghost", secret)
	s2, salt2 := FakeSession(testPool, "ghost", secret)
	s3, salt3 := FakeSession(testPool, "phantom", secret)
	_, salt4 := FakeSession("OtherPool", "ghost", secret)
	_, salt5 := FakeSession(testPool, "ghost", bytes.Repeat([]byte{0xa5}, 32))
	// (pool, user) boundaries are unambiguous: "ab"+"c" ≠ "a"+"bc".
	_, saltAB := FakeSession("ab", "c", secret)
	_, saltA := FakeSession("a", "bc", secret)

	checks := []struct {
		name string
		ok   bool
	}{
		{"the same unknown user gets the same salt", salt1 == salt2},
		{"the same unknown user gets the same verifier", s1.v.Cmp(s2.v) == 0},
		{"each attempt still gets a fresh B", s1.BHex() != s2.BHex()},
		{"another user gets another salt", salt1 != salt3},
		{"another user gets another verifier", s1.v.Cmp(s3.v) != 0},
		{"another pool gets another salt", salt1 != salt4},
		{"another secret gets another salt", salt1 != salt5},
		{"the pool/user split is unambiguous", saltAB != saltA},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Fail()
			}
		})
	}

	t.Run("a fake salt looks like a NewSalt salt", func(t *testing.T) {
		n, err := parseHex(salt1)
		if err != nil {
			t.Fatal(err)
		}
		if p := pad(n); len(p) != SaltLen {
			t.Errorf("PAD(salt) is %d bytes, real salts are %d", len(p), SaltLen)
		}
	})
	t.Run("a fake verifier is a quadratic residue like g^x", func(t *testing.T) {
		// Euler's criterion: v^((N-1)/2) = 1 for residues. g = 2 is a
		// residue mod this N (N ≡ 7 mod 8), so every real verifier is one.
		e := new(big.Int).Rsh(groupN, 1)
		if new(big.Int).Exp(s1.v, e, groupN).Cmp(big.NewInt(1)) != 0 {
			t.Error("fake verifier is a non-residue")
		}
		real := new(big.Int).SetBytes(Verifier(testPool, testUser, testPass, []byte{1}))
		if new(big.Int).Exp(real, e, groupN).Cmp(big.NewInt(1)) != 0 {
			t.Error("real verifier is a non-residue; the test's premise is wrong")
		}
	})
	t.Run("no password opens a fake session", func(t *testing.T) {
		s, saltHex := FakeSession(testPool, "ghost", secret)
		c, err := NewClient(testPool)
		if err != nil {
			t.Fatal(err)
		}
		ck, err := c.Key("ghost", testPass, saltHex, s.BHex())
		if err != nil {
			t.Fatal(err)
		}
		sk, err := s.Key(c.AHex())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(ck, sk) {
			t.Error("a guessed password matched the fake verifier")
		}
	})
}

func TestVerifyClaimRefusesTampering(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 16)
	ts := "Tue Sep 5 08:03:01 UTC 2023"
	good := base64.StdEncoding.EncodeToString(ClaimSignature(key, testPool, testUser, testSecretBlock, ts))
	raw, _ := base64.StdEncoding.DecodeString(good)
	tests := []struct {
		name       string
		key        []byte
		pool, user string
		block      []byte
		ts, claim  string
		want       bool
	}{
		{"the genuine claim is accepted", key, testPool, testUser, testSecretBlock, ts, good, true},
		{"another key is refused", bytes.Repeat([]byte{2}, 16), testPool, testUser, testSecretBlock, ts, good, false},
		{"another pool is refused", key, "Other", testUser, testSecretBlock, ts, good, false},
		{"another user is refused", key, testPool, "bob", testSecretBlock, ts, good, false},
		{"another secret block is refused", key, testPool, testUser, []byte("x"), ts, good, false},
		{"another timestamp is refused", key, testPool, testUser, testSecretBlock, "Tue Sep 5 08:03:02 UTC 2023", good, false},
		{"unpadded Base64 is refused", key, testPool, testUser, testSecretBlock, ts, strings.TrimRight(good, "="), false},
		{"a truncated signature is refused", key, testPool, testUser, testSecretBlock, ts, base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"garbage is refused", key, testPool, testUser, testSecretBlock, ts, "!!!", false},
		{"an empty claim is refused", key, testPool, testUser, testSecretBlock, ts, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyClaim(tt.key, tt.pool, tt.user, tt.block, tt.ts, tt.claim); got != tt.want {
				t.Errorf("VerifyClaim = %v, want %v", got, tt.want)
			}
		})
	}
}
