package userpool

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
)

func TestCheckPassword(t *testing.T) {
	def := defaultPasswordPolicy()
	lax := def
	lax.MinimumLength = awsapi.Int32(6)
	lax.RequireSymbols, lax.RequireUppercase, lax.RequireNumbers = awsapi.Bool(false), awsapi.Bool(false), awsapi.Bool(false)
	cases := []struct {
		name, password, wantMessage string
		policy                      func() any
	}{
		{"accepts a password with every class", "Abcdef1!", "", nil},
		{"refuses a short password", "Ab1!", "Password does not conform to policy: Password not long enough", nil},
		{"refuses a password without numbers", "Abcdefg!", "Password does not conform to policy: Password must have numeric characters", nil},
		{"refuses a password without symbols", "Abcdefg1", "Password does not conform to policy: Password must have symbol characters", nil},
		{"refuses a password without upper case", "abcdef1!", "Password does not conform to policy: Password must have uppercase characters", nil},
		{"refuses a password without lower case", "ABCDEF1!", "Password does not conform to policy: Password must have lowercase characters", nil},
		{"counts a space as a symbol inside the password", "Abc def1", "", nil},
		{"refuses a leading space", " Abcdef1!", "Password does not conform to policy: Password must not begin or end with a space", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPassword(def, c.password)
			if c.wantMessage == "" {
				if err != nil {
					t.Fatalf("checkPassword(%q) = %v", c.password, err)
				}
				return
			}
			e, ok := awserr.As(err)
			if !ok || e.Code != "InvalidPasswordException" || e.Message != c.wantMessage {
				t.Fatalf("checkPassword(%q) = %v, want InvalidPasswordException %q", c.password, err, c.wantMessage)
			}
		})
	}
	t.Run("a lax policy accepts six lower-case letters", func(t *testing.T) {
		if err := checkPassword(lax, "abcdef"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGeneratedPasswordsSatisfyThePolicy(t *testing.T) {
	for range 200 {
		p := generatePassword(defaultPasswordPolicy())
		if err := checkPassword(defaultPasswordPolicy(), p); err != nil {
			t.Fatalf("generated %q: %v", p, err)
		}
	}
}

func TestClientAllowsFlow(t *testing.T) {
	cases := []struct {
		name  string
		flows []string
		flow  string
		want  bool
	}{
		{"no flows allow SRP", nil, "USER_SRP_AUTH", true},
		{"no flows refuse the admin password flow", nil, "ADMIN_USER_PASSWORD_AUTH", false},
		{"refresh is always allowed", []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, "REFRESH_TOKEN_AUTH", true},
		{"ALLOW_ADMIN_USER_PASSWORD_AUTH allows ADMIN_NO_SRP_AUTH", []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, "ADMIN_NO_SRP_AUTH", true},
		{"ALLOW_ flows refuse what they do not name", []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, "USER_PASSWORD_AUTH", false},
		{"legacy ADMIN_NO_SRP_AUTH allows the admin password flow", []string{"ADMIN_NO_SRP_AUTH"}, "ADMIN_USER_PASSWORD_AUTH", true},
		{"legacy values keep SRP", []string{"USER_PASSWORD_AUTH"}, "USER_SRP_AUTH", true},
		{"legacy values refuse what they do not name", []string{"USER_PASSWORD_AUTH"}, "ADMIN_NO_SRP_AUTH", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := &client{}
			cl.cfg.ExplicitAuthFlows = c.flows
			if got := cl.allowsFlow(c.flow); got != c.want {
				t.Fatalf("allowsFlow(%s) with %v = %v", c.flow, c.flows, got)
			}
		})
	}
}
