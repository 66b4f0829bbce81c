package apigw

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

const (
	testAccount = "000000000000"
	testBase    = "http://127.0.0.1:9229"
	testIssuer  = "http://127.0.0.1:9229/us-east-1_AAAAAAAAA"
	testBackend = "http://127.0.0.1:8080/{proxy}"
)

type fixture struct {
	t   testing.TB
	ctx context.Context
	svc *Service
	now time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, ctx: ctx, now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.svc = New(st, "us-east-1", testAccount, testBase+"/")
	f.svc.Now = func() time.Time { return f.now }
	return f
}

func (f *fixture) api(name string) string {
	f.t.Helper()
	out, err := f.svc.CreateApi(f.ctx, &v2.CreateApiInput{Name: &name, ProtocolType: awsapi.String("HTTP")})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.ApiId
}

func (f *fixture) integration(apiID, uri string) string {
	f.t.Helper()
	out, err := f.svc.CreateIntegration(f.ctx, &v2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: awsapi.String("HTTP_PROXY"),
		IntegrationMethod: awsapi.String("ANY"), IntegrationUri: &uri, PayloadFormatVersion: awsapi.String("1.0")})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.IntegrationId
}

func (f *fixture) authorizer(apiID string) string {
	f.t.Helper()
	out, err := f.svc.CreateAuthorizer(f.ctx, &v2.CreateAuthorizerInput{ApiId: &apiID, AuthorizerType: awsapi.String("JWT"), Name: awsapi.String("cognito"),
		IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &v2.JWTConfiguration{Audience: []string{"client"}, Issuer: awsapi.String(testIssuer)}})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.AuthorizerId
}

func (f *fixture) route(apiID, key, authType, authID, integID string) string {
	f.t.Helper()
	in := &v2.CreateRouteInput{ApiId: &apiID, RouteKey: &key, AuthorizationType: &authType, Target: awsapi.String("integrations/" + integID)}
	if authID != "" {
		in.AuthorizerId = &authID
	}
	out, err := f.svc.CreateRoute(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.RouteId
}

// wantErr requires an AWS error of code whose message contains msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
	if ae.Code != code || !strings.Contains(ae.Message, msg) {
		t.Fatalf("error %s: %s, want %s containing %q", ae.Code, ae.Message, code, msg)
	}
}
