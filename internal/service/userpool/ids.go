package userpool

import (
	"crypto/rand"
	"crypto/sha256"
)

const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters of alphabet, uniformly (rejection
// sampling avoids modulo bias).
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// newPoolID returns "<region>_<9 alphanumerics>", Cognito's form.
func newPoolID(region string) string { return region + "_" + randomString(9, alnum) }

// newClientID returns 26 lower-case alphanumerics, Cognito's form.
func newClientID() string { return randomString(26, lowerAlnum) }

// newClientSecret returns a 51-character secret, the length Cognito uses.
func newClientSecret() string { return randomString(51, lowerAlnum) }

// newOpaqueToken returns a random token for refresh tokens and sessions.
func newOpaqueToken(n int) string { return randomString(n, alnum) }

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}
