package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configFileExample is the example of internal/config/file.go.
const configFileExample = `
userPools:
  main:
    name: main
    usernameAttributes: [email]
    passwordPolicy: {minimumLength: 8, requireSymbols: false}
    clients:
      web: {name: web, explicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH], generateSecret: false}
    users:
      - {username: taro@example.com, password: Passw0rd!, attributes: {email_verified: "true"}}
roles:
  app:
    name: app-user
    assumeRolePolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Federated: cognito-identity.amazonaws.com}
          Action: sts:AssumeRoleWithWebIdentity
          Condition:
            StringEquals: {"cognito-identity.amazonaws.com:aud": "${identityPools.app.id}"}
    managedPolicies: [arn:aws:iam::aws:policy/AmazonCognitoReadOnly]
identityPools:
  app: {name: app, allowUnauthenticated: false, providers: [{userPool: main, client: web}], roles: {authenticated: app}}
apis:
  hello:
    name: hello
    cors: {allowOrigins: ["*"]}
    authorizers: {cognito: {type: JWT, userPool: main, audience: [web]}}
    integrations: {backend: {uri: "http://127.0.0.1:3000/{proxy}"}}
    routes:
      - {key: "GET /hello", authorization: JWT, authorizer: cognito, integration: backend, requestParameters: {"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}}
      - {key: "ANY /{proxy+}", authorization: NONE, integration: backend}
    stages: {dev: {autoDeploy: true, variables: {}}}
`

// TestConfigFileWithAWSCLI starts ninsho with --config and checks with the
// AWS CLI that the declared pool, client, user, role, identity pool and API
// exist, and that a restart on the same data duplicates none of them.
func TestConfigFileWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	if err := os.WriteFile(path, []byte(configFileExample), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, filepath.Join(dir, "data"), "--config", path)
	cli := &awsCLI{path: awsPath, srv: srv}

	type ids struct{ pool, client, identityPool, api string }
	check := func(t *testing.T) ids {
		var got ids
		var pools struct{ UserPools []struct{ Id, Name string } }
		cli.json(t, ctx, []string{"cognito-idp", "list-user-pools", "--max-results", "60"}, &pools)
		if len(pools.UserPools) != 1 || pools.UserPools[0].Name != "main" {
			t.Fatalf("user pools %+v, want one named main", pools.UserPools)
		}
		got.pool = pools.UserPools[0].Id
		var clients struct {
			UserPoolClients []struct{ ClientId, ClientName string }
		}
		cli.json(t, ctx, []string{"cognito-idp", "list-user-pool-clients", "--user-pool-id", got.pool}, &clients)
		if len(clients.UserPoolClients) != 1 || clients.UserPoolClients[0].ClientName != "web" {
			t.Fatalf("clients %+v, want one named web", clients.UserPoolClients)
		}
		got.client = clients.UserPoolClients[0].ClientId
		var user struct{ UserStatus string }
		cli.json(t, ctx, []string{"cognito-idp", "admin-get-user", "--user-pool-id", got.pool, "--username", "taro@example.com"}, &user)
		if user.UserStatus != "CONFIRMED" {
			t.Errorf("user status %q, want CONFIRMED", user.UserStatus)
		}
		var auth cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "initiate-auth", "--client-id", got.client, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=taro@example.com,PASSWORD=Passw0rd!"}, &auth)
		if auth.AuthenticationResult == nil || auth.AuthenticationResult.IdToken == "" {
			t.Errorf("sign-in answered %+v", auth)
		}
		var role struct {
			Role struct{ RoleName, Arn string }
		}
		cli.json(t, ctx, []string{"iam", "get-role", "--role-name", "app-user"}, &role)
		if role.Role.Arn != "arn:aws:iam::"+account+":role/app-user" {
			t.Errorf("role %+v", role.Role)
		}
		var attached struct{ AttachedPolicies []struct{ PolicyArn string } }
		cli.json(t, ctx, []string{"iam", "list-attached-role-policies", "--role-name", "app-user"}, &attached)
		if len(attached.AttachedPolicies) != 1 {
			t.Errorf("attached policies %+v", attached.AttachedPolicies)
		}
		var idPools struct {
			IdentityPools []struct{ IdentityPoolId, IdentityPoolName string }
		}
		cli.json(t, ctx, []string{"cognito-identity", "list-identity-pools", "--max-results", "60"}, &idPools)
		if len(idPools.IdentityPools) != 1 || idPools.IdentityPools[0].IdentityPoolName != "app" {
			t.Fatalf("identity pools %+v", idPools.IdentityPools)
		}
		got.identityPool = idPools.IdentityPools[0].IdentityPoolId
		var roles struct{ Roles map[string]string }
		cli.json(t, ctx, []string{"cognito-identity", "get-identity-pool-roles", "--identity-pool-id", got.identityPool}, &roles)
		if roles.Roles["authenticated"] != role.Role.Arn {
			t.Errorf("identity pool roles %v", roles.Roles)
		}
		var apis struct {
			Items []struct{ ApiId, Name string }
		}
		cli.json(t, ctx, []string{"apigatewayv2", "get-apis"}, &apis)
		if len(apis.Items) != 1 || apis.Items[0].Name != "hello" {
			t.Fatalf("APIs %+v", apis.Items)
		}
		got.api = apis.Items[0].ApiId
		var routes struct {
			Items []struct{ RouteKey, AuthorizationType string }
		}
		cli.json(t, ctx, []string{"apigatewayv2", "get-routes", "--api-id", got.api}, &routes)
		if len(routes.Items) != 2 {
			t.Errorf("routes %+v", routes.Items)
		}
		return got
	}

	var first ids
	mustStep(t, "the declared resources exist after start", func(t *testing.T) { first = check(t) })
	mustStep(t, "a restart duplicates nothing", func(t *testing.T) {
		srv.restart(t)
		if again := check(t); again != first {
			t.Errorf("after restart %+v, want %+v", again, first)
		}
	})
}

// configFileREST declares a REST-style API whose routes a
// COGNITO_USER_POOLS authorizer of the pool guards; %s is the backend's
// host:port.
const configFileREST = `
userPools:
  main:
    name: main
    usernameAttributes: [email]
    clients:
      web: {name: web, explicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}
    users:
      - {username: hanako@example.com, password: Passw0rd!, attributes: {email_verified: "true"}}
apis:
  pets:
    name: pets
    protocolType: REST
    authorizers: {pool: {type: COGNITO_USER_POOLS, userPool: main}}
    integrations: {backend: {uri: "http://%s/{proxy}", requestParameters: {"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}}}
    routes:
      - {key: "GET /{proxy+}", authorization: COGNITO_USER_POOLS, authorizer: pool, integration: backend}
      - {key: "POST /{proxy+}", authorization: COGNITO_USER_POOLS, authorizer: pool, scopes: [pets/write], integration: backend}
    stages: {dev: {}}
`

// TestConfigFileRESTAPIWithAWSCLI declares a REST API with a
// COGNITO_USER_POOLS authorizer in the configuration file, signs a user in
// with the AWS CLI and calls the API with the raw ID token, as a REST API
// client does (no "Bearer").
func TestConfigFileRESTAPIWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	backend := echoBackend(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(configFileREST, "%s", backend, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, filepath.Join(dir, "data"), "--config", path)
	cli := &awsCLI{path: awsPath, srv: srv}

	var (
		endpoint, apiID, poolID, clientID string
		auth                              cliAuth
	)
	mustStep(t, "the aws CLI lists the REST API and its COGNITO_USER_POOLS route", func(t *testing.T) {
		var apis struct {
			Items []struct{ ApiId, Name, ProtocolType, ApiEndpoint string }
		}
		cli.json(t, ctx, []string{"apigatewayv2", "get-apis"}, &apis)
		if len(apis.Items) != 1 || apis.Items[0].Name != "pets" || apis.Items[0].ProtocolType != "REST" {
			t.Fatalf("APIs %+v", apis.Items)
		}
		apiID, endpoint = apis.Items[0].ApiId, apis.Items[0].ApiEndpoint
		var auths struct {
			Items []struct{ AuthorizerId, AuthorizerType, Name string }
		}
		cli.json(t, ctx, []string{"apigatewayv2", "get-authorizers", "--api-id", apiID}, &auths)
		if len(auths.Items) != 1 || auths.Items[0].AuthorizerType != "COGNITO_USER_POOLS" {
			t.Fatalf("authorizers %+v", auths.Items)
		}
		var routes struct {
			Items []struct{ RouteKey, AuthorizationType, AuthorizerId string }
		}
		cli.json(t, ctx, []string{"apigatewayv2", "get-routes", "--api-id", apiID}, &routes)
		if len(routes.Items) != 2 {
			t.Fatalf("routes %+v", routes.Items)
		}
		for _, r := range routes.Items {
			if r.AuthorizationType != "COGNITO_USER_POOLS" || r.AuthorizerId != auths.Items[0].AuthorizerId {
				t.Errorf("route %+v", r)
			}
		}
	})
	mustStep(t, "the AWS API still refuses COGNITO_USER_POOLS routes", func(t *testing.T) {
		cli.fail(t, ctx, "BadRequestException", "1 validation error detected: Value 'COGNITO_USER_POOLS' at 'authorizationType'",
			"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /other", "--authorization-type", "COGNITO_USER_POOLS")
	})
	mustStep(t, "the declared user signs in with the aws CLI", func(t *testing.T) {
		var pools struct{ UserPools []struct{ Id, Name string } }
		cli.json(t, ctx, []string{"cognito-idp", "list-user-pools", "--max-results", "60"}, &pools)
		if len(pools.UserPools) != 1 {
			t.Fatalf("user pools %+v", pools.UserPools)
		}
		poolID = pools.UserPools[0].Id
		var clients struct{ UserPoolClients []struct{ ClientId string } }
		cli.json(t, ctx, []string{"cognito-idp", "list-user-pool-clients", "--user-pool-id", poolID}, &clients)
		if len(clients.UserPoolClients) != 1 {
			t.Fatalf("clients %+v", clients.UserPoolClients)
		}
		clientID = clients.UserPoolClients[0].ClientId
		cli.json(t, ctx, []string{"cognito-idp", "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=hanako@example.com,PASSWORD=Passw0rd!"}, &auth)
		if auth.AuthenticationResult == nil || auth.AuthenticationResult.IdToken == "" {
			t.Fatalf("sign-in answered %+v", auth)
		}
	})

	call := func(t *testing.T, method, url, authz string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, body := httpDo(t, req)
		return resp.StatusCode, body
	}
	mustStep(t, "the raw ID token passes the authorizer and the backend gets the caller's sub", func(t *testing.T) {
		status, body := call(t, http.MethodGet, endpoint+"/dev/pets/1", auth.AuthenticationResult.IdToken)
		if status != http.StatusOK {
			t.Fatalf("status %d, body %s", status, body)
		}
		var e echoed
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		if e.Method != http.MethodGet || e.Path != "/pets/1" || e.Sub == "" {
			t.Errorf("backend saw %+v", e)
		}
	})
	mustStep(t, "without a token, or with a Bearer one, the answer is 401 Unauthorized", func(t *testing.T) {
		for _, authz := range []string{"", "Bearer " + auth.AuthenticationResult.IdToken} {
			status, body := call(t, http.MethodGet, endpoint+"/dev/pets/1", authz)
			if status != http.StatusUnauthorized || string(body) != `{"message":"Unauthorized"}` {
				t.Errorf("Authorization %.10q: status %d, body %s; want 401 {\"message\":\"Unauthorized\"}", authz, status, body)
			}
		}
	})
	mustStep(t, "a route with scopes wants an access token that has one", func(t *testing.T) {
		status, body := call(t, http.MethodPost, endpoint+"/dev/pets", auth.AuthenticationResult.IdToken)
		if status != http.StatusUnauthorized || string(body) != `{"message":"Unauthorized"}` {
			t.Errorf("ID token on a scoped route: status %d, body %s", status, body)
		}
	})
}
