package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/store"
)

// kindAPI is the object kind of an API; the key is the API id.
const kindAPI = "apigw.api"

// DefaultCacheTTL is how long GetAPI trusts its in-memory copy of an API
// that this Service did not change itself.
const DefaultCacheTTL = time.Second

// Service implements apigatewayv2.API (the control plane) and
// gateway.APIs (what the data plane serves).
type Service struct {
	v2.UnimplementedAPI

	Store   store.ObjectStore
	Region  string
	Account string
	// EndpointBase is the server's base URL ("http://127.0.0.1:9229"); an
	// API's ApiEndpoint is EndpointBase + "/_aws/execute-api/" + apiId.
	EndpointBase string
	Now          func() time.Time
	// CacheTTL bounds how stale GetAPI may be about changes made elsewhere
	// (another process on the same store, a reset); DefaultCacheTTL when 0.
	CacheTTL time.Duration

	mu    sync.Mutex
	cache map[string]cachedAPI

	domainMu sync.Mutex // serializes reloads of domains
	domains  atomic.Pointer[domainIndex]
}

type cachedAPI struct {
	api      *gateway.API // nil: not served (no deployed stage)
	loadedAt time.Time
}

var (
	_ v2.API          = (*Service)(nil)
	_ gateway.APIs    = (*Service)(nil)
	_ gateway.Domains = (*Service)(nil)
)

// New returns a Service on st.
func New(st store.ObjectStore, region, account, endpointBase string) *Service {
	return &Service{Store: st, Region: region, Account: account, EndpointBase: strings.TrimRight(endpointBase, "/")}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// apiRecord is the stored form of an API: every control-plane record of it
// in one object, so that one read gives the data plane all it needs.
type apiRecord struct {
	ID                        string            `json:"apiId"`
	Name                      string            `json:"name"`
	Description               string            `json:"description,omitempty"`
	ProtocolType              string            `json:"protocolType"`
	Version                   string            `json:"version,omitempty"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	ApiKeySelectionExpression string            `json:"apiKeySelectionExpression"`
	DisableExecuteApiEndpoint bool              `json:"disableExecuteApiEndpoint,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	IpAddressType             string            `json:"ipAddressType,omitempty"`
	Cors                      *v2.Cors          `json:"corsConfiguration,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	CreatedDate               time.Time         `json:"createdDate"`
	// Revision is bumped on every change; with UpdatedAt it tells the
	// gateway to recompile.
	Revision  int64     `json:"revision"`
	UpdatedAt time.Time `json:"updatedAt"`

	definition
	Stages      map[string]*v2.Stage      `json:"stages,omitempty"`
	Deployments map[string]*deploymentRec `json:"deployments,omitempty"`
}

// definition is what a deployment freezes: routes, integrations and
// authorizers, by id.
type definition struct {
	Routes       map[string]*v2.Route       `json:"routes,omitempty"`
	Integrations map[string]*v2.Integration `json:"integrations,omitempty"`
	Authorizers  map[string]*v2.Authorizer  `json:"authorizers,omitempty"`
	// ProviderARNs holds the user pools of the COGNITO_USER_POOLS
	// authorizers (by authorizer id), which apigatewayv2's Authorizer shape
	// has no field for; only CreateAuthorizerInternal creates them.
	ProviderARNs map[string][]string `json:"providerARNs,omitempty"`
}

// deploymentRec is a deployment; Snapshot is nil for the automatic
// deployments of AutoDeploy stages, which serve the current definition.
type deploymentRec struct {
	v2.Deployment
	Snapshot *definition `json:"snapshot,omitempty"`
}

func (r *apiRecord) init() {
	if r.Routes == nil {
		r.Routes = map[string]*v2.Route{}
	}
	if r.Integrations == nil {
		r.Integrations = map[string]*v2.Integration{}
	}
	if r.Authorizers == nil {
		r.Authorizers = map[string]*v2.Authorizer{}
	}
	if r.Stages == nil {
		r.Stages = map[string]*v2.Stage{}
	}
	if r.Deployments == nil {
		r.Deployments = map[string]*deploymentRec{}
	}
}

// clone deep-copies d through JSON.
func (d *definition) clone() *definition {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	var c definition
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

// newID returns a 10-character id, as API Gateway's API ids are; routes,
// integrations, authorizers and deployments get 7 characters as AWS's do.
func newID(n int) string { return randid.String(n, randid.LowerAlnum) }

func (s *Service) apiNotFound(id string) error {
	return v2.NewNotFoundExceptionf("Invalid API identifier specified %s:%s", s.Account, id)
}

func required(name string, v *string) (string, error) {
	if v == nil || *v == "" {
		return "", v2.NewBadRequestExceptionf("%s is required", name)
	}
	return *v, nil
}

// load reads an API record.
func (s *Service) load(ctx context.Context, apiID *string) (*apiRecord, error) {
	id := awsapi.ToString(apiID)
	if id == "" {
		return nil, v2.NewBadRequestException("ApiId is required")
	}
	o, err := s.Store.GetObject(ctx, kindAPI, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.apiNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return decode(o.Value)
}

func decode(b []byte) (*apiRecord, error) {
	var r apiRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("apigw: decode API: %w", err)
	}
	r.init()
	return &r, nil
}

// mutate changes an API in one transaction: fn edits the record, then the
// definition is checked the way the gateway will compile it, the revision
// is bumped and AutoDeploy stages are redeployed. fn may run more than once.
func (s *Service) mutate(ctx context.Context, apiID *string, fn func(r *apiRecord) error) (*apiRecord, error) {
	return s.mutateTx(ctx, apiID, func(_ store.ObjectTx, r *apiRecord) error { return fn(r) })
}

// mutateTx is mutate for changes that read other objects in the same
// transaction (tx).
func (s *Service) mutateTx(ctx context.Context, apiID *string, fn func(tx store.ObjectTx, r *apiRecord) error) (*apiRecord, error) {
	id := awsapi.ToString(apiID)
	if id == "" {
		return nil, v2.NewBadRequestException("ApiId is required")
	}
	var out *apiRecord
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		o, err := tx.GetObject(ctx, kindAPI, id)
		if err != nil {
			return err
		}
		r, err := decode(o.Value)
		if err != nil {
			return err
		}
		before := r.deployed()
		if err := fn(tx, r); err != nil {
			return err
		}
		if err := s.commit(r, !bytes.Equal(before, r.deployed())); err != nil {
			return err
		}
		if o.Value, err = json.Marshal(r); err != nil {
			return err
		}
		out = r
		return tx.PutObject(ctx, o)
	})
	s.forget(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.apiNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// commit validates r and marks it changed; deployedChanged tells whether
// what a deployment serves changed (AutoDeploy stages are then redeployed).
func (s *Service) commit(r *apiRecord, deployedChanged bool) error {
	if err := validate(r); err != nil {
		return err
	}
	r.Revision++
	r.UpdatedAt = s.now()
	s.autoDeploy(r, deployedChanged)
	return nil
}

// deployed is the JSON of what a deployment of r serves: the definition and
// the API's CORS configuration.
func (r *apiRecord) deployed() []byte {
	b, err := json.Marshal(struct {
		D *definition
		C *v2.Cors
	}{&r.definition, r.Cors})
	if err != nil {
		panic(err)
	}
	return b
}

// validate compiles the current definition as the gateway would, with
// stage-variable URIs replaced by a placeholder (their stages may not
// exist yet).
func validate(r *apiRecord) error {
	api := buildAPI(r, &r.definition, map[string]gateway.Stage{gateway.DefaultStage: {Name: gateway.DefaultStage}})
	for id, in := range api.Integrations {
		if strings.Contains(in.URI, "${stageVariables.") {
			in.URI = "http://stage-variables.invalid/"
			api.Integrations[id] = in
		}
	}
	if err := gateway.Compile(api); err != nil {
		return v2.NewBadRequestException(strings.TrimPrefix(err.Error(), "gateway: "))
	}
	return nil
}

// autoDeploy points AutoDeploy stages at a fresh automatic deployment:
// all of them when what a deployment serves changed, else those not on an
// automatic deployment yet (new, or AutoDeploy just turned on). It drops
// the automatic deployments no stage uses any more.
func (s *Service) autoDeploy(r *apiRecord, changed bool) {
	now := awsapi.ISO8601Timestamp{Time: s.now()}
	for _, st := range r.Stages {
		if !awsapi.ToBool(st.AutoDeploy) {
			continue
		}
		if cur := r.Deployments[awsapi.ToString(st.DeploymentId)]; !changed && cur != nil && cur.Snapshot == nil {
			continue
		}
		d := &deploymentRec{Deployment: v2.Deployment{
			AutoDeployed: awsapi.Bool(true), CreatedDate: &now, DeploymentId: awsapi.String(newID(6)),
			DeploymentStatus: awsapi.String("DEPLOYED"),
			Description:      awsapi.String("Automatic deployment triggered by changes to the Api configuration"),
		}}
		r.Deployments[*d.DeploymentId] = d
		st.DeploymentId = d.DeploymentId
		st.LastDeploymentStatusMessage = awsapi.String("Successfully deployed stage with deployment ID '" + *d.DeploymentId + "'")
	}
	used := map[string]bool{}
	for _, st := range r.Stages {
		used[awsapi.ToString(st.DeploymentId)] = true
	}
	for id, d := range r.Deployments {
		if d.Snapshot == nil && !used[id] {
			delete(r.Deployments, id)
		}
	}
}

// forget drops the cached data-plane view of an API.
func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// ForgetAll drops every cached data-plane view; call it after the store is
// changed behind the Service's back (a reset), else GetAPI may serve the old
// APIs for up to CacheTTL.
func (s *Service) ForgetAll() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
	s.forgetDomains()
}

// GetAPI implements gateway.APIs: the API as its deployed stages serve it,
// from memory when it was read less than CacheTTL ago (changes through this
// Service are seen at once). An unknown API, or one without a deployed
// stage, is gateway.ErrAPINotFound.
func (s *Service) GetAPI(ctx context.Context, id string) (*gateway.API, error) {
	ttl := s.CacheTTL
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if !ok || now.Sub(c.loadedAt) >= ttl {
		o, err := s.Store.GetObject(ctx, kindAPI, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			c = cachedAPI{loadedAt: now}
		case err != nil:
			return nil, err
		default:
			r, err := decode(o.Value)
			if err != nil {
				return nil, err
			}
			c = cachedAPI{api: served(r), loadedAt: now}
		}
		s.mu.Lock()
		if s.cache == nil {
			s.cache = map[string]cachedAPI{}
		}
		s.cache[id] = c
		s.mu.Unlock()
	}
	if c.api == nil {
		return nil, fmt.Errorf("%w: %s", gateway.ErrAPINotFound, id)
	}
	return c.api, nil
}

// served builds what the data plane serves: the stages that have a
// deployment (AutoDeploy stages always do). An AutoDeploy stage serves the
// current definition; any other stage the snapshot of its deployment
// (gateway.Stage.Deployment, shared by the stages on one deployment). nil
// when no stage is deployed.
func served(r *apiRecord) *gateway.API {
	stages := map[string]gateway.Stage{}
	snapshots := map[string]*gateway.Definition{}
	for name, st := range r.Stages {
		id := awsapi.ToString(st.DeploymentId)
		d := r.Deployments[id]
		if d == nil {
			continue
		}
		g := toStage(st)
		if d.Snapshot != nil {
			if snapshots[id] == nil {
				snapshots[id] = toDefinition(d.Snapshot)
			}
			g.Deployment = snapshots[id]
		}
		stages[name] = g
	}
	if len(stages) == 0 {
		return nil
	}
	return buildAPI(r, &r.definition, stages)
}

func created(d *deploymentRec) time.Time {
	if d.CreatedDate == nil {
		return time.Time{}
	}
	return d.CreatedDate.Time
}

func throttle(rs v2.RouteSettings) *gateway.Throttle {
	if rs.ThrottlingBurstLimit == nil && rs.ThrottlingRateLimit == nil {
		return nil
	}
	return &gateway.Throttle{BurstLimit: int(awsapi.ToInt32(rs.ThrottlingBurstLimit)), RateLimit: awsapi.ToFloat64(rs.ThrottlingRateLimit)}
}

// routeThrottle is a route's throttle on a stage: each limit the route's
// settings leave out comes from the stage's default route settings. nil
// when the route's settings limit nothing.
func routeThrottle(dflt *v2.RouteSettings, rs v2.RouteSettings) *gateway.Throttle {
	if rs.ThrottlingBurstLimit == nil && rs.ThrottlingRateLimit == nil {
		return nil
	}
	if dflt != nil {
		if rs.ThrottlingBurstLimit == nil {
			rs.ThrottlingBurstLimit = dflt.ThrottlingBurstLimit
		}
		if rs.ThrottlingRateLimit == nil {
			rs.ThrottlingRateLimit = dflt.ThrottlingRateLimit
		}
	}
	return throttle(rs)
}

func toStage(st *v2.Stage) gateway.Stage {
	g := gateway.Stage{Name: awsapi.ToString(st.StageName), Variables: st.StageVariables, AutoDeploy: awsapi.ToBool(st.AutoDeploy)}
	if st.DefaultRouteSettings != nil {
		g.DefaultRouteSettings = throttle(*st.DefaultRouteSettings)
	}
	for key, rs := range st.RouteSettings {
		if t := routeThrottle(st.DefaultRouteSettings, rs); t != nil {
			if g.RouteSettings == nil {
				g.RouteSettings = map[string]gateway.Throttle{}
			}
			g.RouteSettings[key] = *t
		}
	}
	if st.AccessLogSettings != nil {
		g.AccessLogFormat = awsapi.ToString(st.AccessLogSettings.Format)
	}
	return g
}

// buildAPI maps an API and the definition its AutoDeploy stages serve to
// the gateway's types.
func buildAPI(r *apiRecord, def *definition, stages map[string]gateway.Stage) *gateway.API {
	gd := toDefinition(def)
	api := &gateway.API{
		ID: r.ID, Name: r.Name, ProtocolType: r.ProtocolType, Version: r.Revision, UpdatedAt: r.UpdatedAt,
		DisableExecuteAPIEndpoint: r.DisableExecuteApiEndpoint, Routes: gd.Routes, Integrations: gd.Integrations, Authorizers: gd.Authorizers, Stages: stages,
	}
	if c := r.Cors; c != nil {
		api.CorsConfiguration = &gateway.Cors{
			AllowCredentials: awsapi.ToBool(c.AllowCredentials), AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
			AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: int(awsapi.ToInt32(c.MaxAge)),
		}
	}
	return api
}

// toDefinition maps routes, integrations and authorizers to the gateway's
// types.
func toDefinition(def *definition) *gateway.Definition {
	gd := &gateway.Definition{Integrations: map[string]gateway.Integration{}, Authorizers: map[string]gateway.Authorizer{}}
	for _, id := range slices.Sorted(maps.Keys(def.Routes)) {
		rt := def.Routes[id]
		gd.Routes = append(gd.Routes, gateway.Route{
			ID: id, RouteKey: awsapi.ToString(rt.RouteKey), AuthorizationType: awsapi.ToString(rt.AuthorizationType),
			AuthorizerID: awsapi.ToString(rt.AuthorizerId), AuthorizationScopes: rt.AuthorizationScopes, Target: awsapi.ToString(rt.Target),
		})
	}
	for id, in := range def.Integrations {
		gd.Integrations[id] = gateway.Integration{
			ID: id, Type: awsapi.ToString(in.IntegrationType), Method: awsapi.ToString(in.IntegrationMethod),
			URI: awsapi.ToString(in.IntegrationUri), TimeoutMillis: int(awsapi.ToInt32(in.TimeoutInMillis)),
			RequestParameters: in.RequestParameters,
		}
	}
	for id, a := range def.Authorizers {
		ga := gateway.Authorizer{ID: id, Name: awsapi.ToString(a.Name), Type: awsapi.ToString(a.AuthorizerType), IdentitySource: a.IdentitySource}
		if j := a.JwtConfiguration; j != nil {
			ga.Issuer, ga.Audience = awsapi.ToString(j.Issuer), j.Audience
		}
		if ga.Type == gateway.AuthCognito {
			ga.ProviderARNs = def.ProviderARNs[id]
		}
		gd.Authorizers[id] = ga
	}
	return gd
}

// page cuts a sorted list of ids at NextToken (the last id of the previous
// page) and MaxResults.
func page(ids []string, max, nextToken *string) ([]string, *string, error) {
	limit, err := maxResults(max)
	if err != nil {
		return nil, nil, err
	}
	if after := awsapi.ToString(nextToken); after != "" {
		i, _ := slices.BinarySearch(ids, after)
		if i < len(ids) && ids[i] == after {
			i++
		}
		ids = ids[i:]
	}
	if limit > 0 && len(ids) > limit {
		return ids[:limit], awsapi.String(ids[limit-1]), nil
	}
	return ids, nil, nil
}

// pageValues pages through the records of m by key, as page does, and
// returns copies of the records: the Get<Things> operations.
func pageValues[T any](m map[string]*T, max, nextToken *string) ([]T, *string, error) {
	keys, next, err := page(slices.Sorted(maps.Keys(m)), max, nextToken)
	if err != nil {
		return nil, nil, err
	}
	items := make([]T, 0, len(keys))
	for _, k := range keys {
		items = append(items, *m[k])
	}
	return items, next, nil
}

// maxResults parses MaxResults (a string in this API's model); 0 when
// absent.
func maxResults(v *string) (int, error) {
	if v == nil || *v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(*v)
	if err != nil || n < 1 {
		return 0, v2.NewBadRequestExceptionf("Invalid MaxResults %q: must be a positive integer", *v)
	}
	return n, nil
}
