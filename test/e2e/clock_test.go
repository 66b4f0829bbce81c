package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// advanceClock moves the server's clock forward (POST /_ninsho/clock).
func advanceClock(t *testing.T, srv *server, seconds int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_ninsho/clock", strings.NewReader(fmt.Sprintf(`{"advanceSeconds":%d}`, seconds)))
	resp, body := httpDo(t, req)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /_ninsho/clock: %d %s", resp.StatusCode, body)
	}
}

// TestExpiryAfterTheClockMoves checks what expires, and with which error,
// when time passes: temporary credentials (ExpiredTokenException), access
// tokens, challenge sessions and temporary passwords, while refresh tokens
// live on. Time passes by moving the server's clock, so the test does not
// wait.
func TestExpiryAfterTheClockMoves(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir(), "--allow-reset")
	root := &awsCLI{path: awsPath, srv: srv}

	var pool struct{ UserPool struct{ Id string } }
	root.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "clock"}, &pool)
	poolID := pool.UserPool.Id
	var client struct{ UserPoolClient struct{ ClientId string } }
	root.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
	clientID := client.UserPoolClient.ClientId
	signIn := func(user, password string) cliAuth {
		var a cliAuth
		root.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=" + user + ",PASSWORD=" + password}, &a)
		return a
	}
	for _, u := range []string{"taro", "jiro", "saburo"} {
		root.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", u,
			"--temporary-password", "Temp#Pass1", "--message-action", "SUPPRESS"})
	}
	root.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "taro",
		"--password", "Perm#Pass1", "--permanent"})

	tokens := signIn("taro", "Perm#Pass1").AuthenticationResult
	challenge := signIn("jiro", "Temp#Pass1")

	trust := filepath.Join(t.TempDir(), "trust.json")
	os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`), 0o600)
	var role struct{ Role struct{ Arn string } }
	root.json(t, ctx, []string{"iam", "create-role", "--role-name", "r", "--assume-role-policy-document", "file://" + trust}, &role)
	root.json(t, ctx, []string{"iam", "attach-role-policy", "--role-name", "r", "--policy-arn", "arn:aws:iam::aws:policy/AmazonCognitoReadOnly"})
	var creds struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	root.json(t, ctx, []string{"sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "short", "--duration-seconds", "900"}, &creds)
	session := root.as(creds.Credentials.AccessKeyId, creds.Credentials.SecretAccessKey, creds.Credentials.SessionToken)
	session.json(t, ctx, []string{"cognito-idp", "describe-user-pool", "--user-pool-id", poolID})

	advanceClock(t, srv, 901) // 15 minutes and a second

	mustStep(t, "temporary credentials past their expiry get ExpiredTokenException", func(t *testing.T) {
		session.fail(t, ctx, "ExpiredTokenException", "The security token included in the request is expired",
			"cognito-idp", "describe-user-pool", "--user-pool-id", poolID)
	})
	mustStep(t, "a challenge session past AuthSessionValidity is refused", func(t *testing.T) {
		root.fail(t, ctx, "NotAuthorizedException", "Invalid session for the user, session is expired.",
			"cognito-idp", "admin-respond-to-auth-challenge", "--user-pool-id", poolID, "--client-id", clientID,
			"--challenge-name", "NEW_PASSWORD_REQUIRED", "--challenge-responses", "USERNAME=jiro,NEW_PASSWORD=Perm#Pass1",
			"--session", challenge.Session)
	})

	advanceClock(t, srv, 3600)

	mustStep(t, "an access token past its hour is refused, and the refresh token still works", func(t *testing.T) {
		root.fail(t, ctx, "NotAuthorizedException", "Access Token has expired", "cognito-idp", "get-user", "--access-token", tokens.AccessToken)
		var refreshed cliAuth
		root.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + tokens.RefreshToken}, &refreshed)
		root.json(t, ctx, []string{"cognito-idp", "get-user", "--access-token", refreshed.AuthenticationResult.AccessToken})
	})

	advanceClock(t, srv, 8*24*3600)

	mustStep(t, "a temporary password older than TemporaryPasswordValidityDays is refused", func(t *testing.T) {
		root.fail(t, ctx, "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.",
			"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=saburo,PASSWORD=Temp#Pass1")
	})
	mustStep(t, "reset returns the clock to real time", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/_ninsho/reset", nil)
		if resp, body := httpDo(t, req); resp.StatusCode != 200 {
			t.Fatalf("reset: %d %s", resp.StatusCode, body)
		}
		req, _ = http.NewRequest(http.MethodGet, srv.URL+"/_ninsho/clock", nil)
		if resp, body := httpDo(t, req); resp.StatusCode != 200 || !strings.Contains(string(body), `"offsetSeconds":0`) {
			t.Fatalf("clock after reset: %d %s", resp.StatusCode, body)
		}
	})
}
