package userpool

import (
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

func TestCodes(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		run  func(t *testing.T, u *store.User)
	}{
		{"a code is six digits and is never stored in clear", func(t *testing.T, u *store.User) {
			code, err := issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "email", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
				t.Errorf("code %q is not six digits", code)
			}
			if strings.Contains(string(u.Extra), code) {
				t.Errorf("the code is in the stored record: %s", u.Extra)
			}
		}},
		{"the right code passes once, and is then used up", func(t *testing.T, u *store.User) {
			code, _ := issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "email", "")
			sc, err := checkCode(u, purposeSignUp, code, t0.Add(time.Minute))
			if err != nil || sc.Attribute != "email" {
				t.Fatalf("checkCode = %+v, %v", sc, err)
			}
			if _, err := checkCode(u, purposeSignUp, code, t0.Add(2*time.Minute)); err != errCodeExpired {
				t.Errorf("second use: %v, want ExpiredCodeException", err)
			}
		}},
		{"a wrong code is a mismatch and leaves the code usable", func(t *testing.T, u *store.User) {
			code, _ := issueCode(u, purposeForgot, t0, forgotCodeLifetime, "email", "")
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			if _, err := checkCode(u, purposeForgot, wrong, t0); err != errCodeMismatch {
				t.Errorf("wrong code: %v, want CodeMismatchException", err)
			}
			if _, err := checkCode(u, purposeForgot, code, t0); err != nil {
				t.Errorf("right code after a wrong one: %v", err)
			}
		}},
		{"a sign-up code lives 24 hours", func(t *testing.T, u *store.User) {
			code, _ := issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "email", "")
			if _, err := checkCode(u, purposeSignUp, code, t0.Add(24*time.Hour)); err != errCodeExpired {
				t.Errorf("after 24 h: %v, want ExpiredCodeException", err)
			}
		}},
		{"a password-reset code lives one hour", func(t *testing.T, u *store.User) {
			code, _ := issueCode(u, purposeForgot, t0, forgotCodeLifetime, "email", "")
			if _, err := checkCode(u, purposeForgot, code, t0.Add(59*time.Minute)); err != nil {
				t.Errorf("after 59 min: %v", err)
			}
			code, _ = issueCode(u, purposeForgot, t0, forgotCodeLifetime, "email", "")
			if _, err := checkCode(u, purposeForgot, code, t0.Add(61*time.Minute)); err != errCodeExpired {
				t.Errorf("after 61 min: %v, want ExpiredCodeException", err)
			}
		}},
		{"a new code replaces the old one", func(t *testing.T, u *store.User) {
			old, _ := issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "email", "")
			var fresh string
			for fresh = old; fresh == old; {
				fresh, _ = issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "email", "")
			}
			if _, err := checkCode(u, purposeSignUp, old, t0); err != errCodeMismatch {
				t.Errorf("old code: %v, want CodeMismatchException", err)
			}
			if _, err := checkCode(u, purposeSignUp, fresh, t0); err != nil {
				t.Errorf("new code: %v", err)
			}
		}},
		{"codes of different purposes are independent", func(t *testing.T, u *store.User) {
			a, _ := issueCode(u, purposeAttribute("email"), t0, attributeCodeLifetime, "email", "new@example.com")
			b, _ := issueCode(u, purposeForgot, t0, forgotCodeLifetime, "email", "")
			sc, err := checkCode(u, purposeAttribute("email"), a, t0)
			if err != nil || sc.Value != "new@example.com" {
				t.Errorf("attribute code: %+v, %v", sc, err)
			}
			if _, err := checkCode(u, purposeForgot, b, t0); err != nil {
				t.Errorf("forgot code: %v", err)
			}
		}},
		{"attempts are limited per hour, sliding", func(t *testing.T, u *store.User) {
			for i := 0; i < 5; i++ {
				if over, _ := attemptsExceeded(*u, "ResendConfirmationCode", t0.Add(time.Duration(i)*time.Minute)); over {
					t.Fatalf("limit reached after %d attempts", i)
				}
				noteAttempt(u, "ResendConfirmationCode", t0.Add(time.Duration(i)*time.Minute))
			}
			if over, _ := attemptsExceeded(*u, "ResendConfirmationCode", t0.Add(10*time.Minute)); !over {
				t.Error("a sixth attempt within the hour is allowed")
			}
			if over, _ := attemptsExceeded(*u, "ConfirmSignUp", t0.Add(10*time.Minute)); over {
				t.Error("attempts of another operation count")
			}
			// The first attempt leaves the window after an hour.
			if over, _ := attemptsExceeded(*u, "ResendConfirmationCode", t0.Add(61*time.Minute)); over {
				t.Error("the limit holds after the first attempt left the window")
			}
		}},
		{"other Extra sections are kept", func(t *testing.T, u *store.User) {
			if err := setExtra(u, "mfa", map[string]string{"preferred": "SOFTWARE_TOKEN_MFA"}); err != nil {
				t.Fatal(err)
			}
			code, _ := issueCode(u, purposeSignUp, t0, signUpCodeLifetime, "", "")
			checkCode(u, purposeSignUp, code, t0)
			var mfa map[string]string
			if ok, _ := getExtra(*u, "mfa", &mfa); !ok || mfa["preferred"] != "SOFTWARE_TOKEN_MFA" {
				t.Errorf("mfa section lost: %s", u.Extra)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, &store.User{Username: "u"}) })
	}
}

func TestMaskDestination(t *testing.T) {
	for _, c := range []struct{ medium, to, want string }{
		{"EMAIL", "jane@example.com", "j***@e***"},
		{"SMS", "+15555550100", "+*******0100"},
		{"EMAIL", "bogus", "***"},
	} {
		if got := maskDestination(c.medium, c.to); got != c.want {
			t.Errorf("maskDestination(%s, %s) = %q, want %q", c.medium, c.to, got, c.want)
		}
	}
}

func TestFillTemplate(t *testing.T) {
	got := fillTemplate("Hi {username}, your code is {####}. Again: {####}", "123456", "jane")
	if got != "Hi jane, your code is 123456. Again: 123456" {
		t.Errorf("fillTemplate = %q", got)
	}
}
