package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleFile is the example of the schema in file.go, as a user keeps it
// (testdata/example.yaml, which the app's seeding tests read too).
var exampleFile = mustRead("testdata/example.yaml")

func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestParseFileExample(t *testing.T) {
	f, err := ParseFile([]byte(exampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if p := f.UserPools["main"]; p == nil || p.Name != "main" || p.Clients["web"].Name != "web" || len(p.Users) != 1 ||
		p.Users[0].Attributes["email_verified"] != "true" || *p.PasswordPolicy.MinimumLength != 8 {
		t.Errorf("userPools.main = %+v", p)
	}
	doc, err := PolicyJSON(f.Roles["app"].AssumeRolePolicy)
	if err != nil || !strings.Contains(doc, `"${identityPools.app.id}"`) || !strings.Contains(doc, `"Version":"2012-10-17"`) {
		t.Errorf("trust policy %s, %v", doc, err)
	}
	if r := f.APIs["hello"].Routes[0]; r.RequestParameters["overwrite:header.x-user-sub"] != "$context.authorizer.claims.sub" {
		t.Errorf("route %+v", r)
	}
	// An empty file is valid.
	if _, err := ParseFile(nil); err != nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninsho.yaml")
	if err := os.WriteFile(path, []byte(exampleFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path + ".missing"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string // substrings, all in the one error
	}{
		{"unknown top-level key", "userpools: {}\n", []string{"line 1", "field userpools not found"}},
		{"unknown nested key with line", "userPools:\n  main:\n    name: main\n    colour: blue\n", []string{"line 4", "field colour not found"}},
		{"bad type", "userPools:\n  main:\n    name: [a]\n", []string{"line 3"}},
		{"two documents", "userPools: {}\n---\nroles: {}\n", []string{"single YAML document"}},
		{"missing names", "userPools:\n  main:\n    clients: {web: {}}\nroles:\n  r: {assumeRolePolicy: {}}\nidentityPools:\n  i: {}\napis:\n  a: {}\n",
			[]string{"userPools.main.name: required", "userPools.main.clients.web.name: required", "roles.r.name: required",
				"identityPools.i.name: required", "apis.a.name: required"}},
		{"duplicate names", "userPools:\n  a: {name: x}\n  b: {name: x}\n", []string{`userPools.b: name "x" is also the name of userPools.a`}},
		{"role without trust policy", "roles:\n  r: {name: r}\n", []string{"roles.r.assumeRolePolicy: required"}},
		{"policy string not JSON", "roles:\n  r: {name: r, assumeRolePolicy: 'not json'}\n", []string{"must be a JSON document"}},
		{"unknown references", `
userPools:
  main: {name: main, users: [{username: u, attributes: {x: "${userPools.other.id}"}}]}
roles:
  r: {name: r, assumeRolePolicy: {A: "${identityPools.nope.id}", B: "${roles.r.colour}", C: "${userPools.main.clients.none.id}"}}
identityPools:
  i: {name: i, providers: [{userPool: main, client: web}, {userPool: gone, client: web}], roles: {authenticated: missing, admin: r}}
`, []string{`no user pool "other"`, `no identity pool "nope"`, `unknown reference ${roles.r.colour}`, `no client "none"`,
			`providers[0].client: no client "web"`, `providers[1].userPool: no user pool "gone"`,
			`roles.authenticated: no role "missing"`, "roles.admin: only authenticated and unauthenticated"}},
		{"bad routes", `
apis:
  a:
    name: a
    protocolType: HTTP
    authorizers: {z: {type: COGNITO_USER_POOLS, userPool: nope}}
    integrations: {b: {uri: "ftp://x"}}
    routes:
      - {key: "FETCH /x", integration: b}
      - {key: "GET x"}
      - {key: "GET /y", authorization: JWT}
      - {key: "GET /z", authorization: JWT, authorizer: other, integration: missing}
      - {key: "GET /z", authorization: COGNITO_USER_POOLS}
    stages: {"bad stage": {}}
`, []string{`routes[0].key: "FETCH /x" is not`, `routes[1].key: "GET x" is not`, "routes[2].authorizer: required with authorization JWT",
			`routes[3].authorizer: no authorizer "other"`, `routes[3].integration: no integration "missing"`,
			`routes[4].key: "GET /z" is also the key of routes[3]`, "routes[4].authorization: COGNITO_USER_POOLS is for REST APIs",
			"authorizers.z.type: COGNITO_USER_POOLS", `authorizers.z.userPool: no user pool "nope"`, "authorizers.z.audience",
			`integrations.b.uri: "ftp://x"`, "stages.bad stage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseFileRESTAPI(t *testing.T) {
	f, err := ParseFile([]byte(`
userPools:
  main: {name: main, clients: {web: {name: web}}}
apis:
  pets:
    name: pets
    protocolType: REST
    authorizers: {pool: {userPool: main}}
    integrations: {backend: {uri: "http://127.0.0.1:3000/{proxy}"}}
    routes:
      - {key: "GET /pets", authorization: COGNITO_USER_POOLS, authorizer: pool, integration: backend}
      - {key: "POST /pets", authorization: COGNITO_USER_POOLS, authorizer: pool, scopes: [pets/write], integration: backend}
      - {key: "GET /health", integration: backend}
  implicit:
    name: implicit
    authorizers: {pool: {type: COGNITO_USER_POOLS, userPool: main, identitySource: [method.request.header.X-Token]}}
    integrations: {backend: {uri: "http://127.0.0.1:3000/"}}
    routes: [{key: "GET /", authorization: COGNITO_USER_POOLS, authorizer: pool, integration: backend}]
  http:
    name: http
    authorizers: {jwt: {userPool: main, audience: [web]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	pets := f.APIs["pets"]
	if pets.Protocol() != ProtocolREST || pets.AuthorizerType(pets.Authorizers["pool"]) != AuthCognito ||
		pets.IdentitySource(pets.Authorizers["pool"])[0] != "method.request.header.Authorization" || pets.Routes[1].Scopes[0] != "pets/write" {
		t.Errorf("pets: %+v", pets)
	}
	imp := f.APIs["implicit"]
	if imp.Protocol() != ProtocolREST || imp.IdentitySource(imp.Authorizers["pool"])[0] != "method.request.header.X-Token" {
		t.Errorf("implicit: %+v", imp)
	}
	if h := f.APIs["http"]; h.Protocol() != ProtocolHTTP || h.AuthorizerType(h.Authorizers["jwt"]) != AuthorizerJWT ||
		h.IdentitySource(h.Authorizers["jwt"])[0] != "$request.header.Authorization" {
		t.Errorf("http: %+v", h)
	}
}

func TestParseFileRESTAPIErrors(t *testing.T) {
	_, err := ParseFile([]byte(`
userPools:
  main: {name: main, clients: {web: {name: web}}}
apis:
  rest:
    name: rest
    protocolType: REST
    authorizers:
      jwt: {type: JWT, userPool: main, audience: [web]}
      nopool: {}
      gone: {userPool: gone}
      extra: {userPool: main, issuer: "https://x", audience: [web], identitySource: [$request.querystring.t]}
      ok: {userPool: main}
    integrations: {b: {uri: "http://127.0.0.1:1/"}}
    routes:
      - {key: "GET /a", authorization: JWT, authorizer: jwt, integration: b}
      - {key: "GET /b", authorization: COGNITO_USER_POOLS, integration: b}
      - {key: "GET /c", authorization: COGNITO_USER_POOLS, authorizer: missing, integration: b}
      - {key: "GET /d", authorization: NONE, scopes: [x], integration: b}
  odd:
    name: odd
    protocolType: WEBSOCKET
  mixed:
    name: mixed
    authorizers: {jwt: {type: JWT, userPool: main, audience: [web]}, pool: {type: COGNITO_USER_POOLS, userPool: main}}
    routes:
      - {key: "GET /a", authorization: COGNITO_USER_POOLS, authorizer: jwt}
  http:
    name: http
    protocolType: HTTP
    authorizers: {jwt: {userPool: main, audience: [web]}}
    routes:
      - {key: "GET /a", authorization: COGNITO_USER_POOLS, authorizer: jwt}
`))
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		"apis.rest.authorizers.jwt.type: a REST API has COGNITO_USER_POOLS authorizers, not JWT",
		"apis.rest.authorizers.nopool.userPool: required",
		`apis.rest.authorizers.gone.userPool: no user pool "gone"`,
		"apis.rest.authorizers.extra.issuer: a COGNITO_USER_POOLS authorizer trusts its userPool",
		"apis.rest.authorizers.extra.audience: a COGNITO_USER_POOLS authorizer has no audience",
		"apis.rest.authorizers.extra.identitySource: one header",
		"apis.rest.routes[0].authorization: a REST API has no JWT routes",
		"apis.rest.routes[1].authorizer: required with authorization COGNITO_USER_POOLS",
		`apis.rest.routes[2].authorizer: no authorizer "missing"`,
		"apis.rest.routes[3].scopes: only JWT and COGNITO_USER_POOLS routes have scopes",
		`apis.odd.protocolType: "WEBSOCKET" is not HTTP or REST`,
		"apis.mixed.authorizers.jwt.type: a REST API has COGNITO_USER_POOLS authorizers, not JWT",
		`apis.mixed.routes[0].authorizer: "jwt" is a JWT authorizer, not COGNITO_USER_POOLS`,
		"apis.http.routes[0].authorization: COGNITO_USER_POOLS is for REST APIs",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
