package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

// The benchmarks drive the gateway over loopback TCP with a keep-alive
// client, against a backend that answers a fixed small body, so that what
// changes between runs is the gateway's share: net/http's server side, the
// route, the authorizer and the proxy. allocs/op counts the client too
// (the same for every route).

func trivialBackend(b *testing.B) *httptest.Server {
	body := []byte(`{"ok":true}`)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(backend.Close)
	return backend
}

// benchEnv is newEnv with every integration pointed at a trivial backend.
func benchEnv(b *testing.B) *env {
	e := newEnv(b)
	backend := trivialBackend(b)
	for id, in := range e.api.Integrations {
		in.URI = backend.URL + "/b"
		e.api.Integrations[id] = in
	}
	e.g.Now = nil
	return e
}

func benchRoute(b *testing.B, e *env, req func() *http.Request) {
	front := httptest.NewServer(e.g)
	b.Cleanup(front.Close)
	r := req()
	r.URL, _ = r.URL.Parse(front.URL + "/_aws/execute-api/api1/prod" + r.URL.Path)
	r.Host = r.URL.Host
	drive(b, r)
}

// drive sends r (never changed) from parallel keep-alive clients and
// checks every answer is a 200.
func drive(b *testing.B, r *http.Request) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	b.Cleanup(client.CloseIdleConnections)
	b.ReportAllocs()
	b.SetParallelism(8) // 16 requests in flight on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := r.Clone(context.Background())
		buf := make([]byte, 4096)
		for pb.Next() {
			resp, err := client.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

func get(path string, hdr map[string]string) func() *http.Request {
	return func() *http.Request {
		r, _ := http.NewRequest("GET", "http://x"+path, nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return r
	}
}

// BenchmarkDirect is the client and the backend alone: subtract it from
// the others to see the gateway's cost.
func BenchmarkDirect(b *testing.B) {
	r, _ := http.NewRequest("GET", trivialBackend(b).URL+"/b", nil)
	drive(b, r)
}

func BenchmarkNoneRoute(b *testing.B) { benchRoute(b, benchEnv(b), get("/open", nil)) }

// BenchmarkJWTRoute: a local pool's token, verified once and then served
// from the token cache, with a claim mapped into a header.
func BenchmarkJWTRoute(b *testing.B) {
	e := benchEnv(b)
	tok := signRS256(b, keys(b)[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient",
		"exp": float64(time.Now().Add(time.Hour).Unix()), "iat": float64(time.Now().Unix())}))
	benchRoute(b, e, get("/local", map[string]string{"Authorization": "Bearer " + tok}))
}

// BenchmarkIAMRoute: a request signed once by aws-sdk-go-v2 (valid for 15
// minutes), checked by the real sigv4.Verifier and an identity policy.
func BenchmarkIAMRoute(b *testing.B) {
	e := benchEnv(b)
	allow, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:api1/prod/*/iam/*"}]}`)
	if err != nil {
		b.Fatal(err)
	}
	role := &principal.Principal{Kind: principal.AssumedRole, Account: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/Auth/s1"}
	cred := sigv4.Credential{AccessKeyID: "ASIABENCH", SecretAccessKey: "secret", SessionToken: "session", Principal: role}
	e.g.SigV4 = &sigv4.Verifier{Lookup: sigv4.CredentialLookupFunc(func(ctx context.Context, id string) (sigv4.Credential, error) {
		if id != cred.AccessKeyID {
			return sigv4.Credential{}, sigv4.ErrUnknownKey
		}
		return cred, nil
	})}
	e.g.Policies = fakePolicies{role.ARN: {allow}}
	front := httptest.NewServer(e.g)
	b.Cleanup(front.Close)
	signed, _ := http.NewRequest("GET", front.URL+"/_aws/execute-api/api1/prod/iam/things/1", nil)
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: cred.AccessKeyID,
		SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}, signed, emptyHash, "execute-api", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	drive(b, signed)
}
