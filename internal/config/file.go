package config

// The configuration file (--config FILE, NINSHO_CONFIG) declares resources
// that ninsho creates at every start: user pools with their clients and
// users, IAM roles, identity pools and HTTP APIs. It is meant to be kept in
// git next to the application it serves.
//
// Applying it is idempotent, by name: a resource that already exists with
// the declared name is not created again. What is cheap to bring up to date
// is updated (a role's trust policy, inline and managed policies; an
// identity pool's roles; missing clients and users of an existing pool);
// everything else of an existing resource (a pool's settings, a user's
// password, an API's routes) is left as it is.
//
// Resources get generated ids, so they reference each other by their local
// name (the key in the file), in strings of the form ${kind.name.attribute}:
//
//	${userPools.<name>.id}                 the user pool id (us-east-1_xxxxxxxxx)
//	${userPools.<name>.arn}                the user pool ARN
//	${userPools.<name>.issuer}             the user pool's token issuer URL
//	${userPools.<name>.clients.<name>.id}  an app client id
//	${roles.<name>.arn}                    a role ARN
//	${roles.<name>.name}                   a role name
//	${identityPools.<name>.id}             an identity pool id
//
// References are expanded in role policies, user attributes, integration
// URIs, route/integration request parameters and stage variables. Other
// ${...} and $context... expressions (${stageVariables.x},
// $context.authorizer.claims.sub) are left to the gateway.
//
// Schema, with every field:
//
//	userPools:
//	  main:                                # local name
//	    name: main                         # PoolName (required)
//	    usernameAttributes: [email]
//	    aliasAttributes: []
//	    autoVerifiedAttributes: [email]
//	    passwordPolicy: {minimumLength: 8, requireUppercase: true, requireLowercase: true,
//	                     requireNumbers: true, requireSymbols: false, temporaryPasswordValidityDays: 7}
//	    clients:
//	      web:                             # local name
//	        name: web                      # ClientName (required)
//	        explicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
//	        generateSecret: false
//	        callbackURLs: [], logoutURLs: [], allowedOAuthFlows: [], allowedOAuthScopes: []
//	    users:
//	      - username: taro@example.com
//	        password: Passw0rd!            # permanent: the user is CONFIRMED
//	        # temporaryPassword: Temp#123  # instead: FORCE_CHANGE_PASSWORD
//	        attributes: {email_verified: "true"}
//	roles:
//	  app:
//	    name: app-user                     # RoleName (required)
//	    description: ...
//	    maxSessionDuration: 3600
//	    assumeRolePolicy: {Version: "2012-10-17", Statement: [...]}   # YAML or a JSON string (required)
//	    policies: {inline-name: {Version: "2012-10-17", Statement: [...]}}
//	    managedPolicies: [arn:aws:iam::aws:policy/AmazonCognitoReadOnly]
//	identityPools:
//	  app:
//	    name: app                          # IdentityPoolName (required)
//	    allowUnauthenticated: false
//	    allowClassicFlow: false
//	    developerProviderName: ""
//	    providers: [{userPool: main, client: web, serverSideTokenCheck: false}]
//	    roles: {authenticated: app, unauthenticated: guest}     # local role names
//	apis:
//	  hello:
//	    name: hello                        # Name (required)
//	    protocolType: HTTP                 # HTTP or REST; see below
//	    description: ...
//	    cors: {allowOrigins: ["*"], allowMethods: [], allowHeaders: [], exposeHeaders: [],
//	           allowCredentials: false, maxAge: 0}
//	    authorizers:
//	      cognito:
//	        type: JWT                      # the only type HTTP APIs have
//	        userPool: main                 # issuer filled from the pool (or issuer: https://...)
//	        audience: [web]                # client local names of userPool, or literal audiences
//	        identitySource: [$request.header.Authorization]
//	      pool:
//	        type: COGNITO_USER_POOLS       # REST APIs only (the default type there)
//	        userPool: main                 # the pool whose ID or access tokens it accepts
//	        identitySource: [method.request.header.Authorization]
//	    integrations:
//	      backend: {uri: "http://127.0.0.1:3000/{proxy}", method: ANY, timeoutInMillis: 30000,
//	                requestParameters: {}}
//	    routes:
//	      - key: "GET /hello"              # "$default" or "METHOD /path"
//	        authorization: JWT             # NONE (default), JWT, AWS_IAM or COGNITO_USER_POOLS
//	        authorizer: cognito            # with JWT or COGNITO_USER_POOLS
//	        scopes: []                     # COGNITO_USER_POOLS: set, an access token with one of them
//	        integration: backend
//	        # parameter mapping for this route only (HTTP APIs keep it on
//	        # the integration: the route gets its own copy of backend)
//	        requestParameters: {"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}
//	    stages:                            # default: {$default: {autoDeploy: true}}
//	      dev: {autoDeploy: true, variables: {}}
//
// protocolType REST declares a REST-style API: its authorizers are
// COGNITO_USER_POOLS authorizers of a userPool of the file (a raw ID token
// in the header, no "Bearer"; or an access token when the route has
// scopes), its routes use authorization NONE, AWS_IAM or
// COGNITO_USER_POOLS, and an unknown path answers 403 "Missing
// Authentication Token" as REST APIs do. Without protocolType, an API with
// a COGNITO_USER_POOLS authorizer or route is REST, any other HTTP. Such
// APIs can be declared only here: apigatewayv2's API (the aws CLI's
// apigatewayv2 commands) has no COGNITO_USER_POOLS authorizers, though it
// lists them and updates their routes' other settings.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a parsed configuration file.
type File struct {
	UserPools     map[string]*FileUserPool     `yaml:"userPools"`
	Roles         map[string]*FileRole         `yaml:"roles"`
	IdentityPools map[string]*FileIdentityPool `yaml:"identityPools"`
	APIs          map[string]*FileAPI          `yaml:"apis"`
}

// FileUserPool declares a user pool.
type FileUserPool struct {
	Name                   string                 `yaml:"name"`
	UsernameAttributes     []string               `yaml:"usernameAttributes"`
	AliasAttributes        []string               `yaml:"aliasAttributes"`
	AutoVerifiedAttributes []string               `yaml:"autoVerifiedAttributes"`
	PasswordPolicy         *FilePasswordPolicy    `yaml:"passwordPolicy"`
	Clients                map[string]*FileClient `yaml:"clients"`
	Users                  []*FileUser            `yaml:"users"`
}

// FilePasswordPolicy is a pool's password policy; unset fields keep
// Cognito's defaults.
type FilePasswordPolicy struct {
	MinimumLength                 *int32 `yaml:"minimumLength"`
	RequireUppercase              *bool  `yaml:"requireUppercase"`
	RequireLowercase              *bool  `yaml:"requireLowercase"`
	RequireNumbers                *bool  `yaml:"requireNumbers"`
	RequireSymbols                *bool  `yaml:"requireSymbols"`
	TemporaryPasswordValidityDays *int32 `yaml:"temporaryPasswordValidityDays"`
}

// FileClient declares an app client of a pool.
type FileClient struct {
	Name               string   `yaml:"name"`
	ExplicitAuthFlows  []string `yaml:"explicitAuthFlows"`
	GenerateSecret     bool     `yaml:"generateSecret"`
	CallbackURLs       []string `yaml:"callbackURLs"`
	LogoutURLs         []string `yaml:"logoutURLs"`
	AllowedOAuthFlows  []string `yaml:"allowedOAuthFlows"`
	AllowedOAuthScopes []string `yaml:"allowedOAuthScopes"`
}

// FileUser declares a user of a pool.
type FileUser struct {
	Username          string            `yaml:"username"`
	Password          string            `yaml:"password"`          // permanent
	TemporaryPassword string            `yaml:"temporaryPassword"` // FORCE_CHANGE_PASSWORD
	Attributes        map[string]string `yaml:"attributes"`
}

// FileRole declares an IAM role. Policy documents are YAML mappings (or
// JSON strings), sent as JSON.
type FileRole struct {
	Name               string         `yaml:"name"`
	Description        string         `yaml:"description"`
	MaxSessionDuration *int32         `yaml:"maxSessionDuration"`
	AssumeRolePolicy   any            `yaml:"assumeRolePolicy"`
	Policies           map[string]any `yaml:"policies"`
	ManagedPolicies    []string       `yaml:"managedPolicies"`
}

// FileIdentityPool declares an identity pool.
type FileIdentityPool struct {
	Name                  string                  `yaml:"name"`
	AllowUnauthenticated  bool                    `yaml:"allowUnauthenticated"`
	AllowClassicFlow      *bool                   `yaml:"allowClassicFlow"`
	DeveloperProviderName string                  `yaml:"developerProviderName"`
	Providers             []*FileIdentityProvider `yaml:"providers"`
	// Roles maps "authenticated" and "unauthenticated" to local role names.
	Roles map[string]string `yaml:"roles"`
}

// FileIdentityProvider is a user pool client an identity pool trusts.
type FileIdentityProvider struct {
	UserPool             string `yaml:"userPool"`
	Client               string `yaml:"client"`
	ServerSideTokenCheck bool   `yaml:"serverSideTokenCheck"`
}

// FileAPI declares an HTTP API or a REST-style API.
type FileAPI struct {
	Name         string                      `yaml:"name"`
	ProtocolType string                      `yaml:"protocolType"` // HTTP, REST or empty; see Protocol`
	Description  string                      `yaml:"description"`
	Cors         *FileCors                   `yaml:"cors"`
	Authorizers  map[string]*FileAuthorizer  `yaml:"authorizers"`
	Integrations map[string]*FileIntegration `yaml:"integrations"`
	Routes       []*FileRoute                `yaml:"routes"`
	Stages       map[string]*FileStage       `yaml:"stages"`
}

// Protocol types and authorizer types of the file.
const (
	ProtocolHTTP   = "HTTP"
	ProtocolREST   = "REST"
	AuthorizerJWT  = "JWT"
	AuthCognito    = "COGNITO_USER_POOLS"
	defaultRESTSrc = "method.request.header.Authorization"
)

// Protocol is the API's protocol type: ProtocolType when set, else REST
// when an authorizer or a route is COGNITO_USER_POOLS, else HTTP.
func (a *FileAPI) Protocol() string {
	if a.ProtocolType != "" {
		return strings.ToUpper(a.ProtocolType)
	}
	for _, z := range a.Authorizers {
		if z != nil && z.Type == AuthCognito {
			return ProtocolREST
		}
	}
	for _, r := range a.Routes {
		if r != nil && r.Authorization == AuthCognito {
			return ProtocolREST
		}
	}
	return ProtocolHTTP
}

// AuthorizerType is z's type: Type when set, else COGNITO_USER_POOLS in a
// REST API and JWT in an HTTP API.
func (a *FileAPI) AuthorizerType(z *FileAuthorizer) string {
	switch {
	case z.Type != "":
		return z.Type
	case a.Protocol() == ProtocolREST:
		return AuthCognito
	default:
		return AuthorizerJWT
	}
}

// IdentitySource is z's identity source: the declared one, else the
// Authorization header.
func (a *FileAPI) IdentitySource(z *FileAuthorizer) []string {
	switch {
	case len(z.IdentitySource) > 0:
		return z.IdentitySource
	case a.AuthorizerType(z) == AuthCognito:
		return []string{defaultRESTSrc}
	default:
		return []string{"$request.header.Authorization"}
	}
}

// FileCors is an API's CORS configuration.
type FileCors struct {
	AllowOrigins     []string `yaml:"allowOrigins"`
	AllowMethods     []string `yaml:"allowMethods"`
	AllowHeaders     []string `yaml:"allowHeaders"`
	ExposeHeaders    []string `yaml:"exposeHeaders"`
	AllowCredentials bool     `yaml:"allowCredentials"`
	MaxAge           *int32   `yaml:"maxAge"`
}

// FileAuthorizer is a JWT authorizer, or a COGNITO_USER_POOLS authorizer
// of a REST API (userPool, identitySource).
type FileAuthorizer struct {
	Type           string   `yaml:"type"`
	UserPool       string   `yaml:"userPool"`
	Issuer         string   `yaml:"issuer"`
	Audience       []string `yaml:"audience"`
	IdentitySource []string `yaml:"identitySource"`
}

// FileIntegration is an HTTP_PROXY integration.
type FileIntegration struct {
	URI               string            `yaml:"uri"`
	Method            string            `yaml:"method"`
	TimeoutInMillis   *int32            `yaml:"timeoutInMillis"`
	RequestParameters map[string]string `yaml:"requestParameters"`
}

// FileRoute is a route of an API.
type FileRoute struct {
	Key               string            `yaml:"key"`
	Authorization     string            `yaml:"authorization"`
	Authorizer        string            `yaml:"authorizer"`
	Scopes            []string          `yaml:"scopes"`
	Integration       string            `yaml:"integration"`
	RequestParameters map[string]string `yaml:"requestParameters"`
}

// FileStage is a stage of an API.
type FileStage struct {
	AutoDeploy *bool             `yaml:"autoDeploy"`
	Variables  map[string]string `yaml:"variables"`
}

// LoadFile reads and validates a configuration file.
func LoadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	f, err := ParseFile(b)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return f, nil
}

// ParseFile parses and validates a configuration file's contents. Unknown
// keys are errors, reported with their line.
func ParseFile(b []byte) (*File, error) {
	f := &File{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("a configuration file holds a single YAML document")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

var (
	fileRouteMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
	// RefRE matches a reference ${kind.name...} to a resource of the file.
	RefRE = regexp.MustCompile(`\$\{((?:userPools|roles|identityPools)\.[^}]*)\}`)
)

// sortedKeys returns the keys of m in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Validate reports every problem of f at once: missing names, duplicate
// names, unknown references and bad route keys.
func (f *File) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	// refs checks the ${...} references in s.
	refs := func(where, s string) {
		for _, m := range RefRE.FindAllStringSubmatch(s, -1) {
			if err := f.checkRef(m[1]); err != nil {
				bad("%s: %v", where, err)
			}
		}
	}
	unique := func(kind string, names map[string]string, local, name string) {
		if other, ok := names[name]; ok {
			bad("%s.%s: name %q is also the name of %s.%s", kind, local, name, kind, other)
		}
		names[name] = local
	}

	poolNames := map[string]string{}
	for _, pk := range sortedKeys(f.UserPools) {
		p := f.UserPools[pk]
		where := "userPools." + pk
		if p == nil {
			bad("%s: empty", where)
			continue
		}
		if p.Name == "" {
			bad("%s.name: required", where)
		} else {
			unique("userPools", poolNames, pk, p.Name)
		}
		clientNames := map[string]string{}
		for _, ck := range sortedKeys(p.Clients) {
			c := p.Clients[ck]
			if c == nil || c.Name == "" {
				bad("%s.clients.%s.name: required", where, ck)
				continue
			}
			unique(where+".clients", clientNames, ck, c.Name)
		}
		users := map[string]bool{}
		for i, u := range p.Users {
			uw := fmt.Sprintf("%s.users[%d]", where, i)
			if u == nil || u.Username == "" {
				bad("%s.username: required", uw)
				continue
			}
			if users[u.Username] {
				bad("%s.username: %q is declared twice", uw, u.Username)
			}
			users[u.Username] = true
			if u.Password != "" && u.TemporaryPassword != "" {
				bad("%s: give password or temporaryPassword, not both", uw)
			}
			for _, k := range sortedKeys(u.Attributes) {
				refs(uw+".attributes."+k, u.Attributes[k])
			}
		}
	}

	roleNames := map[string]string{}
	for _, rk := range sortedKeys(f.Roles) {
		r := f.Roles[rk]
		where := "roles." + rk
		if r == nil {
			bad("%s: empty", where)
			continue
		}
		if r.Name == "" {
			bad("%s.name: required", where)
		} else {
			unique("roles", roleNames, rk, r.Name)
		}
		if r.AssumeRolePolicy == nil {
			bad("%s.assumeRolePolicy: required", where)
		} else if doc, err := PolicyJSON(r.AssumeRolePolicy); err != nil {
			bad("%s.assumeRolePolicy: %v", where, err)
		} else {
			refs(where+".assumeRolePolicy", doc)
		}
		for _, pk := range sortedKeys(r.Policies) {
			if doc, err := PolicyJSON(r.Policies[pk]); err != nil {
				bad("%s.policies.%s: %v", where, pk, err)
			} else {
				refs(where+".policies."+pk, doc)
			}
		}
		for i, arn := range r.ManagedPolicies {
			if !strings.HasPrefix(arn, "arn:") {
				bad("%s.managedPolicies[%d]: %q is not a policy ARN", where, i, arn)
			}
		}
	}

	idNames := map[string]string{}
	for _, ik := range sortedKeys(f.IdentityPools) {
		ip := f.IdentityPools[ik]
		where := "identityPools." + ik
		if ip == nil {
			bad("%s: empty", where)
			continue
		}
		if ip.Name == "" {
			bad("%s.name: required", where)
		} else {
			unique("identityPools", idNames, ik, ip.Name)
		}
		for i, p := range ip.Providers {
			pw := fmt.Sprintf("%s.providers[%d]", where, i)
			if p == nil {
				bad("%s: empty", pw)
				continue
			}
			pool := f.UserPools[p.UserPool]
			switch {
			case p.UserPool == "":
				bad("%s.userPool: required", pw)
			case pool == nil:
				bad("%s.userPool: no user pool %q in userPools", pw, p.UserPool)
			case p.Client == "":
				bad("%s.client: required", pw)
			case pool.Clients[p.Client] == nil:
				bad("%s.client: no client %q in userPools.%s.clients", pw, p.Client, p.UserPool)
			}
		}
		for _, kind := range sortedKeys(ip.Roles) {
			if kind != "authenticated" && kind != "unauthenticated" {
				bad("%s.roles.%s: only authenticated and unauthenticated roles can be set", where, kind)
			}
			if f.Roles[ip.Roles[kind]] == nil {
				bad("%s.roles.%s: no role %q in roles", where, kind, ip.Roles[kind])
			}
		}
	}

	apiNames := map[string]string{}
	for _, ak := range sortedKeys(f.APIs) {
		a := f.APIs[ak]
		where := "apis." + ak
		if a == nil {
			bad("%s: empty", where)
			continue
		}
		if a.Name == "" {
			bad("%s.name: required", where)
		} else {
			unique("apis", apiNames, ak, a.Name)
		}
		protocol := a.Protocol()
		switch protocol {
		case ProtocolHTTP, ProtocolREST:
		default:
			bad("%s.protocolType: %q is not HTTP or REST", where, a.ProtocolType)
		}
		for _, zk := range sortedKeys(a.Authorizers) {
			z := a.Authorizers[zk]
			zw := where + ".authorizers." + zk
			if z == nil {
				bad("%s: empty", zw)
				continue
			}
			switch t := a.AuthorizerType(z); {
			case t == AuthorizerJWT && protocol == ProtocolREST:
				bad("%s.type: a REST API has COGNITO_USER_POOLS authorizers, not JWT", zw)
				continue
			case t == AuthCognito && protocol == ProtocolHTTP:
				bad("%s.type: COGNITO_USER_POOLS authorizers belong to REST APIs (protocolType: REST); an HTTP API uses JWT with userPool", zw)
			case t == AuthCognito:
				f.checkCognitoAuthorizer(zw, z, bad)
				continue
			case t != AuthorizerJWT:
				bad("%s.type: %q is not JWT or COGNITO_USER_POOLS", zw, z.Type)
				continue
			}
			pool := f.UserPools[z.UserPool]
			switch {
			case z.UserPool != "" && z.Issuer != "":
				bad("%s: give userPool or issuer, not both", zw)
			case z.UserPool == "" && z.Issuer == "":
				bad("%s: userPool (or issuer) is required", zw)
			case z.UserPool != "" && pool == nil:
				bad("%s.userPool: no user pool %q in userPools", zw, z.UserPool)
			case z.Issuer != "" && !strings.HasPrefix(z.Issuer, "http://") && !strings.HasPrefix(z.Issuer, "https://"):
				bad("%s.issuer: %q is not an http(s) URL", zw, z.Issuer)
			}
			if len(z.Audience) == 0 {
				bad("%s.audience: name at least one audience (a client of the pool)", zw)
			}
			for _, aud := range z.Audience {
				refs(zw+".audience", aud)
			}
		}
		for _, ik := range sortedKeys(a.Integrations) {
			in := a.Integrations[ik]
			iw := where + ".integrations." + ik
			if in == nil || in.URI == "" {
				bad("%s.uri: required", iw)
				continue
			}
			if !strings.HasPrefix(in.URI, "http://") && !strings.HasPrefix(in.URI, "https://") && !strings.HasPrefix(in.URI, "${stageVariables.") {
				bad("%s.uri: %q is not an http(s) URL", iw, in.URI)
			}
			if in.Method != "" && !slices.Contains(fileRouteMethods, strings.ToUpper(in.Method)) {
				bad("%s.method: %q is not one of %s", iw, in.Method, strings.Join(fileRouteMethods, ", "))
			}
			refs(iw+".uri", in.URI)
			for _, k := range sortedKeys(in.RequestParameters) {
				refs(iw+".requestParameters."+k, in.RequestParameters[k])
			}
		}
		keys := map[string]int{}
		for i, r := range a.Routes {
			rw := fmt.Sprintf("%s.routes[%d]", where, i)
			if r == nil {
				bad("%s: empty", rw)
				continue
			}
			if err := checkFileRouteKey(r.Key); err != nil {
				bad("%s.key: %v", rw, err)
			} else if j, dup := keys[r.Key]; dup {
				bad("%s.key: %q is also the key of routes[%d]", rw, r.Key, j)
			} else {
				keys[r.Key] = i
			}
			switch r.Authorization {
			case "", "NONE", "AWS_IAM":
				if r.Authorizer != "" {
					bad("%s.authorizer: only JWT and COGNITO_USER_POOLS routes name an authorizer", rw)
				}
				if len(r.Scopes) > 0 {
					bad("%s.scopes: only JWT and COGNITO_USER_POOLS routes have scopes", rw)
				}
			case AuthorizerJWT, AuthCognito:
				if r.Authorization == AuthorizerJWT && protocol == ProtocolREST {
					bad("%s.authorization: a REST API has no JWT routes; use COGNITO_USER_POOLS", rw)
				} else if r.Authorization == AuthCognito && protocol == ProtocolHTTP {
					bad("%s.authorization: COGNITO_USER_POOLS is for REST APIs (protocolType: REST); an HTTP API uses JWT with an authorizer of the pool", rw)
				} else if r.Authorizer == "" {
					bad("%s.authorizer: required with authorization %s", rw, r.Authorization)
				} else if z := a.Authorizers[r.Authorizer]; z == nil {
					bad("%s.authorizer: no authorizer %q in %s.authorizers", rw, r.Authorizer, where)
				} else if t := a.AuthorizerType(z); t != r.Authorization {
					bad("%s.authorizer: %q is a %s authorizer, not %s", rw, r.Authorizer, t, r.Authorization)
				}
			default:
				bad("%s.authorization: %q is not NONE, JWT, AWS_IAM or COGNITO_USER_POOLS", rw, r.Authorization)
			}
			if r.Integration == "" {
				if len(r.RequestParameters) > 0 {
					bad("%s.requestParameters: a route without an integration has no request parameters", rw)
				}
			} else if a.Integrations[r.Integration] == nil {
				bad("%s.integration: no integration %q in %s.integrations", rw, r.Integration, where)
			}
			for _, k := range sortedKeys(r.RequestParameters) {
				refs(rw+".requestParameters."+k, r.RequestParameters[k])
			}
		}
		for _, sk := range sortedKeys(a.Stages) {
			if sk != "$default" && !stageNameRE.MatchString(sk) {
				bad("%s.stages.%s: a stage name is $default or letters, digits, - and _", where, sk)
			}
			if s := a.Stages[sk]; s != nil {
				for _, k := range sortedKeys(s.Variables) {
					refs(where+".stages."+sk+".variables."+k, s.Variables[k])
				}
			}
		}
	}
	return errors.Join(errs...)
}

// checkCognitoAuthorizer checks a COGNITO_USER_POOLS authorizer.
func (f *File) checkCognitoAuthorizer(zw string, z *FileAuthorizer, bad func(string, ...any)) {
	switch {
	case z.UserPool == "":
		bad("%s.userPool: required for a COGNITO_USER_POOLS authorizer", zw)
	case f.UserPools[z.UserPool] == nil:
		bad("%s.userPool: no user pool %q in userPools", zw, z.UserPool)
	}
	if z.Issuer != "" {
		bad("%s.issuer: a COGNITO_USER_POOLS authorizer trusts its userPool; it has no issuer", zw)
	}
	if len(z.Audience) > 0 {
		bad("%s.audience: a COGNITO_USER_POOLS authorizer has no audience (it accepts every client of the pool)", zw)
	}
	if src := z.IdentitySource; len(src) > 0 {
		ok := len(src) == 1
		if ok {
			h, cut := strings.CutPrefix(src[0], "method.request.header.")
			if !cut {
				h, cut = strings.CutPrefix(src[0], "$request.header.")
			}
			ok = cut && h != ""
		}
		if !ok {
			bad("%s.identitySource: one header, method.request.header.<name> (or $request.header.<name>)", zw)
		}
	}
}

var stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// checkFileRouteKey accepts "$default" and "METHOD /path".
func checkFileRouteKey(key string) error {
	if key == "$default" {
		return nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !slices.Contains(fileRouteMethods, method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t") {
		return fmt.Errorf("%q is not \"$default\" or an HTTP method (%s) and a path starting with /", key, strings.Join(fileRouteMethods, ", "))
	}
	return nil
}

// checkRef checks a reference (the text between ${ and }).
func (f *File) checkRef(ref string) error {
	parts := strings.Split(ref, ".")
	bad := fmt.Errorf("unknown reference ${%s}", ref)
	if len(parts) < 3 {
		return bad
	}
	switch parts[0] {
	case "userPools":
		p := f.UserPools[parts[1]]
		if p == nil {
			return fmt.Errorf("${%s}: no user pool %q in userPools", ref, parts[1])
		}
		if len(parts) == 3 && (parts[2] == "id" || parts[2] == "arn" || parts[2] == "issuer") {
			return nil
		}
		if len(parts) == 5 && parts[2] == "clients" && parts[4] == "id" {
			if p.Clients[parts[3]] == nil {
				return fmt.Errorf("${%s}: no client %q in userPools.%s.clients", ref, parts[3], parts[1])
			}
			return nil
		}
	case "roles":
		if f.Roles[parts[1]] == nil {
			return fmt.Errorf("${%s}: no role %q in roles", ref, parts[1])
		}
		if len(parts) == 3 && (parts[2] == "arn" || parts[2] == "name") {
			return nil
		}
	case "identityPools":
		if f.IdentityPools[parts[1]] == nil {
			return fmt.Errorf("${%s}: no identity pool %q in identityPools", ref, parts[1])
		}
		if len(parts) == 3 && parts[2] == "id" {
			return nil
		}
	}
	return bad
}

// PolicyJSON returns a policy document given in the file as JSON: a string
// is taken as JSON text, anything else is encoded.
func PolicyJSON(v any) (string, error) {
	if s, ok := v.(string); ok {
		if !json.Valid([]byte(s)) {
			return "", errors.New("a policy given as a string must be a JSON document")
		}
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
