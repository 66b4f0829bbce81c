package gateway

import (
	"bufio"
	"context"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

const localIss = "http://127.0.0.1:9229/us-east-1_local"

type env struct {
	g       *Gateway
	api     *API
	backend *httptest.Server
	remote  *issuer
	local   *fakeLocal
	now     time.Time
	mu      sync.Mutex
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newEnv(t testing.TB) *env {
	ks := keys(t)
	e := &env{now: time.Now()}
	e.backend = echoBackend(t)
	e.remote = newIssuer(t, map[string]*rsa.PublicKey{"r1": &ks[0].PublicKey})
	e.local = &fakeLocal{
		issuers: map[string]string{localIss: "us-east-1_local"},
		keys:    map[string]map[string]*rsa.PublicKey{"us-east-1_local": {"l1": &ks[1].PublicKey}},
		jwks:    map[string][]byte{},
	}
	sub := map[string]string{"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}
	e.api = &API{
		ID: "api1", ProtocolType: ProtocolHTTP, Version: 1,
		Routes: []Route{
			{RouteKey: "GET /open", Target: "integrations/plain"},
			{RouteKey: "GET /jwt", AuthorizationType: AuthJWT, AuthorizerID: "remote", Target: "integrations/sub"},
			{RouteKey: "GET /jwt-scoped", AuthorizationType: AuthJWT, AuthorizerID: "remote", AuthorizationScopes: []string{"read", "admin"}, Target: "integrations/sub"},
			{RouteKey: "GET /local", AuthorizationType: AuthJWT, AuthorizerID: "local", Target: "integrations/sub"},
			{RouteKey: "GET /cognito", AuthorizationType: AuthCognito, AuthorizerID: "pool", Target: "integrations/sub"},
			{RouteKey: "GET /cognito-scoped", AuthorizationType: AuthCognito, AuthorizerID: "pool", AuthorizationScopes: []string{"read"}, Target: "integrations/sub"},
			{RouteKey: "ANY /iam/{proxy+}", AuthorizationType: AuthIAM, Target: "integrations/iam"},
			{RouteKey: "GET /pets/{id}", Target: "integrations/pets"},
			{RouteKey: "GET /limited", Target: "integrations/plain", Throttle: &Throttle{BurstLimit: 2, RateLimit: 1}},
			{RouteKey: "$default", Target: "integrations/plain"},
		},
		Integrations: map[string]Integration{
			"plain": {Type: "HTTP_PROXY", URI: e.backend.URL},
			"sub":   {Type: "HTTP_PROXY", URI: e.backend.URL + "/who", RequestParameters: sub},
			"iam": {Type: "HTTP_PROXY", URI: e.backend.URL + "/iam/{proxy}", RequestParameters: map[string]string{
				"overwrite:header.x-user-arn": "$context.identity.userArn",
				"overwrite:header.x-identity": "$context.identity.cognitoIdentityId",
			}},
			"pets": {Type: "HTTP_PROXY", URI: "${stageVariables.backend}/animals/{id}", RequestParameters: map[string]string{
				"append:querystring.from":  "$request.path.id",
				"overwrite:header.x-route": "$context.routeKey $context.stage",
				"remove:header.x-secret":   "",
			}},
		},
		Authorizers: map[string]Authorizer{
			"remote": {Type: AuthJWT, Issuer: e.remote.srv.URL, Audience: []string{"client1"}, IdentitySource: []string{"$request.header.Authorization"}},
			"local":  {Type: AuthJWT, Issuer: localIss, Audience: []string{"appclient"}},
			"pool":   {Type: AuthCognito, ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_local"}},
		},
		Stages: map[string]Stage{
			"prod":       {Variables: map[string]string{"backend": e.backend.URL}},
			DefaultStage: {Variables: map[string]string{"backend": e.backend.URL}},
		},
	}
	e.g = &Gateway{APIs: staticAPIs{"api1": e.api}, Local: e.local, Now: e.clock, Region: "us-east-1", Account: "000000000000"}
	return e
}

func (e *env) do(method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1:9229/_aws/execute-api/api1/prod"+path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.g.ServeHTTP(rec, r)
	return rec
}

func (e *env) claims(extra map[string]any) map[string]any {
	c := map[string]any{"sub": "user-1", "iss": e.remote.srv.URL, "aud": "client1", "token_use": "id",
		"exp": float64(e.clock().Add(time.Hour).Unix()), "iat": float64(e.clock().Unix())}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func wantJSON(t *testing.T, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status || strings.TrimSpace(rec.Body.String()) != body {
		t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body.String(), status, body)
	}
}

func TestPathAndHostAddressing(t *testing.T) {
	e := newEnv(t)
	rec := e.do("GET", "/open", nil)
	if rec.Code != 200 || decode(t, rec)["path"] != "/" {
		t.Fatalf("path form: %d %s", rec.Code, rec.Body)
	}
	r := httptest.NewRequest("GET", "http://api1.execute-api.localhost:9229/prod/pets/7?x=1", nil)
	if !IsGatewayRequest(r) {
		t.Fatal("host form not recognized")
	}
	rec = httptest.NewRecorder()
	e.g.ServeHTTP(rec, r)
	m := decode(t, rec)
	if m["path"] != "/animals/7" || m["query"] != "from=7&x=1" {
		t.Fatalf("host form: %v", m)
	}
	if IsGatewayRequest(httptest.NewRequest("GET", "http://localhost:9229/", nil)) {
		t.Fatal("plain request taken for the gateway")
	}
	wantJSON(t, e.do("GET", "/nothing", nil), 200, strings.TrimSpace(e.do("GET", "/nothing", nil).Body.String()))
	r = httptest.NewRequest("GET", "http://127.0.0.1/_aws/execute-api/nope/prod/x", nil)
	rec = httptest.NewRecorder()
	e.g.ServeHTTP(rec, r)
	wantJSON(t, rec, 404, `{"message":"Not Found"}`)
}

func TestUnknownRouteIsNotFound(t *testing.T) {
	e := newEnv(t)
	e.api.Routes = e.api.Routes[:len(e.api.Routes)-1] // no $default
	e.api.Version++
	wantJSON(t, e.do("GET", "/nothing", nil), 404, `{"message":"Not Found"}`)
	e.api.ProtocolType = ProtocolREST
	e.api.Version++
	wantJSON(t, e.do("GET", "/nothing", nil), 403, `{"message":"Missing Authentication Token"}`)
}

func TestJWTAuthorizer(t *testing.T) {
	e := newEnv(t)
	ks := keys(t)
	foreign := newIssuer(t, map[string]*rsa.PublicKey{"r1": &ks[1].PublicKey})
	good := signRS256(t, ks[0], "r1", e.claims(nil))
	tampered := good[:strings.LastIndexByte(good, '.')-4] + "AAAA" + good[strings.LastIndexByte(good, '.'):]
	pub := jwksOf(map[string]*rsa.PublicKey{"r1": &ks[0].PublicKey})
	tests := []struct {
		name, path, auth string
		status           int
		body             string
	}{
		{"a valid ID token reaches the backend", "/jwt", "Bearer " + good, 200, ""},
		{"the Bearer prefix is optional", "/jwt", good, 200, ""},
		{"no token is unauthorized", "/jwt", "", 401, `{"message":"Unauthorized"}`},
		{"an expired token is unauthorized", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"exp": float64(e.now.Add(-time.Second).Unix())})), 401, `{"message":"Unauthorized"}`},
		{"a tampered token is unauthorized", "/jwt", tampered, 401, `{"message":"Unauthorized"}`},
		{"a token of another issuer is unauthorized", "/jwt", signRS256(t, ks[1], "r1", e.claims(map[string]any{"iss": foreign.srv.URL})), 401, `{"message":"Unauthorized"}`},
		{"a token signed by another key is unauthorized", "/jwt", signRS256(t, ks[1], "r1", e.claims(nil)), 401, `{"message":"Unauthorized"}`},
		{"a wrong audience is unauthorized", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"aud": "other"})), 401, `{"message":"Unauthorized"}`},
		{"an access token matches on client_id", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"aud": nil, "client_id": "client1", "token_use": "access"})), 200, ""},
		{"aud wins over client_id", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"aud": "other", "client_id": "client1"})), 401, `{"message":"Unauthorized"}`},
		{"an audience list may name the client", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"aud": []any{"x", "client1"}})), 200, ""},
		{"a token without exp is unauthorized", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"exp": nil})), 401, `{"message":"Unauthorized"}`},
		{"a token not valid yet is unauthorized", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"nbf": float64(e.now.Add(time.Minute).Unix())})), 401, `{"message":"Unauthorized"}`},
		{"a token issued in the future is unauthorized", "/jwt", signRS256(t, ks[0], "r1", e.claims(map[string]any{"iat": float64(e.now.Add(time.Minute).Unix())})), 401, `{"message":"Unauthorized"}`},
		{"alg none is unauthorized", "/jwt", signWith("none", nil, "r1", e.claims(nil)), 401, `{"message":"Unauthorized"}`},
		{"HS256 keyed with the public key is unauthorized", "/jwt", signWith("HS256", pub, "r1", e.claims(nil)), 401, `{"message":"Unauthorized"}`},
		{"an unknown kid is unauthorized", "/jwt", signRS256(t, ks[0], "nope", e.claims(nil)), 401, `{"message":"Unauthorized"}`},
		{"garbage is unauthorized", "/jwt", "not.a.jwt", 401, `{"message":"Unauthorized"}`},
		{"a scope of the route is enough", "/jwt-scoped", signRS256(t, ks[0], "r1", e.claims(map[string]any{"scope": "write admin"})), 200, ""},
		{"scp lists count as scopes", "/jwt-scoped", signRS256(t, ks[0], "r1", e.claims(map[string]any{"scp": []any{"read"}})), 200, ""},
		{"insufficient scopes are forbidden", "/jwt-scoped", signRS256(t, ks[0], "r1", e.claims(map[string]any{"scope": "write"})), 403, `{"message":"Forbidden"}`},
		{"no scope at all is forbidden", "/jwt-scoped", good, 403, `{"message":"Forbidden"}`},
		{"a local pool's token is verified without HTTP", "/local", signRS256(t, ks[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"})), 200, ""},
		{"a local pool's token signed by a remote key is unauthorized", "/local", signRS256(t, ks[0], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"})), 401, `{"message":"Unauthorized"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			rec := e.do("GET", tt.path, h)
			if tt.status == 200 {
				if rec.Code != 200 || decode(t, rec)["sub"] != "user-1" {
					t.Fatalf("got %d %s", rec.Code, rec.Body)
				}
				return
			}
			wantJSON(t, rec, tt.status, tt.body)
			if tt.status == 401 && rec.Header().Get("Www-Authenticate") == "" {
				t.Error("no www-authenticate header")
			}
		})
	}
	if n := e.remote.fetchCount(); n > 2 {
		t.Errorf("JWKS fetched %d times; an unknown kid refreshes at most once a minute", n)
	}
}

func TestCognitoAuthorizer(t *testing.T) {
	e := newEnv(t)
	ks := keys(t)
	id := signRS256(t, ks[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"}))
	access := signRS256(t, ks[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": nil, "client_id": "appclient", "token_use": "access", "scope": "read"}))
	tests := []struct {
		name, path, auth string
		status           int
	}{
		{"a raw ID token is accepted", "/cognito", id, 200},
		{"a Bearer prefix is not (REST semantics)", "/cognito", "Bearer " + id, 401},
		{"no token is unauthorized", "/cognito", "", 401},
		{"a token of a pool not in the authorizer is unauthorized", "/cognito", signRS256(t, ks[0], "r1", e.claims(nil)), 401},
		{"with scopes an access token with one is accepted", "/cognito-scoped", access, 200},
		{"with scopes an ID token is unauthorized", "/cognito-scoped", id, 401},
		{"with scopes an access token without one is unauthorized", "/cognito-scoped", signRS256(t, ks[1], "l1", e.claims(map[string]any{"iss": localIss, "token_use": "access", "scope": "write"})), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			rec := e.do("GET", tt.path, h)
			if rec.Code != tt.status {
				t.Fatalf("got %d %s", rec.Code, rec.Body)
			}
			if tt.status == 401 {
				wantJSON(t, rec, 401, `{"message":"Unauthorized"}`)
			}
		})
	}
}

func TestTokenCache(t *testing.T) {
	t.Run("a cached token is not verified again", func(t *testing.T) {
		e := newEnv(t)
		tok := signRS256(t, keys(t)[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"}))
		for range 5 {
			if rec := e.do("GET", "/local", map[string]string{"Authorization": tok}); rec.Code != 200 {
				t.Fatalf("got %d", rec.Code)
			}
		}
		if e.local.verifies != 1 {
			t.Fatalf("%d verifications", e.local.verifies)
		}
	})
	t.Run("a cached token is refused at its expiry", func(t *testing.T) {
		e := newEnv(t)
		tok := signRS256(t, keys(t)[0], "r1", e.claims(map[string]any{"exp": float64(e.now.Add(10 * time.Second).Unix())}))
		if rec := e.do("GET", "/jwt", map[string]string{"Authorization": tok}); rec.Code != 200 {
			t.Fatalf("got %d", rec.Code)
		}
		e.advance(10 * time.Second)
		wantJSON(t, e.do("GET", "/jwt", map[string]string{"Authorization": tok}), 401, `{"message":"Unauthorized"}`)
		if e.g.cache.len() != 0 {
			t.Fatal("expired entry kept")
		}
	})
	t.Run("a local key leaving the JWKS revokes cached tokens", func(t *testing.T) {
		e := newEnv(t)
		tok := signRS256(t, keys(t)[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"}))
		if rec := e.do("GET", "/local", map[string]string{"Authorization": tok}); rec.Code != 200 {
			t.Fatalf("got %d", rec.Code)
		}
		e.local.setKeys("us-east-1_local", map[string]*rsa.PublicKey{"l2": &keys(t)[0].PublicKey})
		wantJSON(t, e.do("GET", "/local", map[string]string{"Authorization": tok}), 401, `{"message":"Unauthorized"}`)
	})
	t.Run("a remote key leaving the JWKS revokes cached tokens once fetched again", func(t *testing.T) {
		e := newEnv(t)
		tok := signRS256(t, keys(t)[0], "r1", e.claims(nil))
		if rec := e.do("GET", "/jwt", map[string]string{"Authorization": tok}); rec.Code != 200 {
			t.Fatalf("got %d", rec.Code)
		}
		e.remote.setKeys(map[string]*rsa.PublicKey{"r2": &keys(t)[1].PublicKey})
		// A token naming the new kid makes the gateway fetch the JWKS again.
		e.advance(2 * time.Minute)
		tok2 := signRS256(t, keys(t)[1], "r2", e.claims(map[string]any{"sub": "user-1"}))
		if rec := e.do("GET", "/jwt", map[string]string{"Authorization": tok2}); rec.Code != 200 {
			t.Fatalf("new key: got %d %s", rec.Code, rec.Body)
		}
		wantJSON(t, e.do("GET", "/jwt", map[string]string{"Authorization": tok}), 401, `{"message":"Unauthorized"}`)
	})
	t.Run("the cache is bounded", func(t *testing.T) {
		c := newTokenCache(32)
		now := time.Now()
		for i := range 1000 {
			c.put(tokenHash(string(rune(i))), &verified{exp: now.Add(time.Hour)}, now)
		}
		if n := c.len(); n > 32+cacheShards {
			t.Fatalf("%d entries", n)
		}
	})
}

// fakeSigV4 accepts "AWS4-HMAC-SHA256 good-<key>" and refuses the others as
// the real verifier would.
type fakeSigV4 struct {
	principals map[string]*principal.Principal
}

func (f fakeSigV4) VerifyService(ctx context.Context, r *http.Request, body []byte, service string) (*sigv4.Result, error) {
	a := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(a, "good-"):
		if string(body) != "" && string(body) != "payload" {
			return nil, &sigv4.Error{Kind: sigv4.KindBadSignature, Err: awserr.New(sigv4.CodeInvalidSignature, "body mismatch")}
		}
		return &sigv4.Result{Credential: sigv4.Credential{Principal: f.principals[a[5:]]}}, nil
	case a == "expired":
		return nil, &sigv4.Error{Kind: sigv4.KindExpiredCredential, Err: awserr.New(sigv4.CodeExpiredToken, "x")}
	}
	return nil, &sigv4.Error{Kind: sigv4.KindBadSignature, Err: awserr.New(sigv4.CodeInvalidSignature,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")}
}

type fakePolicies map[string][]*policy.Document

func (f fakePolicies) For(ctx context.Context, p *principal.Principal) ([]*policy.Document, *policy.Document, error) {
	return f[p.ARN], nil, nil
}

func TestIAMAuthorization(t *testing.T) {
	e := newEnv(t)
	allow, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:api1/prod/*/iam/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	role := &principal.Principal{Kind: principal.AssumedRole, Account: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/Auth/s1",
		Context: map[string][]string{"cognito-identity.amazonaws.com:sub": {"us-east-1:abc"}}}
	other := &principal.Principal{Kind: principal.AssumedRole, Account: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/Unauth/s2"}
	e.g.SigV4 = fakeSigV4{principals: map[string]*principal.Principal{"role": role, "other": other}}
	e.g.Policies = fakePolicies{role.ARN: {allow}}
	tests := []struct {
		name, auth string
		status     int
		body       string
	}{
		{"an allowed role reaches the backend", "good-role", 200, ""},
		{"an unsigned request is refused", "", 403, `{"message":"Missing Authentication Token"}`},
		{"a bad signature is refused", "bad", 403, `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`},
		{"expired credentials are refused", "expired", 403, `{"message":"The security token included in the request is expired"}`},
		{"a role without permission is refused", "good-other", 403, `{"message":"User: arn:aws:sts::000000000000:assumed-role/Unauth/s2 is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:api1/prod/POST/iam/things/1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://127.0.0.1/_aws/execute-api/api1/prod/iam/things/1", strings.NewReader("payload"))
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			e.g.ServeHTTP(rec, r)
			if tt.status != 200 {
				wantJSON(t, rec, tt.status, tt.body)
				return
			}
			m := decode(t, rec)
			h := m["headers"].(map[string]any)
			if rec.Code != 200 || m["path"] != "/iam/things/1" || h["X-User-Arn"].([]any)[0] != role.ARN || h["X-Identity"].([]any)[0] != "us-east-1:abc" {
				t.Fatalf("got %d %v", rec.Code, m)
			}
		})
	}
}

func TestParameterMapping(t *testing.T) {
	e := newEnv(t)
	rec := e.do("GET", "/pets/a%2Fb?x=1", map[string]string{"X-Secret": "s", "Authorization": "kept"})
	m := decode(t, rec)
	h := m["headers"].(map[string]any)
	if m["rawPath"] != "/animals/a%2Fb" || m["query"] != "from=a%2Fb&x=1" && m["query"] != "x=1&from=a%2Fb" {
		t.Fatalf("path/query: %v %v", m["rawPath"], m["query"])
	}
	if h["X-Secret"] != nil || h["X-Route"].([]any)[0] != "GET /pets/{id} prod" || h["Authorization"].([]any)[0] != "kept" {
		t.Fatalf("headers: %v", h)
	}
	if h["X-Forwarded-For"] == nil {
		t.Fatal("no X-Forwarded-For")
	}
	if err := Compile(&API{ID: "x", Routes: []Route{{RouteKey: "GET /", Target: "integrations/i"}}, Integrations: map[string]Integration{
		"i": {URI: "http://x", RequestParameters: map[string]string{"overwrite:header.host": "x"}}}}); err == nil {
		t.Fatal("a reserved header was mappable")
	}
}

func TestIntegrationFailures(t *testing.T) {
	e := newEnv(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /slow", Target: "integrations/slow"}, Route{RouteKey: "GET /dead", Target: "integrations/dead"})
	e.api.Integrations["slow"] = Integration{URI: slow.URL, TimeoutMillis: 100}
	e.api.Integrations["dead"] = Integration{URI: dead.URL}
	e.api.Version++
	t.Run("a slow backend is a 504", func(t *testing.T) {
		wantJSON(t, e.do("GET", "/slow", nil), 504, `{"message":"Endpoint request timed out"}`)
	})
	t.Run("an unreachable backend is a 502", func(t *testing.T) {
		wantJSON(t, e.do("GET", "/dead", nil), 502, `{"message":"Internal Server Error"}`)
	})
	t.Run("a changed API is recompiled", func(t *testing.T) {
		e.api.Integrations["dead"] = Integration{URI: e.backend.URL}
		e.api.Version++
		if rec := e.do("GET", "/dead", nil); rec.Code != 200 {
			t.Fatalf("got %d", rec.Code)
		}
	})
}

func TestCORS(t *testing.T) {
	e := newEnv(t)
	e.api.CorsConfiguration = &Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"x-total"}, MaxAge: 600}
	e.api.Version++
	t.Run("the gateway answers a preflight", func(t *testing.T) {
		rec := e.do("OPTIONS", "/jwt", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
		h := rec.Header()
		if rec.Code != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
			h.Get("Access-Control-Allow-Headers") != "authorization,content-type" || h.Get("Access-Control-Max-Age") != "600" {
			t.Fatalf("got %d %v", rec.Code, h)
		}
	})
	t.Run("a preflight from another origin gets no CORS headers", func(t *testing.T) {
		rec := e.do("OPTIONS", "/jwt", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
		if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", rec.Code, rec.Header())
		}
	})
	t.Run("responses carry the configured headers, not the backend's", func(t *testing.T) {
		rec := e.do("GET", "/open", map[string]string{"Origin": "https://app.example"})
		if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || rec.Header().Get("Access-Control-Expose-Headers") != "x-total" {
			t.Fatalf("got %v", rec.Header())
		}
	})
}

func TestThrottling(t *testing.T) {
	e := newEnv(t)
	codes := []int{}
	for range 4 {
		codes = append(codes, e.do("GET", "/limited", nil).Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("codes %v", codes)
	}
	wantJSON(t, e.do("GET", "/limited", nil), 429, `{"message":"Too Many Requests"}`)
	e.advance(time.Second)
	if c := e.do("GET", "/limited", nil).Code; c != 200 {
		t.Fatalf("after a second: %d", c)
	}
	if c := e.do("GET", "/open", nil).Code; c != 200 {
		t.Fatalf("another route throttled: %d", c)
	}
}

func TestStreaming(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	stream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "second\n")
	}))
	defer stream.Close()
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /stream", Target: "integrations/stream"})
	e.api.Integrations["stream"] = Integration{URI: stream.URL}
	e.api.Version++
	front := httptest.NewServer(e.g)
	defer front.Close()
	resp, err := http.Get(front.URL + "/_aws/execute-api/api1/prod/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	done := make(chan string)
	go func() { l, _ := br.ReadString('\n'); done <- l }()
	select {
	case l := <-done:
		if l != "first\n" {
			t.Fatalf("got %q", l)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the first chunk was not seen before the backend finished")
	}
	close(release)
	if l, _ := br.ReadString('\n'); l != "second\n" {
		t.Fatalf("got %q", l)
	}
}

type panicAPIs struct{}

func (panicAPIs) GetAPI(context.Context, string) (*API, error) { panic("boom") }

type errAPIs struct{}

func (errAPIs) GetAPI(context.Context, string) (*API, error) { return nil, errors.New("db down") }

func TestNeverPanics(t *testing.T) {
	for _, apis := range []APIs{panicAPIs{}, errAPIs{}} {
		g := &Gateway{APIs: apis}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest("GET", "http://x/_aws/execute-api/a/b/c", nil))
		wantJSON(t, rec, 500, `{"message":"Internal Server Error"}`)
	}
}
