package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// gatewayCaller calls a server's gateway, as a client would.
type gatewayCaller struct {
	ctx context.Context
	srv *server
}

// call GETs path on the server, with host (and the server's port) as the
// Host header when set.
func (c gatewayCaller) call(t *testing.T, host, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, c.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		u, _ := url.Parse(c.srv.URL)
		req.Host = host + ":" + u.Port()
	}
	resp, body := httpDo(t, req)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// backendPath calls path, requires 200 and returns the path the echo
// backend received.
func (c gatewayCaller) backendPath(t *testing.T, host, path string) string {
	t.Helper()
	status, body := c.call(t, host, path)
	var got echoed
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
		t.Fatalf("GET %s (host %q): %d %s", path, host, status, body)
	}
	return got.Path
}

// TestGatewayDeploymentsWithAWSCLI drives deployments and per-stage route
// settings with the real AWS CLI: a stage without AutoDeploy serves its
// deployment's snapshot until it is redeployed, an AutoDeploy stage serves
// every change, and route settings throttle one stage only.
func TestGatewayDeploymentsWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, 2*testTimeout) // about 30 CLI calls on a shared machine
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}
	backend := echoBackend(t)
	gw := gatewayCaller{ctx: ctx, srv: srv}
	call, backendPath := gw.call, gw.backendPath

	var apiID, base, routeID, v1, v2 string
	mustStep(t, "an API with GET /hello on integration v1", func(t *testing.T) {
		var api struct{ ApiId, ApiEndpoint string }
		root.json(t, ctx, []string{"apigatewayv2", "create-api", "--name", "stages", "--protocol-type", "HTTP"}, &api)
		apiID = api.ApiId
		base = strings.TrimPrefix(api.ApiEndpoint, srv.URL)
		for _, p := range []struct {
			id   *string
			path string
		}{{&v1, "/v1"}, {&v2, "/v2"}} {
			var in struct{ IntegrationId string }
			root.json(t, ctx, []string{"apigatewayv2", "create-integration", "--api-id", apiID, "--integration-type", "HTTP_PROXY",
				"--integration-method", "ANY", "--integration-uri", "http://" + backend + p.path, "--payload-format-version", "1.0"}, &in)
			*p.id = in.IntegrationId
		}
		var r struct{ RouteId string }
		root.json(t, ctx, []string{"apigatewayv2", "create-route", "--api-id", apiID, "--route-key", "GET /hello", "--target", "integrations/" + v1}, &r)
		routeID = r.RouteId
	})
	mustStep(t, "a stage without AutoDeploy or deployment is 404 Not Found", func(t *testing.T) {
		var st struct {
			StageName    string
			AutoDeploy   bool
			DeploymentId string
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-stage", "--api-id", apiID, "--stage-name", "prod"}, &st)
		if st.StageName != "prod" || st.AutoDeploy || st.DeploymentId != "" {
			t.Fatalf("create-stage: %+v", st)
		}
		if status, body := call(t, "", base+"/prod/hello"); status != http.StatusNotFound || body != `{"message":"Not Found"}` {
			t.Fatalf("GET /prod/hello: %d %s", status, body)
		}
		root.fail(t, ctx, "NotFoundException", "Invalid Deployment identifier specified nope00",
			"apigatewayv2", "create-stage", "--api-id", apiID, "--stage-name", "x", "--deployment-id", "nope00")
	})
	var d1 string
	mustStep(t, "create-deployment --stage-name deploys a snapshot to the stage", func(t *testing.T) {
		var d struct {
			DeploymentId, DeploymentStatus, Description string
			AutoDeployed                                bool
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-deployment", "--api-id", apiID, "--stage-name", "prod", "--description", "first"}, &d)
		d1 = d.DeploymentId
		if d1 == "" || d.DeploymentStatus != "DEPLOYED" || d.AutoDeployed || d.Description != "first" {
			t.Fatalf("create-deployment: %+v", d)
		}
		var st struct{ DeploymentId string }
		root.json(t, ctx, []string{"apigatewayv2", "get-stage", "--api-id", apiID, "--stage-name", "prod"}, &st)
		if st.DeploymentId != d1 {
			t.Fatalf("get-stage: %+v, want deployment %s", st, d1)
		}
		if got := backendPath(t, "", base+"/prod/hello"); got != "/v1" {
			t.Fatalf("prod serves %s", got)
		}
		var pinned struct{ DeploymentId string }
		root.json(t, ctx, []string{"apigatewayv2", "create-stage", "--api-id", apiID, "--stage-name", "pinned", "--deployment-id", d1}, &pinned)
		if pinned.DeploymentId != d1 {
			t.Fatalf("create-stage --deployment-id: %+v", pinned)
		}
	})
	mustStep(t, "after a route change the stage keeps its snapshot; an AutoDeploy stage serves the change", func(t *testing.T) {
		root.json(t, ctx, []string{"apigatewayv2", "update-route", "--api-id", apiID, "--route-id", routeID, "--target", "integrations/" + v2})
		for _, stage := range []string{"prod", "pinned"} {
			if got := backendPath(t, "", base+"/"+stage+"/hello"); got != "/v1" {
				t.Fatalf("%s serves %s after the change", stage, got)
			}
		}
		var st struct {
			DeploymentId, LastDeploymentStatusMessage string
			AutoDeploy                                bool
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-stage", "--api-id", apiID, "--stage-name", "live", "--auto-deploy"}, &st)
		if !st.AutoDeploy || st.DeploymentId == "" || st.LastDeploymentStatusMessage != "Successfully deployed stage with deployment ID '"+st.DeploymentId+"'" {
			t.Fatalf("create-stage --auto-deploy: %+v", st)
		}
		if got := backendPath(t, "", base+"/live/hello"); got != "/v2" {
			t.Fatalf("live serves %s", got)
		}
		root.fail(t, ctx, "BadRequestException", "Stage live has AutoDeploy enabled",
			"apigatewayv2", "create-deployment", "--api-id", apiID, "--stage-name", "live")
	})
	mustStep(t, "a new deployment reaches the stage through update-stage --deployment-id", func(t *testing.T) {
		var d struct{ DeploymentId string }
		root.json(t, ctx, []string{"apigatewayv2", "create-deployment", "--api-id", apiID}, &d)
		root.json(t, ctx, []string{"apigatewayv2", "update-stage", "--api-id", apiID, "--stage-name", "prod", "--deployment-id", d.DeploymentId})
		if got := backendPath(t, "", base+"/prod/hello"); got != "/v2" {
			t.Fatalf("prod serves %s after redeployment", got)
		}
		if got := backendPath(t, "", base+"/pinned/hello"); got != "/v1" {
			t.Fatalf("pinned serves %s after prod's redeployment", got)
		}
		root.fail(t, ctx, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted",
			"apigatewayv2", "delete-deployment", "--api-id", apiID, "--deployment-id", d1)
		root.json(t, ctx, []string{"apigatewayv2", "delete-stage", "--api-id", apiID, "--stage-name", "pinned"})
		root.json(t, ctx, []string{"apigatewayv2", "delete-deployment", "--api-id", apiID, "--deployment-id", d1})
		var u struct{ Description string }
		root.json(t, ctx, []string{"apigatewayv2", "update-deployment", "--api-id", apiID, "--deployment-id", d.DeploymentId, "--description", "second"}, &u)
		if u.Description != "second" {
			t.Fatalf("update-deployment: %+v", u)
		}
		var l struct {
			Items []struct{ DeploymentId string }
		}
		root.json(t, ctx, []string{"apigatewayv2", "get-deployments", "--api-id", apiID}, &l)
		for _, it := range l.Items {
			if it.DeploymentId == d1 {
				t.Fatalf("get-deployments lists the deleted %s: %+v", d1, l)
			}
		}
		if len(l.Items) != 2 { // prod's and live's automatic one
			t.Fatalf("get-deployments: %+v", l)
		}
	})
	mustStep(t, "update-stage --route-settings throttles the route on that stage only", func(t *testing.T) {
		var st struct {
			RouteSettings map[string]struct {
				ThrottlingBurstLimit int
				ThrottlingRateLimit  float64
			}
		}
		root.json(t, ctx, []string{"apigatewayv2", "update-stage", "--api-id", apiID, "--stage-name", "prod",
			"--route-settings", `{"GET /hello":{"ThrottlingBurstLimit":1,"ThrottlingRateLimit":0.001}}`}, &st)
		if rs := st.RouteSettings["GET /hello"]; rs.ThrottlingBurstLimit != 1 || rs.ThrottlingRateLimit != 0.001 {
			t.Fatalf("update-stage: %+v", st)
		}
		backendPath(t, "", base+"/prod/hello")
		if status, body := call(t, "", base+"/prod/hello"); status != http.StatusTooManyRequests || body != `{"message":"Too Many Requests"}` {
			t.Fatalf("second GET /prod/hello: %d %s", status, body)
		}
		backendPath(t, "", base+"/live/hello")
		backendPath(t, "", base+"/live/hello")
		root.json(t, ctx, []string{"apigatewayv2", "delete-route-settings", "--api-id", apiID, "--stage-name", "prod", "--route-key", "GET /hello"})
		backendPath(t, "", base+"/prod/hello")
		root.fail(t, ctx, "NotFoundException", "Unable to find Route by key GET /nope within the provided RouteSettings",
			"apigatewayv2", "update-stage", "--api-id", apiID, "--stage-name", "prod", "--route-settings", `{"GET /nope":{"ThrottlingBurstLimit":1}}`)
	})
}

// TestGatewayCustomDomainsWithAWSCLI drives custom domain names with the
// real AWS CLI: a Host header naming a domain name reaches the stage its
// longest matching API mapping names, with the mapping key stripped.
func TestGatewayCustomDomainsWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, 2*testTimeout)
	srv := startServer(t, t.TempDir())
	root := &awsCLI{path: awsPath, srv: srv}
	backend := echoBackend(t)
	gw := gatewayCaller{ctx: ctx, srv: srv}
	call, backendPath := gw.call, gw.backendPath

	// Two quick-created APIs: their $default route and AutoDeploy $default
	// stage proxy every path to /a or /b on the backend.
	var apiA, apiB string
	mustStep(t, "two quick-created APIs", func(t *testing.T) {
		for _, p := range []struct {
			id   *string
			path string
		}{{&apiA, "/a"}, {&apiB, "/b"}} {
			var api struct{ ApiId string }
			root.json(t, ctx, []string{"apigatewayv2", "create-api", "--name", "q" + p.path[1:], "--protocol-type", "HTTP", "--target", "http://" + backend + p.path}, &api)
			*p.id = api.ApiId
		}
	})
	const domain = "api.example.test"
	mustStep(t, "create-domain-name and create-api-mapping", func(t *testing.T) {
		var d struct {
			DomainName, DomainNameArn, ApiMappingSelectionExpression string
			DomainNameConfigurations                                 []struct{ ApiGatewayDomainName, DomainNameStatus, EndpointType string }
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-domain-name", "--domain-name", domain,
			"--domain-name-configurations", "CertificateArn=arn:aws:acm:us-east-1:000000000000:certificate/local,EndpointType=REGIONAL,SecurityPolicy=TLS_1_2"}, &d)
		if d.DomainName != domain || d.DomainNameArn != "arn:aws:apigateway:us-east-1::/domainnames/"+domain || len(d.DomainNameConfigurations) != 1 ||
			d.DomainNameConfigurations[0].ApiGatewayDomainName != domain || d.DomainNameConfigurations[0].DomainNameStatus != "AVAILABLE" {
			t.Fatalf("create-domain-name: %+v", d)
		}
		root.fail(t, ctx, "ConflictException", "The domain name resource already exists", "apigatewayv2", "create-domain-name", "--domain-name", domain)
		var m struct{ ApiMappingId, ApiMappingKey, Stage, ApiId string }
		root.json(t, ctx, []string{"apigatewayv2", "create-api-mapping", "--domain-name", domain, "--api-id", apiB, "--stage", "$default", "--api-mapping-key", "orders/v1"}, &m)
		if m.ApiMappingId == "" || m.ApiMappingKey != "orders/v1" || m.Stage != "$default" || m.ApiId != apiB {
			t.Fatalf("create-api-mapping: %+v", m)
		}
		root.json(t, ctx, []string{"apigatewayv2", "create-api-mapping", "--domain-name", domain, "--api-id", apiA, "--stage", "$default"})
		root.fail(t, ctx, "ConflictException", "An API mapping with key 'orders/v1' already exists",
			"apigatewayv2", "create-api-mapping", "--domain-name", domain, "--api-id", apiA, "--stage", "$default", "--api-mapping-key", "orders/v1")
		var l struct {
			Items []struct{ ApiMappingKey string }
		}
		root.json(t, ctx, []string{"apigatewayv2", "get-api-mappings", "--domain-name", domain}, &l)
		if len(l.Items) != 2 {
			t.Fatalf("get-api-mappings: %+v", l)
		}
	})
	mustStep(t, "requests to the domain name reach the mapped stages, the key stripped", func(t *testing.T) {
		for path, want := range map[string]string{
			"/orders/v1/hello":   "/b/hello",
			"/orders/v1":         "/b/",
			"/hello":             "/a/hello",
			"/orders/v2/hello":   "/a/orders/v2/hello",
			"/orders/v1x/hello":  "/a/orders/v1x/hello",
			"/orders/v1/a/b?x=1": "/b/a/b",
		} {
			if got := backendPath(t, domain, path); got != want {
				t.Errorf("GET %s reached %s, want %s", path, got, want)
			}
		}
		if got := backendPath(t, "API.Example.Test", "/hello"); got != "/a/hello" {
			t.Errorf("an upper-case Host reached %s", got)
		}
	})
	mustStep(t, "with the default endpoint disabled, only the domain name reaches the API", func(t *testing.T) {
		if got := backendPath(t, "", "/_aws/execute-api/"+apiB+"/hello"); got != "/b/hello" {
			t.Fatalf("the default endpoint reached %s", got)
		}
		root.json(t, ctx, []string{"apigatewayv2", "update-api", "--api-id", apiB, "--disable-execute-api-endpoint"})
		if status, body := call(t, "", "/_aws/execute-api/"+apiB+"/hello"); status != http.StatusForbidden || body != `{"message":"Forbidden"}` {
			t.Fatalf("the disabled default endpoint: %d %s", status, body)
		}
		if got := backendPath(t, domain, "/orders/v1/hello"); got != "/b/hello" {
			t.Fatalf("orders/v1 reached %s", got)
		}
	})
	mustStep(t, "without a root mapping, a path no mapping covers is 403", func(t *testing.T) {
		var l struct {
			Items []struct{ ApiMappingId, ApiMappingKey string }
		}
		root.json(t, ctx, []string{"apigatewayv2", "get-api-mappings", "--domain-name", domain}, &l)
		for _, it := range l.Items {
			if it.ApiMappingKey == "" {
				root.json(t, ctx, []string{"apigatewayv2", "delete-api-mapping", "--domain-name", domain, "--api-mapping-id", it.ApiMappingId})
			}
		}
		if status, body := call(t, domain, "/hello"); status != http.StatusForbidden || body != `{"message":"Missing Authentication Token"}` {
			t.Fatalf("GET /hello: %d %s", status, body)
		}
		if got := backendPath(t, domain, "/orders/v1/hello"); got != "/b/hello" {
			t.Fatalf("orders/v1 reached %s", got)
		}
	})
	mustStep(t, "tags on the domain name and the stage", func(t *testing.T) {
		for _, arn := range []string{"arn:aws:apigateway:us-east-1::/domainnames/" + domain, "arn:aws:apigateway:us-east-1::/apis/" + apiA + "/stages/$default"} {
			root.json(t, ctx, []string{"apigatewayv2", "tag-resource", "--resource-arn", arn, "--tags", "env=test,team=id"})
			root.json(t, ctx, []string{"apigatewayv2", "untag-resource", "--resource-arn", arn, "--tag-keys", "team"})
			var g struct{ Tags map[string]string }
			root.json(t, ctx, []string{"apigatewayv2", "get-tags", "--resource-arn", arn}, &g)
			if len(g.Tags) != 1 || g.Tags["env"] != "test" {
				t.Fatalf("get-tags %s: %+v", arn, g)
			}
		}
	})
	mustStep(t, "delete-domain-name stops routing its Host", func(t *testing.T) {
		root.fail(t, ctx, "BadRequestException", "Deleting API "+apiB+" failed. Please remove all API mappings for the API from your custom domain names.",
			"apigatewayv2", "delete-api", "--api-id", apiB)
		root.json(t, ctx, []string{"apigatewayv2", "delete-domain-name", "--domain-name", domain})
		root.fail(t, ctx, "NotFoundException", "Invalid domain name identifier specified", "apigatewayv2", "get-domain-name", "--domain-name", domain)
		if status, _ := call(t, domain, "/orders/v1/hello"); status != http.StatusNotFound {
			t.Fatalf("GET on a deleted domain name: %d", status)
		}
	})
}

// TestGatewayDomainsWithBoto3 runs testdata/boto_gwdomains.py: boto3 pages
// through domain names and API mappings with its paginators, gets the
// modeled exceptions, updates and deletes deployments and tags a domain
// name; the Go side then calls the gateway through the domain name.
func TestGatewayDomainsWithBoto3(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	backend := echoBackend(t)
	stdout := runPython(t, ctx, python, "boto_gwdomains.py", 2*callTimeout, srv.URL, "http://"+backend)
	var out struct {
		APIID  string `json:"api_id"`
		Domain string `json:"domain"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil || out.Domain == "" {
		t.Fatalf("boto_gwdomains.py output: %v\n%s", err, string(stdout))
	}
	gw := gatewayCaller{ctx: ctx, srv: srv}
	for path, want := range map[string]string{"/x": "/root/x", "/v1/x": "/root/x", "/v1": "/root/"} {
		if got := gw.backendPath(t, out.Domain, path); got != want {
			t.Errorf("GET %s on %s reached %s, want %s", path, out.Domain, got, want)
		}
	}
}
