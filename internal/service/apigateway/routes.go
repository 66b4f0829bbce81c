package apigw

import (
	"context"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

var routeMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// checkRouteKey accepts "$default" and "METHOD /path".
func checkRouteKey(key string) error {
	if key == gateway.DefaultRoute {
		return nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !slices.Contains(routeMethods, method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t") {
		return v2.NewBadRequestExceptionf("Invalid route key %q: a route key is \"$default\" or an HTTP method (%s) and a path starting with /, e.g. \"GET /pets/{id}\"",
			key, strings.Join(routeMethods, ", "))
	}
	return nil
}

func (s *Service) routeNotFound(id string) error {
	return v2.NewNotFoundExceptionf("Invalid Route identifier specified %s", id)
}

// checkRoute validates a route as it will be stored. allowCognito admits
// authorization COGNITO_USER_POOLS, which only internal callers (seeding)
// may set: apigatewayv2's API has no such authorization type.
func (s *Service) checkRoute(r *apiRecord, rt *v2.Route, allowCognito bool) error {
	key := awsapi.ToString(rt.RouteKey)
	if err := checkRouteKey(key); err != nil {
		return err
	}
	for id, other := range r.Routes {
		if id != awsapi.ToString(rt.RouteId) && awsapi.ToString(other.RouteKey) == key {
			return v2.NewConflictExceptionf("Unable to create route. Route with key %s already exists for this API", key)
		}
	}
	authType := awsapi.ToString(rt.AuthorizationType)
	authID := awsapi.ToString(rt.AuthorizerId)
	switch authType {
	case gateway.AuthNone, gateway.AuthIAM:
		if authID != "" {
			return v2.NewBadRequestExceptionf("AuthorizerId may only be set for authorization type JWT, not %s", authType)
		}
		if len(rt.AuthorizationScopes) > 0 {
			return v2.NewBadRequestExceptionf("AuthorizationScopes may only be set for authorization type JWT, not %s", authType)
		}
	case gateway.AuthJWT:
		if authID == "" {
			return v2.NewBadRequestException("AuthorizerId is required for authorization type JWT")
		}
		a := r.Authorizers[authID]
		if a == nil {
			return s.authorizerNotFound(authID)
		}
		if awsapi.ToString(a.AuthorizerType) != gateway.AuthJWT {
			return v2.NewBadRequestExceptionf("Authorizer %s is not a JWT authorizer", authID)
		}
	case gateway.AuthCognito:
		if !allowCognito {
			return v2.NewBadRequestExceptionf("Invalid authorization type %s: use NONE, JWT, AWS_IAM or CUSTOM", authType)
		}
		if authID == "" {
			return v2.NewBadRequestException("AuthorizerId is required for authorization type COGNITO_USER_POOLS")
		}
		a := r.Authorizers[authID]
		if a == nil {
			return s.authorizerNotFound(authID)
		}
		if awsapi.ToString(a.AuthorizerType) != gateway.AuthCognito {
			return v2.NewBadRequestExceptionf("Authorizer %s is not a COGNITO_USER_POOLS authorizer", authID)
		}
	case "CUSTOM":
		return v2.NewBadRequestException("Authorization type CUSTOM (Lambda authorizers) is not supported by ninsho; use JWT or AWS_IAM")
	default:
		return v2.NewBadRequestExceptionf("Invalid authorization type %s: use NONE, JWT, AWS_IAM or CUSTOM", authType)
	}
	if t := awsapi.ToString(rt.Target); t != "" {
		id, ok := strings.CutPrefix(t, "integrations/")
		if !ok {
			return v2.NewBadRequestExceptionf("Invalid target %s: a target is integrations/<integrationId>", t)
		}
		if r.Integrations[id] == nil {
			return v2.NewBadRequestExceptionf("Invalid target %s: integration %s not found", t, id)
		}
	}
	return nil
}

// CreateRoute adds a route.
func (s *Service) CreateRoute(ctx context.Context, in *v2.CreateRouteInput) (*v2.CreateRouteOutput, error) {
	return s.createRoute(ctx, in, false)
}

// CreateRouteInternal is CreateRoute for ninsho's own callers (the
// configuration file): it also accepts authorization COGNITO_USER_POOLS
// with an authorizer made by CreateAuthorizerInternal. It is not reachable
// through the AWS API.
func (s *Service) CreateRouteInternal(ctx context.Context, in *v2.CreateRouteInput) (*v2.CreateRouteOutput, error) {
	return s.createRoute(ctx, in, true)
}

func (s *Service) createRoute(ctx context.Context, in *v2.CreateRouteInput, allowCognito bool) (*v2.CreateRouteOutput, error) {
	if _, err := required("RouteKey", in.RouteKey); err != nil {
		return nil, err
	}
	var rt *v2.Route
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		rt = &v2.Route{
			ApiKeyRequired: awsapi.Bool(awsapi.ToBool(in.ApiKeyRequired)), AuthorizationScopes: in.AuthorizationScopes,
			AuthorizationType: awsapi.String(gateway.AuthNone), AuthorizerId: in.AuthorizerId,
			OperationName: in.OperationName, RouteId: awsapi.String(newID(7)), RouteKey: in.RouteKey, Target: in.Target,
		}
		if t := awsapi.ToString(in.AuthorizationType); t != "" {
			rt.AuthorizationType = awsapi.String(t)
		}
		if err := s.checkRoute(r, rt, allowCognito); err != nil {
			return err
		}
		r.Routes[*rt.RouteId] = rt
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateRouteOutput(*rt)
	return &out, nil
}

func (s *Service) route(ctx context.Context, apiID, routeID *string) (*v2.Route, error) {
	r, err := s.load(ctx, apiID)
	if err != nil {
		return nil, err
	}
	rt := r.Routes[awsapi.ToString(routeID)]
	if rt == nil {
		return nil, s.routeNotFound(awsapi.ToString(routeID))
	}
	return rt, nil
}

// GetRoute returns a route.
func (s *Service) GetRoute(ctx context.Context, in *v2.GetRouteInput) (*v2.GetRouteOutput, error) {
	rt, err := s.route(ctx, in.ApiId, in.RouteId)
	if err != nil {
		return nil, err
	}
	out := v2.GetRouteOutput(*rt)
	return &out, nil
}

// GetRoutes lists an API's routes by id.
func (s *Service) GetRoutes(ctx context.Context, in *v2.GetRoutesInput) (*v2.GetRoutesOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	items, next, err := pageValues(r.Routes, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &v2.GetRoutesOutput{Items: items, NextToken: next}, nil
}

// UpdateRoute changes a route. Changing the authorization type to NONE or
// AWS_IAM drops the route's authorizer and scopes. A COGNITO_USER_POOLS
// route (made from the configuration file) may be updated as long as it
// stays one; no route can be made one through this API.
func (s *Service) UpdateRoute(ctx context.Context, in *v2.UpdateRouteInput) (*v2.UpdateRouteOutput, error) {
	var rt *v2.Route
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		old := r.Routes[awsapi.ToString(in.RouteId)]
		if old == nil {
			return s.routeNotFound(awsapi.ToString(in.RouteId))
		}
		c := *old
		rt = &c
		if in.RouteKey != nil {
			rt.RouteKey = in.RouteKey
		}
		if in.AuthorizationType != nil {
			rt.AuthorizationType = in.AuthorizationType
			if t := *in.AuthorizationType; t != gateway.AuthJWT && t != gateway.AuthCognito {
				rt.AuthorizerId, rt.AuthorizationScopes = nil, nil
			}
		}
		if in.AuthorizerId != nil {
			rt.AuthorizerId = in.AuthorizerId
		}
		if in.AuthorizationScopes != nil {
			rt.AuthorizationScopes = in.AuthorizationScopes
		}
		if in.Target != nil {
			rt.Target = in.Target
			if *in.Target == "" {
				rt.Target = nil
			}
		}
		if in.ApiKeyRequired != nil {
			rt.ApiKeyRequired = in.ApiKeyRequired
		}
		if in.OperationName != nil {
			rt.OperationName = in.OperationName
		}
		wasCognito := awsapi.ToString(old.AuthorizationType) == gateway.AuthCognito
		if err := s.checkRoute(r, rt, wasCognito); err != nil {
			return err
		}
		r.Routes[*rt.RouteId] = rt
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateRouteOutput(*rt)
	return &out, nil
}

// DeleteRoute removes a route.
func (s *Service) DeleteRoute(ctx context.Context, in *v2.DeleteRouteInput) (*awsapi.Empty, error) {
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		id := awsapi.ToString(in.RouteId)
		if r.Routes[id] == nil {
			return s.routeNotFound(id)
		}
		delete(r.Routes, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
