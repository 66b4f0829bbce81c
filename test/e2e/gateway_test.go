package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// echoBackend is an HTTP backend on a free loopback port that answers every
// request with its method, path and x-user-sub header as JSON.
func echoBackend(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"method": r.Method, "path": r.URL.Path, "sub": r.Header.Get("x-user-sub")})
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// echoed is what echoBackend answers.
type echoed struct{ Method, Path, Sub string }

// TestGatewayWithAWSCLI is seed 000's API Gateway flow with the real AWS
// CLI: an HTTP API whose JWT authorizer trusts a user pool of the server, an
// HTTP_PROXY integration passing the caller's sub to a backend, JWT, public
// and AWS_IAM routes on an AutoDeploy stage, then plain HTTP calls through
// the gateway.
func TestGatewayWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}
	backend := echoBackend(t)

	var poolID, clientID, idToken, sub string
	mustStep(t, "a user signs in to a user pool", func(t *testing.T) {
		var pool struct{ UserPool struct{ Id string } }
		root.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "gw", "--username-attributes", "email"}, &pool)
		poolID = pool.UserPool.Id
		var client struct{ UserPoolClient struct{ ClientId string } }
		root.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
			"--explicit-auth-flows", "ADMIN_NO_SRP_AUTH"}, &client)
		clientID = client.UserPoolClient.ClientId
		var user struct {
			User struct {
				Attributes []struct{ Name, Value string }
			}
		}
		root.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "gw@example.com",
			"--message-action", "SUPPRESS", "--user-attributes", "Name=email,Value=gw@example.com", "Name=email_verified,Value=true"}, &user)
		for _, a := range user.User.Attributes {
			if a.Name == "sub" {
				sub = a.Value
			}
		}
		root.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "gw@example.com",
			"--password", "Perm#Pass1", "--permanent"})
		var auth cliAuth
		root.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_NO_SRP_AUTH", "--auth-parameters", "USERNAME=gw@example.com,PASSWORD=Perm#Pass1"}, &auth)
		if auth.AuthenticationResult == nil || auth.AuthenticationResult.IdToken == "" || sub == "" {
			t.Fatalf("admin-initiate-auth: %+v (sub %q)", auth, sub)
		}
		idToken = auth.AuthenticationResult.IdToken
	})

	var apiID, endpoint, authorizerID, integrationID string
	mustStep(t, "create-api makes an HTTP API with an endpoint on the server", func(t *testing.T) {
		var api struct{ ApiId, ApiEndpoint, ProtocolType, RouteSelectionExpression string }
		root.json(t, ctx, []string{"apigatewayv2", "create-api", "--name", "seed", "--protocol-type", "HTTP"}, &api)
		apiID, endpoint = api.ApiId, api.ApiEndpoint
		if len(apiID) != 10 || endpoint != srv.URL+"/_aws/execute-api/"+apiID || api.ProtocolType != "HTTP" ||
			api.RouteSelectionExpression != "${request.method} ${request.path}" {
			t.Fatalf("create-api: %+v", api)
		}
		var got struct{ ApiId, Name string }
		root.json(t, ctx, []string{"apigatewayv2", "get-api", "--api-id", apiID}, &got)
		if got.ApiId != apiID || got.Name != "seed" {
			t.Fatalf("get-api: %+v", got)
		}
		root.fail(t, ctx, "NotFoundException", "Invalid API identifier specified "+account+":nope0nope0",
			"apigatewayv2", "get-api", "--api-id", "nope0nope0")
	})
	mustStep(t, "a JWT authorizer trusts the user pool", func(t *testing.T) {
		var a struct {
			AuthorizerId     string
			JwtConfiguration struct {
				Audience []string
				Issuer   string
			}
		}
		issuer := srv.URL + "/" + poolID
		root.json(t, ctx, []string{"apigatewayv2", "create-authorizer", "--api-id", apiID, "--authorizer-type", "JWT",
			"--identity-source", "$request.header.Authorization", "--name", "cognito",
			"--jwt-configuration", "Audience=" + clientID + ",Issuer=" + issuer}, &a)
		authorizerID = a.AuthorizerId
		if authorizerID == "" || a.JwtConfiguration.Issuer != issuer || len(a.JwtConfiguration.Audience) != 1 || a.JwtConfiguration.Audience[0] != clientID {
			t.Fatalf("create-authorizer: %+v", a)
		}
	})
	mustStep(t, "an HTTP_PROXY integration passes the caller's sub to the backend", func(t *testing.T) {
		var in struct {
			IntegrationId, IntegrationType, PayloadFormatVersion string
			TimeoutInMillis                                      int
			RequestParameters                                    map[string]string
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-integration", "--api-id", apiID, "--integration-type", "HTTP_PROXY",
			"--integration-method", "ANY", "--integration-uri", "http://" + backend + "/{proxy}", "--payload-format-version", "1.0",
			"--request-parameters", "overwrite:header.x-user-sub=$context.authorizer.claims.sub"}, &in)
		integrationID = in.IntegrationId
		if integrationID == "" || in.IntegrationType != "HTTP_PROXY" || in.PayloadFormatVersion != "1.0" || in.TimeoutInMillis != 30000 ||
			in.RequestParameters["overwrite:header.x-user-sub"] != "$context.authorizer.claims.sub" {
			t.Fatalf("create-integration: %+v", in)
		}
		root.fail(t, ctx, "BadRequestException", "Integration type AWS_PROXY", "apigatewayv2", "create-integration", "--api-id", apiID,
			"--integration-type", "AWS_PROXY", "--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:f", "--payload-format-version", "2.0")
	})
	mustStep(t, "routes: JWT, public, greedy and AWS_IAM", func(t *testing.T) {
		target := "integrations/" + integrationID
		var r struct{ RouteId, RouteKey, AuthorizationType, AuthorizerId, Target string }
		root.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /hello",
			"--authorization-type", "JWT", "--authorizer-id", authorizerID, "--target", target}, &r)
		if r.RouteKey != "GET /hello" || r.AuthorizationType != "JWT" || r.AuthorizerId != authorizerID || r.Target != target {
			t.Fatalf("create-route: %+v", r)
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /public", "--authorization-type", "NONE", "--target", target})
		root.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /items/{proxy+}", "--target", target})
		root.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /iam", "--authorization-type", "AWS_IAM", "--target", target})
		root.fail(t, ctx, "ConflictException", "Unable to create route. Route with key GET /hello already exists for this API",
			"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /hello", "--target", target)
		var routes struct{ Items []struct{ RouteKey string } }
		root.json(t, ctx, []string{"apigatewayv2", "get-routes", "--api-id", apiID}, &routes)
		if len(routes.Items) != 4 {
			t.Fatalf("get-routes: %+v", routes)
		}
	})
	mustStep(t, "create-stage dev with auto-deploy", func(t *testing.T) {
		var st struct {
			StageName    string
			AutoDeploy   bool
			DeploymentId string
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-stage", "--api-id", apiID, "--stage-name", "dev", "--auto-deploy"}, &st)
		if st.StageName != "dev" || !st.AutoDeploy {
			t.Fatalf("create-stage: %+v", st)
		}
	})

	call := func(t *testing.T, path string, header map[string]string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, body := httpDo(t, req)
		return resp.StatusCode, body
	}
	mustStep(t, "the signed-in user reaches the backend with their sub", func(t *testing.T) {
		status, body := call(t, "/dev/hello", map[string]string{"Authorization": idToken})
		var got echoed
		if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Method != "GET" || got.Sub != sub {
			t.Fatalf("GET /dev/hello: %d %s (want sub %s)", status, body, sub)
		}
		status, body = call(t, "/dev/hello", map[string]string{"Authorization": "Bearer " + idToken})
		if status != http.StatusOK {
			t.Fatalf("GET /dev/hello with Bearer: %d %s", status, body)
		}
	})
	mustStep(t, "no token or a tampered token is 401 Unauthorized", func(t *testing.T) {
		status, body := call(t, "/dev/hello", nil)
		if status != http.StatusUnauthorized || strings.TrimSpace(string(body)) != `{"message":"Unauthorized"}` {
			t.Fatalf("GET /dev/hello without a token: %d %s", status, body)
		}
		parts := strings.Split(idToken, ".")
		sig := []byte(parts[2])
		i := len(sig) / 2
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		tampered := parts[0] + "." + parts[1] + "." + string(sig)
		status, body = call(t, "/dev/hello", map[string]string{"Authorization": tampered})
		if status != http.StatusUnauthorized || !strings.Contains(string(body), "Unauthorized") {
			t.Fatalf("GET /dev/hello with a tampered token: %d %s", status, body)
		}
	})
	mustStep(t, "a public route needs no token, a greedy route passes the rest of the path", func(t *testing.T) {
		status, body := call(t, "/dev/public", nil)
		var got echoed
		if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Sub != "" {
			t.Fatalf("GET /dev/public: %d %s", status, body)
		}
		status, body = call(t, "/dev/items/a/b", nil)
		if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Path != "/a/b" {
			t.Fatalf("GET /dev/items/a/b: %d %s", status, body)
		}
	})
	mustStep(t, "an unknown path is 404", func(t *testing.T) {
		status, body := call(t, "/dev/nope", nil)
		if status != http.StatusNotFound || !strings.Contains(string(body), "Not Found") {
			t.Fatalf("GET /dev/nope: %d %s", status, body)
		}
	})

	// assume creates a role trusting the account, with policy as its
	// inline policy when not empty, and assumes it.
	assume := func(t *testing.T, name, policy string) aws.Credentials {
		t.Helper()
		dir := t.TempDir()
		trust := filepath.Join(dir, "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"sts:AssumeRole"}]}`), 0o600)
		root.json(t, ctx, []string{"iam", "create-role", "--role-name", name, "--assume-role-policy-document", "file://" + trust})
		if policy != "" {
			perms := filepath.Join(dir, "perms.json")
			os.WriteFile(perms, []byte(policy), 0o600)
			root.json(t, ctx, []string{"iam", "put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", "file://" + perms})
		}
		var out struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		}
		root.json(t, ctx, []string{"sts", "assume-role", "--role-arn", "arn:aws:iam::" + account + ":role/" + name, "--role-session-name", "gw"}, &out)
		c := out.Credentials
		if c.AccessKeyId == "" || c.SessionToken == "" {
			t.Fatalf("assume-role: %+v", out)
		}
		return aws.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	}
	// signedGet sends GET <endpoint>path signed with SigV4 for execute-api,
	// as botocore and aws-sdk-go-v2 sign.
	signedGet := func(t *testing.T, creds aws.Credentials, path string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		empty := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "execute-api", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, body := httpDo(t, req)
		return resp.StatusCode, body
	}
	var invoker, other aws.Credentials
	mustStep(t, "a role allowed execute-api:Invoke and one without it are assumed", func(t *testing.T) {
		invoker = assume(t, "invoker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke",`+
			`"Resource":"arn:aws:execute-api:`+region+`:`+account+`:`+apiID+`/*"}]}`)
		other = assume(t, "other", "")
	})
	mustStep(t, "an AWS_IAM route accepts a request signed by the allowed role only", func(t *testing.T) {
		status, body := signedGet(t, invoker, "/dev/iam")
		var got echoed
		if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Method != "GET" {
			t.Fatalf("signed GET /dev/iam: %d %s", status, body)
		}
		status, body = call(t, "/dev/iam", nil)
		if status != http.StatusForbidden {
			t.Fatalf("unsigned GET /dev/iam: %d %s", status, body)
		}
		status, body = signedGet(t, other, "/dev/iam")
		if status != http.StatusForbidden || !strings.Contains(string(body), "is not authorized to perform: execute-api:Invoke") {
			t.Fatalf("GET /dev/iam signed by a role without execute-api:Invoke: %d %s", status, body)
		}
	})
	mustStep(t, "deleting the API stops serving it", func(t *testing.T) {
		root.json(t, ctx, []string{"apigatewayv2", "delete-api", "--api-id", apiID})
		status, body := call(t, "/dev/public", nil)
		if status != http.StatusNotFound {
			t.Fatalf("GET /dev/public after delete-api: %d %s", status, body)
		}
	})
}
