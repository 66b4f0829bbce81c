package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func benchRoute(b *testing.B, path string, hdr map[string]string) {
	e := newEnv(&testing.T{})
	b.Cleanup(e.backend.Close)
	b.Cleanup(e.remote.srv.Close)
	e.g.Now = nil
	front := httptest.NewServer(e.g)
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("GET", front.URL+"/_aws/execute-api/api1/prod"+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = resp.Body.Read(make([]byte, 4096))
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

func BenchmarkNoneRoute(b *testing.B) { benchRoute(b, "/open", nil) }

func BenchmarkJWTRoute(b *testing.B) {
	e := newEnv(&testing.T{})
	tok := signRS256(b, keys(b)[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient"}))
	benchRoute(b, "/local", map[string]string{"Authorization": "Bearer " + tok})
}
