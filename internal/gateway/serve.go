package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ninsho/ninsho/internal/principal"
)

// reqState is what the gateway knows of a request on its way through.
type reqState struct {
	g        *Gateway
	in       *http.Request
	id       string
	api      *compiledAPI
	stage    *compiledStage
	route    *compiledRoute
	params   map[string]string // path parameters, still escaped
	path     string            // escaped path without the stage
	fullPath string            // as received
	sourceIP string
	start    time.Time

	claims    map[string]any
	principal *principal.Principal
	authErr   string
	errMsg    string

	hdrOps []hdrOp // header mappings' outcome
	hdrBuf [4]hdrOp

	target             *url.URL
	integrationStart   time.Time
	timedOut           atomic.Bool            // forwardTransport's timer fired
	conn               atomic.Pointer[upConn] // forwardDirect's connection
	clientGone         atomic.Bool
	unwatch            func() bool // stops watchClient's watch
	bodyDone           chan error  // the request body writer's result
	integrationStatus  int
	integrationLatency time.Duration

	status  int
	bytes   int64
	latency time.Duration

	sw    statusWriter
	idHdr [1]string
}

// statusWriter records the status and size of the response.
type statusWriter struct {
	http.ResponseWriter
	rs *reqState
}

func (w *statusWriter) WriteHeader(code int) {
	if w.rs.status == 0 && code >= 200 {
		w.rs.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.rs.status == 0 {
		w.rs.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.rs.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newRequestPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ServeHTTP answers a gateway request: API and stage from the path or Host,
// CORS preflight, route selection, throttling, authorization, then the
// integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.init()
	rs := &reqState{g: g, in: r, start: g.now()}
	var idb [40]byte
	rs.id = string(strconv.AppendUint(append(idb[:0], g.reqPrefix...), g.reqSeq.Add(1), 36))
	rs.sourceIP = r.RemoteAddr
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		rs.sourceIP = h
	}
	rs.fullPath = r.URL.Path
	rs.sw = statusWriter{ResponseWriter: w, rs: rs}
	sw := &rs.sw
	rs.idHdr[0] = rs.id
	w.Header()["Apigw-Requestid"] = rs.idHdr[:]
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				g.accessLog(rs)
				panic(v)
			}
			if g.Logger != nil {
				g.Logger.Error("gateway: panic", "requestId", rs.id, "panic", v)
			}
			if rs.status == 0 {
				g.fail(sw, rs, http.StatusInternalServerError, "Internal Server Error")
			}
		}
		g.accessLog(rs)
	}()
	g.serve(sw, rs)
}

func (g *Gateway) serve(w *statusWriter, rs *reqState) {
	r := rs.in
	var apiID, rest, stageName string
	if p, ok := strings.CutPrefix(r.URL.EscapedPath(), pathPrefix); ok {
		apiID, rest, _ = strings.Cut(p, "/")
		rest = "/" + rest
	} else if id, ok := hostAPI(r.Host); ok {
		apiID, rest = id, r.URL.EscapedPath()
	} else if d, ok := g.domain(r); ok {
		// A custom domain name: the API mapping names the stage.
		m, p, ok := d.match(r.URL.EscapedPath())
		if !ok {
			g.fail(w, rs, http.StatusForbidden, "Missing Authentication Token")
			return
		}
		apiID, rest, stageName = m.APIID, p, m.Stage
	}
	if apiID == "" || g.APIs == nil {
		g.fail(w, rs, http.StatusNotFound, "Not Found")
		return
	}
	api, err := g.APIs.GetAPI(r.Context(), apiID)
	if err != nil || api == nil {
		if err != nil && !errors.Is(err, ErrAPINotFound) {
			g.logError(rs, "get API", err)
			g.fail(w, rs, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		g.fail(w, rs, http.StatusNotFound, "Not Found")
		return
	}
	if api.DisableExecuteAPIEndpoint && stageName == "" {
		g.fail(w, rs, http.StatusForbidden, "Forbidden")
		return
	}
	ca, err := g.compiledFor(api)
	if err != nil {
		g.logError(rs, "compile API", err)
		g.fail(w, rs, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	rs.api = ca
	// The stage is the first segment when it names one, else $default.
	first, after, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if stageName != "" {
		if rs.stage, rs.path = ca.stages[stageName], rest; rs.stage == nil {
			g.notFound(w, rs)
			return
		}
	} else if st := ca.stages[unescape(first)]; st != nil && first != DefaultStage {
		rs.stage, rs.path = st, "/"+after
	} else if st := ca.stages[DefaultStage]; st != nil {
		rs.stage, rs.path = st, rest
	} else {
		g.notFound(w, rs)
		return
	}
	if ca.cors != nil {
		if r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			g.preflight(w, rs)
			return
		}
		g.corsHeaders(w, rs)
	}
	e, params := rs.stage.router.lookup(r.Method, rs.path)
	if e == nil || e.value.integ == nil {
		g.notFound(w, rs)
		return
	}
	rs.route, rs.params = e.value, params
	if !g.allow(rs) {
		g.fail(w, rs, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	switch rs.route.authType {
	case AuthJWT, AuthCognito:
		res := g.authorizeToken(r.Context(), rs.route.authorizer, rs.route.scopes, r)
		if res.status != 0 {
			rs.authErr = res.desc
			if res.status == http.StatusUnauthorized && rs.route.authType == AuthJWT {
				desc := res.desc
				if desc == "" {
					desc = "token is missing"
				}
				w.Header().Set("Www-Authenticate", `Bearer scope="" error="invalid_token" error_description="`+strings.ReplaceAll(desc, `"`, "'")+`"`)
			}
			g.fail(w, rs, res.status, res.msg)
			return
		}
		rs.claims = res.claims
	case AuthIAM:
		if status, msg := g.authorizeIAM(rs); status != 0 {
			g.failRaw(w, rs, status, msg)
			return
		}
	}
	g.forward(w, rs)
}

func (g *Gateway) notFound(w *statusWriter, rs *reqState) {
	if rs.api != nil && rs.api.rest {
		g.fail(w, rs, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	g.fail(w, rs, http.StatusNotFound, "Not Found")
}

// fail answers {"message": msg} with status.
func (g *Gateway) fail(w http.ResponseWriter, rs *reqState, status int, msg string) {
	g.failRaw(w, rs, status, `{"message":`+strconv.Quote(msg)+`}`)
}

func (g *Gateway) failRaw(w http.ResponseWriter, rs *reqState, status int, body string) {
	rs.errMsg = body
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if status == http.StatusForbidden && strings.Contains(body, "Missing Authentication Token") {
		h.Set("X-Amzn-Errortype", "MissingAuthenticationTokenException")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (g *Gateway) logError(rs *reqState, what string, err error) {
	if g.Logger != nil {
		g.Logger.Error("gateway: "+what, "requestId", rs.id, "error", err)
	}
}

// buildTarget makes the backend URL: {name} placeholders take the path
// parameters; the $default route appends the request path to a URI
// without placeholders; the request's query string is passed on.
func buildTarget(in *compiledIntegration, rs *reqState) (*url.URL, error) {
	uri := in.uri
	if in.hasParam {
		var b strings.Builder
		s := uri
		for {
			i := strings.IndexByte(s, '{')
			if i < 0 {
				b.WriteString(s)
				break
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s)
				break
			}
			b.WriteString(s[:i])
			name := strings.TrimSuffix(s[i+1:i+j], "+")
			b.WriteString(rs.params[name])
			s = s[i+j+1:]
		}
		uri = b.String()
	} else if rs.route.pat.isDflt {
		uri = strings.TrimSuffix(uri, "/") + rs.path
	}
	var u *url.URL
	if in.parsed != nil && !rs.route.pat.isDflt {
		c := *in.parsed // used as it is: a copy spares parsing it again
		u = &c
	} else {
		var err error
		if u, err = url.Parse(uri); err != nil {
			return nil, err
		}
	}
	if q := rs.in.URL.RawQuery; q != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
	}
	return u, nil
}

// accessLog writes one line per request.
func (g *Gateway) accessLog(rs *reqState) {
	if g.Logger == nil {
		return
	}
	rs.latency = g.now().Sub(rs.start)
	if rs.status == 0 {
		rs.status = http.StatusOK
	}
	if rs.stage != nil && rs.stage.logFormat != nil {
		g.Logger.Info(rs.stage.logFormat.eval(rs), "requestId", rs.id)
		return
	}
	// Without an AccessLogFormat, API Gateway logs nothing: the default
	// line is for debugging, and costs nothing unless enabled.
	if !g.Logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	routeKey := "-"
	if rs.route != nil {
		routeKey = rs.route.key
	}
	apiID, stage := "", ""
	if rs.api != nil {
		apiID = rs.api.id
	}
	if rs.stage != nil {
		stage = rs.stage.name
	}
	g.Logger.Debug("gateway access",
		"requestId", rs.id, "ip", rs.sourceIP, "requestTime", rs.start.UTC().Format(time.RFC3339Nano),
		"httpMethod", rs.in.Method, "path", rs.fullPath, "apiId", apiID, "stage", stage, "routeKey", routeKey,
		"status", rs.status, "responseLength", rs.bytes, "responseLatencyMs", rs.latency.Milliseconds(),
		"integrationStatus", rs.integrationStatus, "integrationLatencyMs", rs.integrationLatency.Milliseconds(),
		"authorizerError", rs.authErr)
}

// readBody reads at most limit bytes of the body for signature checks and
// puts it back for the proxy.
func readBody(r *http.Request, limit int64) ([]byte, bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > limit {
		return nil, false, nil
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	return b, true, nil
}
