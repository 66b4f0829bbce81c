package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// proxyBackend answers /echo with the headers it got, /events with a
// server-sent event and then another once release is closed, /up with the
// SHA-256 and length of the body, /down with size bytes.
type proxyBackend struct {
	addr    string
	release chan struct{}
	once    sync.Once
}

func (b *proxyBackend) releaseEvents() { b.once.Do(func() { close(b.release) }) }

const proxyBodySize = 8 << 20

func newProxyBackend(t *testing.T) *proxyBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &proxyBackend{addr: ln.Addr().String(), release: make(chan struct{})}
	t.Cleanup(b.releaseEvents)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Connection", "X-Backend-Hop")
			w.Header().Set("X-Backend-Hop", "1")
			_ = json.NewEncoder(w).Encode(map[string]any{"headers": r.Header, "host": r.Host})
		case "/events":
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: 1\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-b.release:
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Second):
			}
			_, _ = io.WriteString(w, "data: 2\n\n")
		case "/up":
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			_, _ = io.WriteString(w, hex.EncodeToString(h.Sum(nil))+" "+strconv.FormatInt(n, 10))
		case "/down":
			w.Header().Set("Content-Length", strconv.Itoa(proxyBodySize))
			chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<12)
			for range proxyBodySize / len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b
}

const proxyConfig = `
userPools:
  main:
    name: main
    usernameAttributes: [email]
    clients:
      app: {name: app, explicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}
    users:
      - {username: proxy@example.com, password: Proxy-passw0rd, attributes: {email_verified: "true"}}
roles:
  invoker:
    name: proxy-invoker
    assumeRolePolicy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Principal: {AWS: "arn:aws:iam::000000000000:root"}, Action: sts:AssumeRole}
    policies:
      invoke:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: execute-api:Invoke, Resource: "arn:aws:execute-api:*:*:*/*/GET/iam/*"}
apis:
  proxy:
    name: proxy
    authorizers: {pool: {type: JWT, userPool: main, audience: [app]}}
    integrations: {backend: {uri: "http://BACKEND/{proxy}"}}
    routes:
      - {key: "GET /jwt/{proxy+}", authorization: JWT, authorizer: pool, integration: backend,
         requestParameters: {"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}}
      - {key: "GET /iam/{proxy+}", authorization: AWS_IAM, integration: backend}
      - {key: "ANY /{proxy+}", integration: backend}
`

// TestGatewayProxyWithSDK runs the HTTP_PROXY path of the built binary with
// aws-sdk-go-v2 as the client side: an ID token from AdminInitiateAuth and
// role credentials from AssumeRole open the JWT and AWS_IAM routes; the
// backend sees the mapped claim, X-Forwarded-*/Forwarded and no hop-by-hop
// fields; a server-sent event arrives while the backend still holds the
// response; 8 MB go each way intact.
func TestGatewayProxyWithSDK(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	backend := newProxyBackend(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ninsho.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(proxyConfig, "BACKEND", backend.addr, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, filepath.Join(dir, "data"), "--config", path)
	cfg := sdkConfig(srv, true)
	rootCreds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	client := &http.Client{Timeout: callTimeout}

	var gw, idToken string
	mustStep(t, "the API, an ID token and role credentials", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v2/apis", nil)
		if err := v4.NewSigner().SignHTTP(ctx, rootCreds, req, sha256Hex(""), "apigateway", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, body := httpDo(t, req)
		var apis struct {
			Items []struct{ ApiID, Name string } `json:"items"`
		}
		if err := json.Unmarshal(body, &apis); err != nil || len(apis.Items) != 1 {
			t.Fatalf("GetApis: %s %v", body, err)
		}
		gw = srv.URL + "/_aws/execute-api/" + apis.Items[0].ApiID
		idp := cip.NewFromConfig(cfg)
		pools, err := idp.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
		if err != nil || len(pools.UserPools) != 1 {
			t.Fatalf("ListUserPools: %v", err)
		}
		clients, err := idp.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pools.UserPools[0].Id})
		if err != nil || len(clients.UserPoolClients) != 1 {
			t.Fatalf("ListUserPoolClients: %v", err)
		}
		auth, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: pools.UserPools[0].Id,
			ClientId: clients.UserPoolClients[0].ClientId, AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "proxy@example.com", "PASSWORD": "Proxy-passw0rd"}})
		if err != nil {
			t.Fatalf("AdminInitiateAuth: %v", err)
		}
		idToken = aws.ToString(auth.AuthenticationResult.IdToken)
	})

	mustStep(t, "the backend gets the claim and forwarding fields, and no hop-by-hop ones", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, "GET", gw+"/jwt/echo", nil)
		req.Header.Set("Authorization", "Bearer "+idToken)
		req.Header.Set("Connection", "X-Client-Hop")
		req.Header.Set("X-Client-Hop", "1")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		resp, body := httpDo(t, req)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if resp.Header.Get("X-Backend-Hop") != "" || resp.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("response headers %v", resp.Header)
		}
		var got struct {
			Headers http.Header
			Host    string
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		h := got.Headers
		if h.Get("X-User-Sub") == "" || h.Get("X-Client-Hop") != "" || h.Get("Authorization") != "Bearer "+idToken {
			t.Errorf("backend headers %v", h)
		}
		if h.Get("X-Forwarded-For") != "203.0.113.9, 127.0.0.1" || h.Get("X-Forwarded-Host") != srv.Addr || h.Get("X-Forwarded-Proto") != "http" {
			t.Errorf("X-Forwarded-*: %q %q %q", h.Get("X-Forwarded-For"), h.Get("X-Forwarded-Host"), h.Get("X-Forwarded-Proto"))
		}
		if want := `by=127.0.0.1;for=127.0.0.1;host="` + srv.Addr + `";proto=http`; h.Get("Forwarded") != want {
			t.Errorf("Forwarded %q, want %q", h.Get("Forwarded"), want)
		}
		if got.Host != backend.addr {
			t.Errorf("Host %q, want the backend's %q", got.Host, backend.addr)
		}
	})

	mustStep(t, "a signed request of the role reaches the backend, an altered one does not", func(t *testing.T) {
		out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/proxy-invoker"), RoleSessionName: aws.String("proxy")})
		if err != nil {
			t.Fatal(err)
		}
		c := out.Credentials
		creds := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
		for _, tt := range []struct {
			path   string
			tamper bool
			status int
		}{{"/iam/echo", false, 200}, {"/iam/echo", true, 403}} {
			req, _ := http.NewRequestWithContext(ctx, "GET", gw+tt.path, nil)
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha256Hex(""), "execute-api", region, time.Now()); err != nil {
				t.Fatal(err)
			}
			if tt.tamper {
				req.URL.RawQuery = "x=1"
			}
			if resp, body := httpDo(t, req); resp.StatusCode != tt.status {
				t.Errorf("%s tampered=%v: %d %s", tt.path, tt.tamper, resp.StatusCode, body)
			}
		}
	})

	mustStep(t, "a server-sent event arrives while the backend holds the response", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, "GET", gw+"/events", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		line := make(chan string, 1)
		go func() { l, _ := br.ReadString('\n'); line <- l }()
		select {
		case l := <-line:
			if l != "data: 1\n" {
				t.Fatalf("got %q", l)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the event was held back")
		}
		backend.releaseEvents()
		rest, _ := io.ReadAll(br)
		if string(rest) != "\ndata: 2\n\n" {
			t.Fatalf("then %q", rest)
		}
	})

	mustStep(t, "8 MB go up and come down intact", func(t *testing.T) {
		data := bytes.Repeat([]byte("abcdefghijklmnop"), proxyBodySize/16)
		pr, pw := io.Pipe()
		go func() {
			for off := 0; off < len(data); off += 64 << 10 {
				if _, err := pw.Write(data[off : off+64<<10]); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequestWithContext(ctx, "POST", gw+"/up", pr)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]) + " " + strconv.Itoa(len(data)); string(body) != want {
			t.Fatalf("upload: backend answered %q, want %q", body, want)
		}
		req, _ = http.NewRequestWithContext(ctx, "GET", gw+"/down", nil)
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		h := sha256.New()
		n, err := io.Copy(h, resp.Body)
		want := sha256.Sum256(bytes.Repeat([]byte("0123456789abcdef"), proxyBodySize/16))
		if err != nil || n != proxyBodySize || !bytes.Equal(h.Sum(nil), want[:]) || resp.ContentLength != proxyBodySize {
			t.Fatalf("download: %d bytes (length %d), %v", n, resp.ContentLength, err)
		}
	})
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
