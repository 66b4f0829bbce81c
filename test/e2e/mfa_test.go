package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpCode is the RFC 6238 code of secret at t, as an authenticator app
// computes it.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func otherCode(c string) string {
	if c == "123456" {
		return "654321"
	}
	return "123456"
}

// TestMFAWithAWSSDKForGo enrols a software token with aws-sdk-go-v2 and
// signs in through SOFTWARE_TOKEN_MFA (pool OPTIONAL), then through
// MFA_SETUP (pool ON, a user without a factor), refusing wrong codes.
//
// A code accepted once is not accepted again, so each sign-in answers with
// the code of the next time step, which the ±1-step window accepts.
func TestMFAWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	admin := cip.NewFromConfig(sdkConfig(srv, true))
	public := cip.NewFromConfig(sdkConfig(srv, false))

	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mfa")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	const password = "Mfa#Passw0rd"
	createUser := func(t *testing.T, name string) {
		t.Helper()
		if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String(name),
			TemporaryPassword: aws.String("Temp#Pass1"), MessageAction: types.MessageActionTypeSuppress,
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID), Username: aws.String(name), Password: aws.String(password), Permanent: true,
		}); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(t *testing.T, name string) *cip.InitiateAuthOutput {
		t.Helper()
		out, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password},
		})
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		return out
	}
	setMFA := func(t *testing.T, mode types.UserPoolMfaType) {
		t.Helper()
		out, err := admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
			UserPoolId: aws.String(poolID), MfaConfiguration: mode,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		})
		if err != nil || out.MfaConfiguration != mode || !out.SoftwareTokenMfaConfiguration.Enabled {
			t.Fatalf("SetUserPoolMfaConfig: %v %+v", err, out)
		}
	}
	// mfaTokens verifies the tokens of a sign-in completed by MFA: signed
	// by the pool's keys, for the user and client, with no claim of its own
	// for the second factor (Cognito adds none).
	mfaTokens := func(t *testing.T, r *types.AuthenticationResultType, username string) {
		t.Helper()
		if r == nil || r.IdToken == nil || r.AccessToken == nil || r.RefreshToken == nil || r.ExpiresIn != 3600 {
			t.Fatalf("AuthenticationResult %+v", r)
		}
		set := fetchJWKS(t, ctx, srv.URL, poolID)
		id, access := mustVerify(t, *r.IdToken, set), mustVerify(t, *r.AccessToken, set)
		if id.Claims["cognito:username"] != username || id.Claims["aud"] != clientID || id.Claims["token_use"] != "id" {
			t.Errorf("ID token claims %v", id.Claims)
		}
		if access.Claims["username"] != username || access.Claims["client_id"] != clientID || access.Claims["token_use"] != "access" {
			t.Errorf("access token claims %v", access.Claims)
		}
		if _, ok := access.Claims["amr"]; ok {
			t.Errorf("access token has amr, which Cognito does not write")
		}
	}

	createUser(t, "alice")
	var secret string

	mustStep(t, "pool MFA OFF rejects ON without a factor, then OPTIONAL with TOTP", func(t *testing.T) {
		_, err := admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOn})
		var ip *types.InvalidParameterException
		wantAPIError(t, err, &ip, "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
		setMFA(t, types.UserPoolMfaTypeOptional)
		got, err := admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
		if err != nil || got.MfaConfiguration != types.UserPoolMfaTypeOptional || !got.SoftwareTokenMfaConfiguration.Enabled {
			t.Fatalf("GetUserPoolMfaConfig: %v %+v", err, got)
		}
	})

	mustStep(t, "associate and verify a software token, then prefer it", func(t *testing.T) {
		out := signIn(t, "alice")
		if out.AuthenticationResult == nil {
			t.Fatalf("no MFA factor yet, want tokens: %+v", out)
		}
		at := out.AuthenticationResult.AccessToken
		assoc, err := public.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: at})
		if err != nil {
			t.Fatal(err)
		}
		secret = aws.ToString(assoc.SecretCode)
		if len(secret) != 32 {
			t.Fatalf("SecretCode %q", secret)
		}
		_, err = public.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: at,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
		var ip *types.InvalidParameterException
		wantAPIError(t, err, &ip, "User has not set up software token mfa")
		code := totpCode(t, secret, time.Now())
		_, err = public.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: at, UserCode: aws.String(otherCode(code))})
		var mismatch *types.EnableSoftwareTokenMFAException
		wantAPIError(t, err, &mismatch, "Code mismatch and fail enable Software Token MFA")
		v, err := public.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: at, UserCode: aws.String(code), FriendlyDeviceName: aws.String("test phone")})
		if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
			t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
		}
		if _, err := public.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: at,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatal(err)
		}
		u, err := public.GetUser(ctx, &cip.GetUserInput{AccessToken: at})
		if err != nil || aws.ToString(u.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("GetUser: %v %+v", err, u)
		}
	})

	mustStep(t, "sign-in asks for the TOTP code; a wrong one is refused, the right one gets tokens", func(t *testing.T) {
		out := signIn(t, "alice")
		if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || out.Session == nil || out.AuthenticationResult != nil {
			t.Fatalf("InitiateAuth: %+v", out)
		}
		code := totpCode(t, secret, time.Now().Add(30*time.Second))
		answer := func(c string) (*cip.RespondToAuthChallengeOutput, error) {
			return public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": c},
			})
		}
		_, err := answer(otherCode(code))
		var cm *types.CodeMismatchException
		wantAPIError(t, err, &cm, "Invalid code received for user")
		res, err := answer(code)
		if err != nil {
			t.Fatal(err)
		}
		mfaTokens(t, res.AuthenticationResult, "alice")

		again := signIn(t, "alice")
		_, err = public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: again.Session,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
		})
		wantAPIError(t, err, &cm, "Invalid code received for user")
	})

	mustStep(t, "pool ON: a user without a factor goes through MFA_SETUP to tokens", func(t *testing.T) {
		setMFA(t, types.UserPoolMfaTypeOn)
		createUser(t, "bob")
		out := signIn(t, "bob")
		if out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
			t.Fatalf("InitiateAuth: %+v", out)
		}
		assoc, err := public.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
		if err != nil || assoc.Session == nil {
			t.Fatalf("AssociateSoftwareToken: %v %+v", err, assoc)
		}
		v, err := public.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session,
			UserCode: aws.String(totpCode(t, aws.ToString(assoc.SecretCode), time.Now()))})
		if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess || v.Session == nil {
			t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
		}
		res, err := public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeMfaSetup, Session: v.Session,
			ChallengeResponses: map[string]string{"USERNAME": "bob"},
		})
		if err != nil {
			t.Fatal(err)
		}
		mfaTokens(t, res.AuthenticationResult, "bob")
		u, err := admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String("bob")})
		if err != nil || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("AdminGetUser: %v %+v", err, u)
		}
		if next := signIn(t, "bob"); next.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("next sign-in: %+v", next)
		}
	})
}

// TestBotocoreMFA runs testdata/boto_mfa.py: boto3 sets the pool's MFA,
// enrols a software token (codes from the script's own RFC 6238
// implementation), and signs in through AdminRespondToAuthChallenge with
// SOFTWARE_TOKEN_MFA.
func TestBotocoreMFA(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	if out := runPython(t, ctx, python, "boto_mfa.py", 2*callTimeout, srv.URL); strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto_mfa.py printed %q, want ok", out)
	}
}

// TestTOTPSecretSealedWithMasterKey runs ninsho with --master-key: a
// software token enrolled with aws-sdk-go-v2 works for sign-in, yet its
// secret, like the pool's signing keys, a client's secret and an IAM user's
// secret access key, is nowhere in the SQLite files in clear. Every server of this test
// uses its own data directory, so the files hold only this test's data.
func TestTOTPSecretSealedWithMasterKey(t *testing.T) {
	t.Parallel()
	if os.Getenv("NINSHO_E2E_BACKEND") == "postgres" {
		t.Skip("reads the SQLite files")
	}
	ctx := testContext(t, testTimeout)
	dir := t.TempDir()
	srv := startServer(t, dir, "--master-key", "a master key of at least thirty-two characters")
	e := newUserPoolEnv(t, ctx, srv, &cip.CreateUserPoolInput{})
	if _, err := e.admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.poolID),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	e.createUser(t, "kai", "Kai-Passw0rd!")
	signIn := func() *cip.AdminInitiateAuthOutput {
		out, err := e.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.poolID), ClientId: aws.String(e.clientID),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "kai", "PASSWORD": "Kai-Passw0rd!"}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	token := signIn().AuthenticationResult.AccessToken
	assoc, err := e.public.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if _, err := e.public.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: token, UserCode: aws.String(totpCode(t, secret, time.Now()))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.poolID), Username: aws.String("kai"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	ch := signIn()
	if ch.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("challenge %q", ch.ChallengeName)
	}
	res, err := e.admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(e.poolID), ClientId: aws.String(e.clientID),
		ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "kai", "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, secret, time.Now().Add(30*time.Second))}})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("TOTP sign-in: %+v, %v", res, err)
	}
	withSecret, err := e.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.poolID),
		ClientName: aws.String("confidential"), GenerateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	clientSecret := aws.ToString(withSecret.UserPoolClient.ClientSecret)
	if len(clientSecret) != 51 {
		t.Fatalf("client secret %q", clientSecret)
	}
	// An IAM user's access key works for signed calls, its secret sealed.
	cli := &awsCLI{path: needAWSCLI(t), srv: srv}
	cli.json(t, ctx, []string{"iam", "create-user", "--user-name", "ops"})
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	cli.json(t, ctx, []string{"iam", "create-access-key", "--user-name", "ops"}, &key)
	as := &awsCLI{path: cli.path, srv: srv, env: []string{"AWS_ACCESS_KEY_ID=" + key.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + key.AccessKey.SecretAccessKey}}
	var who struct{ Arn string }
	as.json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
	if who.Arn != "arn:aws:iam::000000000000:user/ops" {
		t.Fatalf("get-caller-identity with the new key: %+v", who)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no data files")
	}
	// The rsaEncryption algorithm identifier starts every PKCS#8 RSA
	// private key: a signing key stored in clear would show it.
	rsaOID := string([]byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01})
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the TOTP secret in clear", filepath.Base(f))
		}
		if strings.Contains(string(b), rsaOID) {
			t.Errorf("%s holds an RSA private key in clear", filepath.Base(f))
		}
		if strings.Contains(string(b), clientSecret) {
			t.Errorf("%s holds a client secret in clear", filepath.Base(f))
		}
		if strings.Contains(string(b), key.AccessKey.SecretAccessKey) {
			t.Errorf("%s holds an IAM secret access key in clear", filepath.Base(f))
		}
	}
	// After a restart with the same master key the sealed keys still sign.
	srv.restart(t)
	if out := signIn(); out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("after a restart: %+v", out)
	}
}
