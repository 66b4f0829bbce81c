package userpool_test

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
)

func historyPool(size int32) cip.CreateUserPoolInput {
	return cip.CreateUserPoolInput{Policies: &cip.UserPoolPolicyType{PasswordPolicy: &cip.PasswordPolicyType{
		MinimumLength: awsapi.Int32(8), RequireLowercase: awsapi.Bool(true), RequireNumbers: awsapi.Bool(true),
		PasswordHistorySize: awsapi.Int32(size)}}}
}

func (e *srpEnv) setPassword(name, password string) error {
	_, err := e.svc.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: awsapi.String(e.poolID),
		Username: awsapi.String(name), Password: awsapi.String(password), Permanent: awsapi.Bool(true)})
	return err
}

func TestPasswordHistory(t *testing.T) {
	e := newSRPEnv(t, historyPool(2), adminFlows)
	e.createUser(t, "ann", "first111", false) // set once through AdminSetUserPassword
	reused := func(password string) {
		t.Helper()
		wantErr(t, e.setPassword("ann", password), "PasswordHistoryPolicyViolationException", "")
	}
	reused("first111")
	if err := e.setPassword("ann", "second22"); err != nil {
		t.Fatal(err)
	}
	reused("first111")
	reused("second22")
	if err := e.setPassword("ann", "third333"); err != nil {
		t.Fatal(err)
	}
	// Only the last two count: the first may come back.
	if err := e.setPassword("ann", "first111"); err != nil {
		t.Fatalf("a password older than the history was refused: %v", err)
	}
	// The policy is checked before the history.
	wantErr(t, e.setPassword("ann", "short1"), "InvalidPasswordException", "Password does not conform to policy: Password not long enough")
	if _, err := e.adminSignIn("ann", "first111"); err != nil {
		t.Fatalf("sign-in with the current password: %v", err)
	}
}

func TestPasswordHistoryNewPasswordChallenge(t *testing.T) {
	e := newSRPEnv(t, historyPool(3), adminFlows)
	e.createUser(t, "ann", "first111", false)
	if _, err := e.svc.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: awsapi.String(e.poolID),
		Username: awsapi.String("ann"), Password: awsapi.String("temp4444")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.adminSignIn("ann", "temp4444")
	if err != nil || awsapi.ToString(out.ChallengeName) != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("sign-in with a temporary password: %v %+v", err, out)
	}
	answer := func(password string) (*cip.AdminRespondToAuthChallengeOutput, error) {
		return e.svc.AdminRespondToAuthChallenge(e.ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: awsapi.String(e.poolID),
			ClientId: awsapi.String(e.clientID), ChallengeName: awsapi.String("NEW_PASSWORD_REQUIRED"), Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "ann", "NEW_PASSWORD": password}})
	}
	_, err = answer("first111")
	wantErr(t, err, "PasswordHistoryPolicyViolationException", "")
	res, err := answer("fresh555")
	if err != nil {
		t.Fatalf("a new password: %v", err)
	}
	wantTokens(t, res.AuthenticationResult)
}

func TestNoPasswordHistory(t *testing.T) {
	e := newSRPEnv(t, historyPool(0), adminFlows)
	e.createUser(t, "ann", "first111", false)
	if err := e.setPassword("ann", "first111"); err != nil {
		t.Fatalf("without history a password may be set again: %v", err)
	}
}

// The passwords users choose themselves (SignUp, ChangePassword,
// ConfirmForgotPassword) go through the history too.
func TestPasswordHistoryOfUserChosenPasswords(t *testing.T) {
	e := newLifeEnv(t, historyPool(2), cip.CreateUserPoolClientInput{})
	e.signUp(t, "max", "max@example.com")
	e.confirm("max", e.lastCode(t, notify.KindSignUp, "max@example.com"))
	out, err := e.signIn("max", lifePassword)
	if err != nil {
		t.Fatal(err)
	}
	change := func(prev, next string) error {
		_, err := e.svc.ChangePassword(e.ctx, &cip.ChangePasswordInput{AccessToken: out.AuthenticationResult.AccessToken,
			PreviousPassword: &prev, ProposedPassword: &next})
		return err
	}
	wantErr(t, change(lifePassword, lifePassword), "PasswordHistoryPolicyViolationException", "")
	if err := change(lifePassword, "second22"); err != nil {
		t.Fatal(err)
	}
	forgot := func(password string) error {
		if _, err := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("max")}); err != nil {
			t.Fatal(err)
		}
		code := e.lastCode(t, notify.KindForgotPassword, "max@example.com")
		_, err := e.svc.ConfirmForgotPassword(e.ctx, &cip.ConfirmForgotPasswordInput{ClientId: awsapi.String(e.clientID),
			Username: awsapi.String("max"), ConfirmationCode: &code, Password: &password})
		return err
	}
	wantErr(t, forgot(lifePassword), "PasswordHistoryPolicyViolationException", "")
	if err := forgot("third333"); err != nil {
		t.Fatalf("a new password after a reset: %v", err)
	}
	if _, err := e.signIn("max", "third333"); err != nil {
		t.Fatal(err)
	}
}
