package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/config"
	iamsvc "github.com/ninsho/ninsho/internal/service/iam"
)

// seedFile loads the configuration file at path and applies it.
func (a *App) seedFile(ctx context.Context, path string, iam *iamsvc.Service) error {
	f, err := config.LoadFile(path)
	if err != nil {
		return err
	}
	if err := a.seed(ctx, f, iam); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// seeder applies one file; refs collects the ids of the resources as they
// are found or created, for ${...} references.
type seeder struct {
	a    *App
	iam  *iamsvc.Service
	f    *config.File
	refs map[string]string
}

// seed creates what f declares and does not exist yet, by name, through the
// services' own operations (so their validation applies). Order: user pools
// (clients, users), identity pools, roles, identity pool roles, APIs; so a
// role's trust policy can name an identity pool and an identity pool a role.
func (a *App) seed(ctx context.Context, f *config.File, iam *iamsvc.Service) error {
	s := &seeder{a: a, iam: iam, f: f, refs: map[string]string{}}
	for _, k := range slices.Sorted(maps.Keys(f.Roles)) {
		s.refs["roles."+k+".name"] = f.Roles[k].Name
		s.refs["roles."+k+".arn"] = "arn:aws:iam::" + a.cfg.Account + ":role/" + f.Roles[k].Name
	}
	for _, k := range slices.Sorted(maps.Keys(f.UserPools)) {
		if err := s.userPool(ctx, k, f.UserPools[k]); err != nil {
			return fmt.Errorf("userPools.%s: %w", k, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.IdentityPools)) {
		if err := s.identityPool(ctx, k, f.IdentityPools[k]); err != nil {
			return fmt.Errorf("identityPools.%s: %w", k, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.Roles)) {
		if err := s.role(ctx, k, f.Roles[k]); err != nil {
			return fmt.Errorf("roles.%s: %w", k, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.IdentityPools)) {
		if err := s.identityPoolRoles(ctx, k, f.IdentityPools[k]); err != nil {
			return fmt.Errorf("identityPools.%s.roles: %w", k, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.APIs)) {
		if err := s.api(ctx, k, f.APIs[k]); err != nil {
			return fmt.Errorf("apis.%s: %w", k, err)
		}
	}
	return nil
}

// expand replaces the ${...} references of str.
func (s *seeder) expand(str string) (string, error) {
	var missing []string
	out := config.RefRE.ReplaceAllStringFunc(str, func(m string) string {
		ref := m[2 : len(m)-1]
		v, ok := s.refs[ref]
		if !ok {
			missing = append(missing, m)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unresolved reference %s", strings.Join(missing, ", "))
	}
	return out, nil
}

func (s *seeder) expandMap(m map[string]string) (map[string]string, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		e, err := s.expand(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = e
	}
	return out, nil
}

// validate runs the input checks of the protocol layer.
func validate(in any) error {
	if v, ok := in.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

func isCode(err error, code string) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == code
}

func (s *seeder) log(msg string, args ...any) { s.a.logger.Info("config: "+msg, args...) }

// userPool finds or creates a pool, then its clients and users.
func (s *seeder) userPool(ctx context.Context, key string, p *config.FileUserPool) error {
	up := s.a.userPool
	var id string
	var next *string
	for {
		out, err := up.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: awsapi.Int32(60), NextToken: next})
		if err != nil {
			return err
		}
		for _, d := range out.UserPools {
			if awsapi.ToString(d.Name) == p.Name && id == "" {
				id = awsapi.ToString(d.Id)
			}
		}
		if next = out.NextToken; next == nil || id != "" {
			break
		}
	}
	if id == "" {
		in := &cip.CreateUserPoolInput{PoolName: awsapi.String(p.Name), UsernameAttributes: p.UsernameAttributes,
			AliasAttributes: p.AliasAttributes, AutoVerifiedAttributes: p.AutoVerifiedAttributes}
		if pp := p.PasswordPolicy; pp != nil {
			in.Policies = &cip.UserPoolPolicyType{PasswordPolicy: &cip.PasswordPolicyType{
				MinimumLength: pp.MinimumLength, RequireUppercase: pp.RequireUppercase, RequireLowercase: pp.RequireLowercase,
				RequireNumbers: pp.RequireNumbers, RequireSymbols: pp.RequireSymbols,
				TemporaryPasswordValidityDays: pp.TemporaryPasswordValidityDays,
			}}
		}
		if err := validate(in); err != nil {
			return err
		}
		out, err := up.CreateUserPool(ctx, in)
		if err != nil {
			return err
		}
		id = awsapi.ToString(out.UserPool.Id)
		s.log("created user pool", "name", p.Name, "id", id)
	}
	prefix := "userPools." + key + "."
	s.refs[prefix+"id"] = id
	s.refs[prefix+"arn"] = "arn:aws:cognito-idp:" + s.a.cfg.Region + ":" + s.a.cfg.Account + ":userpool/" + id
	s.refs[prefix+"issuer"] = up.Issuer(id)

	clients := map[string]string{} // name → id
	next = nil
	for {
		out, err := up.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: awsapi.String(id), MaxResults: awsapi.Int32(60), NextToken: next})
		if err != nil {
			return err
		}
		for _, c := range out.UserPoolClients {
			if _, dup := clients[awsapi.ToString(c.ClientName)]; !dup {
				clients[awsapi.ToString(c.ClientName)] = awsapi.ToString(c.ClientId)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	for _, ck := range slices.Sorted(maps.Keys(p.Clients)) {
		c := p.Clients[ck]
		cid, ok := clients[c.Name]
		if !ok {
			in := &cip.CreateUserPoolClientInput{UserPoolId: awsapi.String(id), ClientName: awsapi.String(c.Name),
				GenerateSecret: awsapi.Bool(c.GenerateSecret), ExplicitAuthFlows: c.ExplicitAuthFlows,
				CallbackURLs: c.CallbackURLs, LogoutURLs: c.LogoutURLs, AllowedOAuthFlows: c.AllowedOAuthFlows,
				AllowedOAuthScopes: c.AllowedOAuthScopes}
			if len(c.AllowedOAuthFlows) > 0 {
				in.AllowedOAuthFlowsUserPoolClient = awsapi.Bool(true)
			}
			if err := validate(in); err != nil {
				return fmt.Errorf("clients.%s: %w", ck, err)
			}
			out, err := up.CreateUserPoolClient(ctx, in)
			if err != nil {
				return fmt.Errorf("clients.%s: %w", ck, err)
			}
			cid = awsapi.ToString(out.UserPoolClient.ClientId)
			s.log("created user pool client", "pool", p.Name, "name", c.Name, "id", cid)
		}
		s.refs[prefix+"clients."+ck+".id"] = cid
	}

	for i, u := range p.Users {
		if err := s.user(ctx, id, p.Name, u); err != nil {
			return fmt.Errorf("users[%d] (%s): %w", i, u.Username, err)
		}
	}
	return nil
}

// user creates a user that does not exist; an existing one (whose password
// may have changed since) is left as it is.
func (s *seeder) user(ctx context.Context, poolID, poolName string, u *config.FileUser) error {
	up := s.a.userPool
	_, err := up.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: awsapi.String(poolID), Username: awsapi.String(u.Username)})
	if err == nil {
		return nil
	}
	if !isCode(err, "UserNotFoundException") {
		return err
	}
	attrs, err := s.expandMap(u.Attributes)
	if err != nil {
		return err
	}
	in := &cip.AdminCreateUserInput{UserPoolId: awsapi.String(poolID), Username: awsapi.String(u.Username),
		MessageAction: awsapi.String("SUPPRESS")}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		in.UserAttributes = append(in.UserAttributes, cip.AttributeType{Name: awsapi.String(k), Value: awsapi.String(attrs[k])})
	}
	if u.TemporaryPassword != "" {
		in.TemporaryPassword = awsapi.String(u.TemporaryPassword)
	}
	if err := validate(in); err != nil {
		return err
	}
	if _, err := up.AdminCreateUser(ctx, in); err != nil {
		return err
	}
	if u.Password != "" {
		set := &cip.AdminSetUserPasswordInput{UserPoolId: awsapi.String(poolID), Username: awsapi.String(u.Username),
			Password: awsapi.String(u.Password), Permanent: awsapi.Bool(true)}
		if err := validate(set); err != nil {
			return err
		}
		if _, err := up.AdminSetUserPassword(ctx, set); err != nil {
			return err
		}
	}
	s.log("created user", "pool", poolName, "username", u.Username)
	return nil
}

// identityPool finds or creates an identity pool (its roles come later).
func (s *seeder) identityPool(ctx context.Context, key string, p *config.FileIdentityPool) error {
	svc := s.a.identity
	var id string
	var next *string
	for id == "" {
		out, err := svc.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: awsapi.Int32(60), NextToken: next})
		if err != nil {
			return err
		}
		for _, d := range out.IdentityPools {
			if awsapi.ToString(d.IdentityPoolName) == p.Name && id == "" {
				id = awsapi.ToString(d.IdentityPoolId)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if id == "" {
		in := &ci.CreateIdentityPoolInput{IdentityPoolName: awsapi.String(p.Name),
			AllowUnauthenticatedIdentities: awsapi.Bool(p.AllowUnauthenticated), AllowClassicFlow: p.AllowClassicFlow}
		if p.DeveloperProviderName != "" {
			in.DeveloperProviderName = awsapi.String(p.DeveloperProviderName)
		}
		for _, pr := range p.Providers {
			poolID := s.refs["userPools."+pr.UserPool+".id"]
			in.CognitoIdentityProviders = append(in.CognitoIdentityProviders, ci.CognitoIdentityProvider{
				ProviderName: awsapi.String("cognito-idp." + s.a.cfg.Region + ".amazonaws.com/" + poolID),
				ClientId:     awsapi.String(s.refs["userPools."+pr.UserPool+".clients."+pr.Client+".id"]),
				// Always set, as the AWS CLI does.
				ServerSideTokenCheck: awsapi.Bool(pr.ServerSideTokenCheck),
			})
		}
		if err := validate(in); err != nil {
			return err
		}
		out, err := svc.CreateIdentityPool(ctx, in)
		if err != nil {
			return err
		}
		id = awsapi.ToString(out.IdentityPoolId)
		s.log("created identity pool", "name", p.Name, "id", id)
	}
	s.refs["identityPools."+key+".id"] = id
	return nil
}

// identityPoolRoles sets an identity pool's roles (every start: cheap).
func (s *seeder) identityPoolRoles(ctx context.Context, key string, p *config.FileIdentityPool) error {
	if len(p.Roles) == 0 {
		return nil
	}
	roles := map[string]string{}
	for kind, role := range p.Roles {
		roles[kind] = s.refs["roles."+role+".arn"]
	}
	in := &ci.SetIdentityPoolRolesInput{IdentityPoolId: awsapi.String(s.refs["identityPools."+key+".id"]), Roles: roles}
	if err := validate(in); err != nil {
		return err
	}
	_, err := s.a.identity.SetIdentityPoolRoles(ctx, in)
	return err
}

// role creates a role, or brings an existing one's trust policy up to date;
// then puts its inline policies and attaches its managed ones.
func (s *seeder) role(ctx context.Context, key string, r *config.FileRole) error {
	trust, err := s.policy(r.AssumeRolePolicy)
	if err != nil {
		return fmt.Errorf("assumeRolePolicy: %w", err)
	}
	got, err := s.iam.GetRole(ctx, &iamapi.GetRoleInput{RoleName: awsapi.String(r.Name)})
	switch {
	case err == nil:
		s.refs["roles."+key+".arn"] = awsapi.ToString(got.Role.Arn)
		if in := (&iamapi.UpdateAssumeRolePolicyInput{RoleName: awsapi.String(r.Name), PolicyDocument: awsapi.String(trust)}); normalize(awsapi.ToString(got.Role.AssumeRolePolicyDocument)) != normalize(trust) {
			if err := validate(in); err != nil {
				return err
			}
			if _, err := s.iam.UpdateAssumeRolePolicy(ctx, in); err != nil {
				return err
			}
			s.log("updated role trust policy", "name", r.Name)
		}
	case isCode(err, "NoSuchEntity"):
		in := &iamapi.CreateRoleInput{RoleName: awsapi.String(r.Name), AssumeRolePolicyDocument: awsapi.String(trust),
			MaxSessionDuration: r.MaxSessionDuration}
		if r.Description != "" {
			in.Description = awsapi.String(r.Description)
		}
		if err := validate(in); err != nil {
			return err
		}
		out, err := s.iam.CreateRole(ctx, in)
		if err != nil {
			return err
		}
		s.refs["roles."+key+".arn"] = awsapi.ToString(out.Role.Arn)
		s.log("created role", "name", r.Name, "arn", awsapi.ToString(out.Role.Arn))
	default:
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(r.Policies)) {
		doc, err := s.policy(r.Policies[name])
		if err != nil {
			return fmt.Errorf("policies.%s: %w", name, err)
		}
		in := &iamapi.PutRolePolicyInput{RoleName: awsapi.String(r.Name), PolicyName: awsapi.String(name), PolicyDocument: awsapi.String(doc)}
		if err := validate(in); err != nil {
			return fmt.Errorf("policies.%s: %w", name, err)
		}
		if _, err := s.iam.PutRolePolicy(ctx, in); err != nil {
			return fmt.Errorf("policies.%s: %w", name, err)
		}
	}
	for _, arn := range r.ManagedPolicies {
		in := &iamapi.AttachRolePolicyInput{RoleName: awsapi.String(r.Name), PolicyArn: awsapi.String(arn)}
		if err := validate(in); err != nil {
			return fmt.Errorf("managedPolicies %s: %w", arn, err)
		}
		if _, err := s.iam.AttachRolePolicy(ctx, in); err != nil {
			return fmt.Errorf("managedPolicies %s: %w", arn, err)
		}
	}
	return nil
}

// normalize makes two spellings of a JSON document comparable; IAM
// answers documents URL-encoded.
func normalize(doc string) string {
	if d, err := url.QueryUnescape(doc); err == nil && !json.Valid([]byte(doc)) {
		doc = d
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return doc
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *seeder) policy(v any) (string, error) {
	doc, err := config.PolicyJSON(v)
	if err != nil {
		return "", err
	}
	return s.expand(doc)
}

// api creates an HTTP or REST API with everything in it, unless an API of
// that name exists: that one is left as it is. REST APIs, COGNITO_USER_POOLS
// authorizers and routes go through the control plane's internal
// operations, as apigatewayv2's API has none of them.
func (s *seeder) api(ctx context.Context, key string, a *config.FileAPI) error {
	gw := s.a.gatewayControl
	var next *string
	for {
		out, err := gw.GetApis(ctx, &v2.GetApisInput{NextToken: next})
		if err != nil {
			return err
		}
		for _, item := range out.Items {
			if awsapi.ToString(item.Name) == a.Name {
				return nil
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	in := &v2.CreateApiInput{Name: awsapi.String(a.Name), ProtocolType: awsapi.String("HTTP")}
	if a.Description != "" {
		in.Description = awsapi.String(a.Description)
	}
	if c := a.Cors; c != nil {
		in.CorsConfiguration = &v2.Cors{AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
			ExposeHeaders: c.ExposeHeaders, AllowCredentials: awsapi.Bool(c.AllowCredentials), MaxAge: c.MaxAge}
	}
	if err := validate(in); err != nil {
		return err
	}
	// REST (not in apigatewayv2's enum, so set after validate) needs
	// CreateApiInternal.
	in.ProtocolType = awsapi.String(a.Protocol())
	created, err := gw.CreateApiInternal(ctx, in)
	if err != nil {
		return err
	}
	apiID := created.ApiId

	authorizers := map[string]string{}
	for _, zk := range slices.Sorted(maps.Keys(a.Authorizers)) {
		z := a.Authorizers[zk]
		if a.AuthorizerType(z) == config.AuthCognito {
			zin := &v2.CreateAuthorizerInput{ApiId: apiID, AuthorizerType: awsapi.String(config.AuthCognito), Name: awsapi.String(zk),
				IdentitySource: a.IdentitySource(z)}
			arns := []string{s.refs["userPools."+z.UserPool+".arn"]}
			out, err := gw.CreateAuthorizerInternal(ctx, zin, arns)
			if err != nil {
				return fmt.Errorf("authorizers.%s: %w", zk, err)
			}
			authorizers[zk] = awsapi.ToString(out.AuthorizerId)
			continue
		}
		issuer := z.Issuer
		var aud []string
		for _, v := range z.Audience {
			if z.UserPool != "" && s.f.UserPools[z.UserPool].Clients[v] != nil {
				v = s.refs["userPools."+z.UserPool+".clients."+v+".id"]
			}
			v, err := s.expand(v)
			if err != nil {
				return fmt.Errorf("authorizers.%s: %w", zk, err)
			}
			aud = append(aud, v)
		}
		if z.UserPool != "" {
			issuer = s.refs["userPools."+z.UserPool+".issuer"]
		}
		zin := &v2.CreateAuthorizerInput{ApiId: apiID, AuthorizerType: awsapi.String("JWT"), Name: awsapi.String(zk),
			IdentitySource: a.IdentitySource(z), JwtConfiguration: &v2.JWTConfiguration{Issuer: awsapi.String(issuer), Audience: aud}}
		if err := validate(zin); err != nil {
			return fmt.Errorf("authorizers.%s: %w", zk, err)
		}
		out, err := gw.CreateAuthorizer(ctx, zin)
		if err != nil {
			return fmt.Errorf("authorizers.%s: %w", zk, err)
		}
		authorizers[zk] = awsapi.ToString(out.AuthorizerId)
	}

	integrations := map[string]string{}
	integration := func(name string, extra map[string]string) (string, error) {
		spec := a.Integrations[name]
		uri, err := s.expand(spec.URI)
		if err != nil {
			return "", err
		}
		params, err := s.expandMap(spec.RequestParameters)
		if err != nil {
			return "", err
		}
		if len(extra) > 0 {
			if params == nil {
				params = map[string]string{}
			}
			maps.Copy(params, extra)
		}
		iin := &v2.CreateIntegrationInput{ApiId: apiID, IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(uri),
			Description: awsapi.String(name), RequestParameters: params, TimeoutInMillis: spec.TimeoutInMillis}
		if spec.Method != "" {
			iin.IntegrationMethod = awsapi.String(strings.ToUpper(spec.Method))
		}
		if err := validate(iin); err != nil {
			return "", err
		}
		out, err := gw.CreateIntegration(ctx, iin)
		if err != nil {
			return "", err
		}
		return awsapi.ToString(out.IntegrationId), nil
	}
	for i, r := range a.Routes {
		rin := &v2.CreateRouteInput{ApiId: apiID, RouteKey: awsapi.String(r.Key), AuthorizationScopes: r.Scopes}
		if r.Authorization != "" {
			rin.AuthorizationType = awsapi.String(r.Authorization)
		}
		if r.Authorizer != "" {
			rin.AuthorizerId = awsapi.String(authorizers[r.Authorizer])
		}
		if r.Integration != "" {
			var id string
			if len(r.RequestParameters) > 0 {
				// Parameter mapping is the integration's: this route gets
				// its own.
				extra, err := s.expandMap(r.RequestParameters)
				if err == nil {
					id, err = integration(r.Integration, extra)
				}
				if err != nil {
					return fmt.Errorf("routes[%d] (%s): %w", i, r.Key, err)
				}
			} else if id = integrations[r.Integration]; id == "" {
				if id, err = integration(r.Integration, nil); err != nil {
					return fmt.Errorf("integrations.%s: %w", r.Integration, err)
				}
				integrations[r.Integration] = id
			}
			rin.Target = awsapi.String("integrations/" + id)
		}
		cognito := r.Authorization == config.AuthCognito
		if cognito {
			// Not in apigatewayv2's enum: validate the rest as JWT.
			rin.AuthorizationType = awsapi.String("JWT")
		}
		if err := validate(rin); err != nil {
			return fmt.Errorf("routes[%d] (%s): %w", i, r.Key, err)
		}
		if cognito {
			rin.AuthorizationType = awsapi.String(config.AuthCognito)
		}
		// CreateRouteInternal: it also takes COGNITO_USER_POOLS routes.
		if _, err := gw.CreateRouteInternal(ctx, rin); err != nil {
			return fmt.Errorf("routes[%d] (%s): %w", i, r.Key, err)
		}
	}

	stages := a.Stages
	if len(stages) == 0 {
		stages = map[string]*config.FileStage{"$default": {}}
	}
	for _, name := range slices.Sorted(maps.Keys(stages)) {
		st := stages[name]
		if st == nil {
			st = &config.FileStage{}
		}
		vars, err := s.expandMap(st.Variables)
		if err != nil {
			return fmt.Errorf("stages.%s: %w", name, err)
		}
		autoDeploy := st.AutoDeploy == nil || *st.AutoDeploy
		sin := &v2.CreateStageInput{ApiId: apiID, StageName: awsapi.String(name), AutoDeploy: awsapi.Bool(autoDeploy), StageVariables: vars}
		if err := validate(sin); err != nil {
			return fmt.Errorf("stages.%s: %w", name, err)
		}
		if _, err := gw.CreateStage(ctx, sin); err != nil {
			return fmt.Errorf("stages.%s: %w", name, err)
		}
		if !autoDeploy {
			din := &v2.CreateDeploymentInput{ApiId: apiID, StageName: awsapi.String(name)}
			if _, err := gw.CreateDeployment(ctx, din); err != nil {
				return fmt.Errorf("stages.%s: %w", name, err)
			}
		}
	}
	s.log("created API", "name", a.Name, "id", awsapi.ToString(apiID), "endpoint", awsapi.ToString(created.ApiEndpoint))
	return nil
}
