package userpool

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"

	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// One-time codes (sign-up confirmation, password reset, attribute
// verification) live in the "codes" section of store.User.Extra: only an
// HMAC-SHA256 of each code under a random salt, never the code, with its
// expiry. A new code for a purpose replaces the previous one; a code is
// deleted once used.
//
// The same section counts attempts per operation over a sliding hour, for
// Cognito's per-user limits (COGNITO-NOTES §4.3).

const codesSection = "codes"

// Code purposes.
const (
	purposeSignUp = "signup"
	purposeForgot = "forgot"
	// purposeMFA hashes the SMS and email MFA codes, which are kept in the
	// challenge session rather than on the user (mfa_challenges.go).
	purposeMFA = "mfa"
)

func purposeAttribute(name string) string { return "attr:" + name }

// Code lifetimes (COGNITO-NOTES §4.3).
const (
	signUpCodeLifetime    = 24 * time.Hour
	attributeCodeLifetime = 24 * time.Hour
	forgotCodeLifetime    = time.Hour
)

// Per-user limits per hour. The sending operations count every call;
// the checking ones count wrong codes (and ChangePassword wrong previous
// passwords), so a user who types the right code is never locked out by
// earlier successes.
var attemptLimits = map[string]int{
	"ResendConfirmationCode":           5,
	"GetUserAttributeVerificationCode": 5,
	"ForgotPassword":                   5,
	"ChangePassword":                   5,
	"ConfirmForgotPassword":            5,
	"ConfirmSignUp":                    15,
	"VerifyUserAttribute":              15,
}

const attemptWindow = time.Hour

type storedCode struct {
	Salt      []byte    `json:"salt"`
	Hash      []byte    `json:"hash"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Attribute is the attribute the code was sent to, which it verifies
	// once entered (sign-up codes).
	Attribute string `json:"attribute,omitempty"`
	// Value is set only for attribute codes that stand for a pending value
	// (AttributesRequireVerificationBeforeUpdate): the value the attribute
	// takes once verified.
	Value string `json:"value,omitempty"`
}

type codeState struct {
	Codes    map[string]storedCode  `json:"codes,omitempty"`
	Attempts map[string][]time.Time `json:"attempts,omitempty"`
}

func loadCodes(u store.User) (codeState, error) {
	var c codeState
	if _, err := getExtra(u, codesSection, &c); err != nil {
		return c, fmt.Errorf("user %s: codes: %w", u.Username, err)
	}
	if c.Codes == nil {
		c.Codes = map[string]storedCode{}
	}
	if c.Attempts == nil {
		c.Attempts = map[string][]time.Time{}
	}
	return c, nil
}

func saveCodes(u *store.User, c codeState) error {
	if len(c.Codes) == 0 && len(c.Attempts) == 0 {
		return setExtra(u, codesSection, nil)
	}
	return setExtra(u, codesSection, c)
}

// newCode returns six random decimal digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func codeHash(salt []byte, purpose, code string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// issueCode stores a fresh code for purpose on u, replacing any earlier
// one, and returns it (to be sent, never stored in clear).
func issueCode(u *store.User, purpose string, now time.Time, lifetime time.Duration, attribute, value string) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	c, err := loadCodes(*u)
	if err != nil {
		return "", err
	}
	c.Codes[purpose] = storedCode{Salt: salt, Hash: codeHash(salt, purpose, code), ExpiresAt: now.Add(lifetime), Attribute: attribute, Value: value}
	return code, saveCodes(u, c)
}

var (
	errCodeMismatch = cip.NewCodeMismatchException("Invalid verification code provided, please try again.")
	errCodeExpired  = cip.NewExpiredCodeException("Invalid code provided, please request a code again.")
	errAttempts     = cip.NewLimitExceededException("Attempt limit exceeded, please try after some time.")
)

// checkCode verifies code for purpose on u (in constant time) and, when it
// matches, removes it and returns what it stood for. A missing or expired
// code is ExpiredCodeException, a wrong one CodeMismatchException; the
// caller records a failed attempt with noteAttempt.
func checkCode(u *store.User, purpose, code string, now time.Time) (storedCode, error) {
	c, err := loadCodes(*u)
	if err != nil {
		return storedCode{}, err
	}
	sc, ok := c.Codes[purpose]
	if !ok {
		return storedCode{}, errCodeExpired
	}
	if subtle.ConstantTimeCompare(codeHash(sc.Salt, purpose, code), sc.Hash) != 1 {
		return storedCode{}, errCodeMismatch
	}
	if !now.Before(sc.ExpiresAt) {
		return storedCode{}, errCodeExpired
	}
	delete(c.Codes, purpose)
	return sc, saveCodes(u, c)
}

// dropCode removes the code of purpose, if any.
func dropCode(u *store.User, purpose string) error {
	c, err := loadCodes(*u)
	if err != nil {
		return err
	}
	if _, ok := c.Codes[purpose]; !ok {
		return nil
	}
	delete(c.Codes, purpose)
	return saveCodes(u, c)
}

// attemptsExceeded reports whether op has reached its hourly limit for u.
func attemptsExceeded(u store.User, op string, now time.Time) (bool, error) {
	c, err := loadCodes(u)
	if err != nil {
		return false, err
	}
	n := 0
	for _, t := range c.Attempts[op] {
		if now.Sub(t) < attemptWindow {
			n++
		}
	}
	return n >= attemptLimits[op], nil
}

// noteAttempt counts one attempt of op for u, forgetting those older than
// the window.
func noteAttempt(u *store.User, op string, now time.Time) error {
	c, err := loadCodes(*u)
	if err != nil {
		return err
	}
	kept := c.Attempts[op][:0:0]
	for _, t := range c.Attempts[op] {
		if now.Sub(t) < attemptWindow {
			kept = append(kept, t)
		}
	}
	c.Attempts[op] = append(kept, now)
	return saveCodes(u, c)
}
