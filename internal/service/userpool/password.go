package userpool

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"unicode"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
)

// passwordSymbols are the characters Cognito counts as symbols
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html).
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPassword returns InvalidPasswordException worded as Cognito words it
// when password breaks the policy. Cognito reports the first failed rule.
func checkPassword(policy cip.PasswordPolicyType, password string) error {
	fail := func(why string) error {
		return cip.NewInvalidPasswordException("Password does not conform to policy: " + why)
	}
	n := len([]rune(password))
	if n < int(awsapi.ToInt32(policy.MinimumLength)) {
		return fail("Password not long enough")
	}
	if n > 256 {
		return fail("Password must have length less than or equal to 256")
	}
	if strings.HasPrefix(password, " ") || strings.HasSuffix(password, " ") {
		return fail("Password must not begin or end with a space")
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		case unicode.IsSpace(r):
		}
	}
	switch {
	case awsapi.ToBool(policy.RequireNumbers) && !digit:
		return fail("Password must have numeric characters")
	case awsapi.ToBool(policy.RequireSymbols) && !symbol:
		return fail("Password must have symbol characters")
	case awsapi.ToBool(policy.RequireUppercase) && !upper:
		return fail("Password must have uppercase characters")
	case awsapi.ToBool(policy.RequireLowercase) && !lower:
		return fail("Password must have lowercase characters")
	}
	return nil
}

// generatePassword returns a temporary password that satisfies policy: one
// character of every class, the rest mixed, shuffled by construction.
func generatePassword(policy cip.PasswordPolicyType) string {
	n := int(awsapi.ToInt32(policy.MinimumLength))
	if n < 12 {
		n = 12
	}
	classes := []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "^$*.!@#%&-_=+"}
	var b strings.Builder
	for _, c := range classes {
		b.WriteString(randid.String(1, c))
	}
	b.WriteString(randid.String(n-len(classes), alnum))
	// Interleave so the class characters are not always first.
	s := []byte(b.String())
	perm := []byte(randid.String(len(s), lowerAlnum))
	for i := len(s) - 1; i > 0; i-- {
		j := int(perm[i]) % (i + 1)
		s[i], s[j] = s[j], s[i]
	}
	return string(s)
}

// checkUserPassword verifies password against u's stored SRP verifier.
func (s *Service) checkUserPassword(p *pool, u store.User, password string) bool {
	if len(u.Password.Verifier) == 0 {
		return false
	}
	return srp.VerifyPassword(srp.PoolName(p.rec.ID), u.Username, password, u.Password.Salt, u.Password.Verifier)
}

// fakePasswordCheck costs what checkUserPassword costs, for users that do
// not exist.
func (s *Service) fakePasswordCheck(p *pool, username, password string) {
	m := hmac.New(sha256.New, s.fakeKey)
	m.Write([]byte(p.rec.ID + "\x00" + username))
	salt := m.Sum(nil)[:16]
	srp.VerifyPassword(srp.PoolName(p.rec.ID), username, password, salt, salt)
}
