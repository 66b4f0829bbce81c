package srp

import "testing"

// BenchmarkVerifier is password → verifier: the cost of checking a
// USER_PASSWORD_AUTH sign-in or of setting a password.
func BenchmarkVerifier(b *testing.B) {
	salt, _ := NewSalt()
	for b.Loop() {
		Verifier(testPool, testUser, testPass, salt)
	}
}

// BenchmarkServerSession is B generation at InitiateAuth.
func BenchmarkServerSession(b *testing.B) {
	salt, _ := NewSalt()
	v := Verifier(testPool, testUser, testPass, salt)
	for b.Loop() {
		if _, err := NewServerSession(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKey is the server's key derivation at RespondToAuthChallenge.
func BenchmarkKey(b *testing.B) {
	salt, _ := NewSalt()
	s, _ := NewServerSession(Verifier(testPool, testUser, testPass, salt))
	c, _ := NewClient(testPool)
	a := c.AHex()
	for b.Loop() {
		if _, err := s.Key(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFakeSession is the unknown-user path of InitiateAuth.
func BenchmarkFakeSession(b *testing.B) {
	secret := make([]byte, 32)
	for b.Loop() {
		FakeSession(testPool, "ghost", secret)
	}
}

// BenchmarkClientKey is the client's work (tests and test clients).
func BenchmarkClientKey(b *testing.B) {
	salt, _ := NewSalt()
	s, _ := NewServerSession(Verifier(testPool, testUser, testPass, salt))
	c, _ := NewClient(testPool)
	saltHex, bHex := SaltHex(salt), s.BHex()
	for b.Loop() {
		if _, err := c.Key(testUser, testPass, saltHex, bHex); err != nil {
			b.Fatal(err)
		}
	}
}
