package userpool

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
)

func TestNewTOTPSecretIsCognitoShaped(t *testing.T) {
	s, err := newTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 32 {
		t.Fatalf("secret %q: %d characters, want 32", s, len(s))
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			t.Fatalf("secret %q is not base32", s)
		}
	}
}

func TestTOTPStep(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Unix(1_700_000_015, 0) // step 56666667, 15 s into it
	step := now.Unix() / totpPeriod
	codeAt := func(st int64) string {
		c, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name     string
		code     string
		last     int64
		want     int64
		accepted bool
	}{
		{"accepts the code of the current step", codeAt(step), 0, step, true},
		{"accepts the code of the previous step (drift)", codeAt(step - 1), 0, step - 1, true},
		{"accepts the code of the next step (drift)", codeAt(step + 1), 0, step + 1, true},
		{"refuses a code two steps old", codeAt(step - 2), 0, 0, false},
		{"refuses a code two steps ahead", codeAt(step + 2), 0, 0, false},
		{"refuses a code already used in its step (replay)", codeAt(step), step, 0, false},
		{"refuses an older step once a later one was used", codeAt(step - 1), step, 0, false},
		{"accepts a later step after an earlier one was used", codeAt(step + 1), step, step + 1, true},
		{"refuses a wrong code", "000000", 0, 0, codeAt(step-1) == "000000" || codeAt(step) == "000000" || codeAt(step+1) == "000000"},
		{"refuses a code of another length", codeAt(step)[:5], 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := totpStep(secret, c.code, now, c.last)
			if ok != c.accepted || (ok && got != c.want) {
				t.Fatalf("totpStep = %d, %v; want %d, %v", got, ok, c.want, c.accepted)
			}
		})
	}
}

func TestDecideMFA(t *testing.T) {
	allPool := poolMFA{SMS: true, TOTP: true, Email: true}
	totpOnly := poolMFA{TOTP: true}
	phone := map[string]string{"phone_number": "+15555550100"}
	email := map[string]string{"email": "a@example.com"}
	none := map[string]string{}
	cases := []struct {
		name      string
		mode      string
		pool      poolMFA
		user      userMFA
		attrs     map[string]string
		challenge string
		choices   []string
	}{
		{"pool OFF: tokens whatever the user has", "OFF", allPool, userMFA{TOTP: true}, none, "", nil},
		{"OPTIONAL, no factor: tokens", "OPTIONAL", allPool, userMFA{}, phone, "", nil},
		{"OPTIONAL, TOTP on: SOFTWARE_TOKEN_MFA", "OPTIONAL", allPool, userMFA{TOTP: true}, none, mfaTOTP, nil},
		{"OPTIONAL, SMS on: SMS_MFA", "OPTIONAL", allPool, userMFA{SMS: true}, phone, mfaSMS, nil},
		{"OPTIONAL, email on: EMAIL_OTP", "OPTIONAL", allPool, userMFA{Email: true}, email, mfaEmail, nil},
		{"a factor the pool does not offer does not count", "OPTIONAL", totpOnly, userMFA{SMS: true}, phone, "", nil},
		{"several without preference: SELECT_MFA_TYPE", "OPTIONAL", allPool, userMFA{SMS: true, TOTP: true}, phone, challengeSelectMFAType, []string{mfaSMS, mfaTOTP}},
		{"several with a preferred one: that one", "ON", allPool, userMFA{SMS: true, TOTP: true, Preferred: mfaTOTP}, phone, mfaTOTP, nil},
		{"preferred but no longer offered: the choice of the others", "ON", poolMFA{SMS: true, Email: true}, userMFA{SMS: true, TOTP: true, Email: true, Preferred: mfaTOTP}, phone, challengeSelectMFAType, []string{mfaSMS, mfaEmail}},
		{"ON, no factor, TOTP pool: MFA_SETUP", "ON", totpOnly, userMFA{}, none, challengeMFASetup, []string{mfaTOTP}},
		{"ON, no factor, SMS pool and a phone: SMS_MFA", "ON", poolMFA{SMS: true, TOTP: true}, userMFA{}, phone, mfaSMS, nil},
		{"ON, no factor, email pool and an address: EMAIL_OTP", "ON", poolMFA{Email: true}, userMFA{}, email, mfaEmail, nil},
		{"ON, no factor, nothing to send to: MFA_SETUP lists the pool's factors", "ON", allPool, userMFA{}, none, challengeMFASetup, []string{mfaSMS, mfaTOTP, mfaEmail}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decideMFA(c.mode, c.pool, c.user, c.attrs)
			if d.challenge != c.challenge || !slices.Equal(d.choices, c.choices) {
				t.Fatalf("decideMFA = %q %v; want %q %v", d.challenge, d.choices, c.challenge, c.choices)
			}
		})
	}
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{
		"+15555550123":        "+*******0123",
		"jane@example.com":    "j***@e***",
		"not-an-email":        "***",
		"+1234":               "*****",
		"x@y":                 "x***@y***",
		"+447700900123":       "+********0123",
		"someone@example.org": "s***@e***",
	} {
		got := maskPhone(in)
		if in[0] != '+' {
			got = maskEmail(in)
		}
		if got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestApplyMFAPreference(t *testing.T) {
	// Covered end to end in mfa_test.go; here the rules on a bare user.
	yes, no := true, false
	s := &Service{}
	u := newUserForTest(map[string]string{"email": "a@example.com"})
	if err := s.applyMFAPreference(&u, []mfaSetting{{factor: mfaTOTP, enabled: &yes}}); err == nil {
		t.Fatal("TOTP turned on without a verified token")
	}
	if err := s.applyMFAPreference(&u, []mfaSetting{{factor: mfaSMS, enabled: &yes}}); err == nil {
		t.Fatal("SMS turned on without a phone number")
	}
	if err := s.applyMFAPreference(&u, []mfaSetting{{factor: mfaEmail, enabled: &yes, preferred: &yes}}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.userMFAOf(u)
	if !m.Email || m.Preferred != mfaEmail {
		t.Fatalf("after enabling email: %+v", m)
	}
	if err := s.applyMFAPreference(&u, []mfaSetting{{factor: mfaEmail, enabled: &no}}); err != nil {
		t.Fatal(err)
	}
	m, _ = s.userMFAOf(u)
	if m.Email || m.Preferred != "" {
		t.Fatalf("turning a factor off keeps it preferred: %+v", m)
	}
	if err := s.applyMFAPreference(&u, []mfaSetting{{factor: mfaEmail, enabled: &yes, preferred: &yes}, {factor: mfaSMS, preferred: &yes}}); err == nil {
		t.Fatal("two preferred factors accepted")
	}
}

func newUserForTest(attrs map[string]string) store.User {
	return store.User{Username: "u", Attributes: attrs}
}

// With a master key the TOTP secrets are sealed in the store: the stored
// section holds no secret in clear, opens back to the secret, and does not
// open for another user or without the key.
func TestTOTPSecretsSealed(t *testing.T) {
	box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"), "ninsho userpool.mfa totp v1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Secrets: box}
	u := store.User{PoolID: "us-east-1_a", Sub: "sub-1", Username: "u"}
	const secret, pending = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	if err := s.putMFA(&u, userMFA{TOTP: true, Secret: secret, Pending: pending}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(u.Extra), secret) || strings.Contains(string(u.Extra), pending) {
		t.Fatalf("a TOTP secret is stored in clear: %s", u.Extra)
	}
	m, err := s.userMFAOf(u)
	if err != nil || m.Secret != secret || m.Pending != pending || !m.TOTP {
		t.Fatalf("userMFAOf = %+v, %v", m, err)
	}
	other := u
	other.Sub = "sub-2"
	if _, err := s.userMFAOf(other); err == nil {
		t.Error("a sealed secret opened for another user")
	}
	if _, err := (&Service{}).userMFAOf(u); err == nil {
		t.Error("a sealed secret opened without the master key")
	}
	// Without a master key secrets stay readable as they are; a key added
	// later still reads them, and seals them on the next write.
	plain := &Service{}
	v := store.User{PoolID: "us-east-1_a", Sub: "sub-3"}
	if err := plain.putMFA(&v, userMFA{Secret: secret}); err != nil || !strings.Contains(string(v.Extra), secret) {
		t.Fatalf("without a key: %s, %v", v.Extra, err)
	}
	if m, err := s.userMFAOf(v); err != nil || m.Secret != secret {
		t.Fatalf("a clear secret under a key: %+v, %v", m, err)
	}
}
