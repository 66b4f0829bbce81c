package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentityPoolWithAWSCLI replays seed 000's identity-pool steps with the
// real AWS CLI: a user signed in to a user pool exchanges their ID token for
// an identity (get-id) and the temporary credentials of the pool's
// authenticated role (get-credentials-for-identity), which STS and IAM then
// recognise as arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials
// with the role's permissions and nothing more.
func TestIdentityPoolWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}

	// signIn creates a user pool with a client and a confirmed user, and
	// returns the pool id, the client id and the user's ID token.
	signIn := func(t *testing.T, name string) (poolID, clientID, idToken string) {
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
		return pool.UserPool.Id, client.UserPoolClient.ClientId, auth.AuthenticationResult.IdToken
	}

	var (
		userPoolID, clientID, idToken string
		provider                      string
		roleARN                       string
		identityPoolID, identityID    string
		creds                         struct {
			AccessKeyId, SecretKey, SessionToken string
			Expiration                           any // epoch seconds in CLI v1, a date in v2
		}
	)
	mustStep(t, "a user signs in to a user pool", func(t *testing.T) {
		userPoolID, clientID, idToken = signIn(t, "seed")
		provider = "cognito-idp.us-east-1.amazonaws.com/" + userPoolID
	})
	mustStep(t, "a role trusts the pool's authenticated identities and may list users", func(t *testing.T) {
		// The trust policy names the identity pool, which does not exist
		// yet: create the pool first.
		var out struct{ IdentityPoolId, IdentityPoolName string }
		root.json(t, ctx, []string{"cognito-identity", "create-identity-pool", "--identity-pool-name", "seed",
			"--no-allow-unauthenticated-identities",
			"--cognito-identity-providers", "ProviderName=" + provider + ",ClientId=" + clientID + ",ServerSideTokenCheck=false"}, &out)
		identityPoolID = out.IdentityPoolId
		if !strings.HasPrefix(identityPoolID, "us-east-1:") || out.IdentityPoolName != "seed" {
			t.Fatalf("create-identity-pool: %+v", out)
		}
		dir := t.TempDir()
		trust := filepath.Join(dir, "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},`+
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+identityPoolID+`"},`+
			`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`), 0o600)
		var role struct{ Role struct{ Arn string } }
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", "Cognito_seedAuth_Role", "--assume-role-policy-document", "file://" + trust}, &role)
		roleARN = role.Role.Arn
		perms := filepath.Join(dir, "perms.json")
		os.WriteFile(perms, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:ListUsers","Resource":"*"}]}`), 0o600)
		root.json(t, ctx, []string{"iam", "put-role-policy", "--role-name", "Cognito_seedAuth_Role", "--policy-name", "list-users", "--policy-document", "file://" + perms})
		root.json(t, ctx, []string{"cognito-identity", "set-identity-pool-roles", "--identity-pool-id", identityPoolID, "--roles", "authenticated=" + roleARN})
		var roles struct{ Roles map[string]string }
		root.json(t, ctx, []string{"cognito-identity", "get-identity-pool-roles", "--identity-pool-id", identityPoolID}, &roles)
		if roles.Roles["authenticated"] != roleARN {
			t.Fatalf("get-identity-pool-roles: %+v", roles)
		}
	})
	mustStep(t, "get-id gives the user the same identity every time", func(t *testing.T) {
		for i := range 2 {
			var out struct{ IdentityId string }
			root.json(t, ctx, []string{"cognito-identity", "get-id", "--identity-pool-id", identityPoolID, "--logins", provider + "=" + idToken}, &out)
			if !strings.HasPrefix(out.IdentityId, "us-east-1:") || (i == 1 && out.IdentityId != identityID) {
				t.Fatalf("get-id #%d: %q (first %q)", i+1, out.IdentityId, identityID)
			}
			identityID = out.IdentityId
		}
	})
	mustStep(t, "get-credentials-for-identity gives temporary credentials of the role", func(t *testing.T) {
		var out struct {
			IdentityId  string
			Credentials *struct {
				AccessKeyId, SecretKey, SessionToken string
				Expiration                           any
			}
		}
		root.json(t, ctx, []string{"cognito-identity", "get-credentials-for-identity", "--identity-id", identityID, "--logins", provider + "=" + idToken}, &out)
		if out.IdentityId != identityID || out.Credentials == nil || !strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") ||
			out.Credentials.SecretKey == "" || out.Credentials.SessionToken == "" || out.Credentials.Expiration == nil {
			t.Fatalf("get-credentials-for-identity: %+v", out)
		}
		creds = *out.Credentials
	})
	session := root.as(creds.AccessKeyId, creds.SecretKey, creds.SessionToken)
	sessionARN := "arn:aws:sts::" + account + ":assumed-role/Cognito_seedAuth_Role/CognitoIdentityCredentials"
	mustStep(t, "the credentials are the role's CognitoIdentityCredentials session", func(t *testing.T) {
		var who struct{ Arn, Account, UserId string }
		session.json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
		if who.Arn != sessionARN || who.Account != account || !strings.HasSuffix(who.UserId, ":CognitoIdentityCredentials") {
			t.Fatalf("get-caller-identity: %+v", who)
		}
	})
	mustStep(t, "the session may do what the role allows and nothing more", func(t *testing.T) {
		var users struct{ Users []struct{ Username string } }
		session.json(t, ctx, []string{"cognito-idp", "list-users", "--user-pool-id", userPoolID}, &users)
		if len(users.Users) != 1 {
			t.Fatalf("list-users: %+v", users)
		}
		session.fail(t, ctx, "AccessDeniedException", "User: "+sessionARN+" is not authorized to perform: cognito-idp:AdminDeleteUser",
			"cognito-idp", "admin-delete-user", "--user-pool-id", userPoolID, "--username", "seed@example.com")
	})
	mustStep(t, "get-open-id-token gives a JWT verified by the identity pools' JWKS", func(t *testing.T) {
		var out struct{ IdentityId, Token string }
		root.json(t, ctx, []string{"cognito-identity", "get-open-id-token", "--identity-id", identityID, "--logins", provider + "=" + idToken}, &out)
		var set jwks
		getJSON(t, ctx, srv.URL+"/cognito-identity/.well-known/jwks_uri", &set)
		tok, err := verifyJWT(out.Token, set)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Claims["sub"] != identityID || tok.Claims["aud"] != identityPoolID {
			t.Fatalf("OpenID token claims %v", tok.Claims)
		}
	})
	mustStep(t, "with the basic flow turned off explicitly, get-open-id-token is refused; on again, allowed", func(t *testing.T) {
		update := func(flag string) {
			root.json(t, ctx, []string{"cognito-identity", "update-identity-pool", "--identity-pool-id", identityPoolID,
				"--identity-pool-name", "seed", "--no-allow-unauthenticated-identities", flag,
				"--cognito-identity-providers", "ProviderName=" + provider + ",ClientId=" + clientID + ",ServerSideTokenCheck=false"})
		}
		update("--no-allow-classic-flow")
		root.fail(t, ctx, "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.",
			"cognito-identity", "get-open-id-token", "--identity-id", identityID, "--logins", provider+"="+idToken)
		update("--allow-classic-flow")
		var out struct{ Token string }
		root.json(t, ctx, []string{"cognito-identity", "get-open-id-token", "--identity-id", identityID, "--logins", provider + "=" + idToken}, &out)
		if out.Token == "" {
			t.Fatal("no token")
		}
	})
	mustStep(t, "a tampered ID token is refused", func(t *testing.T) {
		i := strings.LastIndexByte(idToken, '.') + 10
		c := byte('A')
		if idToken[i] == 'A' {
			c = 'B'
		}
		tampered := idToken[:i] + string(c) + idToken[i+1:]
		root.fail(t, ctx, "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.",
			"cognito-identity", "get-id", "--identity-pool-id", identityPoolID, "--logins", provider+"="+tampered)
		root.fail(t, ctx, "NotAuthorizedException", "Invalid login token.",
			"cognito-identity", "get-credentials-for-identity", "--identity-id", identityID, "--logins", provider+"="+tampered)
	})
	mustStep(t, "a token of a user pool the identity pool does not trust is refused", func(t *testing.T) {
		otherPool, _, otherToken := signIn(t, "other")
		root.fail(t, ctx, "NotAuthorizedException", "Token is not from a supported provider of this identity pool.",
			"cognito-identity", "get-id", "--identity-pool-id", identityPoolID, "--logins", "cognito-idp.us-east-1.amazonaws.com/"+otherPool+"="+otherToken)
		root.fail(t, ctx, "NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName",
			"cognito-identity", "get-id", "--identity-pool-id", identityPoolID, "--logins", provider+"="+otherToken)
	})
	mustStep(t, "without logins the pool refuses unauthenticated access", func(t *testing.T) {
		root.fail(t, ctx, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.",
			"cognito-identity", "get-id", "--identity-pool-id", identityPoolID)
	})
	mustStep(t, "describe-identity-pool and list-identities show the pool and the identity", func(t *testing.T) {
		var pool struct {
			IdentityPoolId                 string
			AllowUnauthenticatedIdentities bool
			CognitoIdentityProviders       []struct{ ProviderName, ClientId string }
		}
		root.json(t, ctx, []string{"cognito-identity", "describe-identity-pool", "--identity-pool-id", identityPoolID}, &pool)
		if pool.IdentityPoolId != identityPoolID || pool.AllowUnauthenticatedIdentities || len(pool.CognitoIdentityProviders) != 1 ||
			pool.CognitoIdentityProviders[0].ProviderName != provider || pool.CognitoIdentityProviders[0].ClientId != clientID {
			t.Fatalf("describe-identity-pool: %+v", pool)
		}
		var list struct {
			Identities []struct {
				IdentityId string
				Logins     []string
			}
		}
		root.json(t, ctx, []string{"cognito-identity", "list-identities", "--identity-pool-id", identityPoolID, "--max-results", "10"}, &list)
		if len(list.Identities) != 1 || list.Identities[0].IdentityId != identityID || len(list.Identities[0].Logins) != 1 || list.Identities[0].Logins[0] != provider {
			t.Fatalf("list-identities: %+v", list)
		}
	})
}
