package userpool_test

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
)

// In a case-insensitive pool an email signs in whatever its capitalization,
// as a username attribute and as a verified alias, and a case variation of
// a taken email is refused to another user (UsernameConfigurationType).
func TestEmailSignInIgnoresCase(t *testing.T) {
	for _, c := range []struct {
		name string
		pool cip.CreateUserPoolInput
	}{
		{"email as username", cip.CreateUserPoolInput{UsernameAttributes: []string{"email"},
			UsernameConfiguration: &cip.UsernameConfigurationType{CaseSensitive: awsapi.Bool(false)}}},
		{"email as alias", cip.CreateUserPoolInput{AliasAttributes: []string{"email"},
			UsernameConfiguration: &cip.UsernameConfigurationType{CaseSensitive: awsapi.Bool(false)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newLifeEnv(t, c.pool, cip.CreateUserPoolClientInput{})
			username := "Jane.Doe@Example.COM"
			if c.pool.AliasAttributes != nil {
				username = "jane"
			}
			_, err := e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String(username),
				Password: awsapi.String(lifePassword), UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("Jane.Doe@Example.COM")}}})
			if err != nil {
				t.Fatal(err)
			}
			code := e.lastCode(t, notify.KindSignUp, "Jane.Doe@Example.COM")
			if _, err := e.svc.ConfirmSignUp(e.ctx, &cip.ConfirmSignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String(username), ConfirmationCode: &code}); err != nil {
				t.Fatal(err)
			}
			for _, as := range []string{"Jane.Doe@Example.COM", "jane.doe@example.com", "JANE.DOE@EXAMPLE.COM"} {
				if _, err := e.signIn(as, lifePassword); err != nil {
					t.Errorf("sign-in as %s: %v", as, err)
				}
			}
			other := "other@example.com"
			if c.pool.AliasAttributes != nil {
				other = "other"
			}
			_, err = e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String(other),
				Password: awsapi.String(lifePassword), UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("other@example.com")}}})
			if err != nil {
				t.Fatal(err)
			}
			if c.pool.UsernameAttributes != nil {
				_, err = e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("jane.doe@example.com"),
					Password: awsapi.String(lifePassword), UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("jane.doe@example.com")}}})
				wantErr(t, err, "UsernameExistsException", "")
			}
		})
	}
}
