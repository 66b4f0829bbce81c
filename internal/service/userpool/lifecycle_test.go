package userpool_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/service/userpool"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/tokens"
)

// lifeEnv is a service with an outbox and a clock the test moves.
type lifeEnv struct {
	ctx              context.Context
	svc              *userpool.Service
	outbox           *notify.Outbox
	now              time.Time
	poolID, clientID string
}

const lifePassword = "Passw0rd!x"

func newLifeEnv(t *testing.T, pool cip.CreateUserPoolInput, client cip.CreateUserPoolClientInput) *lifeEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &lifeEnv{ctx: ctx, now: time.Now().UTC().Truncate(time.Second)}
	clock := func() time.Time { return e.now }
	e.svc = userpool.New(st, &tokens.Keys{Store: st, Now: clock}, "us-east-1", "000000000000", "http://localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.svc.Now = clock
	e.outbox = &notify.Outbox{Store: st, Now: clock}
	e.svc.Notify = e.outbox
	pool.PoolName = awsapi.String("life")
	if pool.AutoVerifiedAttributes == nil {
		pool.AutoVerifiedAttributes = []string{"email"}
	}
	p, err := e.svc.CreateUserPool(ctx, &pool)
	if err != nil {
		t.Fatal(err)
	}
	client.UserPoolId, client.ClientName = p.UserPool.Id, awsapi.String("app")
	client.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	c, err := e.svc.CreateUserPoolClient(ctx, &client)
	if err != nil {
		t.Fatal(err)
	}
	e.poolID, e.clientID = *p.UserPool.Id, *c.UserPoolClient.ClientId
	return e
}

// lastCode is the code of the newest message of kind to to.
func (e *lifeEnv) lastCode(t *testing.T, kind, to string) string {
	t.Helper()
	ms, err := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID, Kind: kind, To: to, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatalf("no %s message to %s", kind, to)
	}
	return ms[0].Code
}

func (e *lifeEnv) count(t *testing.T, kind string) int {
	t.Helper()
	ms, err := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func (e *lifeEnv) signUp(t *testing.T, name, email string) *cip.SignUpOutput {
	t.Helper()
	out, err := e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String(name),
		Password: awsapi.String(lifePassword), UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String(email)}}})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	return out
}

func (e *lifeEnv) confirm(name, code string) error {
	_, err := e.svc.ConfirmSignUp(e.ctx, &cip.ConfirmSignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String(name), ConfirmationCode: awsapi.String(code)})
	return err
}

func (e *lifeEnv) user(t *testing.T, name string) *cip.AdminGetUserOutput {
	t.Helper()
	u, err := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func attrOf(u *cip.AdminGetUserOutput, name string) string {
	for _, a := range u.UserAttributes {
		if *a.Name == name {
			return awsapi.ToString(a.Value)
		}
	}
	return ""
}

func (e *lifeEnv) signIn(name, password string) (*cip.InitiateAuthOutput, error) {
	return e.svc.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("USER_PASSWORD_AUTH"),
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSignUpAndConfirm(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	out := e.signUp(t, "jane", "jane@example.com")
	if awsapi.ToBool(out.UserConfirmed) || out.UserSub == nil || out.CodeDeliveryDetails == nil ||
		*out.CodeDeliveryDetails.Destination != "j***@e***" || *out.CodeDeliveryDetails.DeliveryMedium != "EMAIL" || *out.CodeDeliveryDetails.AttributeName != "email" {
		t.Fatalf("SignUp output %+v %+v", out, out.CodeDeliveryDetails)
	}
	ms, _ := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID})
	if len(ms) != 1 || ms[0].Subject != "Your verification code" || ms[0].Body != "Your verification code is "+ms[0].Code+". " || ms[0].Kind != notify.KindSignUp {
		t.Fatalf("outbox %+v", ms)
	}
	code := ms[0].Code
	if u := e.user(t, "jane"); *u.UserStatus != "UNCONFIRMED" || attrOf(u, "email_verified") == "true" {
		t.Fatalf("after SignUp: %s", *u.UserStatus)
	}
	_, err := e.signIn("jane", lifePassword)
	wantErr(t, err, "UserNotConfirmedException", "User is not confirmed.")
	wantErr(t, e.confirm("jane", wrongCode(code)), "CodeMismatchException", "Invalid verification code provided, please try again.")
	if err := e.confirm("jane", code); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	if u := e.user(t, "jane"); *u.UserStatus != "CONFIRMED" || attrOf(u, "email_verified") != "true" {
		t.Fatalf("after ConfirmSignUp: %s, email_verified %q", *u.UserStatus, attrOf(u, "email_verified"))
	}
	wantErr(t, e.confirm("jane", code), "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	if _, err := e.signIn("jane", lifePassword); err != nil {
		t.Fatalf("sign-in after confirmation: %v", err)
	}
	_, err = e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("jane"), Password: awsapi.String(lifePassword)})
	wantErr(t, err, "UsernameExistsException", "User already exists")
	_, err = e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("weak"), Password: awsapi.String("short")})
	wantErr(t, err, "InvalidPasswordException", "")
}

func TestSignUpCodeExpiryResendAndLimits(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	e.signUp(t, "kim", "kim@example.com")
	first := e.lastCode(t, notify.KindSignUp, "kim@example.com")
	e.now = e.now.Add(24*time.Hour + time.Second)
	wantErr(t, e.confirm("kim", first), "ExpiredCodeException", "Invalid code provided, please request a code again.")

	resend := func() error {
		_, err := e.svc.ResendConfirmationCode(e.ctx, &cip.ResendConfirmationCodeInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("kim")})
		return err
	}
	for i := 0; i < 5; i++ {
		if err := resend(); err != nil {
			t.Fatalf("resend %d: %v", i+1, err)
		}
	}
	wantErr(t, resend(), "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	if n := e.count(t, notify.KindSignUp); n != 6 {
		t.Errorf("%d sign-up messages, want 6 (sign-up and five resends)", n)
	}
	latest := e.lastCode(t, notify.KindSignUp, "kim@example.com")
	// Fifteen wrong codes an hour, then even the right one is refused.
	for i := 0; i < 15; i++ {
		wantErr(t, e.confirm("kim", wrongCode(latest)), "CodeMismatchException", "")
	}
	wantErr(t, e.confirm("kim", latest), "LimitExceededException", "")
	e.now = e.now.Add(time.Hour)
	if err := e.confirm("kim", latest); err != nil {
		t.Fatalf("an hour later the latest code works: %v", err)
	}
	_, err := e.svc.ResendConfirmationCode(e.ctx, &cip.ResendConfirmationCodeInput{ClientId: awsapi.String(e.clientID), Username: awsapi.String("kim")})
	wantErr(t, err, "InvalidParameterException", "User is already confirmed.")
}

func TestStatusMachine(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	admin := func(name string) *string { return awsapi.String(name) }
	steps := []struct {
		name       string
		run        func() error
		user       string
		wantStatus string
		wantErr    string
	}{
		{"sign-up makes UNCONFIRMED", func() error { e.signUp(t, "sam", "sam@example.com"); return nil }, "sam", "UNCONFIRMED", ""},
		{"AdminConfirmSignUp makes CONFIRMED", func() error {
			_, err := e.svc.AdminConfirmSignUp(e.ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &e.poolID, Username: admin("sam")})
			return err
		}, "sam", "CONFIRMED", ""},
		{"AdminConfirmSignUp of a confirmed user is refused", func() error {
			_, err := e.svc.AdminConfirmSignUp(e.ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &e.poolID, Username: admin("sam")})
			return err
		}, "sam", "CONFIRMED", "NotAuthorizedException"},
		{"ForgotPassword needs a verified address", func() error {
			_, err := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: admin("sam")})
			return err
		}, "sam", "CONFIRMED", "InvalidParameterException"},
		{"an administrator verifies the email address", func() error {
			_, err := e.svc.AdminUpdateUserAttributes(e.ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &e.poolID, Username: admin("sam"),
				UserAttributes: []cip.AttributeType{{Name: awsapi.String("email_verified"), Value: awsapi.String("true")}}})
			return err
		}, "sam", "CONFIRMED", ""},
		{"AdminResetUserPassword makes RESET_REQUIRED", func() error {
			_, err := e.svc.AdminResetUserPassword(e.ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &e.poolID, Username: admin("sam")})
			return err
		}, "sam", "RESET_REQUIRED", ""},
		{"sign-in then needs a reset", func() error { _, err := e.signIn("sam", lifePassword); return err }, "sam", "RESET_REQUIRED", "PasswordResetRequiredException"},
		{"ConfirmForgotPassword with the code makes CONFIRMED", func() error {
			code := e.lastCode(t, notify.KindForgotPassword, "sam@example.com")
			_, err := e.svc.ConfirmForgotPassword(e.ctx, &cip.ConfirmForgotPasswordInput{ClientId: &e.clientID, Username: admin("sam"),
				ConfirmationCode: &code, Password: awsapi.String("N3w-Passw0rd")})
			return err
		}, "sam", "CONFIRMED", ""},
		{"AdminCreateUser makes FORCE_CHANGE_PASSWORD", func() error {
			_, err := e.svc.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: &e.poolID, Username: admin("fay"),
				UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("fay@example.com")}, {Name: awsapi.String("email_verified"), Value: awsapi.String("true")}}})
			return err
		}, "fay", "FORCE_CHANGE_PASSWORD", ""},
		{"ForgotPassword in FORCE_CHANGE_PASSWORD is refused", func() error {
			_, err := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: admin("fay")})
			return err
		}, "fay", "FORCE_CHANGE_PASSWORD", "NotAuthorizedException"},
	}
	for _, s := range steps {
		err := s.run()
		if s.wantErr == "" && err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.wantErr != "" {
			wantErr(t, err, s.wantErr, "")
		}
		if got := *e.user(t, s.user).UserStatus; got != s.wantStatus {
			t.Fatalf("%s: status %s, want %s", s.name, got, s.wantStatus)
		}
	}
	if _, err := e.signIn("sam", "N3w-Passw0rd"); err != nil {
		t.Fatalf("sign-in with the reset password: %v", err)
	}
}

func TestForgotPasswordCodeLifetime(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	e.signUp(t, "lee", "lee@example.com")
	if err := e.confirm("lee", e.lastCode(t, notify.KindSignUp, "lee@example.com")); err != nil {
		t.Fatal(err)
	}
	forgot := func() string {
		t.Helper()
		out, err := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: awsapi.String("lee")})
		if err != nil || *out.CodeDeliveryDetails.DeliveryMedium != "EMAIL" {
			t.Fatalf("ForgotPassword: %+v, %v", out, err)
		}
		return e.lastCode(t, notify.KindForgotPassword, "lee@example.com")
	}
	reset := func(code, password string) error {
		_, err := e.svc.ConfirmForgotPassword(e.ctx, &cip.ConfirmForgotPasswordInput{ClientId: &e.clientID, Username: awsapi.String("lee"),
			ConfirmationCode: &code, Password: &password})
		return err
	}
	code := forgot()
	e.now = e.now.Add(time.Hour + time.Second)
	wantErr(t, reset(code, "An0ther-pass"), "ExpiredCodeException", "")
	old := forgot()
	code = forgot()
	if old != code {
		wantErr(t, reset(old, "An0ther-pass"), "CodeMismatchException", "")
	}
	wantErr(t, reset(code, "weak"), "InvalidPasswordException", "")
	if err := reset(code, "An0ther-pass"); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	if _, err := e.signIn("lee", lifePassword); err == nil {
		t.Fatal("the old password still signs in")
	}
	if _, err := e.signIn("lee", "An0ther-pass"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

func TestPreventUserExistenceErrors(t *testing.T) {
	for _, prevent := range []string{"ENABLED", "LEGACY"} {
		t.Run(prevent, func(t *testing.T) {
			e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{PreventUserExistenceErrors: awsapi.String(prevent)})
			ghost := awsapi.String("ghost@example.com")
			fp, err1 := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: ghost})
			rc, err2 := e.svc.ResendConfirmationCode(e.ctx, &cip.ResendConfirmationCodeInput{ClientId: &e.clientID, Username: ghost})
			err3 := e.confirm("ghost@example.com", "123456")
			_, err4 := e.svc.ConfirmForgotPassword(e.ctx, &cip.ConfirmForgotPasswordInput{ClientId: &e.clientID, Username: ghost,
				ConfirmationCode: awsapi.String("123456"), Password: awsapi.String(lifePassword)})
			if prevent == "LEGACY" {
				for _, err := range []error{err1, err2, err3, err4} {
					wantErr(t, err, "UserNotFoundException", "Username/client id combination not found.")
				}
				return
			}
			if err1 != nil || err2 != nil || *fp.CodeDeliveryDetails.Destination != "g***@e***" || *rc.CodeDeliveryDetails.DeliveryMedium != "EMAIL" {
				t.Fatalf("simulated delivery: %+v %v / %+v %v", fp, err1, rc, err2)
			}
			wantErr(t, err3, "CodeMismatchException", "")
			wantErr(t, err4, "CodeMismatchException", "")
			if n := e.count(t, ""); n != 0 {
				t.Errorf("%d messages sent to nobody", n)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	e.signUp(t, "max", "max@example.com")
	e.confirm("max", e.lastCode(t, notify.KindSignUp, "max@example.com"))
	out, err := e.signIn("max", lifePassword)
	if err != nil {
		t.Fatal(err)
	}
	token := out.AuthenticationResult.AccessToken
	change := func(prev, next string) error {
		_, err := e.svc.ChangePassword(e.ctx, &cip.ChangePasswordInput{AccessToken: token, PreviousPassword: &prev, ProposedPassword: &next})
		return err
	}
	wantErr(t, change("Wr0ng-pass!", "Fresh-Passw0rd"), "NotAuthorizedException", "Incorrect username or password.")
	wantErr(t, change(lifePassword, "weak"), "InvalidPasswordException", "")
	if err := change(lifePassword, "Fresh-Passw0rd"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := e.signIn("max", "Fresh-Passw0rd"); err != nil {
		t.Fatalf("sign-in with the new password: %v", err)
	}
	for i := 0; i < 4; i++ {
		wantErr(t, change("Wr0ng-pass!", "Other-Passw0rd"), "NotAuthorizedException", "")
	}
	wantErr(t, change("Fresh-Passw0rd", "Other-Passw0rd"), "LimitExceededException", "")
}

func TestUpdateAndVerifyAttributes(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{AliasAttributes: []string{"email"}}, cip.CreateUserPoolClientInput{})
	e.signUp(t, "ann", "ann@example.com")
	e.confirm("ann", e.lastCode(t, notify.KindSignUp, "ann@example.com"))
	out, err := e.signIn("ann", lifePassword)
	if err != nil {
		t.Fatal(err)
	}
	token := out.AuthenticationResult.AccessToken
	upd, err := e.svc.UpdateUserAttributes(e.ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
		UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("ann2@example.com")}}})
	if err != nil || len(upd.CodeDeliveryDetailsList) != 1 || *upd.CodeDeliveryDetailsList[0].Destination != "a***@e***" {
		t.Fatalf("UpdateUserAttributes: %+v, %v", upd, err)
	}
	if u := e.user(t, "ann"); attrOf(u, "email") != "ann2@example.com" || attrOf(u, "email_verified") != "false" {
		t.Fatalf("after update: email %q verified %q", attrOf(u, "email"), attrOf(u, "email_verified"))
	}
	code := e.lastCode(t, notify.KindVerifyAttribute, "ann2@example.com")
	verify := func(code string) error {
		_, err := e.svc.VerifyUserAttribute(e.ctx, &cip.VerifyUserAttributeInput{AccessToken: token, AttributeName: awsapi.String("email"), Code: &code})
		return err
	}
	wantErr(t, verify(wrongCode(code)), "CodeMismatchException", "")
	if err := verify(code); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if u := e.user(t, "ann"); attrOf(u, "email_verified") != "true" {
		t.Fatal("email not verified")
	}
	// A new code on request; the alias now signs in.
	if _, err := e.svc.GetUserAttributeVerificationCode(e.ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: token, AttributeName: awsapi.String("email")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.signIn("ann2@example.com", lifePassword); err != nil {
		t.Fatalf("sign-in by verified alias: %v", err)
	}
	// Users may not mark attributes verified; sub is immutable.
	_, err = e.svc.UpdateUserAttributes(e.ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
		UserAttributes: []cip.AttributeType{{Name: awsapi.String("email_verified"), Value: awsapi.String("true")}}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	// Another user may not take a verified alias by admin verification.
	e.signUp(t, "bob", "bob@example.com")
	_, err = e.svc.AdminUpdateUserAttributes(e.ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &e.poolID, Username: awsapi.String("bob"),
		UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("ann2@example.com")}, {Name: awsapi.String("email_verified"), Value: awsapi.String("true")}}})
	wantErr(t, err, "AliasExistsException", "An account with the given email already exists.")
	// An admin setting email_verified sends no code.
	before := e.count(t, notify.KindVerifyAttribute)
	if _, err := e.svc.AdminUpdateUserAttributes(e.ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &e.poolID, Username: awsapi.String("bob"),
		UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("bobby@example.com")}, {Name: awsapi.String("email_verified"), Value: awsapi.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if e.count(t, notify.KindVerifyAttribute) != before {
		t.Error("a code was sent for an address the administrator verified")
	}
	if u := e.user(t, "bob"); attrOf(u, "email") != "bobby@example.com" || attrOf(u, "email_verified") != "true" {
		t.Errorf("bob: %q %q", attrOf(u, "email"), attrOf(u, "email_verified"))
	}
}

func TestAttributesRequireVerificationBeforeUpdate(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{UserAttributeUpdateSettings: &cip.UserAttributeUpdateSettingsType{
		AttributesRequireVerificationBeforeUpdate: []string{"email"}}}, cip.CreateUserPoolClientInput{})
	e.signUp(t, "ivy", "ivy@example.com")
	e.confirm("ivy", e.lastCode(t, notify.KindSignUp, "ivy@example.com"))
	out, _ := e.signIn("ivy", lifePassword)
	token := out.AuthenticationResult.AccessToken
	if _, err := e.svc.UpdateUserAttributes(e.ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
		UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("ivy.new@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	if u := e.user(t, "ivy"); attrOf(u, "email") != "ivy@example.com" || attrOf(u, "email_verified") != "true" {
		t.Fatalf("the old, verified address must stay until the new one is verified: %q %q", attrOf(u, "email"), attrOf(u, "email_verified"))
	}
	code := e.lastCode(t, notify.KindVerifyAttribute, "ivy.new@example.com")
	if _, err := e.svc.VerifyUserAttribute(e.ctx, &cip.VerifyUserAttributeInput{AccessToken: token, AttributeName: awsapi.String("email"), Code: &code}); err != nil {
		t.Fatal(err)
	}
	if u := e.user(t, "ivy"); attrOf(u, "email") != "ivy.new@example.com" || attrOf(u, "email_verified") != "true" {
		t.Fatalf("after verification: %q %q", attrOf(u, "email"), attrOf(u, "email_verified"))
	}
}

func TestInvitations(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{AdminCreateUserConfig: &cip.AdminCreateUserConfigType{
		InviteMessageTemplate: &cip.MessageTemplateType{EmailSubject: awsapi.String("Welcome"), EmailMessage: awsapi.String("Hello {username}, use {####}")}}},
		cip.CreateUserPoolClientInput{})
	create := func(name, action string) error {
		in := &cip.AdminCreateUserInput{UserPoolId: &e.poolID, Username: &name, DesiredDeliveryMediums: []string{"EMAIL"},
			UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String(name + "@example.com")}}}
		if action != "" {
			in.MessageAction = &action
		}
		_, err := e.svc.AdminCreateUser(e.ctx, in)
		return err
	}
	if err := create("zoe", ""); err != nil {
		t.Fatal(err)
	}
	ms, _ := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID, Kind: notify.KindInvitation})
	if len(ms) != 1 || ms[0].Subject != "Welcome" || ms[0].Body != "Hello zoe, use "+ms[0].Code || ms[0].Medium != "EMAIL" {
		t.Fatalf("invitation %+v", ms)
	}
	first := ms[0].Code
	if err := create("quiet", "SUPPRESS"); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, notify.KindInvitation); n != 1 {
		t.Errorf("SUPPRESS sent an invitation (%d)", n)
	}
	if err := create("zoe", "RESEND"); err != nil {
		t.Fatal(err)
	}
	second := e.lastCode(t, notify.KindInvitation, "zoe@example.com")
	if second == first {
		t.Fatal("RESEND kept the temporary password")
	}
	if _, err := e.signIn("zoe", first); err == nil {
		t.Error("the first temporary password still works")
	}
	out, err := e.signIn("zoe", second)
	if err != nil || awsapi.ToString(out.ChallengeName) != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("sign-in with the resent password: %+v, %v", out, err)
	}
	if !strings.Contains(ms[0].Body, ms[0].Code) {
		t.Error("the body lacks the temporary password")
	}
}

func TestSignUpSettings(t *testing.T) {
	t.Run("ForceAliasCreation moves a verified alias", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{AliasAttributes: []string{"email"}}, cip.CreateUserPoolClientInput{})
		e.signUp(t, "first", "same@example.com")
		e.confirm("first", e.lastCode(t, notify.KindSignUp, "same@example.com"))
		e.signUp(t, "second", "same@example.com")
		code := e.lastCode(t, notify.KindSignUp, "same@example.com")
		wantErr(t, e.confirm("second", code), "AliasExistsException", "An account with the given email already exists.")
		if _, err := e.svc.ConfirmSignUp(e.ctx, &cip.ConfirmSignUpInput{ClientId: &e.clientID, Username: awsapi.String("second"),
			ConfirmationCode: &code, ForceAliasCreation: awsapi.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if attrOf(e.user(t, "first"), "email_verified") != "false" || attrOf(e.user(t, "second"), "email_verified") != "true" {
			t.Error("the alias did not move")
		}
	})
	t.Run("the phone number gets the code by SMS with the legacy SMS message", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{AutoVerifiedAttributes: []string{"email", "phone_number"},
			SmsVerificationMessage: awsapi.String("Code: {####}")}, cip.CreateUserPoolClientInput{})
		out, err := e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: &e.clientID, Username: awsapi.String("pat"), Password: awsapi.String(lifePassword),
			UserAttributes: []cip.AttributeType{{Name: awsapi.String("email"), Value: awsapi.String("pat@example.com")},
				{Name: awsapi.String("phone_number"), Value: awsapi.String("+15555550100")}}})
		if err != nil || *out.CodeDeliveryDetails.DeliveryMedium != "SMS" || *out.CodeDeliveryDetails.Destination != "+*******0100" {
			t.Fatalf("SignUp: %+v %v", out, err)
		}
		ms, _ := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID, To: "+15555550100"})
		if len(ms) != 1 || ms[0].Medium != "SMS" || ms[0].Body != "Code: "+ms[0].Code || ms[0].Subject != "" {
			t.Fatalf("SMS %+v", ms)
		}
	})
	t.Run("the legacy email message and subject apply", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{EmailVerificationSubject: awsapi.String("Verify"),
			EmailVerificationMessage: awsapi.String("Use {####} to verify")}, cip.CreateUserPoolClientInput{})
		e.signUp(t, "leg", "leg@example.com")
		ms, _ := e.outbox.List(e.ctx, notify.Query{PoolID: e.poolID})
		if len(ms) != 1 || ms[0].Subject != "Verify" || ms[0].Body != "Use "+ms[0].Code+" to verify" {
			t.Fatalf("message %+v", ms)
		}
	})
	t.Run("without auto-verified attributes nothing is sent", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{AutoVerifiedAttributes: []string{}}, cip.CreateUserPoolClientInput{})
		out := e.signUp(t, "nov", "nov@example.com")
		if out.CodeDeliveryDetails != nil || e.count(t, "") != 0 {
			t.Fatalf("SignUp: %+v", out)
		}
	})
	t.Run("admin-only pools refuse sign-up", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{AdminCreateUserConfig: &cip.AdminCreateUserConfigType{AllowAdminCreateUserOnly: awsapi.Bool(true)}}, cip.CreateUserPoolClientInput{})
		_, err := e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: &e.clientID, Username: awsapi.String("x"), Password: awsapi.String(lifePassword)})
		wantErr(t, err, "NotAuthorizedException", "SignUp is not permitted for this user pool")
	})
	t.Run("a client with a secret needs SECRET_HASH", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{GenerateSecret: awsapi.Bool(true)})
		_, err := e.svc.SignUp(e.ctx, &cip.SignUpInput{ClientId: &e.clientID, Username: awsapi.String("x"), Password: awsapi.String(lifePassword)})
		wantErr(t, err, "NotAuthorizedException", "Client "+e.clientID+" is configured with secret but SECRET_HASH was not received")
	})
	t.Run("immutable attributes are refused once set", func(t *testing.T) {
		e := newLifeEnv(t, cip.CreateUserPoolInput{Schema: []cip.SchemaAttributeType{{Name: awsapi.String("tenant"),
			AttributeDataType: awsapi.String("String"), Mutable: awsapi.Bool(false)}}}, cip.CreateUserPoolClientInput{})
		_, err := e.svc.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: &e.poolID, Username: awsapi.String("imm"), MessageAction: awsapi.String("SUPPRESS"),
			UserAttributes: []cip.AttributeType{{Name: awsapi.String("custom:tenant"), Value: awsapi.String("a")}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AdminUpdateUserAttributes(e.ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &e.poolID, Username: awsapi.String("imm"),
			UserAttributes: []cip.AttributeType{{Name: awsapi.String("custom:tenant"), Value: awsapi.String("b")}}})
		wantErr(t, err, "InvalidParameterException", "Cannot modify the non-mutable attribute custom:tenant")
	})
}

func TestSimulatedDeliveryFollowsThePool(t *testing.T) {
	e := newLifeEnv(t, cip.CreateUserPoolInput{AutoVerifiedAttributes: []string{"phone_number"}},
		cip.CreateUserPoolClientInput{PreventUserExistenceErrors: awsapi.String("ENABLED")})
	first, err := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: awsapi.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := e.svc.ForgotPassword(e.ctx, &cip.ForgotPasswordInput{ClientId: &e.clientID, Username: awsapi.String("nobody")})
	d := first.CodeDeliveryDetails
	if *d.DeliveryMedium != "SMS" || *d.AttributeName != "phone_number" || !strings.HasPrefix(*d.Destination, "+*******") ||
		*again.CodeDeliveryDetails.Destination != *d.Destination {
		t.Errorf("simulated delivery %+v, then %+v", d, again.CodeDeliveryDetails)
	}
}
