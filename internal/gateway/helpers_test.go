package gateway

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testKey is shared: RSA key generation is slow.
var (
	testKeyOnce sync.Once
	testKeys    [2]*rsa.PrivateKey
)

func keys(t testing.TB) [2]*rsa.PrivateKey {
	testKeyOnce.Do(func() {
		for i := range testKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[i] = k
		}
	})
	return testKeys
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func signRS256(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": kid})
	p, _ := json.Marshal(claims)
	signed := b64(h) + "." + b64(p)
	d := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + b64(sig)
}

func signWith(alg string, secret []byte, kid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid})
	p, _ := json.Marshal(claims)
	signed := b64(h) + "." + b64(p)
	switch alg {
	case "none":
		return signed + "."
	case "HS256":
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(signed))
		return signed + "." + b64(m.Sum(nil))
	}
	panic(alg)
}

func jwksOf(ks map[string]*rsa.PublicKey) []byte {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	for kid, k := range ks {
		doc.Keys = append(doc.Keys, jwk{Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
			N: b64(k.N.Bytes()), E: b64(big.NewInt(int64(k.E)).Bytes())})
	}
	b, _ := json.Marshal(doc)
	return b
}

// issuer is a remote OIDC issuer served by httptest.
type issuer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetches int
}

func newIssuer(t testing.TB, ks map[string]*rsa.PublicKey) *issuer {
	is := &issuer{keys: ks}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
		case "/keys":
			is.fetches++
			_, _ = w.Write(jwksOf(is.keys))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) setKeys(ks map[string]*rsa.PublicKey) {
	is.mu.Lock()
	is.keys = ks
	is.mu.Unlock()
}

func (is *issuer) fetchCount() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.fetches
}

// fakeLocal is a LocalKeys over in-memory keys, one scope per pool.
type fakeLocal struct {
	mu       sync.Mutex
	issuers  map[string]string // iss -> scope
	keys     map[string]map[string]*rsa.PublicKey
	jwks     map[string][]byte
	verifies int
}

func (f *fakeLocal) IssuerScope(iss string) (string, bool) {
	s, ok := f.issuers[iss]
	return s, ok
}

func (f *fakeLocal) Verify(ctx context.Context, scope, token string, now time.Time) (map[string]any, error) {
	f.mu.Lock()
	f.verifies++
	ks := f.keys[scope]
	f.mu.Unlock()
	h, err := parseHeader(token)
	if err != nil {
		return nil, err
	}
	if h.Alg != "RS256" {
		return nil, errAlgorithm
	}
	k := ks[h.Kid]
	if k == nil {
		return nil, errUnknownKid
	}
	return verifyRSA(token, k)
}

func (f *fakeLocal) JWKS(ctx context.Context, scope string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jwks[scope] == nil {
		f.jwks[scope] = jwksOf(f.keys[scope])
	}
	return f.jwks[scope], nil
}

func (f *fakeLocal) setKeys(scope string, ks map[string]*rsa.PublicKey) {
	f.mu.Lock()
	f.keys[scope] = ks
	delete(f.jwks, scope)
	f.mu.Unlock()
}

// staticAPIs serves fixed APIs.
type staticAPIs map[string]*API

func (s staticAPIs) GetAPI(ctx context.Context, id string) (*API, error) {
	if a := s[id]; a != nil {
		return a, nil
	}
	return nil, ErrAPINotFound
}

// echo is a backend that reports what it received.
func echoBackend(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "https://backend.example")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "rawPath": r.URL.EscapedPath(), "query": r.URL.RawQuery,
			"sub": r.Header.Get("X-User-Sub"), "headers": r.Header, "host": r.Host,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return m
}
