package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWebIdentityWithAWSCLI exchanges a user pool's ID token for role
// credentials with sts assume-role-with-web-identity: an IAM OIDC provider
// names the pool's issuer (http://127.0.0.1:<port>/<pool id>) and its app
// client, and a role trusts that provider for the client's audience. STS
// then recognises the credentials as
// arn:aws:sts::<account>:assumed-role/<role>/<session>.
func TestWebIdentityWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}

	// signIn creates a user pool with a client and a confirmed user, and
	// returns the pool id, the client id and the user's tokens.
	signIn := func(t *testing.T, name string) (poolID, clientID, idToken, accessToken string) {
		t.Helper()
		var pool struct{ UserPool struct{ Id string } }
		root.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", name, "--username-attributes", "email"}, &pool)
		var client struct{ UserPoolClient struct{ ClientId string } }
		root.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", pool.UserPool.Id, "--client-name", "app",
			"--explicit-auth-flows", "ADMIN_NO_SRP_AUTH"}, &client)
		email := name + "@example.com"
		root.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", pool.UserPool.Id, "--username", email,
			"--message-action", "SUPPRESS", "--user-attributes", "Name=email,Value=" + email, "Name=email_verified,Value=true"})
		root.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", pool.UserPool.Id, "--username", email,
			"--password", "Perm#Pass1", "--permanent"})
		var auth cliAuth
		root.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", pool.UserPool.Id, "--client-id", client.UserPoolClient.ClientId,
			"--auth-flow", "ADMIN_NO_SRP_AUTH", "--auth-parameters", "USERNAME=" + email + ",PASSWORD=Perm#Pass1"}, &auth)
		if auth.AuthenticationResult == nil || auth.AuthenticationResult.IdToken == "" {
			t.Fatalf("admin-initiate-auth: %+v", auth)
		}
		r := auth.AuthenticationResult
		return pool.UserPool.Id, client.UserPoolClient.ClientId, r.IdToken, r.AccessToken
	}

	type assumed struct {
		Credentials                           struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                       struct{ Arn, AssumedRoleId string }
		SubjectFromWebIdentityToken, Provider string
		Audience                              string
	}
	var (
		poolID, clientID, idToken, accessToken string
		sub                                    string
		providerURL, providerARN               string
		roleARN                                string
	)
	mustStep(t, "a user signs in to a user pool", func(t *testing.T) {
		poolID, clientID, idToken, accessToken = signIn(t, "web")
		var user struct {
			UserAttributes []struct{ Name, Value string }
		}
		root.json(t, ctx, []string{"cognito-idp", "admin-get-user", "--user-pool-id", poolID, "--username", "web@example.com"}, &user)
		for _, a := range user.UserAttributes {
			if a.Name == "sub" {
				sub = a.Value
			}
		}
		if sub == "" {
			t.Fatalf("admin-get-user: no sub in %+v", user)
		}
	})
	mustStep(t, "an IAM OIDC provider names the pool's issuer and client", func(t *testing.T) {
		// IAM wants https:// and stores the URL without its scheme, so the
		// provider matches the pool's http:// issuer.
		providerURL = strings.TrimPrefix(srv.URL, "http://") + "/" + poolID
		var out struct{ OpenIDConnectProviderArn string }
		root.json(t, ctx, []string{"iam", "create-open-id-connect-provider", "--url", "https://" + providerURL,
			"--client-id-list", clientID}, &out)
		providerARN = out.OpenIDConnectProviderArn
		if providerARN != "arn:aws:iam::"+account+":oidc-provider/"+providerURL {
			t.Fatalf("create-open-id-connect-provider: %+v", out)
		}
	})
	mustStep(t, "a role trusts the provider for the client's audience", func(t *testing.T) {
		trust := filepath.Join(t.TempDir(), "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"`+providerARN+`"},`+
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+providerURL+`:aud":"`+clientID+`"}}}]}`), 0o600)
		var role struct{ Role struct{ Arn string } }
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", "web-users", "--assume-role-policy-document", "file://" + trust}, &role)
		roleARN = role.Role.Arn
	})
	sessionARN := "arn:aws:sts::" + account + ":assumed-role/web-users/s1"
	mustStep(t, "assume-role-with-web-identity exchanges the ID token for the role's credentials", func(t *testing.T) {
		var out assumed
		root.json(t, ctx, []string{"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1",
			"--web-identity-token", idToken, "--duration-seconds", "900"}, &out)
		c := out.Credentials
		if !strings.HasPrefix(c.AccessKeyId, "ASIA") || c.SecretAccessKey == "" || c.SessionToken == "" ||
			out.AssumedRoleUser.Arn != sessionARN || !strings.HasSuffix(out.AssumedRoleUser.AssumedRoleId, ":s1") ||
			out.SubjectFromWebIdentityToken != sub || out.Audience != clientID || out.Provider != providerURL {
			t.Fatalf("assume-role-with-web-identity: %+v", out)
		}
		var who struct{ Arn, Account, UserId string }
		root.as(c.AccessKeyId, c.SecretAccessKey, c.SessionToken).json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
		if who.Arn != sessionARN || who.Account != account || !strings.HasSuffix(who.UserId, ":s1") {
			t.Fatalf("get-caller-identity: %+v", who)
		}
	})
	mustStep(t, "the access token works too: its client_id is its audience", func(t *testing.T) {
		var out assumed
		root.json(t, ctx, []string{"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1",
			"--web-identity-token", accessToken}, &out)
		if out.Audience != clientID || out.AssumedRoleUser.Arn != sessionARN {
			t.Fatalf("assume-role-with-web-identity: %+v", out)
		}
	})
	mustStep(t, "a tampered token is refused", func(t *testing.T) {
		i := strings.LastIndexByte(idToken, '.') + 10
		c := byte('A')
		if idToken[i] == 'A' {
			c = 'B'
		}
		tampered := idToken[:i] + string(c) + idToken[i+1:]
		root.fail(t, ctx, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider",
			"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1", "--web-identity-token", tampered)
		root.fail(t, ctx, "InvalidIdentityToken", "The ID Token provided is not a valid JWT.",
			"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1", "--web-identity-token", "not-a-jwt")
	})
	mustStep(t, "a token of a pool without an OIDC provider is refused", func(t *testing.T) {
		otherPool, _, otherToken, _ := signIn(t, "other")
		root.fail(t, ctx, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+srv.URL+"/"+otherPool,
			"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1", "--web-identity-token", otherToken)
	})
	mustStep(t, "a token for a client the provider does not list is refused", func(t *testing.T) {
		root.json(t, ctx, []string{"iam", "remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", providerARN,
			"--client-id", clientID})
		root.fail(t, ctx, "InvalidIdentityToken", "Incorrect token audience",
			"sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "s1", "--web-identity-token", idToken)
		root.json(t, ctx, []string{"iam", "add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", providerARN,
			"--client-id", clientID})
	})
	mustStep(t, "a role that does not trust the provider is refused", func(t *testing.T) {
		trust := filepath.Join(t.TempDir(), "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},`+
			`"Action":"sts:AssumeRoleWithWebIdentity"}]}`), 0o600)
		var role struct{ Role struct{ Arn string } }
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", "identity-pools-only", "--assume-role-policy-document", "file://" + trust}, &role)
		root.fail(t, ctx, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
			"sts", "assume-role-with-web-identity", "--role-arn", role.Role.Arn, "--role-session-name", "s1", "--web-identity-token", idToken)
	})
}

// TestWebIdentityBasicFlowWithBoto3 runs testdata/boto_webidentity.py: the
// basic (classic) identity-pool flow with developer-authenticated
// identities. A back end signed with the root key gets an OpenID token
// (GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity); the app
// exchanges it, unsigned, for the credentials of a role trusting
// cognito-identity.amazonaws.com (AssumeRoleWithWebIdentity) and calls
// GetCallerIdentity with them.
func TestWebIdentityBasicFlowWithBoto3(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())

	stdout := runPython(t, ctx, python, "boto_webidentity.py", 2*callTimeout, srv.URL)
	var out struct {
		IdentityPoolID string `json:"identity_pool_id"`
		IdentityID     string `json:"identity_id"`
		RoleARN        string `json:"role_arn"`
		SessionARN     string `json:"session_arn"`
		AccessKeyID    string `json:"access_key_id"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("boto_webidentity.py output: %v\n%s", err, string(stdout))
	}
	if out.SessionARN != "arn:aws:sts::"+account+":assumed-role/Cognito_basicAuth_Role/app-session" ||
		!strings.HasPrefix(out.AccessKeyID, "ASIA") || !strings.HasPrefix(out.IdentityID, "us-east-1:") {
		t.Fatalf("boto_webidentity.py: %+v", out)
	}
}
