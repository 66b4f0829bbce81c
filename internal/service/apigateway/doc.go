// Package apigw is the control plane of ninsho's API Gateway v2 (HTTP
// APIs): CreateApi and the routes, integrations, JWT authorizers, stages and
// deployments of an API, for the unmodified aws CLI and SDKs. Its Service
// also implements gateway.APIs, so the data plane (internal/gateway) serves
// exactly what the control plane stores.
//
// # Storage
//
// One object per API: kind "apigw.api", key the API id (10 lowercase
// alphanumerics, as AWS's). Its JSON holds the API's settings and every
// route, integration, authorizer, stage and deployment (the generated
// apigatewayv2 shapes, by id or stage name). Every change runs in one
// UpdateObject transaction, is checked with gateway.Compile, and bumps the
// object's revision, which becomes gateway.API.Version: the gateway
// recompiles an API when it changes.
//
// # Endpoints
//
// An API's ApiEndpoint is EndpointBase + "/_aws/execute-api/" + apiId.
// The stage and the path follow it: <ApiEndpoint>/dev/hello calls GET /hello
// on stage dev; on the $default stage the path follows directly. The
// gateway also answers Host: {apiId}.execute-api.localhost.
//
// # Deployments
//
// A stage serves requests once it has a deployment. AutoDeploy stages are
// redeployed on every change (an automatic deployment; GetDeployments lists
// the ones stages use) and serve the current routes. CreateDeployment
// freezes the routes, integrations and authorizers; the stage it names
// serves that snapshot. The gateway has one route table per API, so all its
// stages serve one definition: the current one when any deployed stage is
// AutoDeploy, else the newest snapshot a stage points at. Stage variables,
// default route settings (throttling) and access log formats are per stage;
// a stage's RouteSettings throttle a route on every stage (the first stage by
// name that sets the route wins). An API without a deployed stage is not
// served (404).
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
// configuration. Tags are kept on CreateApi and CreateStage only.
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
