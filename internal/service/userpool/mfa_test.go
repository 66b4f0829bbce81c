package userpool_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
)

// recordingSender keeps what the service sends.
type recordingSender struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (r *recordingSender) Send(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recordingSender) last(t *testing.T) notify.Message {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 {
		t.Fatal("nothing sent")
	}
	return r.msgs[len(r.msgs)-1]
}

// mfaEnv is an srpEnv with a settable clock, a recording sender and a
// client that allows the admin password flow.
type mfaEnv struct {
	*srpEnv
	now  time.Time
	sent *recordingSender
}

const mfaPassword = "Corr3ct#Horse"

func newMFAEnv(t *testing.T, pool cip.CreateUserPoolInput) *mfaEnv {
	t.Helper()
	e := &mfaEnv{srpEnv: newSRPEnv(t, pool, cip.CreateUserPoolClientInput{ExplicitAuthFlows: []string{
		"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}),
		now: time.Now().UTC(), sent: &recordingSender{}}
	e.svc.Now = func() time.Time { return e.now }
	e.svc.Notify = e.sent
	return e
}

func (e *mfaEnv) setMFA(t *testing.T, in cip.SetUserPoolMfaConfigInput) {
	t.Helper()
	in.UserPoolId = awsapi.String(e.poolID)
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &in); err != nil {
		t.Fatal(err)
	}
}

func (e *mfaEnv) adminAuth(username, password string) (*cip.AdminInitiateAuthOutput, error) {
	return e.svc.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: awsapi.String(e.poolID), ClientId: awsapi.String(e.clientID),
		AuthFlow: awsapi.String("ADMIN_USER_PASSWORD_AUTH"), AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
}

func (e *mfaEnv) answer(challenge string, session *string, responses map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.svc.RespondToAuthChallenge(e.ctx, &cip.RespondToAuthChallengeInput{
		ClientId: awsapi.String(e.clientID), ChallengeName: awsapi.String(challenge), Session: session, ChallengeResponses: responses,
	})
}

func (e *mfaEnv) code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolTOTP signs the user in (MFA must not apply yet), associates and
// verifies a software token, and turns it on; it returns the secret.
func (e *mfaEnv) enrolTOTP(t *testing.T, username string) string {
	t.Helper()
	out, err := e.adminAuth(username, mfaPassword)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in before enrolment: %v %+v", err, out)
	}
	at := out.AuthenticationResult.AccessToken
	assoc, err := e.svc.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: at})
	if err != nil {
		t.Fatal(err)
	}
	secret := *assoc.SecretCode
	if len(secret) != 32 || assoc.Session != nil {
		t.Fatalf("AssociateSoftwareToken = %+v", assoc)
	}
	_, err = e.svc.SetUserMFAPreference(e.ctx, &cip.SetUserMFAPreferenceInput{AccessToken: at,
		SoftwareTokenMfaSettings: &cip.SoftwareTokenMfaSettingsType{Enabled: awsapi.Bool(true)}})
	wantErr(t, err, "InvalidParameterException", "User has not set up software token mfa")
	_, err = e.svc.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{AccessToken: at, UserCode: awsapi.String(wrongCode(e.code(t, secret, e.now)))})
	wantErr(t, err, "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	v, err := e.svc.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{AccessToken: at,
		UserCode: awsapi.String(e.code(t, secret, e.now)), FriendlyDeviceName: awsapi.String("phone")})
	if err != nil || awsapi.ToString(v.Status) != "SUCCESS" || v.Session != nil {
		t.Fatalf("VerifySoftwareToken = %+v, %v", v, err)
	}
	if _, err := e.svc.SetUserMFAPreference(e.ctx, &cip.SetUserMFAPreferenceInput{AccessToken: at,
		SoftwareTokenMfaSettings: &cip.SoftwareTokenMfaSettingsType{Enabled: awsapi.Bool(true), PreferredMfa: awsapi.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	// The verification code's step is used: move on to a fresh step.
	e.now = e.now.Add(30 * time.Second)
	return secret
}

func TestUserPoolMfaConfig(t *testing.T) {
	e := newMFAEnv(t, cip.CreateUserPoolInput{})
	get := func() *cip.GetUserPoolMfaConfigOutput {
		out, err := e.svc.GetUserPoolMfaConfig(e.ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: awsapi.String(e.poolID)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := get(); *out.MfaConfiguration != "OFF" || awsapi.ToBool(out.SoftwareTokenMfaConfiguration.Enabled) || out.SmsMfaConfiguration != nil {
		t.Fatalf("a new pool: %+v", out)
	}
	_, err := e.svc.SetUserPoolMfaConfig(e.ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: awsapi.String(e.poolID), MfaConfiguration: awsapi.String("ON")})
	wantErr(t, err, "InvalidParameterException", "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
	_, err = e.svc.SetUserPoolMfaConfig(e.ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: awsapi.String(e.poolID), MfaConfiguration: awsapi.String("OFF"),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)}})
	wantErr(t, err, "InvalidParameterException", "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")

	e.setMFA(t, cip.SetUserPoolMfaConfigInput{MfaConfiguration: awsapi.String("OPTIONAL"),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)},
		SmsMfaConfiguration:           &cip.SmsMfaConfigType{SmsAuthenticationMessage: awsapi.String("Code {####}")},
		EmailMfaConfiguration:         &cip.EmailMfaConfigType{Message: awsapi.String("Mail code {####}"), Subject: awsapi.String("Sign-in")}})
	out := get()
	if *out.MfaConfiguration != "OPTIONAL" || !awsapi.ToBool(out.SoftwareTokenMfaConfiguration.Enabled) ||
		awsapi.ToString(out.SmsMfaConfiguration.SmsAuthenticationMessage) != "Code {####}" ||
		awsapi.ToString(out.EmailMfaConfiguration.Subject) != "Sign-in" {
		t.Fatalf("after SetUserPoolMfaConfig: %+v", out)
	}
	d, err := e.svc.DescribeUserPool(e.ctx, &cip.DescribeUserPoolInput{UserPoolId: awsapi.String(e.poolID)})
	if err != nil || *d.UserPool.MfaConfiguration != "OPTIONAL" || awsapi.ToString(d.UserPool.SmsAuthenticationMessage) != "Code {####}" {
		t.Fatalf("DescribeUserPool: %v %+v", err, d)
	}

	_, err = e.svc.CreateUserPool(e.ctx, &cip.CreateUserPoolInput{PoolName: awsapi.String("x"), MfaConfiguration: awsapi.String("ON")})
	wantErr(t, err, "InvalidParameterException", "SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
	// UpdateUserPool may turn MFA on once TOTP is on.
	if _, err := e.svc.UpdateUserPool(e.ctx, &cip.UpdateUserPoolInput{UserPoolId: awsapi.String(e.poolID), MfaConfiguration: awsapi.String("ON")}); err != nil {
		t.Fatal(err)
	}
	if out := get(); *out.MfaConfiguration != "ON" {
		t.Fatalf("after UpdateUserPool ON: %+v", out)
	}

	lite := newMFAEnv(t, cip.CreateUserPoolInput{UserPoolTier: awsapi.String("LITE")})
	_, err = lite.svc.SetUserPoolMfaConfig(lite.ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: awsapi.String(lite.poolID),
		MfaConfiguration: awsapi.String("OPTIONAL"), EmailMfaConfiguration: &cip.EmailMfaConfigType{}})
	wantErr(t, err, "FeatureUnavailableInTierException", "")
}

func TestSoftwareTokenMFA(t *testing.T) {
	e := newMFAEnv(t, cip.CreateUserPoolInput{})
	e.createUser(t, "alice", mfaPassword, false)
	e.setMFA(t, cip.SetUserPoolMfaConfigInput{MfaConfiguration: awsapi.String("OPTIONAL"),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)}})
	secret := e.enrolTOTP(t, "alice")

	u, err := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("alice")})
	if err != nil || awsapi.ToString(u.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" || len(u.MFAOptions) != 0 {
		t.Fatalf("AdminGetUser: %v %+v", err, u)
	}

	challenge := func(t *testing.T) *string {
		t.Helper()
		out, err := e.adminAuth("alice", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "SOFTWARE_TOKEN_MFA" || out.Session == nil || out.AuthenticationResult != nil {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
		return out.Session
	}

	t.Run("the right code gets tokens, and the code is not accepted again", func(t *testing.T) {
		e.now = e.now.Add(30 * time.Second)
		code := e.code(t, secret, e.now)
		sess := challenge(t)
		res, err := e.answer("SOFTWARE_TOKEN_MFA", sess, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
		_, err = e.answer("SOFTWARE_TOKEN_MFA", sess, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
		_, err = e.answer("SOFTWARE_TOKEN_MFA", challenge(t), map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
		wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
	})

	t.Run("a wrong code may be retried, up to three attempts", func(t *testing.T) {
		e.now = e.now.Add(30 * time.Second)
		code := e.code(t, secret, e.now)
		sess := challenge(t)
		bad := map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": wrongCode(code)}
		_, err := e.answer("SOFTWARE_TOKEN_MFA", sess, bad)
		wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
		res, err := e.answer("SOFTWARE_TOKEN_MFA", sess, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)

		e.now = e.now.Add(30 * time.Second)
		sess = challenge(t)
		for range 3 {
			_, err = e.answer("SOFTWARE_TOKEN_MFA", sess, bad)
			wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
		}
		_, err = e.answer("SOFTWARE_TOKEN_MFA", sess, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": e.code(t, secret, e.now)})
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})

	t.Run("an expired session is refused", func(t *testing.T) {
		sess := challenge(t)
		e.now = e.now.Add(4 * time.Minute)
		_, err := e.answer("SOFTWARE_TOKEN_MFA", sess, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": e.code(t, secret, e.now)})
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})

	t.Run("USER_SRP_AUTH leads to the same challenge", func(t *testing.T) {
		e.now = time.Now().UTC()
		res, err := e.signIn(t, "alice", mfaPassword)
		if err != nil || awsapi.ToString(res.ChallengeName) != "SOFTWARE_TOKEN_MFA" || res.AuthenticationResult != nil {
			t.Fatalf("SRP: %v %+v", err, res)
		}
	})
}

func TestMFASetup(t *testing.T) {
	e := newMFAEnv(t, cip.CreateUserPoolInput{})
	e.createUser(t, "bob", mfaPassword, false)
	e.createUser(t, "carol", mfaPassword, true)
	e.setMFA(t, cip.SetUserPoolMfaConfigInput{MfaConfiguration: awsapi.String("ON"),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)}})

	setup := func(t *testing.T, username string, sess *string) {
		t.Helper()
		assoc, err := e.svc.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{Session: sess})
		if err != nil || assoc.Session == nil || len(awsapi.ToString(assoc.SecretCode)) != 32 {
			t.Fatalf("AssociateSoftwareToken: %v %+v", err, assoc)
		}
		_, err = e.svc.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{Session: sess})
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
		_, err = e.answer("MFA_SETUP", assoc.Session, map[string]string{"USERNAME": username})
		wantErr(t, err, "InvalidParameterException", "")
		code := e.code(t, *assoc.SecretCode, e.now)
		_, err = e.svc.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: awsapi.String(wrongCode(code))})
		wantErr(t, err, "EnableSoftwareTokenMFAException", "")
		v, err := e.svc.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: awsapi.String(code)})
		if err != nil || awsapi.ToString(v.Status) != "SUCCESS" || v.Session == nil {
			t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
		}
		res, err := e.answer("MFA_SETUP", v.Session, map[string]string{"USERNAME": username})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
		u, err := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String(username)})
		if err != nil || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("AdminGetUser: %v %+v", err, u)
		}
		e.now = e.now.Add(30 * time.Second)
		out, err := e.adminAuth(username, mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("next sign-in: %v %+v", err, out)
		}
	}

	t.Run("a user without a factor sets one up", func(t *testing.T) {
		out, err := e.adminAuth("bob", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "MFA_SETUP" || out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
		setup(t, "bob", out.Session)
	})

	t.Run("a new password is followed by MFA setup", func(t *testing.T) {
		out, err := e.adminAuth("carol", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
		res, err := e.answer("NEW_PASSWORD_REQUIRED", out.Session, map[string]string{"USERNAME": "carol", "NEW_PASSWORD": mfaPassword + "2"})
		if err != nil || awsapi.ToString(res.ChallengeName) != "MFA_SETUP" {
			t.Fatalf("NEW_PASSWORD_REQUIRED: %v %+v", err, res)
		}
		e.createUser(t, "carol2", mfaPassword, false)
		setupAfterNewPassword := res.Session
		assoc, err := e.svc.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{Session: setupAfterNewPassword})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: awsapi.String(e.code(t, *assoc.SecretCode, e.now))})
		if err != nil {
			t.Fatal(err)
		}
		fin, err := e.answer("MFA_SETUP", v.Session, map[string]string{"USERNAME": "carol"})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, fin.AuthenticationResult)
	})
}

func TestSMSAndEmailMFA(t *testing.T) {
	e := newMFAEnv(t, cip.CreateUserPoolInput{})
	e.createUser(t, "dana", mfaPassword, false,
		cip.AttributeType{Name: awsapi.String("phone_number"), Value: awsapi.String("+15555550123")},
		cip.AttributeType{Name: awsapi.String("email"), Value: awsapi.String("dana@example.com")})
	e.createUser(t, "erin", mfaPassword, false)
	e.setMFA(t, cip.SetUserPoolMfaConfigInput{MfaConfiguration: awsapi.String("OPTIONAL"),
		SmsMfaConfiguration:           &cip.SmsMfaConfigType{SmsAuthenticationMessage: awsapi.String("Your code: {####}")},
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)},
		EmailMfaConfiguration:         &cip.EmailMfaConfigType{Message: awsapi.String("Mail code {####}"), Subject: awsapi.String("Sign-in code")}})
	pref := func(t *testing.T, username string, sms, email *cip.SMSMfaSettingsType) error {
		t.Helper()
		in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String(username), SMSMfaSettings: sms}
		if email != nil {
			in.EmailMfaSettings = &cip.EmailMfaSettingsType{Enabled: email.Enabled, PreferredMfa: email.PreferredMfa}
		}
		_, err := e.svc.AdminSetUserMFAPreference(e.ctx, in)
		return err
	}

	err := pref(t, "erin", &cip.SMSMfaSettingsType{Enabled: awsapi.Bool(true)}, nil)
	wantErr(t, err, "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")

	t.Run("SMS_MFA sends a code by SMS", func(t *testing.T) {
		if err := pref(t, "dana", &cip.SMSMfaSettingsType{Enabled: awsapi.Bool(true)}, nil); err != nil {
			t.Fatal(err)
		}
		out, err := e.adminAuth("dana", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "SMS_MFA" ||
			out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0123" {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
		m := e.sent.last(t)
		if m.Kind != notify.KindMFA || m.Medium != notify.SMS || m.To != "+15555550123" || len(m.Code) != 6 || m.Body != "Your code: "+m.Code {
			t.Fatalf("sent %+v", m)
		}
		_, err = e.answer("SMS_MFA", out.Session, map[string]string{"USERNAME": "dana", "SMS_MFA_CODE": wrongCode(m.Code)})
		wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
		res, err := e.answer("SMS_MFA", out.Session, map[string]string{"USERNAME": "dana", "SMS_MFA_CODE": m.Code})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
		u, err := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("dana")})
		if err != nil || len(u.MFAOptions) != 1 || awsapi.ToString(u.MFAOptions[0].DeliveryMedium) != "SMS" {
			t.Fatalf("AdminGetUser: %v %+v", err, u)
		}
	})

	t.Run("two factors without preference: SELECT_MFA_TYPE, then EMAIL_OTP", func(t *testing.T) {
		if err := pref(t, "dana", nil, &cip.SMSMfaSettingsType{Enabled: awsapi.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		out, err := e.adminAuth("dana", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "SELECT_MFA_TYPE" || out.ChallengeParameters["MFAS_CAN_CHOOSE"] != `["SMS_MFA","EMAIL_OTP"]` {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
		_, err = e.answer("SELECT_MFA_TYPE", out.Session, map[string]string{"USERNAME": "dana", "ANSWER": "SOFTWARE_TOKEN_MFA"})
		wantErr(t, err, "InvalidParameterException", "")
		sel, err := e.answer("SELECT_MFA_TYPE", out.Session, map[string]string{"USERNAME": "dana", "ANSWER": "EMAIL_OTP"})
		if err != nil || awsapi.ToString(sel.ChallengeName) != "EMAIL_OTP" || sel.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "d***@e***" {
			t.Fatalf("SELECT_MFA_TYPE: %v %+v", err, sel)
		}
		m := e.sent.last(t)
		if m.Medium != notify.Email || m.Subject != "Sign-in code" || m.Body != "Mail code "+m.Code {
			t.Fatalf("sent %+v", m)
		}
		if strings.Contains(string(sel.ChallengeParameters["CODE_DELIVERY_DESTINATION"]), m.Code) {
			t.Fatal("code in the challenge parameters")
		}
		res, err := e.answer("EMAIL_OTP", sel.Session, map[string]string{"USERNAME": "dana", "EMAIL_OTP_CODE": m.Code})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
	})

	t.Run("a preferred factor is asked directly", func(t *testing.T) {
		if err := pref(t, "dana", nil, &cip.SMSMfaSettingsType{Enabled: awsapi.Bool(true), PreferredMfa: awsapi.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		out, err := e.adminAuth("dana", mfaPassword)
		if err != nil || awsapi.ToString(out.ChallengeName) != "EMAIL_OTP" {
			t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
		}
	})

	t.Run("legacy MFAOptions turn SMS MFA off", func(t *testing.T) {
		if _, err := e.svc.AdminSetUserSettings(e.ctx, &cip.AdminSetUserSettingsInput{UserPoolId: awsapi.String(e.poolID),
			Username: awsapi.String("dana"), MFAOptions: []cip.MFAOptionType{}}); err != nil {
			t.Fatal(err)
		}
		u, err := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("dana")})
		if err != nil || len(u.MFAOptions) != 0 || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "EMAIL_OTP" {
			t.Fatalf("AdminGetUser: %v %+v", err, u)
		}
	})
}
