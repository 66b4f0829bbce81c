// Package gateway is the data plane of ninsho's API Gateway emulation: it
// serves deployed HTTP APIs (and REST APIs' Cognito authorizer semantics)
// at /_aws/execute-api/{apiId}/{stage}/{path} and on
// Host: {apiId}.execute-api.localhost, authorizes each request and proxies
// it to an HTTP_PROXY integration.
//
// # Routing
//
// The first path segment selects the stage when an API has a stage of that
// name, else the $default stage serves the whole path. Each stage serves
// its own definition: Stage.Deployment (a deployment's snapshot of routes,
// integrations and authorizers) when set, else the API's current ones.
//
// Custom domain names (Domains): a request whose Host is one, whatever its
// port or case, goes to the API mapping whose key is the longest prefix of
// the path, compared segment by segment (the empty key matches every path);
// the key is removed from the path, and the mapping's stage serves the rest.
// A path no mapping covers is 403 {"message":"Missing Authentication
// Token"}, as API Gateway answers; a mapping to a stage that is not
// deployed is 404. An API with DisableExecuteAPIEndpoint answers only
// through custom domain names: its default endpoints are 403
// {"message":"Forbidden"}. Handles tells the server which requests are the
// gateway's. Routes are chosen as
// HTTP APIs choose them: the most specific path wins, compared segment by
// segment (a literal before {param} before a greedy {proxy+}, which must end
// the path and matches one or more segments); for the same path a route
// naming the method wins over ANY; $default catches the rest. No route is
// 404 {"message":"Not Found"} (403 {"message":"Missing Authentication
// Token"} for REST APIs).
//
// # Authorizers
//
// JWT (HTTP APIs): the token is read from the identity-source header, with
// or without "Bearer "; RS256/RS384/RS512 only (alg none and HMAC are
// refused); the kid must name a key of the issuer's JWKS; iss must equal the
// configured issuer; aud, when present, must name one of the audiences,
// else client_id must (Cognito access tokens have no aud); exp must be after
// now (no leeway), nbf and iat not after now plus 5 s; with route
// authorization scopes, the scope (or scp) claim must name one of them.
// Failures are 401 {"message":"Unauthorized"} with a www-authenticate
// header, insufficient scopes 403 {"message":"Forbidden"}.
//
// COGNITO_USER_POOLS (REST semantics): the raw token (no "Bearer ") of one
// of the ProviderARNs' pools; without route scopes an ID (or access) token;
// with scopes an access token whose scope names one. Every failure is 401.
//
// Tokens of local user pools (LocalKeys.IssuerScope) are verified with the
// server's keys, never fetched over HTTP. Other issuers' keys come from
// {iss}/.well-known/openid-configuration's jwks_uri (or
// {iss}/.well-known/jwks.json), cached for two hours and fetched again on an
// unknown kid at most once a minute per issuer. Only issuers an authorizer
// names are ever fetched.
//
// A verified token is cached under its SHA-256 with its claims, expiry and
// kid: the hot path then does no RSA work. A cached token is refused at its
// exp, and when its kid has left the issuer's key set (a local pool's JWKS
// as tokens.Keys publishes it, or a remote JWKS after it is fetched again).
// Audience, scope and token_use are checked on every request. The cache is
// bounded (TokenCacheSize, 10000 by default).
//
// AWS_IAM: SigV4 in the Authorization header or the query, with service
// execute-api; the body (at most 10 MB) is read for the payload hash and
// replayed to the backend. The principal's identity policies (and session
// policy) must allow execute-api:Invoke on
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}.
// A caller's policies are read once a second at most (IAM changes are
// eventually consistent in AWS too); its credentials on every request.
// Refusals are 403 with API Gateway's messages ("Missing Authentication
// Token", "The request signature we calculated does not match ...", "The
// security token included in the request is expired", "User: {arn} is not
// authorized to perform: execute-api:Invoke on resource: {arn}").
//
// # Integrations
//
// HTTP_PROXY integrations reach plain-HTTP backends over the gateway's own
// HTTP/1.1 keep-alive connections (up to 512 idle per backend, closed after
// 90 s idle, checked with a non-blocking peek when idle over a second, an
// idempotent bodiless request sent again once when a kept connection turns
// out closed, which drops the others kept for that backend), written and
// read from the request's goroutine; https
// backends, or all when Gateway.Transport is set, go through an
// http.Transport. Bodies stream both ways with pooled buffers: a response
// of known length is copied without flushes, one without a length (or
// text/event-stream) is flushed whenever no more of it is waiting; a
// request body over 64 KiB or of unknown length is sent while the response
// is read. Hop-by-hop fields (RFC 9110 section 7.6.1: Connection and the
// fields it names, Keep-Alive, Proxy-*, TE other than "trailers", Trailer,
// Transfer-Encoding, Upgrade) are dropped both ways, as is Expect (the
// server answers 100-continue); trailers pass both ways; 1xx responses
// other than 100 are passed on (plain-HTTP backends); protocol upgrades are
// not (HTTP APIs have none: WebSocket APIs are another kind). Authorization is passed on;
// X-Forwarded-For (the client's address appended), X-Forwarded-Host,
// X-Forwarded-Proto and Forwarded (RFC 7239 by/for/host/proto) are set. A
// mapped value that would break the header framing (a CR or LF in a claim)
// is a 502. A client that goes away cancels the backend exchange; a
// backend that fails mid-body aborts the response. The URI
// takes {param}/{proxy} path parameters and ${stageVariables.x}; for the
// $default route the request path is appended to it; the query string is
// passed on. Request parameter mapping (append|overwrite|remove:header.x,
// ...:querystring.x, overwrite:path) takes $context.*, $request.header.x,
// $request.querystring.x, $request.path.x and $stageVariables.x:
// $context.authorizer.claims.sub (and .jwt.claims.) for token routes,
// $context.identity.userArn, caller, accessKey, accountId,
// cognitoIdentityId and cognitoIdentityPoolId for IAM routes.
// No response headers within the integration timeout (30 s at most) is 504
// {"message":"Endpoint request timed out"}; an unreachable backend 502
// {"message":"Internal Server Error"}.
//
// With a CorsConfiguration the gateway answers preflights itself (204 and
// the configured Access-Control-* headers) and replaces the backend's CORS
// headers. Routes are throttled by a token bucket per API, stage and route
// (the stage's RouteSettings for the route, else the route's Throttle, else
// the stage's DefaultRouteSettings): 429 {"message":"Too Many Requests"}.
// A stage with an AccessLogFormat logs each request with it on Logger at
// Info; without one (API Gateway then logs nothing) a default line is
// logged at Debug, and nothing is built unless Debug is enabled. A panic
// answers 500 and never takes the server down.
package gateway
