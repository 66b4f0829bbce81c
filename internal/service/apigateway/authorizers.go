package apigw

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

func (s *Service) authorizerNotFound(id string) error {
	return v2.NewNotFoundExceptionf("Invalid Authorizer identifier specified %s", id)
}

// checkAuthorizer validates an authorizer as it will be stored.
func checkAuthorizer(a *v2.Authorizer) error {
	switch t := awsapi.ToString(a.AuthorizerType); t {
	case gateway.AuthJWT:
	case "REQUEST":
		return v2.NewBadRequestException("Authorizer type REQUEST (Lambda authorizers) is not supported by ninsho; use JWT")
	case "":
		return v2.NewBadRequestException("AuthorizerType is required")
	default:
		return v2.NewBadRequestExceptionf("Invalid authorizer type %s for an HTTP API: use JWT", t)
	}
	if awsapi.ToString(a.Name) == "" {
		return v2.NewBadRequestException("Name is required")
	}
	if len(a.IdentitySource) != 1 || !strings.HasPrefix(a.IdentitySource[0], "$request.header.") || a.IdentitySource[0] == "$request.header." {
		return v2.NewBadRequestException("A JWT authorizer needs exactly one identity source of the form $request.header.<name>, e.g. $request.header.Authorization")
	}
	j := a.JwtConfiguration
	if j == nil || awsapi.ToString(j.Issuer) == "" {
		return v2.NewBadRequestException("JwtConfiguration with an Issuer is required for a JWT authorizer")
	}
	iss := awsapi.ToString(j.Issuer)
	if !strings.HasPrefix(iss, "https://") && !strings.HasPrefix(iss, "http://") {
		return v2.NewBadRequestExceptionf("Invalid Issuer %q: an issuer is an http(s) URL", iss)
	}
	if len(j.Audience) == 0 {
		return v2.NewBadRequestException("JwtConfiguration.Audience must name at least one audience")
	}
	return nil
}

// CreateAuthorizer adds a JWT authorizer.
func (s *Service) CreateAuthorizer(ctx context.Context, in *v2.CreateAuthorizerInput) (*v2.CreateAuthorizerOutput, error) {
	var a *v2.Authorizer
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		a = &v2.Authorizer{
			AuthorizerId: awsapi.String(newID(6)), AuthorizerType: in.AuthorizerType, IdentitySource: in.IdentitySource,
			JwtConfiguration: in.JwtConfiguration, Name: in.Name,
		}
		if len(a.IdentitySource) == 0 {
			a.IdentitySource = []string{"$request.header.Authorization"}
		}
		if err := checkAuthorizer(a); err != nil {
			return err
		}
		r.Authorizers[*a.AuthorizerId] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateAuthorizerOutput(*a)
	return &out, nil
}

// GetAuthorizer returns an authorizer.
func (s *Service) GetAuthorizer(ctx context.Context, in *v2.GetAuthorizerInput) (*v2.GetAuthorizerOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	a := r.Authorizers[awsapi.ToString(in.AuthorizerId)]
	if a == nil {
		return nil, s.authorizerNotFound(awsapi.ToString(in.AuthorizerId))
	}
	out := v2.GetAuthorizerOutput(*a)
	return &out, nil
}

// GetAuthorizers lists an API's authorizers by id.
func (s *Service) GetAuthorizers(ctx context.Context, in *v2.GetAuthorizersInput) (*v2.GetAuthorizersOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	items, next, err := pageValues(r.Authorizers, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &v2.GetAuthorizersOutput{Items: items, NextToken: next}, nil
}

// UpdateAuthorizer changes an authorizer.
func (s *Service) UpdateAuthorizer(ctx context.Context, in *v2.UpdateAuthorizerInput) (*v2.UpdateAuthorizerOutput, error) {
	var a *v2.Authorizer
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		old := r.Authorizers[awsapi.ToString(in.AuthorizerId)]
		if old == nil {
			return s.authorizerNotFound(awsapi.ToString(in.AuthorizerId))
		}
		c := *old
		a = &c
		if in.AuthorizerType != nil {
			a.AuthorizerType = in.AuthorizerType
		}
		if in.Name != nil {
			a.Name = in.Name
		}
		if in.IdentitySource != nil {
			a.IdentitySource = in.IdentitySource
		}
		if j := in.JwtConfiguration; j != nil {
			nj := v2.JWTConfiguration{}
			if a.JwtConfiguration != nil {
				nj = *a.JwtConfiguration
			}
			if j.Issuer != nil {
				nj.Issuer = j.Issuer
			}
			if j.Audience != nil {
				nj.Audience = j.Audience
			}
			a.JwtConfiguration = &nj
		}
		if err := checkAuthorizer(a); err != nil {
			return err
		}
		r.Authorizers[*a.AuthorizerId] = a
		delete(r.ProviderARNs, *a.AuthorizerId)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateAuthorizerOutput(*a)
	return &out, nil
}

// DeleteAuthorizer removes an authorizer no route uses.
func (s *Service) DeleteAuthorizer(ctx context.Context, in *v2.DeleteAuthorizerInput) (*awsapi.Empty, error) {
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		id := awsapi.ToString(in.AuthorizerId)
		if r.Authorizers[id] == nil {
			return s.authorizerNotFound(id)
		}
		for _, rid := range slices.Sorted(maps.Keys(r.Routes)) {
			if awsapi.ToString(r.Routes[rid].AuthorizerId) == id {
				return v2.NewConflictExceptionf("Cannot delete authorizer %s: route %s (%s) uses it", id, rid, awsapi.ToString(r.Routes[rid].RouteKey))
			}
		}
		delete(r.Authorizers, id)
		delete(r.ProviderARNs, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
