package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

// ErrAPINotFound is what an APIs store returns (possibly wrapped) for an
// unknown API id; the gateway answers 404 {"message":"Not Found"}.
var ErrAPINotFound = errors.New("gateway: API not found")

// APIs finds deployed APIs. GetAPI is called on every request, so it should
// answer from memory; the gateway recompiles an API only when its Version
// or UpdatedAt changes.
type APIs interface {
	GetAPI(ctx context.Context, id string) (*API, error)
}

// LocalKeys verifies tokens of the user pools this server issues, without
// an HTTP round trip. *tokens.Keys provides Verify and JWKS; see TokenKeys.
type LocalKeys interface {
	// IssuerScope maps a token's iss to the key scope of a local pool.
	IssuerScope(iss string) (scope string, ok bool)
	// Verify checks the token's signature with the scope's keys (and its
	// exp); the gateway checks the other claims.
	Verify(ctx context.Context, scope, token string, now time.Time) (map[string]any, error)
	// JWKS is the scope's published key set; a cached token whose kid has
	// left it is refused.
	JWKS(ctx context.Context, scope string) ([]byte, error)
}

// SigV4 verifies signed requests (*sigv4.Verifier).
type SigV4 interface {
	VerifyService(ctx context.Context, r *http.Request, body []byte, service string) (*sigv4.Result, error)
}

// Policies gives the identity-based policies of a principal and its
// session policy (nil when none).
type Policies interface {
	For(ctx context.Context, p *principal.Principal) (docs []*policy.Document, session *policy.Document, err error)
}

// Gateway is the API Gateway data plane: an http.Handler for
// /_aws/execute-api/{apiId}/{stage}/{path} and {apiId}.execute-api.localhost.
// Set the fields before the first request; do not copy it afterwards.
type Gateway struct {
	APIs     APIs
	Domains  Domains   // custom domain names; nil: none
	Local    LocalKeys // may be nil: then only remote issuers
	Remote   *RemoteKeys
	SigV4    SigV4    // nil: AWS_IAM routes answer 403
	Policies Policies // nil: AWS_IAM callers other than root are refused
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives access logs (Info) and failures (Error); nil
	// discards them.
	Logger *slog.Logger
	// Region and Account appear in execute-api ARNs.
	Region, Account string
	// Transport, when set, reaches every backend. When nil, plain-HTTP
	// backends are reached over the gateway's own keep-alive connections
	// and https ones through a shared tuned transport.
	Transport http.RoundTripper
	// TokenCacheSize bounds the verified-token cache (10000 when 0).
	TokenCacheSize int

	once      sync.Once
	cache     *tokenCache
	up        *upstreams
	mu        sync.Mutex
	compiled  map[string]*compiledAPI
	buckets   sync.Map // "api/stage/routeKey" -> *bucket
	localKids localKidSets
	policies  policyCache
	lastLocal atomic.Pointer[localAddrText]
	reqSeq    atomic.Uint64
	reqPrefix string
}

func (g *Gateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Gateway) remote() *RemoteKeys {
	return g.Remote
}

func (g *Gateway) init() {
	g.once.Do(func() {
		g.cache = newTokenCache(g.TokenCacheSize)
		g.compiled = map[string]*compiledAPI{}
		if g.Remote == nil {
			g.Remote = &RemoteKeys{Now: g.Now}
		}
		g.up = newUpstreams()
		g.reqPrefix = newRequestPrefix()
	})
}

// defaultTransport is shared by gateways: many idle connections per
// backend, no compression (bodies pass through as they are), no proxy.
var defaultTransport = &http.Transport{
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConns:          1024,
	MaxIdleConnsPerHost:   512,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
	DisableCompression:    true,
	ForceAttemptHTTP2:     true,
}

// CloseIdleConnections closes the kept connections to backends.
func (g *Gateway) CloseIdleConnections() {
	g.init()
	g.up.closeIdle()
}

// IsGatewayRequest tells whether r is for the gateway: a path under
// /_aws/execute-api/ or a Host of the form {apiId}.execute-api.localhost.
func IsGatewayRequest(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, pathPrefix) {
		return true
	}
	_, ok := hostAPI(r.Host)
	return ok
}

const pathPrefix = "/_aws/execute-api/"

func hostAPI(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	id, rest, ok := strings.Cut(host, ".")
	if !ok || id == "" || !strings.EqualFold(rest, "execute-api.localhost") {
		return "", false
	}
	return id, true
}

// compiledAPI is an API ready for requests.
type compiledAPI struct {
	id        string
	version   int64
	updatedAt time.Time
	rest      bool
	cors      *Cors
	stages    map[string]*compiledStage
	authz     map[string]*compiledAuthorizer
}

type compiledStage struct {
	name      string
	vars      map[string]string
	throttle  *Throttle
	logFormat template
	router    *router[*compiledRoute]
}

type compiledRoute struct {
	key        string
	pat        *pattern
	authType   string
	authorizer *compiledAuthorizer
	scopes     []string
	throttle   *Throttle
	integ      *compiledIntegration
}

type compiledIntegration struct {
	id       string
	method   string
	uri      string   // stage variables substituted
	parsed   *url.URL // uri parsed, when it parses
	hasParam bool     // uri holds {name}
	timeout  time.Duration
	mappings []mapping
}

// Compile checks an API the way the gateway will run it, for the control
// plane to refuse bad configurations before deployment.
func Compile(api *API) error {
	_, err := compileAPI(api)
	return err
}

func compileAPI(api *API) (*compiledAPI, error) {
	ca := &compiledAPI{
		id: api.ID, version: api.Version, updatedAt: api.UpdatedAt,
		rest: strings.EqualFold(api.ProtocolType, ProtocolREST), cors: api.CorsConfiguration,
		stages: map[string]*compiledStage{}, authz: map[string]*compiledAuthorizer{},
	}
	authz, err := compileAuthorizers(api.Authorizers)
	if err != nil {
		return nil, err
	}
	ca.authz = authz
	stages := api.Stages
	if len(stages) == 0 {
		stages = map[string]Stage{DefaultStage: {Name: DefaultStage}}
	}
	for name, st := range stages {
		if st.Name == "" {
			st.Name = name
		}
		cs := &compiledStage{name: st.Name, vars: st.Variables, throttle: st.DefaultRouteSettings}
		if st.AccessLogFormat != "" {
			cs.logFormat = parseTemplate(st.AccessLogFormat)
		}
		def, authz, err := stageDefinition(api, ca.authz, st)
		if err != nil {
			return nil, err
		}
		integs := map[string]*compiledIntegration{}
		for id, in := range def.Integrations {
			ci, err := compileIntegration(in, st.Variables)
			if err != nil {
				return nil, fmt.Errorf("gateway: integration %q: %w", id, err)
			}
			integs[id] = ci
		}
		keys := make([]string, 0, len(def.Routes))
		routes := make([]*compiledRoute, 0, len(def.Routes))
		for _, rt := range def.Routes {
			cr := &compiledRoute{key: rt.RouteKey, authType: rt.AuthorizationType, scopes: rt.AuthorizationScopes, throttle: st.routeThrottle(rt)}
			if cr.authType == "" {
				cr.authType = AuthNone
			}
			p, err := parseRouteKey(rt.RouteKey)
			if err != nil {
				return nil, err
			}
			cr.pat = p
			switch cr.authType {
			case AuthNone, AuthIAM:
			case AuthJWT, AuthCognito:
				cr.authorizer = authz[rt.AuthorizerID]
				if cr.authorizer == nil || cr.authorizer.a.Type != cr.authType {
					return nil, fmt.Errorf("gateway: route %q: no %s authorizer %q", rt.RouteKey, cr.authType, rt.AuthorizerID)
				}
			default:
				return nil, fmt.Errorf("gateway: route %q: unsupported authorization type %q", rt.RouteKey, cr.authType)
			}
			if rt.Target != "" {
				id := strings.TrimPrefix(rt.Target, "integrations/")
				if cr.integ = integs[id]; cr.integ == nil {
					return nil, fmt.Errorf("gateway: route %q: no integration %q", rt.RouteKey, id)
				}
			}
			keys = append(keys, rt.RouteKey)
			routes = append(routes, cr)
		}
		r, err := newRouter(keys, routes)
		if err != nil {
			return nil, err
		}
		cs.router = r
		ca.stages[st.Name] = cs
	}
	return ca, nil
}

func compileIntegration(in Integration, vars map[string]string) (*compiledIntegration, error) {
	if in.Type != "" && !strings.EqualFold(in.Type, "HTTP_PROXY") {
		return nil, fmt.Errorf("unsupported integration type %q", in.Type)
	}
	uri := in.URI
	for {
		i := strings.Index(uri, "${stageVariables.")
		if i < 0 {
			break
		}
		j := strings.IndexByte(uri[i:], '}')
		if j < 0 {
			break
		}
		name := uri[i+len("${stageVariables.") : i+j]
		uri = uri[:i] + vars[name] + uri[i+j+1:]
	}
	if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
		return nil, fmt.Errorf("integration URI %q is not an http(s) URL", in.URI)
	}
	t := in.TimeoutMillis
	if t <= 0 || t > 30000 {
		t = 30000
	}
	ms, err := compileMappings(in.RequestParameters)
	if err != nil {
		return nil, err
	}
	m := strings.ToUpper(in.Method)
	if m == "ANY" {
		m = ""
	}
	ci := &compiledIntegration{id: in.ID, method: m, uri: uri, hasParam: strings.ContainsRune(uri, '{'),
		timeout: time.Duration(t) * time.Millisecond, mappings: ms}
	if u, err := url.Parse(uri); err == nil && !ci.hasParam {
		ci.parsed = u
	}
	return ci, nil
}

// compiledFor returns the compiled form of api, compiling it when it is new
// or changed.
func (g *Gateway) compiledFor(api *API) (*compiledAPI, error) {
	g.mu.Lock()
	c := g.compiled[api.ID]
	g.mu.Unlock()
	if c != nil && c.version == api.Version && c.updatedAt.Equal(api.UpdatedAt) {
		return c, nil
	}
	c, err := compileAPI(api)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.compiled[api.ID] = c
	g.mu.Unlock()
	return c, nil
}
