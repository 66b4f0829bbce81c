package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/config"
	"github.com/ninsho/ninsho/internal/gateway"
	iamsvc "github.com/ninsho/ninsho/internal/service/iam"
)

// seedExample is the example of internal/config/file.go, shared with the
// config package's tests.
var seedExample = func() string {
	b, err := os.ReadFile("../config/testdata/example.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// seededState is what the example leaves, by name, to compare runs.
type seededState struct {
	poolID, clientID, identityPoolID, apiID string
	pools, clients, identityPools, apis     int
	routes, integrations, authorizers       int
}

func inspectSeed(t *testing.T, a *App) seededState {
	t.Helper()
	ctx := context.Background()
	var st seededState
	pools, err := a.userPool.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: awsapi.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools.UserPools {
		if awsapi.ToString(p.Name) == "main" {
			st.pools++
			st.poolID = awsapi.ToString(p.Id)
		}
	}
	clients, err := a.userPool.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &st.poolID, MaxResults: awsapi.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	st.clients = len(clients.UserPoolClients)
	if st.clients > 0 {
		st.clientID = awsapi.ToString(clients.UserPoolClients[0].ClientId)
	}
	ids, err := a.identity.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: awsapi.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	st.identityPools = len(ids.IdentityPools)
	if st.identityPools > 0 {
		st.identityPoolID = awsapi.ToString(ids.IdentityPools[0].IdentityPoolId)
	}
	apis, err := a.gatewayControl.GetApis(ctx, &v2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	st.apis = len(apis.Items)
	if st.apis > 0 {
		st.apiID = awsapi.ToString(apis.Items[0].ApiId)
		routes, _ := a.gatewayControl.GetRoutes(ctx, &v2.GetRoutesInput{ApiId: &st.apiID})
		integ, _ := a.gatewayControl.GetIntegrations(ctx, &v2.GetIntegrationsInput{ApiId: &st.apiID})
		auths, _ := a.gatewayControl.GetAuthorizers(ctx, &v2.GetAuthorizersInput{ApiId: &st.apiID})
		st.routes, st.integrations, st.authorizers = len(routes.Items), len(integ.Items), len(auths.Items)
	}
	return st
}

func TestSeedFromConfigFileIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	if err := os.WriteFile(path, []byte(seedExample), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.ConfigFile = path
	var logs bytes.Buffer
	open := func() *App {
		t.Helper()
		a, err := New(context.Background(), cfg, "http://127.0.0.1:9229", slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	ctx := context.Background()

	a := open()
	first := inspectSeed(t, a)
	want := seededState{poolID: first.poolID, clientID: first.clientID, identityPoolID: first.identityPoolID, apiID: first.apiID,
		pools: 1, clients: 1, identityPools: 1, apis: 1, routes: 2, integrations: 2, authorizers: 1}
	if first != want {
		t.Fatalf("after the first start: %+v, want %+v", first, want)
	}
	for _, msg := range []string{"created user pool", "created user pool client", "created user", "created role", "created identity pool", "created API"} {
		if !strings.Contains(logs.String(), "config: "+msg) {
			t.Errorf("no log %q in\n%s", msg, logs.String())
		}
	}

	// The user is CONFIRMED with its permanent password and signs in.
	u, err := a.userPool.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &first.poolID, Username: awsapi.String("taro@example.com")})
	if err != nil || awsapi.ToString(u.UserStatus) != "CONFIRMED" {
		t.Fatalf("user: %+v, %v", u, err)
	}
	auth, err := a.userPool.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &first.clientID, AuthFlow: awsapi.String("USER_PASSWORD_AUTH"),
		AuthParameters: map[string]string{"USERNAME": "taro@example.com", "PASSWORD": "Passw0rd!"}})
	if err != nil || auth.AuthenticationResult == nil {
		t.Fatalf("sign-in: %+v, %v", auth, err)
	}

	// The role's references were expanded.
	iam := iamsvc.New(a.store, cfg.Account)
	role, err := iam.GetRole(ctx, &iamapi.GetRoleInput{RoleName: awsapi.String("app-user")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(awsapi.ToString(role.Role.AssumeRolePolicyDocument)); !strings.Contains(doc, first.identityPoolID) {
		t.Errorf("trust policy %s lacks the identity pool id %s", doc, first.identityPoolID)
	}
	pol, err := iam.GetRolePolicy(ctx, &iamapi.GetRolePolicyInput{RoleName: awsapi.String("app-user"), PolicyName: awsapi.String("read-pool")})
	if doc, _ := url.QueryUnescape(awsapi.ToString(pol.PolicyDocument)); err != nil || !strings.Contains(doc, "userpool/"+first.poolID) {
		t.Errorf("inline policy %+v, %v", pol, err)
	}
	attached, err := iam.ListAttachedRolePolicies(ctx, &iamapi.ListAttachedRolePoliciesInput{RoleName: awsapi.String("app-user")})
	if err != nil || len(attached.AttachedPolicies) != 1 {
		t.Errorf("attached policies %+v, %v", attached, err)
	}
	roles, err := a.identity.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &first.identityPoolID})
	if err != nil || roles.Roles["authenticated"] != awsapi.ToString(role.Role.Arn) {
		t.Errorf("identity pool roles %+v, %v", roles, err)
	}
	// The authorizer trusts the pool's issuer and the client.
	auths, err := a.gatewayControl.GetAuthorizers(ctx, &v2.GetAuthorizersInput{ApiId: &first.apiID})
	if err != nil || len(auths.Items) != 1 {
		t.Fatalf("authorizers %+v, %v", auths, err)
	}
	if j := auths.Items[0].JwtConfiguration; awsapi.ToString(j.Issuer) != "http://127.0.0.1:9229/"+first.poolID ||
		len(j.Audience) != 1 || j.Audience[0] != first.clientID {
		t.Errorf("authorizer JWT configuration %+v", j)
	}
	a.Close()

	// A restart on the same data duplicates nothing.
	logs.Reset()
	a = open()
	defer a.Close()
	if again := inspectSeed(t, a); again != first {
		t.Errorf("after a restart: %+v, want %+v", again, first)
	}
	if strings.Contains(logs.String(), "config: created") || strings.Contains(logs.String(), "config: updated") {
		t.Errorf("a restart created resources:\n%s", logs.String())
	}
}

func TestSeedFromBadConfigFileFailsStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	os.WriteFile(path, []byte("userPools:\n  main: {name: main, bogus: 1}\n"), 0o600)
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.ConfigFile = path
	_, err := New(context.Background(), cfg, "http://127.0.0.1:9229", slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("err = %v, want the unknown key", err)
	}
	// A value the service refuses stops the start too.
	os.WriteFile(path, []byte("userPools:\n  main: {name: main, passwordPolicy: {minimumLength: 2}}\n"), 0o600)
	if _, err := New(context.Background(), cfg, "http://127.0.0.1:9229", slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("a password policy of length 2 was accepted")
	}
}

// TestSeedRESTAPIWithCognitoAuthorizer: a REST API of the file gets a
// COGNITO_USER_POOLS authorizer of its pool and routes that use it, as the
// gateway serves them.
func TestSeedRESTAPIWithCognitoAuthorizer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	if err := os.WriteFile(path, []byte(`
userPools:
  main: {name: main, clients: {web: {name: web, explicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}}}
apis:
  pets:
    name: pets
    protocolType: REST
    authorizers: {pool: {userPool: main}}
    integrations: {backend: {uri: "http://127.0.0.1:3000/{proxy}"}}
    routes:
      - {key: "GET /pets", authorization: COGNITO_USER_POOLS, authorizer: pool, integration: backend}
      - {key: "POST /pets", authorization: COGNITO_USER_POOLS, authorizer: pool, scopes: [pets/write], integration: backend}
    stages: {dev: {}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.ConfigFile = path
	a, err := New(context.Background(), cfg, "http://127.0.0.1:9229", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	st := inspectSeed(t, a)
	if st.apis != 1 || st.routes != 2 || st.authorizers != 1 || st.integrations != 1 {
		t.Fatalf("seeded %+v", st)
	}
	api, err := a.gatewayControl.GetAPI(ctx, st.apiID)
	if err != nil {
		t.Fatal(err)
	}
	if api.ProtocolType != gateway.ProtocolREST || len(api.Authorizers) != 1 {
		t.Fatalf("API %+v", api)
	}
	var zid string
	for id, z := range api.Authorizers {
		zid = id
		wantARN := "arn:aws:cognito-idp:" + cfg.Region + ":" + cfg.Account + ":userpool/" + st.poolID
		if z.Type != gateway.AuthCognito || len(z.ProviderARNs) != 1 || z.ProviderARNs[0] != wantARN ||
			len(z.IdentitySource) != 1 || z.IdentitySource[0] != "method.request.header.Authorization" {
			t.Errorf("authorizer %+v, want COGNITO_USER_POOLS of %s", z, wantARN)
		}
	}
	for _, r := range api.Routes {
		if r.AuthorizationType != gateway.AuthCognito || r.AuthorizerID != zid {
			t.Errorf("route %+v", r)
		}
		if r.RouteKey == "POST /pets" && (len(r.AuthorizationScopes) != 1 || r.AuthorizationScopes[0] != "pets/write") {
			t.Errorf("route %+v lacks its scope", r)
		}
	}
	if _, ok := api.Stages["dev"]; !ok {
		t.Errorf("stages %v", api.Stages)
	}
	if err := gateway.Compile(api); err != nil {
		t.Error(err)
	}
	// The aws CLI's view: the API is REST and the authorizer COGNITO_USER_POOLS.
	got, err := a.gatewayControl.GetApi(ctx, &v2.GetApiInput{ApiId: &st.apiID})
	if err != nil || awsapi.ToString(got.ProtocolType) != "REST" {
		t.Errorf("GetApi %+v, %v", got, err)
	}
}
