package apigw

import (
	"errors"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

var apiIDRE = regexp.MustCompile(`^[a-z0-9]{10}$`)

func TestApis(t *testing.T) {
	f := newFixture(t)
	out, err := f.svc.CreateApi(f.ctx, &v2.CreateApiInput{Name: awsapi.String("seed"), ProtocolType: awsapi.String("HTTP"),
		Tags: map[string]string{"team": "auth"}, CorsConfiguration: &v2.Cors{AllowOrigins: []string{"https://app.example"}, MaxAge: awsapi.Int32(60)}})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.ApiId

	t.Run("a created API has an AWS-like id, its endpoint and the default expressions", func(t *testing.T) {
		if !apiIDRE.MatchString(id) || *out.ApiEndpoint != testBase+"/_aws/execute-api/"+id ||
			*out.RouteSelectionExpression != "${request.method} ${request.path}" || *out.ApiKeySelectionExpression != "$request.header.x-api-key" ||
			*out.ProtocolType != "HTTP" || out.Tags["team"] != "auth" || !out.CreatedDate.Equal(f.now) || out.CorsConfiguration.AllowOrigins[0] != "https://app.example" {
			t.Fatalf("create: %+v", out)
		}
	})
	t.Run("GetApi returns what CreateApi did", func(t *testing.T) {
		g, err := f.svc.GetApi(f.ctx, &v2.GetApiInput{ApiId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if *g.Name != "seed" || *g.ApiEndpoint != *out.ApiEndpoint || g.Tags["team"] != "auth" || *g.CorsConfiguration.MaxAge != 60 {
			t.Fatalf("get: %+v", g)
		}
	})
	t.Run("APIs are listed page by page", func(t *testing.T) {
		f.api("b")
		f.api("c")
		var ids []string
		var next *string
		for range 5 {
			l, err := f.svc.GetApis(f.ctx, &v2.GetApisInput{MaxResults: awsapi.String("2"), NextToken: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range l.Items {
				ids = append(ids, *a.ApiId)
			}
			if next = l.NextToken; next == nil {
				break
			}
		}
		if len(ids) != 3 || !slices.IsSorted(ids) || !slices.Contains(ids, id) {
			t.Fatalf("ids %v", ids)
		}
	})
	t.Run("a MaxResults that is no number is refused", func(t *testing.T) {
		_, err := f.svc.GetApis(f.ctx, &v2.GetApisInput{MaxResults: awsapi.String("x")})
		wantErr(t, err, "BadRequestException", "MaxResults")
	})
	t.Run("UpdateApi changes the name and the CORS configuration", func(t *testing.T) {
		u, err := f.svc.UpdateApi(f.ctx, &v2.UpdateApiInput{ApiId: &id, Name: awsapi.String("renamed"), CorsConfiguration: &v2.Cors{AllowMethods: []string{"GET"}}})
		if err != nil {
			t.Fatal(err)
		}
		if *u.Name != "renamed" || u.CorsConfiguration.AllowMethods[0] != "GET" || len(u.CorsConfiguration.AllowOrigins) != 0 {
			t.Fatalf("update: %+v", u)
		}
	})
	t.Run("DeleteApi removes the API and an unknown API is NotFound as AWS words it", func(t *testing.T) {
		if _, err := f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: &id}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetApi(f.ctx, &v2.GetApiInput{ApiId: &id})
		wantErr(t, err, "NotFoundException", "Invalid API identifier specified "+testAccount+":"+id)
		_, err = f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: &id})
		wantErr(t, err, "NotFoundException", "Invalid API identifier specified")
		_, err = f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: awsapi.String("GET /x")})
		wantErr(t, err, "NotFoundException", "Invalid API identifier specified "+testAccount+":"+id)
	})
	for _, c := range []struct {
		name string
		in   v2.CreateApiInput
		msg  string
	}{
		{"an API without a name is refused", v2.CreateApiInput{ProtocolType: awsapi.String("HTTP")}, "Name is required"},
		{"a WEBSOCKET API is refused", v2.CreateApiInput{Name: awsapi.String("ws"), ProtocolType: awsapi.String("WEBSOCKET")}, "Unsupported protocol type"},
		{"a quick create with a Lambda target is refused", v2.CreateApiInput{Name: awsapi.String("l"), ProtocolType: awsapi.String("HTTP"),
			Target: awsapi.String("arn:aws:lambda:us-east-1:000000000000:function:f")}, "AWS_PROXY"},
		{"a quick create with a bad route key is refused", v2.CreateApiInput{Name: awsapi.String("l"), ProtocolType: awsapi.String("HTTP"),
			Target: awsapi.String("http://127.0.0.1:1"), RouteKey: awsapi.String("FETCH /x")}, "Invalid route key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.CreateApi(f.ctx, &c.in)
			wantErr(t, err, "BadRequestException", c.msg)
		})
	}
}

func TestQuickCreate(t *testing.T) {
	f := newFixture(t)
	out, err := f.svc.CreateApi(f.ctx, &v2.CreateApiInput{Name: awsapi.String("quick"), ProtocolType: awsapi.String("HTTP"),
		Target: awsapi.String("http://127.0.0.1:8080"), RouteKey: awsapi.String("GET /pets")})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.ApiId
	t.Run("quick create makes a managed integration, route and $default AutoDeploy stage", func(t *testing.T) {
		routes, _ := f.svc.GetRoutes(f.ctx, &v2.GetRoutesInput{ApiId: &id})
		integs, _ := f.svc.GetIntegrations(f.ctx, &v2.GetIntegrationsInput{ApiId: &id})
		st, err := f.svc.GetStage(f.ctx, &v2.GetStageInput{ApiId: &id, StageName: awsapi.String("$default")})
		if err != nil {
			t.Fatal(err)
		}
		if len(routes.Items) != 1 || *routes.Items[0].RouteKey != "GET /pets" || !*routes.Items[0].ApiGatewayManaged ||
			len(integs.Items) != 1 || *routes.Items[0].Target != "integrations/"+*integs.Items[0].IntegrationId ||
			*integs.Items[0].IntegrationType != "HTTP_PROXY" || *integs.Items[0].PayloadFormatVersion != "1.0" ||
			!*st.AutoDeploy || !*st.ApiGatewayManaged || st.DeploymentId == nil {
			t.Fatalf("routes %+v integrations %+v stage %+v", routes, integs, st)
		}
	})
	t.Run("the data plane serves it on the $default stage", func(t *testing.T) {
		api, err := f.svc.GetAPI(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(api.Routes) != 1 || api.Routes[0].RouteKey != "GET /pets" || api.Stages["$default"].Name != "$default" || gateway.Compile(api) != nil {
			t.Fatalf("GetAPI: %+v", api)
		}
	})
}

func TestRoutes(t *testing.T) {
	f := newFixture(t)
	id := f.api("routes")
	integ := f.integration(id, testBackend)
	auth := f.authorizer(id)
	rid := f.route(id, "GET /hello", "JWT", auth, integ)

	t.Run("a created route is returned as created", func(t *testing.T) {
		r, err := f.svc.GetRoute(f.ctx, &v2.GetRouteInput{ApiId: &id, RouteId: &rid})
		if err != nil {
			t.Fatal(err)
		}
		if *r.RouteKey != "GET /hello" || *r.AuthorizationType != "JWT" || *r.AuthorizerId != auth || *r.Target != "integrations/"+integ || *r.ApiKeyRequired {
			t.Fatalf("route %+v", r)
		}
	})
	t.Run("a route without an authorization type is NONE", func(t *testing.T) {
		r, err := f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: awsapi.String("$default")})
		if err != nil {
			t.Fatal(err)
		}
		if *r.AuthorizationType != "NONE" || r.Target != nil {
			t.Fatalf("route %+v", r)
		}
	})
	for _, c := range []struct {
		name string
		in   v2.CreateRouteInput
		code string
		msg  string
	}{
		{"a second route with the same key is a conflict", v2.CreateRouteInput{RouteKey: awsapi.String("GET /hello")}, "ConflictException", "GET /hello already exists"},
		{"a route key without a method is refused", v2.CreateRouteInput{RouteKey: awsapi.String("/hello")}, "BadRequestException", "Invalid route key"},
		{"a route key with an unknown method is refused", v2.CreateRouteInput{RouteKey: awsapi.String("FETCH /hello")}, "BadRequestException", "Invalid route key"},
		{"a route key without a leading slash is refused", v2.CreateRouteInput{RouteKey: awsapi.String("GET hello")}, "BadRequestException", "Invalid route key"},
		{"a greedy parameter must end the path", v2.CreateRouteInput{RouteKey: awsapi.String("GET /{proxy+}/x")}, "BadRequestException", ""},
		{"CUSTOM authorization is not supported", v2.CreateRouteInput{RouteKey: awsapi.String("GET /c"), AuthorizationType: awsapi.String("CUSTOM")}, "BadRequestException", "CUSTOM"},
		{"an unknown authorization type is refused", v2.CreateRouteInput{RouteKey: awsapi.String("GET /c"), AuthorizationType: awsapi.String("MAGIC")}, "BadRequestException", "MAGIC"},
		{"JWT needs an authorizer id", v2.CreateRouteInput{RouteKey: awsapi.String("GET /j"), AuthorizationType: awsapi.String("JWT")}, "BadRequestException", "AuthorizerId is required"},
		{"JWT needs an existing authorizer", v2.CreateRouteInput{RouteKey: awsapi.String("GET /j"), AuthorizationType: awsapi.String("JWT"), AuthorizerId: awsapi.String("nope")}, "NotFoundException", "Invalid Authorizer identifier specified nope"},
		{"scopes need JWT", v2.CreateRouteInput{RouteKey: awsapi.String("GET /s"), AuthorizationType: awsapi.String("AWS_IAM"), AuthorizationScopes: []string{"a"}}, "BadRequestException", "AuthorizationScopes"},
		{"a target must name an existing integration", v2.CreateRouteInput{RouteKey: awsapi.String("GET /t"), Target: awsapi.String("integrations/nope")}, "BadRequestException", "integration nope not found"},
		{"a target must be integrations/<id>", v2.CreateRouteInput{RouteKey: awsapi.String("GET /t"), Target: awsapi.String("lambda")}, "BadRequestException", "integrations/<integrationId>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.ApiId = &id
			_, err := f.svc.CreateRoute(f.ctx, &c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}
	t.Run("UpdateRoute to NONE drops the authorizer", func(t *testing.T) {
		r, err := f.svc.UpdateRoute(f.ctx, &v2.UpdateRouteInput{ApiId: &id, RouteId: &rid, AuthorizationType: awsapi.String("NONE")})
		if err != nil {
			t.Fatal(err)
		}
		if *r.AuthorizationType != "NONE" || r.AuthorizerId != nil || *r.RouteKey != "GET /hello" {
			t.Fatalf("route %+v", r)
		}
	})
	t.Run("UpdateRoute back to JWT with scopes", func(t *testing.T) {
		r, err := f.svc.UpdateRoute(f.ctx, &v2.UpdateRouteInput{ApiId: &id, RouteId: &rid, AuthorizationType: awsapi.String("JWT"),
			AuthorizerId: &auth, AuthorizationScopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		if *r.AuthorizerId != auth || r.AuthorizationScopes[0] != "read" {
			t.Fatalf("route %+v", r)
		}
	})
	t.Run("an integration or authorizer a route uses cannot be deleted", func(t *testing.T) {
		_, err := f.svc.DeleteIntegration(f.ctx, &v2.DeleteIntegrationInput{ApiId: &id, IntegrationId: &integ})
		wantErr(t, err, "ConflictException", rid)
		_, err = f.svc.DeleteAuthorizer(f.ctx, &v2.DeleteAuthorizerInput{ApiId: &id, AuthorizerId: &auth})
		wantErr(t, err, "ConflictException", rid)
	})
	t.Run("routes are listed page by page", func(t *testing.T) {
		f.route(id, "POST /x", "AWS_IAM", "", integ)
		var n int
		var next *string
		for range 5 {
			l, err := f.svc.GetRoutes(f.ctx, &v2.GetRoutesInput{ApiId: &id, MaxResults: awsapi.String("1"), NextToken: next})
			if err != nil {
				t.Fatal(err)
			}
			n += len(l.Items)
			if next = l.NextToken; next == nil {
				break
			}
		}
		if n != 3 {
			t.Fatalf("%d routes", n)
		}
	})
	t.Run("DeleteRoute removes it and an unknown route is NotFound", func(t *testing.T) {
		if _, err := f.svc.DeleteRoute(f.ctx, &v2.DeleteRouteInput{ApiId: &id, RouteId: &rid}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetRoute(f.ctx, &v2.GetRouteInput{ApiId: &id, RouteId: &rid})
		wantErr(t, err, "NotFoundException", "Invalid Route identifier specified "+rid)
		if _, err := f.svc.DeleteAuthorizer(f.ctx, &v2.DeleteAuthorizerInput{ApiId: &id, AuthorizerId: &auth}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestIntegrations(t *testing.T) {
	f := newFixture(t)
	id := f.api("integrations")
	out, err := f.svc.CreateIntegration(f.ctx, &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: awsapi.String("HTTP_PROXY"),
		IntegrationMethod: awsapi.String("get"), IntegrationUri: awsapi.String(testBackend),
		RequestParameters: map[string]string{"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}})
	if err != nil {
		t.Fatal(err)
	}
	iid := *out.IntegrationId
	t.Run("defaults are payload 1.0, 30 s and INTERNET", func(t *testing.T) {
		if *out.PayloadFormatVersion != "1.0" || *out.TimeoutInMillis != 30000 || *out.ConnectionType != "INTERNET" || *out.IntegrationMethod != "GET" ||
			out.RequestParameters["overwrite:header.x-user-sub"] != "$context.authorizer.claims.sub" {
			t.Fatalf("integration %+v", out)
		}
	})
	for _, c := range []struct {
		name string
		in   v2.CreateIntegrationInput
		msg  string
	}{
		{"AWS_PROXY (Lambda) is refused clearly", v2.CreateIntegrationInput{IntegrationType: awsapi.String("AWS_PROXY"), IntegrationUri: awsapi.String("arn:aws:lambda:us-east-1:0:function:f")}, "AWS_PROXY (Lambda proxy) is not supported"},
		{"MOCK is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("MOCK")}, "MOCK"},
		{"an integration type is required", v2.CreateIntegrationInput{IntegrationUri: awsapi.String(testBackend)}, "IntegrationType is required"},
		{"the URI must be http(s)", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String("ftp://x")}, "IntegrationUri"},
		{"payload format 2.0 is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend), PayloadFormatVersion: awsapi.String("2.0")}, "PayloadFormatVersion"},
		{"a timeout under 50 ms is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend), TimeoutInMillis: awsapi.Int32(49)}, "between 50 milliseconds and 30 seconds"},
		{"a timeout over 30 s is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend), TimeoutInMillis: awsapi.Int32(30001)}, "between 50 milliseconds and 30 seconds"},
		{"an unknown method is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend), IntegrationMethod: awsapi.String("FETCH")}, "IntegrationMethod"},
		{"a bad parameter mapping is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend),
			RequestParameters: map[string]string{"frobnicate:header.x": "1"}}, ""},
		{"a VPC link is refused", v2.CreateIntegrationInput{IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(testBackend), ConnectionType: awsapi.String("VPC_LINK")}, "VPC_LINK"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.ApiId = &id
			_, err := f.svc.CreateIntegration(f.ctx, &c.in)
			wantErr(t, err, "BadRequestException", c.msg)
		})
	}
	t.Run("a stage-variable URI is accepted", func(t *testing.T) {
		f.integration(id, "${stageVariables.backend}/{proxy}")
	})
	t.Run("UpdateIntegration merges request parameters; an empty value removes one", func(t *testing.T) {
		u, err := f.svc.UpdateIntegration(f.ctx, &v2.UpdateIntegrationInput{ApiId: &id, IntegrationId: &iid, TimeoutInMillis: awsapi.Int32(5000),
			RequestParameters: map[string]string{"overwrite:header.x-user-sub": "", "append:header.x-a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if *u.TimeoutInMillis != 5000 || len(u.RequestParameters) != 1 || u.RequestParameters["append:header.x-a"] != "b" || *u.IntegrationUri != testBackend {
			t.Fatalf("integration %+v", u)
		}
		g, _ := f.svc.GetIntegration(f.ctx, &v2.GetIntegrationInput{ApiId: &id, IntegrationId: &iid})
		if *g.TimeoutInMillis != 5000 {
			t.Fatalf("get %+v", g)
		}
	})
	t.Run("UpdateIntegration validates the result", func(t *testing.T) {
		_, err := f.svc.UpdateIntegration(f.ctx, &v2.UpdateIntegrationInput{ApiId: &id, IntegrationId: &iid, IntegrationType: awsapi.String("AWS_PROXY")})
		wantErr(t, err, "BadRequestException", "AWS_PROXY")
	})
	t.Run("DeleteIntegration removes it and an unknown one is NotFound", func(t *testing.T) {
		if _, err := f.svc.DeleteIntegration(f.ctx, &v2.DeleteIntegrationInput{ApiId: &id, IntegrationId: &iid}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetIntegration(f.ctx, &v2.GetIntegrationInput{ApiId: &id, IntegrationId: &iid})
		wantErr(t, err, "NotFoundException", "Invalid Integration identifier specified "+iid)
		l, _ := f.svc.GetIntegrations(f.ctx, &v2.GetIntegrationsInput{ApiId: &id})
		if len(l.Items) != 1 {
			t.Fatalf("integrations %+v", l)
		}
	})
}

func TestAuthorizers(t *testing.T) {
	f := newFixture(t)
	id := f.api("authorizers")
	aid := f.authorizer(id)
	t.Run("a created authorizer is returned as created", func(t *testing.T) {
		a, err := f.svc.GetAuthorizer(f.ctx, &v2.GetAuthorizerInput{ApiId: &id, AuthorizerId: &aid})
		if err != nil {
			t.Fatal(err)
		}
		if *a.Name != "cognito" || *a.AuthorizerType != "JWT" || a.IdentitySource[0] != "$request.header.Authorization" ||
			*a.JwtConfiguration.Issuer != testIssuer || a.JwtConfiguration.Audience[0] != "client" {
			t.Fatalf("authorizer %+v", a)
		}
	})
	jwt := &v2.JWTConfiguration{Audience: []string{"c"}, Issuer: awsapi.String(testIssuer)}
	for _, c := range []struct {
		name string
		in   v2.CreateAuthorizerInput
		msg  string
	}{
		{"REQUEST (Lambda) authorizers are not supported", v2.CreateAuthorizerInput{AuthorizerType: awsapi.String("REQUEST"), Name: awsapi.String("l")}, "REQUEST"},
		{"a name is required", v2.CreateAuthorizerInput{AuthorizerType: awsapi.String("JWT"), JwtConfiguration: jwt}, "Name is required"},
		{"an issuer is required", v2.CreateAuthorizerInput{AuthorizerType: awsapi.String("JWT"), Name: awsapi.String("n"), JwtConfiguration: &v2.JWTConfiguration{Audience: []string{"c"}}}, "Issuer"},
		{"an audience is required", v2.CreateAuthorizerInput{AuthorizerType: awsapi.String("JWT"), Name: awsapi.String("n"), JwtConfiguration: &v2.JWTConfiguration{Issuer: awsapi.String(testIssuer)}}, "Audience"},
		{"the identity source is a request header", v2.CreateAuthorizerInput{AuthorizerType: awsapi.String("JWT"), Name: awsapi.String("n"), JwtConfiguration: jwt, IdentitySource: []string{"$request.querystring.t"}}, "identity source"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.ApiId = &id
			_, err := f.svc.CreateAuthorizer(f.ctx, &c.in)
			wantErr(t, err, "BadRequestException", c.msg)
		})
	}
	t.Run("UpdateAuthorizer changes the audience and keeps the issuer", func(t *testing.T) {
		a, err := f.svc.UpdateAuthorizer(f.ctx, &v2.UpdateAuthorizerInput{ApiId: &id, AuthorizerId: &aid, JwtConfiguration: &v2.JWTConfiguration{Audience: []string{"x", "y"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.JwtConfiguration.Audience) != 2 || *a.JwtConfiguration.Issuer != testIssuer {
			t.Fatalf("authorizer %+v", a)
		}
	})
	t.Run("DeleteAuthorizer removes it and an unknown one is NotFound", func(t *testing.T) {
		if _, err := f.svc.DeleteAuthorizer(f.ctx, &v2.DeleteAuthorizerInput{ApiId: &id, AuthorizerId: &aid}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetAuthorizer(f.ctx, &v2.GetAuthorizerInput{ApiId: &id, AuthorizerId: &aid})
		wantErr(t, err, "NotFoundException", "Invalid Authorizer identifier specified "+aid)
		l, _ := f.svc.GetAuthorizers(f.ctx, &v2.GetAuthorizersInput{ApiId: &id})
		if len(l.Items) != 0 {
			t.Fatalf("authorizers %+v", l)
		}
	})
}

func TestStagesAndDeployments(t *testing.T) {
	f := newFixture(t)
	id := f.api("stages")
	integ := f.integration(id, testBackend)
	f.route(id, "GET /a", "NONE", "", integ)

	t.Run("an API without a deployed stage is not served", func(t *testing.T) {
		if _, err := f.svc.GetAPI(f.ctx, id); !errors.Is(err, gateway.ErrAPINotFound) {
			t.Fatalf("GetAPI: %v", err)
		}
		if _, err := f.svc.GetAPI(f.ctx, "unknown"); !errors.Is(err, gateway.ErrAPINotFound) {
			t.Fatalf("GetAPI(unknown): %v", err)
		}
	})
	t.Run("a stage without AutoDeploy and deployment is not served either", func(t *testing.T) {
		st, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if *st.AutoDeploy || st.DeploymentId != nil || !st.CreatedDate.Equal(f.now) {
			t.Fatalf("stage %+v", st)
		}
		if _, err := f.svc.GetAPI(f.ctx, id); !errors.Is(err, gateway.ErrAPINotFound) {
			t.Fatalf("GetAPI: %v", err)
		}
	})
	var dep string
	t.Run("CreateDeployment with a stage name deploys a snapshot to it", func(t *testing.T) {
		d, err := f.svc.CreateDeployment(f.ctx, &v2.CreateDeploymentInput{ApiId: &id, StageName: awsapi.String("prod"), Description: awsapi.String("v1")})
		if err != nil {
			t.Fatal(err)
		}
		dep = *d.DeploymentId
		if *d.DeploymentStatus != "DEPLOYED" || *d.AutoDeployed {
			t.Fatalf("deployment %+v", d)
		}
		st, _ := f.svc.GetStage(f.ctx, &v2.GetStageInput{ApiId: &id, StageName: awsapi.String("prod")})
		if *st.DeploymentId != dep {
			t.Fatalf("stage %+v", st)
		}
		api, err := f.svc.GetAPI(f.ctx, id)
		if err != nil || len(api.Routes) != 1 || api.Stages["prod"].Name != "prod" {
			t.Fatalf("GetAPI: %+v, %v", api, err)
		}
	})
	t.Run("a stage without AutoDeploy keeps serving its deployment after changes", func(t *testing.T) {
		f.route(id, "GET /b", "NONE", "", integ)
		api, _ := f.svc.GetAPI(f.ctx, id)
		d := api.Stages["prod"].Deployment
		if d == nil || len(d.Routes) != 1 || d.Routes[0].RouteKey != "GET /a" || len(api.Routes) != 2 {
			t.Fatalf("prod serves %+v; current routes %+v", d, api.Routes)
		}
	})
	t.Run("an AutoDeploy stage serves every change at once", func(t *testing.T) {
		st, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("dev"), AutoDeploy: awsapi.Bool(true),
			StageVariables:       map[string]string{"backend": "http://127.0.0.1:9"},
			DefaultRouteSettings: &v2.RouteSettings{ThrottlingBurstLimit: awsapi.Int32(10), ThrottlingRateLimit: awsapi.Float64(5)},
			RouteSettings:        map[string]v2.RouteSettings{"GET /b": {ThrottlingBurstLimit: awsapi.Int32(1), ThrottlingRateLimit: awsapi.Float64(0.5)}},
			AccessLogSettings:    &v2.AccessLogSettings{DestinationArn: awsapi.String("arn:aws:logs:us-east-1:0:log-group:x"), Format: awsapi.String("$context.requestId")}})
		if err != nil {
			t.Fatal(err)
		}
		if st.DeploymentId == nil {
			t.Fatalf("stage %+v", st)
		}
		api, _ := f.svc.GetAPI(f.ctx, id)
		dev := api.Stages["dev"]
		if len(api.Routes) != 2 || dev.Variables["backend"] != "http://127.0.0.1:9" || !dev.AutoDeploy ||
			*dev.DefaultRouteSettings != (gateway.Throttle{BurstLimit: 10, RateLimit: 5}) || dev.AccessLogFormat != "$context.requestId" {
			t.Fatalf("GetAPI: %+v", api)
		}
		if dev.Deployment != nil || len(dev.RouteSettings) != 1 || dev.RouteSettings["GET /b"] != (gateway.Throttle{BurstLimit: 1, RateLimit: 0.5}) {
			t.Fatalf("dev %+v", dev)
		}
		if prod := api.Stages["prod"]; prod.RouteSettings != nil || prod.Deployment == nil {
			t.Fatalf("prod %+v", prod)
		}
		if gateway.Compile(api) != nil {
			t.Fatal(gateway.Compile(api))
		}
	})
	t.Run("deployments list the explicit one and the automatic one", func(t *testing.T) {
		l, err := f.svc.GetDeployments(f.ctx, &v2.GetDeploymentsInput{ApiId: &id})
		if err != nil {
			t.Fatal(err)
		}
		auto := 0
		for _, d := range l.Items {
			if *d.AutoDeployed {
				auto++
			}
		}
		if len(l.Items) != 2 || auto != 1 {
			t.Fatalf("deployments %+v", l.Items)
		}
		_, err = f.svc.DeleteDeployment(f.ctx, &v2.DeleteDeploymentInput{ApiId: &id, DeploymentId: &dep})
		wantErr(t, err, "BadRequestException", "stage prod")
	})
	t.Run("UpdateStage merges stage variables; an empty value removes one", func(t *testing.T) {
		st, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"),
			StageVariables: map[string]string{"backend": "", "x": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.StageVariables) != 1 || st.StageVariables["x"] != "1" {
			t.Fatalf("stage %+v", st)
		}
	})
	t.Run("turning AutoDeploy off freezes the stage", func(t *testing.T) {
		if _, err := f.svc.DeleteStage(f.ctx, &v2.DeleteStageInput{ApiId: &id, StageName: awsapi.String("prod")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"), AutoDeploy: awsapi.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		f.route(id, "GET /c", "NONE", "", integ)
		api, _ := f.svc.GetAPI(f.ctx, id)
		if d := api.Stages["dev"].Deployment; d == nil || len(d.Routes) != 2 || len(api.Routes) != 3 {
			t.Fatalf("dev serves %+v", d)
		}
	})
	for _, c := range []struct {
		name string
		in   v2.CreateStageInput
		code string
		msg  string
	}{
		{"a second stage of the same name is a conflict", v2.CreateStageInput{StageName: awsapi.String("dev")}, "ConflictException", "already exists"},
		{"a stage name with a slash is refused", v2.CreateStageInput{StageName: awsapi.String("a/b")}, "BadRequestException", "Invalid stage name"},
		{"route settings of an unknown route are NotFound", v2.CreateStageInput{StageName: awsapi.String("s1"),
			RouteSettings: map[string]v2.RouteSettings{"GET /nope": {}}}, "NotFoundException", "Unable to find Route by key GET /nope within the provided RouteSettings"},
		{"a negative burst limit is refused", v2.CreateStageInput{StageName: awsapi.String("s2"),
			DefaultRouteSettings: &v2.RouteSettings{ThrottlingBurstLimit: awsapi.Int32(-1)}}, "BadRequestException", "ThrottlingBurstLimit"},
		{"an unknown deployment is NotFound", v2.CreateStageInput{StageName: awsapi.String("s3"), DeploymentId: awsapi.String("nope")}, "NotFoundException", "Invalid Deployment identifier specified nope"},
		{"a bad stage variable name is refused", v2.CreateStageInput{StageName: awsapi.String("s4"), StageVariables: map[string]string{"a-b": "1"}}, "BadRequestException", "stage variable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.ApiId = &id
			_, err := f.svc.CreateStage(f.ctx, &c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}
	t.Run("an unknown stage is NotFound", func(t *testing.T) {
		_, err := f.svc.GetStage(f.ctx, &v2.GetStageInput{ApiId: &id, StageName: awsapi.String("nope")})
		wantErr(t, err, "NotFoundException", "Invalid stage identifier specified nope")
		_, err = f.svc.CreateDeployment(f.ctx, &v2.CreateDeploymentInput{ApiId: &id, StageName: awsapi.String("nope")})
		wantErr(t, err, "NotFoundException", "Invalid stage identifier specified nope")
	})
	t.Run("stages are listed", func(t *testing.T) {
		l, err := f.svc.GetStages(f.ctx, &v2.GetStagesInput{ApiId: &id})
		if err != nil || len(l.Items) != 1 || *l.Items[0].StageName != "dev" {
			t.Fatalf("stages %+v %v", l, err)
		}
	})
}

func TestGetAPIMapping(t *testing.T) {
	f := newFixture(t)
	id := f.api("seed")
	if _, err := f.svc.UpdateApi(f.ctx, &v2.UpdateApiInput{ApiId: &id, CorsConfiguration: &v2.Cors{AllowCredentials: awsapi.Bool(true),
		AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET"}, AllowHeaders: []string{"authorization"},
		ExposeHeaders: []string{"x-a"}, MaxAge: awsapi.Int32(300)}}); err != nil {
		t.Fatal(err)
	}
	auth := f.authorizer(id)
	integ, err := f.svc.CreateIntegration(f.ctx, &v2.CreateIntegrationInput{ApiId: &id, IntegrationType: awsapi.String("HTTP_PROXY"),
		IntegrationMethod: awsapi.String("ANY"), IntegrationUri: awsapi.String(testBackend), TimeoutInMillis: awsapi.Int32(1000),
		RequestParameters: map[string]string{"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}})
	if err != nil {
		t.Fatal(err)
	}
	rid, err := f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: awsapi.String("GET /hello"), AuthorizationType: awsapi.String("JWT"),
		AuthorizerId: &auth, AuthorizationScopes: []string{"read"}, Target: awsapi.String("integrations/" + *integ.IntegrationId)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("dev"), AutoDeploy: awsapi.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	api, err := f.svc.GetAPI(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the API maps to the gateway's types", func(t *testing.T) {
		if api.ID != id || api.Name != "seed" || api.ProtocolType != "HTTP" || !api.UpdatedAt.Equal(f.now) {
			t.Fatalf("api %+v", api)
		}
		c := api.CorsConfiguration
		if c == nil || !c.AllowCredentials || c.AllowOrigins[0] != "https://app.example" || c.AllowMethods[0] != "GET" ||
			c.AllowHeaders[0] != "authorization" || c.ExposeHeaders[0] != "x-a" || c.MaxAge != 300 {
			t.Fatalf("cors %+v", c)
		}
		r := api.Routes[0]
		if len(api.Routes) != 1 || r.ID != *rid.RouteId || r.RouteKey != "GET /hello" || r.AuthorizationType != "JWT" || r.AuthorizerID != auth ||
			r.AuthorizationScopes[0] != "read" || r.Target != "integrations/"+*integ.IntegrationId {
			t.Fatalf("routes %+v", api.Routes)
		}
		in := api.Integrations[*integ.IntegrationId]
		if in.Type != "HTTP_PROXY" || in.Method != "ANY" || in.URI != testBackend || in.TimeoutMillis != 1000 ||
			in.RequestParameters["overwrite:header.x-user-sub"] != "$context.authorizer.claims.sub" {
			t.Fatalf("integration %+v", in)
		}
		a := api.Authorizers[auth]
		if a.Type != "JWT" || a.Name != "cognito" || a.Issuer != testIssuer || a.Audience[0] != "client" || a.IdentitySource[0] != "$request.header.Authorization" {
			t.Fatalf("authorizer %+v", a)
		}
		if len(api.Stages) != 1 || api.Stages["dev"].Name != "dev" {
			t.Fatalf("stages %+v", api.Stages)
		}
		if err := gateway.Compile(api); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("GetAPI answers the same revision until something changes", func(t *testing.T) {
		again, _ := f.svc.GetAPI(f.ctx, id)
		if again != api {
			t.Fatalf("a second GetAPI built the API again")
		}
	})
	t.Run("every change bumps the version, and GetAPI sees it at once", func(t *testing.T) {
		v := api.Version
		f.now = f.now.Add(time.Second)
		if _, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"),
			StageVariables: map[string]string{"a": "b"}}); err != nil {
			t.Fatal(err)
		}
		next, _ := f.svc.GetAPI(f.ctx, id)
		if next.Version != v+1 || !next.UpdatedAt.Equal(f.now) || next.Stages["dev"].Variables["a"] != "b" {
			t.Fatalf("version %d -> %d, %+v", v, next.Version, next)
		}
		if _, err := f.svc.UpdateApi(f.ctx, &v2.UpdateApiInput{ApiId: &id, Name: awsapi.String("x")}); err != nil {
			t.Fatal(err)
		}
		last, _ := f.svc.GetAPI(f.ctx, id)
		if last.Version != v+2 {
			t.Fatalf("version %d", last.Version)
		}
	})
	t.Run("a failed change does not bump the version", func(t *testing.T) {
		before, _ := f.svc.GetAPI(f.ctx, id)
		_, err := f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: awsapi.String("GET /hello")})
		wantErr(t, err, "ConflictException", "already exists")
		after, _ := f.svc.GetAPI(f.ctx, id)
		if after.Version != before.Version {
			t.Fatalf("version %d -> %d", before.Version, after.Version)
		}
	})
	t.Run("a deleted API is no longer served", func(t *testing.T) {
		if _, err := f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: &id}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetAPI(f.ctx, id); !errors.Is(err, gateway.ErrAPINotFound) {
			t.Fatalf("GetAPI: %v", err)
		}
	})
}
