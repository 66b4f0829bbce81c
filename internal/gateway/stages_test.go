package gateway

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

// staticDomains serves fixed custom domain names.
type staticDomains map[string]*Domain

func (s staticDomains) LookupDomain(_ context.Context, host string) (*Domain, bool) {
	d, ok := s[host]
	return d, ok
}

func (e *env) doStage(stage, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "http://127.0.0.1:9229/_aws/execute-api/api1/"+stage+path, nil)
	rec := httptest.NewRecorder()
	e.g.ServeHTTP(rec, r)
	return rec
}

func TestStagesServeTheirOwnDeployment(t *testing.T) {
	e := newEnv(t)
	e.api.Stages["old"] = Stage{Name: "old", Deployment: &Definition{
		Routes:       []Route{{RouteKey: "GET /v1", Target: "integrations/plain"}},
		Integrations: map[string]Integration{"plain": {Type: "HTTP_PROXY", URI: e.backend.URL + "/snapshot"}},
	}}
	e.api.Version++
	t.Run("a stage with a deployment serves its snapshot", func(t *testing.T) {
		rec := e.doStage("old", "/v1")
		if rec.Code != 200 || decode(t, rec)["path"] != "/snapshot" {
			t.Fatalf("old /v1: %d %s", rec.Code, rec.Body)
		}
		wantJSON(t, e.doStage("old", "/open"), 404, `{"message":"Not Found"}`)
	})
	t.Run("the other stages serve the API's current routes", func(t *testing.T) {
		if rec := e.doStage("prod", "/open"); rec.Code != 200 {
			t.Fatalf("prod /open: %d %s", rec.Code, rec.Body)
		}
		if rec := e.doStage("prod", "/v1"); rec.Code != 200 || decode(t, rec)["path"] != "/v1" { // $default route
			t.Fatalf("prod /v1: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a snapshot's authorizers are its own", func(t *testing.T) {
		e.api.Stages["bad"] = Stage{Name: "bad", Deployment: &Definition{
			Routes:      []Route{{RouteKey: "GET /x", AuthorizationType: AuthJWT, AuthorizerID: "remote"}},
			Authorizers: map[string]Authorizer{},
		}}
		defer delete(e.api.Stages, "bad")
		if err := Compile(e.api); err == nil {
			t.Fatal("a snapshot route naming an authorizer the snapshot lacks compiled")
		}
	})
}

func TestRouteSettingsArePerStage(t *testing.T) {
	e := newEnv(t)
	e.api.Stages["prod"] = Stage{Name: "prod", Variables: e.api.Stages["prod"].Variables,
		RouteSettings: map[string]Throttle{"GET /open": {BurstLimit: 1, RateLimit: 1}}}
	e.api.Stages["dev"] = Stage{Name: "dev", Variables: e.api.Stages["prod"].Variables, DefaultRouteSettings: &Throttle{BurstLimit: 1, RateLimit: 1},
		RouteSettings: map[string]Throttle{"GET /limited": {BurstLimit: 5, RateLimit: 100}}}
	e.api.Version++
	codes := func(stage, path string, n int) []int {
		var c []int
		for range n {
			c = append(c, e.doStage(stage, path).Code)
		}
		return c
	}
	t.Run("a route setting throttles the route on its stage only", func(t *testing.T) {
		if c := codes("prod", "/open", 2); c[0] != 200 || c[1] != 429 {
			t.Fatalf("prod /open: %v", c)
		}
		wantJSON(t, e.doStage("prod", "/open"), 429, `{"message":"Too Many Requests"}`)
		if c := codes("dev", "/open", 1); c[0] != 200 {
			t.Fatalf("dev /open: %v", c)
		}
	})
	t.Run("the stage's default route settings throttle the other routes", func(t *testing.T) {
		if c := codes("dev", "/pets/1", 2); c[1] != 429 {
			t.Fatalf("dev /pets/1: %v", c)
		}
	})
	t.Run("a stage's route setting replaces the route's own throttle", func(t *testing.T) {
		if c := codes("dev", "/limited", 5); c[4] != 200 {
			t.Fatalf("dev /limited: %v", c)
		}
	})
	t.Run("buckets refill with time", func(t *testing.T) {
		e.advance(time.Second)
		if c := codes("prod", "/open", 1); c[0] != 200 {
			t.Fatalf("prod /open after a second: %v", c)
		}
	})
}

func TestDomainMappingMatch(t *testing.T) {
	d := &Domain{Name: "api.example.com", Mappings: []APIMapping{
		{Key: "", APIID: "a1", Stage: "s"},
		{Key: "orders", APIID: "a2", Stage: "s"},
		{Key: "orders/v1/items", APIID: "a3", Stage: "s"},
		{Key: "orders/v2/items", APIID: "a4", Stage: "s"},
		{Key: "orders/v2/items/categories", APIID: "a5", Stage: "s"},
	}}
	for _, c := range []struct{ path, api, rest string }{
		{"/orders", "a2", "/"},
		{"/orders/", "a2", "/"},
		{"/orders/v1/items", "a3", "/"},
		{"/orders/v2/items", "a4", "/"},
		{"/orders/v2/items/categories/5", "a5", "/5"},
		{"/orders/v2/items/foobar", "a4", "/foobar"},
		{"/orders/v1/items/123/", "a3", "/123/"},
		{"/ordersx", "a1", "/ordersx"},
		{"/customers", "a1", "/customers"},
		{"/", "a1", "/"},
		{"/orders/v3/x", "a2", "/v3/x"},
		{"/orders%2Fv1", "a1", "/orders%2Fv1"},
	} {
		m, rest, ok := d.match(c.path)
		if !ok || m.APIID != c.api || rest != c.rest {
			t.Errorf("%s: %v %q %v, want %s %q", c.path, m.APIID, rest, ok, c.api, c.rest)
		}
	}
	noRoot := &Domain{Mappings: []APIMapping{{Key: "orders", APIID: "a2"}}}
	if _, _, ok := noRoot.match("/customers"); ok {
		t.Error("a path under no mapping matched")
	}
}

func TestCustomDomainNames(t *testing.T) {
	e := newEnv(t)
	e.g.Domains = staticDomains{"api.example.com": {Name: "api.example.com", Mappings: []APIMapping{
		{Key: "pets", APIID: "api1", Stage: "prod"},
		{Key: "v2/pets", APIID: "api1", Stage: DefaultStage},
		{Key: "gone", APIID: "api1", Stage: "nope"},
	}}}
	do := func(url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.g.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec
	}
	t.Run("the Host of a domain name is the gateway's, whatever the port", func(t *testing.T) {
		for _, u := range []string{"http://api.example.com/x", "http://API.example.com:9229/", "http://api.example.com./"} {
			if !e.g.Handles(httptest.NewRequest("GET", u, nil)) {
				t.Errorf("%s not taken for the gateway", u)
			}
		}
		if e.g.Handles(httptest.NewRequest("GET", "http://127.0.0.1:9229/", nil)) {
			t.Error("a plain request taken for the gateway")
		}
	})
	t.Run("the mapping key is stripped before route matching", func(t *testing.T) {
		rec := do("http://api.example.com:9229/pets/pets/7?x=1")
		if m := decode(t, rec); rec.Code != 200 || m["path"] != "/animals/7" || m["query"] != "from=7&x=1" {
			t.Fatalf("got %d %v", rec.Code, m)
		}
		rec = do("http://api.example.com/v2/pets/open")
		if rec.Code != 200 || decode(t, rec)["path"] != "/" {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("the stage comes from the mapping, not the path", func(t *testing.T) {
		rec := do("http://api.example.com/pets/prod/open")
		if rec.Code != 200 || decode(t, rec)["path"] != "/prod/open" { // the $default route
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a path no mapping covers is 403 Missing Authentication Token", func(t *testing.T) {
		rec := do("http://api.example.com/other")
		wantJSON(t, rec, 403, `{"message":"Missing Authentication Token"}`)
	})
	t.Run("a mapping to a stage that is not deployed is 404", func(t *testing.T) {
		wantJSON(t, do("http://api.example.com/gone/open"), 404, `{"message":"Not Found"}`)
	})
	t.Run("with the default endpoint disabled, only the domain name serves the API", func(t *testing.T) {
		e.api.DisableExecuteAPIEndpoint = true
		defer func() { e.api.DisableExecuteAPIEndpoint = false }()
		wantJSON(t, e.doStage("prod", "/open"), 403, `{"message":"Forbidden"}`)
		wantJSON(t, do("http://api1.execute-api.localhost/prod/open"), 403, `{"message":"Forbidden"}`)
		if rec := do("http://api.example.com/pets/open"); rec.Code != 200 {
			t.Fatalf("through the domain name: %d %s", rec.Code, rec.Body)
		}
	})
}
