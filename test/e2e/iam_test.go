package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// as returns a CLI that signs with other credentials.
func (c *awsCLI) as(keyID, secret, token string) *awsCLI {
	env := []string{"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + secret}
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	return &awsCLI{path: c.path, srv: c.srv, env: env}
}

// TestIAMPermissionsWithAWSCLI is seed 004's set-up with IAM in force: an
// IAM user with AmazonCognitoPowerUser runs the admin calls, one without it
// is refused, and a role's temporary credentials from AssumeRole carry the
// role's permissions and nothing more.
func TestIAMPermissionsWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}

	var pool struct{ UserPool struct{ Id string } }
	root.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "iam", "--username-attributes", "email"}, &pool)
	poolID := pool.UserPool.Id
	poolARN := "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + poolID
	var client struct{ UserPoolClient struct{ ClientId string } }
	root.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)

	newUser := func(name string, policies ...string) *awsCLI {
		root.json(t, ctx, []string{"iam", "create-user", "--user-name", name})
		for _, p := range policies {
			root.json(t, ctx, []string{"iam", "attach-user-policy", "--user-name", name, "--policy-arn", p})
		}
		var key struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
		}
		root.json(t, ctx, []string{"iam", "create-access-key", "--user-name", name}, &key)
		if !strings.HasPrefix(key.AccessKey.AccessKeyId, "AKIA") || key.AccessKey.Status != "Active" {
			t.Fatalf("create-access-key: %+v", key)
		}
		return root.as(key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, "")
	}
	power := newUser("power", "arn:aws:iam::aws:policy/AmazonCognitoPowerUser")
	nobody := newUser("nobody")

	mustStep(t, "a power user runs the seed's admin calls", func(t *testing.T) {
		power.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "hanako@example.com",
			"--temporary-password", "Temp#Pass1", "--message-action", "SUPPRESS",
			"--user-attributes", "Name=email,Value=hanako@example.com", "Name=email_verified,Value=true"})
		var auth cliAuth
		power.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", client.UserPoolClient.ClientId,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=hanako@example.com,PASSWORD=Temp#Pass1"}, &auth)
		if auth.ChallengeName != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("admin-initiate-auth: %+v", auth)
		}
		var who struct{ Arn string }
		power.json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
		if who.Arn != "arn:aws:iam::000000000000:user/power" {
			t.Fatalf("get-caller-identity: %+v", who)
		}
	})
	mustStep(t, "the key's last use is recorded", func(t *testing.T) {
		var keys struct {
			AccessKeyMetadata []struct{ AccessKeyId string }
		}
		root.json(t, ctx, []string{"iam", "list-access-keys", "--user-name", "power"}, &keys)
		var used struct {
			UserName          string
			AccessKeyLastUsed struct{ ServiceName, Region, LastUsedDate string }
		}
		root.json(t, ctx, []string{"iam", "get-access-key-last-used", "--access-key-id", keys.AccessKeyMetadata[0].AccessKeyId}, &used)
		if used.UserName != "power" || used.AccessKeyLastUsed.LastUsedDate == "" || used.AccessKeyLastUsed.Region != "us-east-1" {
			t.Fatalf("get-access-key-last-used: %+v", used)
		}
	})
	mustStep(t, "a power user cannot use IAM", func(t *testing.T) {
		power.fail(t, ctx, "AccessDenied", "User: arn:aws:iam::000000000000:user/power is not authorized to perform: iam:ListUsers on resource: *", "iam", "list-users")
	})
	mustStep(t, "a user without policies is refused, naming the action and the pool", func(t *testing.T) {
		nobody.fail(t, ctx, "AccessDeniedException",
			fmt.Sprintf("User: arn:aws:iam::000000000000:user/nobody is not authorized to perform: cognito-idp:AdminGetUser on resource: %s because no identity-based policy allows the cognito-idp:AdminGetUser action", poolARN),
			"cognito-idp", "admin-get-user", "--user-pool-id", poolID, "--username", "hanako@example.com")
	})
	mustStep(t, "an explicit deny wins over AmazonCognitoPowerUser", func(t *testing.T) {
		doc := filepath.Join(t.TempDir(), "deny.json")
		os.WriteFile(doc, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cognito-idp:AdminDeleteUser","Resource":"*"}]}`), 0o600)
		root.json(t, ctx, []string{"iam", "put-user-policy", "--user-name", "power", "--policy-name", "no-delete", "--policy-document", "file://" + doc})
		power.fail(t, ctx, "AccessDeniedException", "User: arn:aws:iam::000000000000:user/power is not authorized to perform: cognito-idp:AdminDeleteUser on resource: "+poolARN+" with an explicit deny in an identity-based policy",
			"cognito-idp", "admin-delete-user", "--user-pool-id", poolID, "--username", "hanako@example.com")
	})
	mustStep(t, "a role assumed with AssumeRole has the role's permissions only", func(t *testing.T) {
		trust := filepath.Join(t.TempDir(), "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`), 0o600)
		var role struct{ Role struct{ Arn string } }
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", "file://" + trust}, &role)
		root.json(t, ctx, []string{"iam", "attach-role-policy", "--role-name", "reader", "--policy-arn", "arn:aws:iam::aws:policy/AmazonCognitoReadOnly"})
		var creds struct {
			Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
			AssumedRoleUser struct{ Arn, AssumedRoleId string }
		}
		root.json(t, ctx, []string{"sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "s1", "--duration-seconds", "900"}, &creds)
		c := creds.Credentials
		if !strings.HasPrefix(c.AccessKeyId, "ASIA") || c.SessionToken == "" || c.Expiration == "" ||
			creds.AssumedRoleUser.Arn != "arn:aws:sts::000000000000:assumed-role/reader/s1" {
			t.Fatalf("assume-role: %+v", creds)
		}
		session := root.as(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
		var who struct{ Arn, UserId string }
		session.json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
		if who.Arn != creds.AssumedRoleUser.Arn || !strings.HasSuffix(who.UserId, ":s1") {
			t.Fatalf("get-caller-identity with role credentials: %+v", who)
		}
		session.json(t, ctx, []string{"cognito-idp", "describe-user-pool", "--user-pool-id", poolID})
		session.fail(t, ctx, "AccessDeniedException", "User: arn:aws:sts::000000000000:assumed-role/reader/s1 is not authorized to perform: cognito-idp:AdminDeleteUser",
			"cognito-idp", "admin-delete-user", "--user-pool-id", poolID, "--username", "hanako@example.com")
		root.as(c.AccessKeyId, c.SecretAccessKey, "not-the-token").fail(t, ctx, "UnrecognizedClientException",
			"The security token included in the request is invalid.", "cognito-idp", "describe-user-pool", "--user-pool-id", poolID)
		root.as(c.AccessKeyId, "wrong-secret", c.SessionToken).fail(t, ctx, "InvalidSignatureException",
			"The request signature we calculated does not match", "cognito-idp", "describe-user-pool", "--user-pool-id", poolID)
	})
	mustStep(t, "a session policy narrows what a role session may do", func(t *testing.T) {
		var creds struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		}
		root.json(t, ctx, []string{"sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/reader", "--role-session-name", "narrow",
			"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:DescribeUserPool","Resource":"*"}]}`}, &creds)
		c := creds.Credentials
		session := root.as(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
		session.json(t, ctx, []string{"cognito-idp", "describe-user-pool", "--user-pool-id", poolID})
		session.fail(t, ctx, "AccessDeniedException", "User: arn:aws:sts::000000000000:assumed-role/reader/narrow is not authorized to perform: cognito-idp:ListUsers on resource: "+poolARN+" because no session policy allows the cognito-idp:ListUsers action",
			"cognito-idp", "list-users", "--user-pool-id", poolID)
	})
	mustStep(t, "a role whose trust policy does not name the caller cannot be assumed", func(t *testing.T) {
		trust := filepath.Join(t.TempDir(), "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`), 0o600)
		var role struct{ Role struct{ Arn string } }
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", "lambda-only", "--assume-role-policy-document", "file://" + trust}, &role)
		// The root may do anything its identity allows; the role's trust
		// policy still has the last word.
		root.fail(t, ctx, "AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: "+role.Role.Arn,
			"sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "denied")
	})
	mustStep(t, "a deactivated access key is refused", func(t *testing.T) {
		var keys struct {
			AccessKeyMetadata []struct{ AccessKeyId string }
		}
		root.json(t, ctx, []string{"iam", "list-access-keys", "--user-name", "nobody"}, &keys)
		if len(keys.AccessKeyMetadata) != 1 {
			t.Fatalf("list-access-keys: %+v", keys)
		}
		root.json(t, ctx, []string{"iam", "update-access-key", "--user-name", "nobody", "--access-key-id", keys.AccessKeyMetadata[0].AccessKeyId, "--status", "Inactive"})
		nobody.fail(t, ctx, "InvalidClientTokenId", "The security token included in the request is invalid.", "sts", "get-caller-identity")
		nobody.fail(t, ctx, "UnrecognizedClientException", "The security token included in the request is invalid.", "cognito-idp", "list-user-pools", "--max-results", "1")
	})
}
