package e2e

import (
	"os"
	"path/filepath"
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
