package apigw

import (
	"context"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

// This file holds what ninsho's own callers (the configuration file) may
// do beyond apigatewayv2's API: REST-style APIs whose routes are authorized
// by COGNITO_USER_POOLS authorizers, which the gateway serves but HTTP APIs
// do not have. None of it is reachable through the AWS API.

// CreateApiInternal is CreateApi that also accepts ProtocolType REST: an
// API that the gateway serves as a REST API (unknown routes answer 403
// "Missing Authentication Token") and whose routes may use
// COGNITO_USER_POOLS authorizers.
func (s *Service) CreateApiInternal(ctx context.Context, in *v2.CreateApiInput) (*v2.CreateApiOutput, error) {
	if awsapi.ToString(in.ProtocolType) != gateway.ProtocolREST {
		return s.CreateApi(ctx, in)
	}
	if in.Target != nil || in.RouteKey != nil {
		return nil, v2.NewBadRequestException("Quick create (Target, RouteKey) is for HTTP APIs")
	}
	c := *in
	c.ProtocolType = awsapi.String(gateway.ProtocolHTTP)
	return s.createApi(ctx, &c, gateway.ProtocolREST)
}

// CreateAuthorizerInternal is CreateAuthorizer that also accepts
// AuthorizerType COGNITO_USER_POOLS with providerARNs, the user pools whose
// tokens it accepts (arn:aws:cognito-idp:<region>:<account>:userpool/<id>).
// Its identity source is one header, "$request.header.X" or
// "method.request.header.X" ("$request.header.Authorization" when empty);
// it has no JwtConfiguration. Routes use it through CreateRouteInternal
// with authorization COGNITO_USER_POOLS.
func (s *Service) CreateAuthorizerInternal(ctx context.Context, in *v2.CreateAuthorizerInput, providerARNs []string) (*v2.CreateAuthorizerOutput, error) {
	if awsapi.ToString(in.AuthorizerType) != gateway.AuthCognito {
		if len(providerARNs) > 0 {
			return nil, v2.NewBadRequestException("ProviderARNs are only for COGNITO_USER_POOLS authorizers")
		}
		return s.CreateAuthorizer(ctx, in)
	}
	if awsapi.ToString(in.Name) == "" {
		return nil, v2.NewBadRequestException("Name is required")
	}
	if in.JwtConfiguration != nil {
		return nil, v2.NewBadRequestException("A COGNITO_USER_POOLS authorizer has no JwtConfiguration")
	}
	src := in.IdentitySource
	if len(src) == 0 {
		src = []string{"$request.header.Authorization"}
	}
	if len(src) != 1 || !validHeaderSource(src[0]) {
		return nil, v2.NewBadRequestException("A COGNITO_USER_POOLS authorizer needs exactly one identity source of the form $request.header.<name> or method.request.header.<name>")
	}
	if len(providerARNs) == 0 {
		return nil, v2.NewBadRequestException("A COGNITO_USER_POOLS authorizer needs at least one user pool ARN")
	}
	for _, arn := range providerARNs {
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-idp" || parts[3] == "" ||
			!strings.HasPrefix(parts[5], "userpool/") || parts[5] == "userpool/" {
			return nil, v2.NewBadRequestExceptionf("Invalid user pool ARN %q: arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>", arn)
		}
	}
	var a *v2.Authorizer
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		a = &v2.Authorizer{
			AuthorizerId: awsapi.String(newID(6)), AuthorizerType: awsapi.String(gateway.AuthCognito),
			IdentitySource: src, Name: in.Name,
		}
		r.Authorizers[*a.AuthorizerId] = a
		if r.ProviderARNs == nil {
			r.ProviderARNs = map[string][]string{}
		}
		r.ProviderARNs[*a.AuthorizerId] = append([]string(nil), providerARNs...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateAuthorizerOutput(*a)
	return &out, nil
}

// ProviderARNs returns the user pools of a COGNITO_USER_POOLS authorizer
// (nil for other authorizers).
func (s *Service) ProviderARNs(ctx context.Context, apiID, authorizerID string) ([]string, error) {
	r, err := s.load(ctx, &apiID)
	if err != nil {
		return nil, err
	}
	if r.Authorizers[authorizerID] == nil {
		return nil, s.authorizerNotFound(authorizerID)
	}
	return r.ProviderARNs[authorizerID], nil
}

func validHeaderSource(src string) bool {
	for _, p := range []string{"$request.header.", "method.request.header."} {
		if h, ok := strings.CutPrefix(src, p); ok {
			return h != "" && !strings.ContainsAny(h, " \t:")
		}
	}
	return false
}
