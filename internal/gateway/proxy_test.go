package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
)

// withBackend adds "ANY /b/{proxy+}" (and "ANY /b") routed to h, and
// returns a front server for the gateway.
func withBackend(t *testing.T, e *env, h http.HandlerFunc) (backend, front *httptest.Server) {
	t.Helper()
	backend = httptest.NewServer(h)
	t.Cleanup(backend.Close)
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "ANY /b/{proxy+}", Target: "integrations/b"}, Route{RouteKey: "ANY /b", Target: "integrations/b"})
	e.api.Integrations["b"] = Integration{URI: backend.URL + "/{proxy}"}
	e.api.Version++
	front = httptest.NewServer(e.g)
	t.Cleanup(front.Close)
	t.Cleanup(e.g.CloseIdleConnections)
	return backend, front
}

func gwURL(front *httptest.Server, path string) string {
	return front.URL + "/_aws/execute-api/api1/prod" + path
}

func TestHopByHopHeaders(t *testing.T) {
	e := newEnv(t)
	var got http.Header
	var gotHost string
	withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		got, gotHost = r.Header.Clone(), r.Host
		w.Header().Set("Connection", "X-Resp-Hop")
		w.Header().Set("X-Resp-Hop", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Resp-End", "kept")
		_, _ = io.WriteString(w, "ok")
	})
	r := httptest.NewRequest("GET", "http://gw.example:9229/_aws/execute-api/api1/prod/b/x", nil)
	r.Header.Set("Connection", "X-Hop, keep-alive")
	r.Header.Set("X-Hop", "dropped")
	r.Header.Set("Keep-Alive", "timeout=1")
	r.Header.Set("Proxy-Authorization", "Basic eA==")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Te", "trailers, deflate")
	r.Header.Set("Expect", "100-continue")
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	r.Header.Set("Forwarded", "for=203.0.113.7")
	r.Header.Add("X-End", "a")
	r.Header.Add("X-End", "b")
	r.Header.Set("Authorization", "kept")
	rec := httptest.NewRecorder()
	e.g.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	for _, h := range []string{"Connection", "X-Hop", "Keep-Alive", "Proxy-Authorization", "Upgrade", "Expect", "Proxy-Connection"} {
		if v, ok := got[h]; ok {
			t.Errorf("backend got hop-by-hop %s: %q", h, v)
		}
	}
	want := map[string]string{
		"Te": "trailers", "X-Forwarded-For": "203.0.113.7, 192.0.2.1", "X-Forwarded-Host": "gw.example:9229",
		"X-Forwarded-Proto": "http", "Forwarded": `for=203.0.113.7, for=192.0.2.1;host="gw.example:9229";proto=http`,
		"Authorization": "kept",
	}
	for k, v := range want {
		if g := strings.Join(got[k], "|"); g != v {
			t.Errorf("backend got %s %q, want %q", k, g, v)
		}
	}
	if strings.Join(got["X-End"], "|") != "a|b" {
		t.Errorf("repeated field: %q", got["X-End"])
	}
	if !strings.HasPrefix(gotHost, "127.0.0.1:") {
		t.Errorf("Host %q, want the backend's", gotHost)
	}
	h := rec.Header()
	if h.Get("X-Resp-Hop") != "" || h.Get("Keep-Alive") != "" || h.Get("Connection") != "" || h.Get("X-Resp-End") != "kept" {
		t.Errorf("response headers %v", h)
	}
}

func TestForwardedElement(t *testing.T) {
	tests := []struct{ by, forIP, host, proto, want string }{
		{"10.0.0.1", "192.0.2.1", "api.example", "https", "by=10.0.0.1;for=192.0.2.1;host=api.example;proto=https"},
		{"::1", "2001:db8::1", "localhost:9229", "http", `by="[::1]";for="[2001:db8::1]";host="localhost:9229";proto=http`},
		{"", "192.0.2.1", "", "http", "for=192.0.2.1;proto=http"},
	}
	for _, tt := range tests {
		if got := forwardedElement(tt.by, tt.forIP, tt.host, tt.proto); got != tt.want {
			t.Errorf("forwardedElement(%q, %q, %q, %q) = %q, want %q", tt.by, tt.forIP, tt.host, tt.proto, got, tt.want)
		}
	}
}

func TestMappedValueCannotInjectHeaders(t *testing.T) {
	e := newEnv(t)
	var reached atomic.Int32
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) { reached.Add(1) })
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /inject", AuthorizationType: AuthJWT, AuthorizerID: "local", Target: "integrations/sub"})
	e.api.Version++
	tok := signRS256(t, keys(t)[1], "l1", e.claims(map[string]any{"iss": localIss, "aud": "appclient", "sub": "x\r\nX-Injected: 1"}))
	req, _ := http.NewRequest("GET", gwURL(front, "/inject"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
}

func TestHEADKeepsLengthAndConnection(t *testing.T) {
	e := newEnv(t)
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1234")
		if r.Method != "HEAD" {
			_, _ = w.Write(make([]byte, 1234))
		}
	})
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for i, m := range []string{"HEAD", "GET", "HEAD"} {
		req, _ := http.NewRequest(m, gwURL(front, "/b/h"), nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%d %s: %v", i, m, err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		want := int64(1234)
		if m == "HEAD" {
			want = 0
		}
		if resp.StatusCode != 200 || resp.ContentLength != 1234 || n != want {
			t.Fatalf("%d %s: status %d length %d body %d", i, m, resp.StatusCode, resp.ContentLength, n)
		}
	}
}

func TestTrailers(t *testing.T) {
	e := newEnv(t)
	var reqTrailer atomic.Value
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		reqTrailer.Store(r.Trailer.Get("X-Req-Sum"))
		w.Header().Set("Trailer", "X-Sum")
		_, _ = io.WriteString(w, "body")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Sum", "abc")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	})
	pr, pw := io.Pipe()
	go func() { _, _ = io.WriteString(pw, "upload"); _ = pw.Close() }()
	req, _ := http.NewRequest("POST", gwURL(front, "/b/t"), pr)
	req.Trailer = http.Header{"X-Req-Sum": {"def"}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "body" {
		t.Fatalf("body %q %v", b, err)
	}
	if resp.Trailer.Get("X-Sum") != "abc" || resp.Trailer.Get("X-Late") != "late" {
		t.Fatalf("trailers %v", resp.Trailer)
	}
	if v, _ := reqTrailer.Load().(string); v != "def" {
		t.Fatalf("backend got request trailer %q", v)
	}
}

func TestEventStreamIsFlushed(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		<-release
	})
	defer close(release)
	resp, err := http.Get(gwURL(front, "/b/events"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := io.ReadAtLeast(resp.Body, b, len("data: 1\n\n"))
		got <- string(b[:n])
	}()
	select {
	case s := <-got:
		if s != "data: 1\n\n" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the event was held back")
	}
}

func TestClientDisconnectCancelsBackend(t *testing.T) {
	e := newEnv(t)
	cancelled := make(chan struct{})
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(cancelled)
		case <-time.After(5 * time.Second):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", gwURL(front, "/b/slow"), nil)
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was answered")
	}
	select {
	case <-cancelled:
	case <-time.After(3 * time.Second):
		t.Fatal("the backend request was not cancelled")
	}
}

// TestLargeBodiesStream sends 8 MB each way and checks that neither is held
// whole by the gateway: each side sees the first megabyte before the other
// has sent the rest.
func TestLargeBodiesStream(t *testing.T) {
	e := newEnv(t)
	const size = 8 << 20
	firstMB := make(chan struct{})
	clientGotFirst := make(chan struct{})
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/up":
			h := sha256.New()
			if _, err := io.CopyN(h, r.Body, 1<<20); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			close(firstMB)
			n, _ := io.Copy(h, r.Body)
			_, _ = io.WriteString(w, hex.EncodeToString(h.Sum(nil))+" "+itoa(n+1<<20))
		case "/down":
			w.Header().Set("Content-Length", itoa(size))
			chunk := bytes.Repeat([]byte("x"), 1<<20)
			_, _ = w.Write(chunk)
			w.(http.Flusher).Flush()
			select {
			case <-clientGotFirst:
			case <-time.After(5 * time.Second):
				return // the gateway held the body back
			}
			for range size/len(chunk) - 1 {
				_, _ = w.Write(chunk)
			}
		}
	})
	t.Run("upload", func(t *testing.T) {
		pr, pw := io.Pipe()
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
		go func() {
			_, _ = pw.Write(data[:1<<20])
			select {
			case <-firstMB:
				_, _ = pw.Write(data[1<<20:])
				_ = pw.Close()
			case <-time.After(5 * time.Second):
				pw.CloseWithError(io.ErrUnexpectedEOF)
			}
		}()
		resp, err := http.Post(gwURL(front, "/b/up"), "application/octet-stream", pr)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]) + " " + itoa(size); string(b) != want {
			t.Fatalf("backend answered %q, want %q", b, want)
		}
	})
	t.Run("download", func(t *testing.T) {
		resp, err := http.Get(gwURL(front, "/b/down"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.CopyN(io.Discard, resp.Body, 1<<20); err != nil {
			t.Fatal(err)
		}
		close(clientGotFirst)
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n+1<<20 != size {
			t.Fatalf("got %d more bytes, %v", n, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestStaleConnectionIsRetried: a kept connection the backend closed is
// noticed, and an idempotent request goes out again on a new one, also
// when several kept connections died together.
func TestStaleConnectionIsRetried(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	backend, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	// Four kept connections at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := http.Get(gwURL(front, "/b/hold")); err == nil {
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	backend.CloseClientConnections()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for i := range 3 {
		resp, err := client.Get(gwURL(front, "/b/x"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, b)
		}
		backend.CloseClientConnections() // the gateway's kept connection dies
	}
}

func TestBackendFailingMidBodyAbortsTheResponse(t *testing.T) {
	e := newEnv(t)
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "only ten..")
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	resp, err := http.Get(gwURL(front, "/b/cut"))
	if err != nil {
		return // cut before the head was sent: also not a whole answer
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("a truncated body read as complete")
	}
}

func TestStillOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer := <-accepted
	if !stillOpen(c) {
		t.Fatal("an open idle connection was taken for closed")
	}
	peer.Close()
	deadline := time.Now().Add(2 * time.Second)
	for stillOpen(c) {
		if time.Now().After(deadline) {
			t.Fatal("a connection the peer closed was taken for open")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleConnectionsAreChecked: with the check on every reuse, a kept
// connection the backend closed is never written to.
func TestIdleConnectionsAreChecked(t *testing.T) {
	e := newEnv(t)
	var conns atomic.Int32
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	backend.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	backend.Start()
	defer backend.Close()
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "POST /p", Target: "integrations/p"})
	e.api.Integrations["p"] = Integration{URI: backend.URL}
	e.api.Version++
	e.g.init()
	e.g.up.checkAfter = 0
	for i := range 3 {
		r := httptest.NewRequest("POST", "http://127.0.0.1:9229/_aws/execute-api/api1/prod/p", strings.NewReader("x"))
		rec := httptest.NewRecorder()
		e.g.ServeHTTP(rec, r)
		if rec.Code != 200 || rec.Body.String() != "ok" {
			t.Fatalf("request %d (a POST, never retried): %d %q", i, rec.Code, rec.Body)
		}
		if i == 0 {
			backend.CloseClientConnections()
			time.Sleep(50 * time.Millisecond)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (one replaced, then kept)", n)
	}
}

func TestInformationalResponsesPassOn(t *testing.T) {
	e := newEnv(t)
	_, front := withBackend(t, e, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		_, _ = io.WriteString(w, "final")
	})
	var hints []int
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if h.Get("Link") != "" {
				hints = append(hints, code)
			}
			return nil
		}})
	req, _ := http.NewRequestWithContext(ctx, "GET", gwURL(front, "/b/hints"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "final" || len(hints) != 1 || hints[0] != 103 || resp.Header.Get("Link") != "" {
		t.Fatalf("got %d %q hints %v header %v", resp.StatusCode, b, hints, resp.Header)
	}
}

// TestTransportBackends: https backends (and every backend when
// Gateway.Transport is set) go through an http.Transport with the same
// headers, timeout and failures.
func TestTransportBackends(t *testing.T) {
	e := newEnv(t)
	var got http.Header
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		got = r.Header.Clone()
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "1")
		_, _ = io.WriteString(w, "tls")
	}))
	defer backend.Close()
	e.g.Transport = backend.Client().Transport
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /tls/{proxy+}", Target: "integrations/tls"})
	e.api.Integrations["tls"] = Integration{URI: backend.URL + "/{proxy}", TimeoutMillis: 200}
	e.api.Version++
	rec := e.do("GET", "/tls/ok", map[string]string{"Connection": "X-Drop", "X-Drop": "1"})
	if rec.Code != 200 || rec.Body.String() != "tls" || rec.Header().Get("X-Hop") != "" {
		t.Fatalf("got %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	if got.Get("X-Drop") != "" || got.Get("X-Forwarded-For") != "192.0.2.1" || got.Get("Forwarded") == "" {
		t.Fatalf("backend got %v", got)
	}
	wantJSON(t, e.do("GET", "/tls/slow", nil), 504, `{"message":"Endpoint request timed out"}`)
	backend.Close()
	wantJSON(t, e.do("GET", "/tls/ok", nil), 502, `{"message":"Internal Server Error"}`)
}

// TestSlowAndSplitHeads: an answer that starts after the first-byte wait,
// or whose head comes in pieces, is still passed on whole.
func TestSlowAndSplitHeads(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					switch req.URL.Path {
					case "/late":
						time.Sleep(3 * firstByteWait)
						_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate")
					case "/split":
						_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Part: 1\r\n")
						time.Sleep(3 * firstByteWait)
						_, _ = io.WriteString(c, "Content-Length: 5\r\n\r\nspl")
						time.Sleep(3 * firstByteWait)
						_, _ = io.WriteString(c, "it")
					}
				}
			}()
		}
	}()
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /raw/{proxy+}", Target: "integrations/raw"})
	e.api.Integrations["raw"] = Integration{URI: "http://" + ln.Addr().String() + "/{proxy}", TimeoutMillis: 2000}
	e.api.Version++
	for range 2 { // the second time on the kept connection
		for _, p := range []string{"late", "split"} {
			rec := e.do("GET", "/raw/"+p, nil)
			if rec.Code != 200 || rec.Body.String() != p {
				t.Fatalf("%s: %d %q", p, rec.Code, rec.Body)
			}
		}
	}
}

type countingPolicies struct {
	Policies
	calls atomic.Int32
}

func (c *countingPolicies) For(ctx context.Context, p *principal.Principal) ([]*policy.Document, *policy.Document, error) {
	c.calls.Add(1)
	return c.Policies.For(ctx, p)
}

func TestIAMPoliciesAreReusedForASecond(t *testing.T) {
	e := newEnv(t)
	allow, _ := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`)
	role := &principal.Principal{Kind: principal.AssumedRole, Account: "000000000000", RoleName: "Auth", ARN: "arn:aws:sts::000000000000:assumed-role/Auth/s1"}
	other := &principal.Principal{Kind: principal.AssumedRole, Account: "000000000000", RoleName: "Other", ARN: "arn:aws:sts::000000000000:assumed-role/Other/s2"}
	e.g.SigV4 = fakeSigV4{principals: map[string]*principal.Principal{"role": role, "other": other}}
	cp := &countingPolicies{Policies: fakePolicies{role.ARN: {allow}}}
	e.g.Policies = cp
	call := func(auth string) int {
		r := httptest.NewRequest("GET", "http://127.0.0.1/_aws/execute-api/api1/prod/iam/x", nil)
		r.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		e.g.ServeHTTP(rec, r)
		return rec.Code
	}
	if call("good-role") != 200 || call("good-role") != 200 || cp.calls.Load() != 1 {
		t.Fatalf("policies read %d times for two calls", cp.calls.Load())
	}
	if call("good-other") != 403 || cp.calls.Load() != 2 {
		t.Fatalf("another caller shared the entry (%d reads)", cp.calls.Load())
	}
	e.advance(policyTTL)
	if call("good-role") != 200 || cp.calls.Load() != 3 {
		t.Fatalf("policies not read again after %v (%d reads)", policyTTL, cp.calls.Load())
	}
}

func TestIdleConnectionsAreClosedInTime(t *testing.T) {
	e := newEnv(t)
	var closed atomic.Int32
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	backend.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed.Add(1)
		}
	}
	backend.Start()
	defer backend.Close()
	e.api.Routes = append(e.api.Routes, Route{RouteKey: "GET /idle", Target: "integrations/idle"})
	e.api.Integrations["idle"] = Integration{URI: backend.URL}
	e.api.Version++
	e.g.init()
	e.g.up.idleTimeout = 50 * time.Millisecond
	if rec := e.do("GET", "/idle", nil); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	deadline := time.Now().Add(3 * time.Second)
	for closed.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle connection was kept past its idle timeout")
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.g.up.mu.Lock()
	n, swept := len(e.g.up.idle), e.g.up.sweep == nil
	e.g.up.mu.Unlock()
	if n != 0 || !swept {
		t.Fatalf("%d backends still listed, sweeper stopped %v", n, swept)
	}
}
