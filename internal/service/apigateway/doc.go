// Package apigw is the control plane of ninsho's API Gateway v2 (HTTP
// APIs): CreateApi and the routes, integrations, JWT authorizers, stages and
// deployments of an API, custom domain names with their API mappings, and
// tags, for the unmodified aws CLI and SDKs. Its Service
// also implements gateway.APIs, so the data plane (internal/gateway) serves
// exactly what the control plane stores.
//
// # Storage
//
// One object per API: kind "apigw.api", key the API id (10 lowercase
// alphanumerics, as AWS's). Its JSON holds the API's settings and every
// route, integration, authorizer, stage and deployment (the generated
// apigatewayv2 shapes, by id or stage name). Every change runs in one
// transaction, is checked with gateway.Compile, and bumps the object's
// revision, which becomes gateway.API.Version: the gateway recompiles an API
// when it changes.
//
// One object per custom domain name: kind "apigw.domain", key the name in
// lower case, holding the DomainName shape and its API mappings by id.
//
// # Endpoints
//
// An API's ApiEndpoint is EndpointBase + "/_aws/execute-api/" + apiId.
// The stage and the path follow it: <ApiEndpoint>/dev/hello calls GET /hello
// on stage dev; on the $default stage the path follows directly. The
// gateway also answers Host: {apiId}.execute-api.localhost, and the Host of
// every custom domain name.
//
// # Deployments and stages
//
// A stage serves requests once it has a deployment; a stage without one is
// not served (404 {"message":"Not Found"}), nor is an API without a
// deployed stage. CreateDeployment freezes the routes, integrations and
// authorizers; the stage it names (StageName), or a stage later pointed at
// it (CreateStage/UpdateStage DeploymentId, which must exist), serves that
// snapshot until it is redeployed, whatever changes in between. An
// AutoDeploy stage serves the current definition: each change to the
// routes, integrations, authorizers or CORS configuration gives it a new
// automatic deployment (DeploymentId, LastDeploymentStatusMessage
// "Successfully deployed stage with deployment ID '<id>'"); automatic
// deployments no stage uses are dropped. CreateDeployment to an AutoDeploy
// stage is BadRequestException; turning AutoDeploy off freezes what the
// stage serves at that moment. UpdateDeployment changes the description;
// DeleteDeployment of a deployment a stage uses is BadRequestException
// ("Active stages pointing to this deployment must be moved or deleted").
// GetAPI gives the gateway one gateway.Stage per deployed stage, with its
// snapshot in Stage.Deployment (shared by the stages on one deployment).
//
// Stage variables, access log formats, DefaultRouteSettings and
// RouteSettings are per stage. A route's settings (by route key, which must
// name a route: else NotFoundException) throttle that route on that stage
// only; a limit they leave out comes from the stage's DefaultRouteSettings.
// DetailedMetricsEnabled is kept and echoed; LoggingLevel and
// DataTraceEnabled (execution logs, WebSocket APIs only) are
// BadRequestException. DeleteRouteSettings removes one route's settings.
//
// # Custom domain names
//
// CreateDomainName takes a fully qualified name (no IP addresses, no
// wildcards) and at most one Regional configuration, echoed with
// DomainNameStatus AVAILABLE, SecurityPolicy TLS_1_2 and IpAddressType ipv4
// by default; no certificate is needed, and ApiGatewayDomainName (where DNS
// would point) is the domain itself. EDGE and routing rules are
// BadRequestException. An API mapping sends the paths under its
// ApiMappingKey (segments without leading or trailing slash; empty for the
// root) to one stage of an API; a key taken on the domain is
// ConflictException, an unknown API or stage NotFoundException. An API or
// stage that a domain name maps is not deleted (BadRequestException).
// Service implements gateway.Domains: the gateway routes a request whose
// Host is a domain name (any port, any case) by the longest matching key,
// stripped before route matching. DisableExecuteApiEndpoint leaves an API
// reachable through domain names only. The domain names are cached like APIs
// (re-read after this Service changes one, else after CacheTTL).
//
// # Tags
//
// TagResource, UntagResource and GetTags take the ARNs
// arn:aws:apigateway:{region}::/apis/{apiId}, .../apis/{apiId}/stages/{name}
// and .../domainnames/{name}; CreateApi, CreateStage and CreateDomainName
// take Tags. At most 50 tags; keys of 1 to 128 characters not starting with
// "aws:", values of at most 256.
//
// # Supported
//
// HTTP APIs only (WEBSOCKET is BadRequestException); quick create (Target
// and RouteKey on CreateApi: an HTTP_PROXY integration, a route and the
// $default AutoDeploy stage); route keys "$default" and "METHOD /path" with
// {param} and {proxy+}; authorization NONE, JWT and AWS_IAM (CUSTOM is
// BadRequestException); HTTP_PROXY integrations with payload format 1.0,
// timeouts of 50 to 30000 ms and request parameter mapping (AWS_PROXY and
// the rest are BadRequestException); JWT authorizers with one
// $request.header.* identity source (REQUEST is BadRequestException); CORS
// configuration.
//
// # Internal operations
//
// CreateApiInternal (ProtocolType REST), CreateAuthorizerInternal
// (COGNITO_USER_POOLS authorizers with user pool ARNs, kept in the
// definition's ProviderARNs) and CreateRouteInternal (authorization
// COGNITO_USER_POOLS) serve the configuration file only; the AWS API still
// refuses all three, and lets a COGNITO_USER_POOLS route be updated only
// while it stays one.
package apigw
