package userpool

import (
	"crypto/sha256"

	"github.com/ninsho/ninsho/internal/randid"
)

const (
	alnum      = randid.Alnum
	lowerAlnum = randid.LowerAlnum
)

// newPoolID returns "<region>_<9 alphanumerics>", Cognito's form.
func newPoolID(region string) string { return region + "_" + randid.String(9, alnum) }

// newClientID returns 26 lower-case alphanumerics, Cognito's form.
func newClientID() string { return randid.String(26, lowerAlnum) }

// newClientSecret returns a 51-character secret, the length Cognito uses.
func newClientSecret() string { return randid.String(51, lowerAlnum) }

// newOpaqueToken returns a random token for refresh tokens and sessions.
func newOpaqueToken(n int) string { return randid.String(n, alnum) }

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}
