package gateway

import "time"

// Protocol types of an API.
const (
	ProtocolHTTP = "HTTP"
	ProtocolREST = "REST"
)

// Authorization types of a route.
const (
	AuthNone     = "NONE"
	AuthJWT      = "JWT"
	AuthIAM      = "AWS_IAM"
	AuthCognito  = "COGNITO_USER_POOLS"
	DefaultRoute = "$default"
	DefaultStage = "$default"
)

// API is a deployed API as the data plane sees it. The control plane stores
// it; the gateway compiles it once per (ID, Version, UpdatedAt).
type API struct {
	ID           string `json:"apiId"`
	Name         string `json:"name,omitempty"`
	ProtocolType string `json:"protocolType,omitempty"` // "HTTP" (default) or "REST"
	// Version and UpdatedAt identify a revision: a change to either makes
	// the gateway recompile the API.
	Version           int64                  `json:"version,omitempty"`
	UpdatedAt         time.Time              `json:"updatedAt,omitzero"`
	CorsConfiguration *Cors                  `json:"corsConfiguration,omitempty"`
	Routes            []Route                `json:"routes,omitempty"`
	Integrations      map[string]Integration `json:"integrations,omitempty"`
	Authorizers       map[string]Authorizer  `json:"authorizers,omitempty"`
	Stages            map[string]Stage       `json:"stages,omitempty"`
	// DisableExecuteAPIEndpoint refuses the default endpoints
	// (/_aws/execute-api/ and {apiId}.execute-api.localhost) with 403
	// {"message":"Forbidden"}: clients must come through a custom domain
	// name.
	DisableExecuteAPIEndpoint bool `json:"disableExecuteApiEndpoint,omitempty"`
}

// Cors is an HTTP API's CORS configuration.
type Cors struct {
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           int      `json:"maxAge,omitempty"` // seconds; 0 leaves the header out
}

// Throttle is a token bucket: RateLimit requests per second on average,
// BurstLimit at once. Zero values mean "no limit".
type Throttle struct {
	BurstLimit int     `json:"throttlingBurstLimit,omitempty"`
	RateLimit  float64 `json:"throttlingRateLimit,omitempty"`
}

// Route maps a route key to an integration.
type Route struct {
	ID string `json:"routeId,omitempty"`
	// RouteKey is "METHOD /path" ("GET /pets/{id}", "ANY /{proxy+}") or
	// "$default".
	RouteKey            string   `json:"routeKey"`
	AuthorizationType   string   `json:"authorizationType,omitempty"` // NONE (default), JWT, AWS_IAM, COGNITO_USER_POOLS
	AuthorizerID        string   `json:"authorizerId,omitempty"`
	AuthorizationScopes []string `json:"authorizationScopes,omitempty"`
	// Target is "integrations/<id>".
	Target   string    `json:"target,omitempty"`
	Throttle *Throttle `json:"throttle,omitempty"`
}

// Integration is an HTTP_PROXY integration.
type Integration struct {
	ID   string `json:"integrationId,omitempty"`
	Type string `json:"integrationType,omitempty"` // HTTP_PROXY
	// Method is the method sent to the backend; empty or "ANY" keeps the
	// request's.
	Method string `json:"integrationMethod,omitempty"`
	// URI is the backend URL; it may hold {proxy} and {param} (path
	// parameters of the route) and ${stageVariables.name}.
	URI string `json:"integrationUri"`
	// TimeoutMillis bounds the wait for the backend's response headers
	// (30000 when 0; at most 30000).
	TimeoutMillis int `json:"timeoutInMillis,omitempty"`
	// RequestParameters is parameter mapping as HTTP APIs have it:
	// "overwrite:header.x-user-sub": "$context.authorizer.claims.sub",
	// "append:header.x", "remove:header.x", "append|overwrite|remove:querystring.x",
	// "overwrite:path".
	RequestParameters map[string]string `json:"requestParameters,omitempty"`
}

// Authorizer verifies callers of the routes that name it.
type Authorizer struct {
	ID   string `json:"authorizerId,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"authorizerType"` // JWT or COGNITO_USER_POOLS
	// IdentitySource is where the token is; only the first entry counts
	// ("$request.header.Authorization" when empty; "method.request.header.X"
	// as REST APIs spell it is accepted too).
	IdentitySource []string `json:"identitySource,omitempty"`
	// Issuer and Audience configure a JWT authorizer.
	Issuer   string   `json:"issuer,omitempty"`
	Audience []string `json:"audience,omitempty"`
	// ProviderARNs are the user pools of a COGNITO_USER_POOLS authorizer
	// (arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>).
	ProviderARNs []string `json:"providerARNs,omitempty"`
}

// Stage is a deployment stage.
type Stage struct {
	Name                 string            `json:"stageName"`
	Variables            map[string]string `json:"stageVariables,omitempty"`
	AutoDeploy           bool              `json:"autoDeploy,omitempty"`
	DefaultRouteSettings *Throttle         `json:"defaultRouteSettings,omitempty"`
	// AccessLogFormat is a line with $context variables
	// ("$context.requestId $context.status"); empty logs a default set of
	// attributes.
	AccessLogFormat string `json:"accessLogFormat,omitempty"`
	// RouteSettings throttle routes of this stage only, by route key; they
	// take precedence over a Route's own Throttle and over
	// DefaultRouteSettings.
	RouteSettings map[string]Throttle `json:"routeSettings,omitempty"`
	// Deployment, when set, is what this stage serves instead of the API's
	// Routes, Integrations and Authorizers: the snapshot of the deployment
	// the stage points at. Stages may share one Definition.
	Deployment *Definition `json:"deployment,omitempty"`
}

// Definition is what a deployment freezes: an API's routes, integrations
// and authorizers.
type Definition struct {
	Routes       []Route                `json:"routes,omitempty"`
	Integrations map[string]Integration `json:"integrations,omitempty"`
	Authorizers  map[string]Authorizer  `json:"authorizers,omitempty"`
}
