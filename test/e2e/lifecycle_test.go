package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
)

// outboxMessage is a message as GET /_ninsho/outbox lists it.
type outboxMessage struct {
	ID       string `json:"id"`
	PoolID   string `json:"poolId"`
	Username string `json:"username"`
	Kind     string `json:"kind"`
	Medium   string `json:"medium"`
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
	Code     string `json:"code"`
}

// TestUserLifecycleWithBoto3 runs boto_lifecycle.py (sign-up, recovery,
// attribute verification, invitations, PreventUserExistenceErrors, codes
// read from the outbox), then checks the outbox it leaves.
func TestUserLifecycleWithBoto3(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	stdout := runPython(t, ctx, python, "boto_lifecycle.py", 2*callTimeout, srv.URL)
	var out struct {
		PoolID   string `json:"pool_id"`
		Messages int    `json:"messages"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("boto_lifecycle.py output: %v\n%s", err, string(stdout))
	}
	// sign-up, forgot, verify, attribute code on request, invitation,
	// admin reset: six messages, none for the ghost.
	if out.Messages != 6 {
		t.Errorf("the pool's outbox holds %d messages, want 6", out.Messages)
	}
	var listed struct {
		Messages []outboxMessage `json:"messages"`
	}
	getJSON(t, ctx, srv.URL+"/_ninsho/outbox?pool="+out.PoolID+"&kind=INVITATION", &listed)
	if len(listed.Messages) != 1 || listed.Messages[0].To != "invitee@example.com" || listed.Messages[0].Medium != "EMAIL" ||
		listed.Messages[0].Username != "invitee" || listed.Messages[0].Code == "" {
		t.Errorf("invitations: %+v", listed.Messages)
	}
	getJSON(t, ctx, srv.URL+"/_ninsho/outbox?pool="+out.PoolID+"&to=jane@example.com", &listed)
	if len(listed.Messages) != 2 || listed.Messages[0].Kind != "FORGOT_PASSWORD" || listed.Messages[1].Kind != "SIGN_UP" {
		t.Errorf("jane's messages, newest first: %+v", listed.Messages)
	}
}

// TestSignUpWithAWSCLI signs up with the aws CLI, reads the code from the
// outbox, confirms and signs in; a second server started with --outbox off
// still invites users but hides the outbox.
func TestSignUpWithAWSCLI(t *testing.T) {
	t.Parallel()
	cli := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	aws := &awsCLI{path: cli, srv: srv}
	var pool struct{ UserPool struct{ Id string } }
	aws.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "cli", "--username-attributes", "email",
		"--auto-verified-attributes", "email"}, &pool)
	var client struct{ UserPoolClient struct{ ClientId string } }
	aws.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", pool.UserPool.Id, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
	clientID := client.UserPoolClient.ClientId
	var signUp struct {
		UserConfirmed       bool
		UserSub             string
		CodeDeliveryDetails struct{ Destination, DeliveryMedium, AttributeName string }
	}
	aws.json(t, ctx, []string{"cognito-idp", "sign-up", "--client-id", clientID, "--username", "Cli.User@example.com",
		"--password", "Cl1-password!"}, &signUp)
	if signUp.UserConfirmed || signUp.UserSub == "" || signUp.CodeDeliveryDetails.Destination != "C***@e***" {
		t.Fatalf("sign-up: %+v", signUp)
	}
	aws.fail(t, ctx, "UsernameExistsException", "An account with the given email already exists.",
		"cognito-idp", "sign-up", "--client-id", clientID, "--username", "Cli.User@example.com", "--password", "Cl1-password!")
	var listed struct {
		Messages []outboxMessage `json:"messages"`
	}
	getJSON(t, ctx, srv.URL+"/_ninsho/outbox?pool="+pool.UserPool.Id+"&to=cli.user@example.com&kind=SIGN_UP", &listed)
	if len(listed.Messages) != 1 || listed.Messages[0].Username != signUp.UserSub || len(listed.Messages[0].Code) != 6 {
		t.Fatalf("outbox: %+v", listed.Messages)
	}
	code := listed.Messages[0].Code
	aws.fail(t, ctx, "UserNotConfirmedException", "User is not confirmed.", "cognito-idp", "initiate-auth", "--client-id", clientID,
		"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=Cli.User@example.com,PASSWORD=Cl1-password!")
	if res := aws.run(t, ctx, "cognito-idp", "confirm-sign-up", "--client-id", clientID, "--username", "Cli.User@example.com",
		"--confirmation-code", code); res.exit != 0 {
		t.Fatalf("confirm-sign-up: exit %d\n%s", res.exit, res.stderr)
	}
	var auth struct{ AuthenticationResult struct{ AccessToken string } }
	aws.json(t, ctx, []string{"cognito-idp", "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=Cli.User@example.com,PASSWORD=Cl1-password!"}, &auth)
	if auth.AuthenticationResult.AccessToken == "" {
		t.Fatalf("initiate-auth after confirmation: %+v", auth)
	}
	aws.fail(t, ctx, "UserNotFoundException", "Username/client id combination not found.",
		"cognito-idp", "resend-confirmation-code", "--client-id", clientID, "--username", "nobody@example.com")

	quiet := startServer(t, t.TempDir(), "--outbox", "off")
	qaws := &awsCLI{path: cli, srv: quiet}
	aws.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", pool.UserPool.Id, "--username", "amy@example.com"}, &struct{}{})
	var qpool struct{ UserPool struct{ Id string } }
	qaws.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "quiet"}, &qpool)
	var user struct{ User struct{ UserStatus string } }
	qaws.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", qpool.UserPool.Id, "--username", "amy",
		"--user-attributes", "Name=email,Value=amy@example.com"}, &user)
	if user.User.UserStatus != "FORCE_CHANGE_PASSWORD" {
		t.Fatalf("admin-create-user: %+v", user)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, quiet.URL+"/_ninsho/outbox", nil)
	if resp, body := httpDo(t, req); resp.StatusCode != http.StatusNotFound {
		t.Errorf("--outbox off: GET /_ninsho/outbox = %d %s, want 404", resp.StatusCode, body)
	}
	// On the first server, the invitation went to the username, an email.
	getJSON(t, ctx, srv.URL+"/_ninsho/outbox?pool="+pool.UserPool.Id+"&kind=INVITATION", &listed)
	if len(listed.Messages) != 1 || listed.Messages[0].To != "amy@example.com" {
		t.Errorf("invitation: %+v", listed.Messages)
	}
}
