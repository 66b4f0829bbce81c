package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGatewayAcrossInstances runs two ninsho processes on one PostgreSQL
// database with one issuer base (as behind a load balancer): an API declared
// through A with the aws CLI is served by B's gateway, an ID token A issued
// passes B's JWT authorizer, and a route deleted through A stops being
// served by B within the control plane's one-second cache.
func TestGatewayAcrossInstances(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	const issuerBase = "http://ninsho.test"
	a := startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)
	b := startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)
	cli := &awsCLI{path: awsPath, srv: a}
	backend := echoBackend(t)

	var pool struct{ UserPool struct{ Id string } }
	cli.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "gw"}, &pool)
	poolID := pool.UserPool.Id
	var client struct{ UserPoolClient struct{ ClientId string } }
	cli.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "web",
		"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
	clientID := client.UserPoolClient.ClientId
	cli.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "kai", "--message-action", "SUPPRESS"})
	cli.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "kai",
		"--password", "Kai#Pass12", "--permanent"})
	var auth cliAuth
	cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
		"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=kai,PASSWORD=Kai#Pass12"}, &auth)
	if auth.AuthenticationResult == nil {
		t.Fatalf("admin-initiate-auth: %+v", auth)
	}
	idToken := auth.AuthenticationResult.IdToken

	var api struct{ ApiId string }
	cli.json(t, ctx, []string{"apigatewayv2", "create-api", "--name", "shared", "--protocol-type", "HTTP"}, &api)
	var authorizer struct{ AuthorizerId string }
	cli.json(t, ctx, []string{"apigatewayv2", "create-authorizer", "--api-id", api.ApiId, "--authorizer-type", "JWT", "--name", "pool",
		"--identity-source", "$request.header.Authorization",
		"--jwt-configuration", "Audience=" + clientID + ",Issuer=" + issuerBase + "/" + poolID}, &authorizer)
	var integration struct{ IntegrationId string }
	cli.json(t, ctx, []string{"apigatewayv2", "create-integration", "--api-id", api.ApiId, "--integration-type", "HTTP_PROXY",
		"--integration-method", "ANY", "--integration-uri", "http://" + backend + "/{proxy}", "--payload-format-version", "1.0"}, &integration)
	var route struct{ RouteId string }
	cli.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", api.ApiId, "--route-key", "GET /hello",
		"--authorization-type", "JWT", "--authorizer-id", authorizer.AuthorizerId, "--target", "integrations/" + integration.IntegrationId}, &route)
	cli.json(t, ctx, []string{"apigatewayv2", "create-stage", "--api-id", api.ApiId, "--stage-name", "$default", "--auto-deploy"})

	get := func(srv *server, token string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/_aws/execute-api/"+api.ApiId+"/hello", nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		resp, _ := httpDo(t, req)
		return resp.StatusCode
	}
	// B may not have seen the API yet: its cache holds APIs for a second.
	deadline := time.Now().Add(5 * time.Second)
	for get(b, idToken) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("B's gateway does not serve the API declared through A with A's token")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := get(b, ""); got != http.StatusUnauthorized {
		t.Fatalf("B without a token: %d", got)
	}
	tampered := idToken[:len(idToken)-4] + strings.Repeat("A", 4)
	if tampered == idToken {
		tampered = idToken[:len(idToken)-4] + "BBBB"
	}
	if got := get(b, tampered); got != http.StatusUnauthorized {
		t.Fatalf("B with a tampered token: %d", got)
	}

	cli.json(t, ctx, []string{"apigatewayv2", "delete-route", "--api-id", api.ApiId, "--route-id", route.RouteId})
	deadline = time.Now().Add(5 * time.Second)
	for get(b, idToken) != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatalf("B still serves a route deleted through A after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
