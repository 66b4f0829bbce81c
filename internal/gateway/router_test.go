package gateway

import (
	"testing"
)

func TestRouteSelection(t *testing.T) {
	keys := []string{
		"GET /pets", "ANY /pets", "GET /pets/{id}", "GET /pets/dog", "ANY /pets/{proxy+}",
		"GET /pets/{type}/{id}", "GET /pets/dog/{id}", "POST /{proxy+}", "GET /", "$default",
	}
	rt, err := newRouter(keys, keys)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, want string
		params                   map[string]string
	}{
		{"an exact path and method wins", "GET", "/pets", "GET /pets", nil},
		{"ANY catches the other methods of a path", "DELETE", "/pets", "ANY /pets", nil},
		{"a trailing slash is ignored", "GET", "/pets/", "GET /pets", nil},
		{"a literal segment beats a parameter", "GET", "/pets/dog", "GET /pets/dog", nil},
		{"a parameter is extracted", "GET", "/pets/7", "GET /pets/{id}", map[string]string{"id": "7"}},
		{"a parameter keeps its escaping until used", "GET", "/pets/a%20b", "GET /pets/{id}", map[string]string{"id": "a%20b"}},
		{"the earlier literal segment decides", "GET", "/pets/dog/1", "GET /pets/dog/{id}", map[string]string{"id": "1"}},
		{"two parameters", "GET", "/pets/cat/1", "GET /pets/{type}/{id}", map[string]string{"type": "cat", "id": "1"}},
		{"greedy takes several segments", "GET", "/pets/cat/1/toys", "ANY /pets/{proxy+}", map[string]string{"proxy": "cat/1/toys"}},
		{"greedy serves methods without a route", "PUT", "/pets/7", "ANY /pets/{proxy+}", map[string]string{"proxy": "7"}},
		{"a root greedy route matches by method", "POST", "/a/b", "POST /{proxy+}", map[string]string{"proxy": "a/b"}},
		{"the root path", "GET", "/", "GET /", nil},
		{"$default catches the rest", "GET", "/nothing/here", "$default", nil},
		{"greedy needs at least one segment", "POST", "/", "$default", nil},
		{"an encoded literal matches decoded", "GET", "/p%65ts", "GET /pets", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, params := rt.lookup(tt.method, tt.path)
			if e == nil {
				t.Fatalf("no route, want %q", tt.want)
			}
			if e.value != tt.want {
				t.Fatalf("route %q, want %q", e.value, tt.want)
			}
			for k, v := range tt.params {
				if params[k] != v {
					t.Errorf("param %s = %q, want %q", k, params[k], v)
				}
			}
		})
	}
}

func TestRouteKeysRefused(t *testing.T) {
	for _, k := range []string{"", "GET", "GET pets", "get /pets", "GET /{proxy+}/x", "GET /a//b", "GET /{}", "GET /a{b}", "GET /{+}"} {
		if _, err := parseRouteKey(k); err == nil {
			t.Errorf("route key %q accepted", k)
		}
	}
	if _, err := newRouter([]string{"GET /{a}", "GET /{b}"}, []int{1, 2}); err == nil {
		t.Error("two routes differing only by parameter name accepted")
	}
}

func TestNoDefaultRouteMeansNoMatch(t *testing.T) {
	rt, err := newRouter([]string{"GET /a"}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := rt.lookup("GET", "/b"); e != nil {
		t.Fatalf("matched %v", e.value)
	}
}

func FuzzRouteMatch(f *testing.F) {
	f.Add("GET /pets/{id}", "GET", "/pets/1")
	f.Add("ANY /{proxy+}", "POST", "/a/b/c")
	f.Add("$default", "GET", "/%zz")
	f.Fuzz(func(t *testing.T, key, method, path string) {
		rt, err := newRouter([]string{key}, []string{key})
		if err != nil {
			return
		}
		e, params := rt.lookup(method, path)
		if e != nil && e.value != key {
			t.Fatalf("matched %q", e.value)
		}
		_ = params
	})
}

func FuzzJWTHeader(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		h, err := parseHeader(token)
		if err == nil && (h.Kid == "" || rsaHashes[h.Alg] == 0) {
			t.Fatalf("accepted header %+v", h)
		}
		_, _ = unverifiedIssuer(token)
		k := keys(t)[0]
		if _, err := verifyRSA(token, &k.PublicKey); err == nil {
			t.Fatal("a fuzzed token verified")
		}
	})
}
