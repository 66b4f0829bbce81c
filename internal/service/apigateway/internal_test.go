package apigw

import (
	"slices"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

const testPoolARN = "arn:aws:cognito-idp:us-east-1:" + testAccount + ":userpool/us-east-1_AAAAAAAAA"

func TestCognitoUserPoolsAuthorizersAreInternalOnly(t *testing.T) {
	f := newFixture(t)
	id := f.api("http")
	integ := f.integration(id, testBackend)

	t.Run("the AWS API refuses COGNITO_USER_POOLS authorizers and routes", func(t *testing.T) {
		_, err := f.svc.CreateAuthorizer(f.ctx, &v2.CreateAuthorizerInput{ApiId: &id, AuthorizerType: awsapi.String(gateway.AuthCognito), Name: awsapi.String("c")})
		wantErr(t, err, "BadRequestException", "Invalid authorizer type COGNITO_USER_POOLS")
		_, err = f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &id, RouteKey: awsapi.String("GET /x"),
			AuthorizationType: awsapi.String(gateway.AuthCognito), Target: awsapi.String("integrations/" + integ)})
		wantErr(t, err, "BadRequestException", "Invalid authorization type COGNITO_USER_POOLS")
		_, err = f.svc.CreateApi(f.ctx, &v2.CreateApiInput{Name: awsapi.String("r"), ProtocolType: awsapi.String(gateway.ProtocolREST)})
		wantErr(t, err, "BadRequestException", "Unsupported protocol type REST")
	})

	rest, err := f.svc.CreateApiInternal(f.ctx, &v2.CreateApiInput{Name: awsapi.String("rest"), ProtocolType: awsapi.String(gateway.ProtocolREST)})
	if err != nil {
		t.Fatal(err)
	}
	rid := *rest.ApiId
	if *rest.ProtocolType != gateway.ProtocolREST {
		t.Fatalf("protocol %s, want REST", *rest.ProtocolType)
	}
	rinteg := f.integration(rid, testBackend)

	t.Run("CreateAuthorizerInternal checks its input", func(t *testing.T) {
		_, err := f.svc.CreateAuthorizerInternal(f.ctx, &v2.CreateAuthorizerInput{ApiId: &rid, AuthorizerType: awsapi.String(gateway.AuthCognito), Name: awsapi.String("c")}, nil)
		wantErr(t, err, "BadRequestException", "at least one user pool ARN")
		_, err = f.svc.CreateAuthorizerInternal(f.ctx, &v2.CreateAuthorizerInput{ApiId: &rid, AuthorizerType: awsapi.String(gateway.AuthCognito), Name: awsapi.String("c")},
			[]string{"arn:aws:iam::000000000000:role/x"})
		wantErr(t, err, "BadRequestException", "Invalid user pool ARN")
		_, err = f.svc.CreateAuthorizerInternal(f.ctx, &v2.CreateAuthorizerInput{ApiId: &rid, AuthorizerType: awsapi.String(gateway.AuthCognito), Name: awsapi.String("c"),
			IdentitySource: []string{"$request.querystring.token"}}, []string{testPoolARN})
		wantErr(t, err, "BadRequestException", "identity source")
	})

	z, err := f.svc.CreateAuthorizerInternal(f.ctx, &v2.CreateAuthorizerInput{ApiId: &rid, AuthorizerType: awsapi.String(gateway.AuthCognito),
		Name: awsapi.String("pool"), IdentitySource: []string{"method.request.header.Authorization"}}, []string{testPoolARN})
	if err != nil {
		t.Fatal(err)
	}
	zid := *z.AuthorizerId
	rt, err := f.svc.CreateRouteInternal(f.ctx, &v2.CreateRouteInput{ApiId: &rid, RouteKey: awsapi.String("GET /pets"), AuthorizationType: awsapi.String(gateway.AuthCognito),
		AuthorizerId: &zid, AuthorizationScopes: []string{"pets/read"}, Target: awsapi.String("integrations/" + rinteg)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &rid, StageName: awsapi.String("dev"), AutoDeploy: awsapi.Bool(true)}); err != nil {
		t.Fatal(err)
	}

	t.Run("the data plane gets the REST API with the Cognito authorizer and route", func(t *testing.T) {
		api, err := f.svc.GetAPI(f.ctx, rid)
		if err != nil {
			t.Fatal(err)
		}
		a := api.Authorizers[zid]
		if api.ProtocolType != gateway.ProtocolREST || a.Type != gateway.AuthCognito || !slices.Equal(a.ProviderARNs, []string{testPoolARN}) ||
			a.IdentitySource[0] != "method.request.header.Authorization" {
			t.Fatalf("API %+v", api)
		}
		if len(api.Routes) != 1 || api.Routes[0].AuthorizationType != gateway.AuthCognito || api.Routes[0].AuthorizerID != zid ||
			api.Routes[0].AuthorizationScopes[0] != "pets/read" {
			t.Fatalf("routes %+v", api.Routes)
		}
		if err := gateway.Compile(api); err != nil {
			t.Fatal(err)
		}
		arns, err := f.svc.ProviderARNs(f.ctx, rid, zid)
		if err != nil || !slices.Equal(arns, []string{testPoolARN}) {
			t.Fatalf("ProviderARNs %v, %v", arns, err)
		}
	})
	t.Run("a JWT route cannot use a Cognito authorizer, nor a Cognito route a JWT one", func(t *testing.T) {
		_, err := f.svc.CreateRoute(f.ctx, &v2.CreateRouteInput{ApiId: &rid, RouteKey: awsapi.String("GET /jwt"), AuthorizationType: awsapi.String(gateway.AuthJWT), AuthorizerId: &zid})
		wantErr(t, err, "BadRequestException", "is not a JWT authorizer")
		jwt := f.authorizer(rid)
		_, err = f.svc.CreateRouteInternal(f.ctx, &v2.CreateRouteInput{ApiId: &rid, RouteKey: awsapi.String("GET /c"), AuthorizationType: awsapi.String(gateway.AuthCognito), AuthorizerId: &jwt})
		wantErr(t, err, "BadRequestException", "is not a COGNITO_USER_POOLS authorizer")
	})
	t.Run("UpdateRoute keeps a Cognito route but makes no other route one", func(t *testing.T) {
		if _, err := f.svc.UpdateRoute(f.ctx, &v2.UpdateRouteInput{ApiId: &rid, RouteId: rt.RouteId, RouteKey: awsapi.String("GET /pets/{id}")}); err != nil {
			t.Fatal(err)
		}
		other := f.route(rid, "GET /open", gateway.AuthNone, "", rinteg)
		_, err := f.svc.UpdateRoute(f.ctx, &v2.UpdateRouteInput{ApiId: &rid, RouteId: &other, AuthorizationType: awsapi.String(gateway.AuthCognito), AuthorizerId: &zid})
		wantErr(t, err, "BadRequestException", "Invalid authorization type COGNITO_USER_POOLS")
	})
	t.Run("UpdateAuthorizer cannot keep a Cognito authorizer, and a used one cannot be deleted", func(t *testing.T) {
		_, err := f.svc.UpdateAuthorizer(f.ctx, &v2.UpdateAuthorizerInput{ApiId: &rid, AuthorizerId: &zid, Name: awsapi.String("x")})
		wantErr(t, err, "BadRequestException", "Invalid authorizer type COGNITO_USER_POOLS")
		_, err = f.svc.DeleteAuthorizer(f.ctx, &v2.DeleteAuthorizerInput{ApiId: &rid, AuthorizerId: &zid})
		wantErr(t, err, "ConflictException", "uses it")
	})
	t.Run("a deleted Cognito authorizer leaves no user pools behind", func(t *testing.T) {
		if _, err := f.svc.DeleteRoute(f.ctx, &v2.DeleteRouteInput{ApiId: &rid, RouteId: rt.RouteId}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DeleteAuthorizer(f.ctx, &v2.DeleteAuthorizerInput{ApiId: &rid, AuthorizerId: &zid}); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.load(f.ctx, &rid)
		if err != nil || len(r.ProviderARNs) != 0 {
			t.Fatalf("ProviderARNs %v, %v", r.ProviderARNs, err)
		}
	})
}
