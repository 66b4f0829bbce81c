package apigw

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
)

func (s *Service) integrationNotFound(id string) error {
	return v2.NewNotFoundExceptionf("Invalid Integration identifier specified %s", id)
}

// checkIntegration validates an integration as it will be stored.
func checkIntegration(in *v2.Integration) error {
	switch t := awsapi.ToString(in.IntegrationType); t {
	case "HTTP_PROXY":
	case "AWS_PROXY":
		return v2.NewBadRequestException("Integration type AWS_PROXY (Lambda proxy) is not supported by ninsho: use HTTP_PROXY with the URL of an HTTP backend")
	case "":
		return v2.NewBadRequestException("IntegrationType is required")
	default:
		return v2.NewBadRequestExceptionf("Integration type %s is not supported for HTTP APIs by ninsho: use HTTP_PROXY", t)
	}
	uri := awsapi.ToString(in.IntegrationUri)
	if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") && !strings.HasPrefix(uri, "${stageVariables.") {
		return v2.NewBadRequestExceptionf("Invalid IntegrationUri %q: an HTTP_PROXY integration needs an http or https URL", uri)
	}
	if m := awsapi.ToString(in.IntegrationMethod); !slices.Contains(routeMethods, m) {
		return v2.NewBadRequestExceptionf("Invalid IntegrationMethod %q: use one of %s", m, strings.Join(routeMethods, ", "))
	}
	if v := awsapi.ToString(in.PayloadFormatVersion); v != "1.0" {
		return v2.NewBadRequestExceptionf("Invalid PayloadFormatVersion %s: HTTP_PROXY integrations use 1.0", v)
	}
	if t := awsapi.ToInt32(in.TimeoutInMillis); t < 50 || t > 30000 {
		return v2.NewBadRequestException("Timeout must be between 50 milliseconds and 30 seconds.")
	}
	if c := awsapi.ToString(in.ConnectionType); c != "INTERNET" {
		return v2.NewBadRequestExceptionf("Connection type %s is not supported by ninsho: use INTERNET", c)
	}
	return nil
}

// CreateIntegration adds an HTTP_PROXY integration.
func (s *Service) CreateIntegration(ctx context.Context, in *v2.CreateIntegrationInput) (*v2.CreateIntegrationOutput, error) {
	var integ *v2.Integration
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		integ = &v2.Integration{
			ConnectionType: awsapi.String("INTERNET"), Description: in.Description, IntegrationId: awsapi.String(newID(7)),
			IntegrationMethod: awsapi.String("ANY"), IntegrationType: in.IntegrationType, IntegrationUri: in.IntegrationUri,
			PayloadFormatVersion: awsapi.String("1.0"), RequestParameters: in.RequestParameters, TimeoutInMillis: awsapi.Int32(30000),
		}
		if in.ConnectionType != nil {
			integ.ConnectionType = in.ConnectionType
		}
		if in.IntegrationMethod != nil {
			integ.IntegrationMethod = awsapi.String(strings.ToUpper(*in.IntegrationMethod))
		}
		if in.PayloadFormatVersion != nil {
			integ.PayloadFormatVersion = in.PayloadFormatVersion
		}
		if in.TimeoutInMillis != nil {
			integ.TimeoutInMillis = in.TimeoutInMillis
		}
		if err := checkIntegration(integ); err != nil {
			return err
		}
		r.Integrations[*integ.IntegrationId] = integ
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateIntegrationOutput(*integ)
	return &out, nil
}

// GetIntegration returns an integration.
func (s *Service) GetIntegration(ctx context.Context, in *v2.GetIntegrationInput) (*v2.GetIntegrationOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	integ := r.Integrations[awsapi.ToString(in.IntegrationId)]
	if integ == nil {
		return nil, s.integrationNotFound(awsapi.ToString(in.IntegrationId))
	}
	out := v2.GetIntegrationOutput(*integ)
	return &out, nil
}

// GetIntegrations lists an API's integrations by id.
func (s *Service) GetIntegrations(ctx context.Context, in *v2.GetIntegrationsInput) (*v2.GetIntegrationsOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	items, next, err := pageValues(r.Integrations, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &v2.GetIntegrationsOutput{Items: items, NextToken: next}, nil
}

// UpdateIntegration changes an integration.
func (s *Service) UpdateIntegration(ctx context.Context, in *v2.UpdateIntegrationInput) (*v2.UpdateIntegrationOutput, error) {
	var integ *v2.Integration
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		old := r.Integrations[awsapi.ToString(in.IntegrationId)]
		if old == nil {
			return s.integrationNotFound(awsapi.ToString(in.IntegrationId))
		}
		c := *old
		integ = &c
		if in.IntegrationType != nil {
			integ.IntegrationType = in.IntegrationType
		}
		if in.IntegrationUri != nil {
			integ.IntegrationUri = in.IntegrationUri
		}
		if in.IntegrationMethod != nil {
			integ.IntegrationMethod = awsapi.String(strings.ToUpper(*in.IntegrationMethod))
		}
		if in.PayloadFormatVersion != nil {
			integ.PayloadFormatVersion = in.PayloadFormatVersion
		}
		if in.TimeoutInMillis != nil {
			integ.TimeoutInMillis = in.TimeoutInMillis
		}
		if in.ConnectionType != nil {
			integ.ConnectionType = in.ConnectionType
		}
		if in.Description != nil {
			integ.Description = in.Description
		}
		if in.RequestParameters != nil {
			// As AWS does, an empty value removes a mapping.
			params := maps.Clone(integ.RequestParameters)
			if params == nil {
				params = map[string]string{}
			}
			for k, v := range in.RequestParameters {
				if v == "" {
					delete(params, k)
				} else {
					params[k] = v
				}
			}
			integ.RequestParameters = params
		}
		if err := checkIntegration(integ); err != nil {
			return err
		}
		r.Integrations[*integ.IntegrationId] = integ
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateIntegrationOutput(*integ)
	return &out, nil
}

// DeleteIntegration removes an integration no route targets.
func (s *Service) DeleteIntegration(ctx context.Context, in *v2.DeleteIntegrationInput) (*awsapi.Empty, error) {
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		id := awsapi.ToString(in.IntegrationId)
		if r.Integrations[id] == nil {
			return s.integrationNotFound(id)
		}
		for _, rid := range slices.Sorted(maps.Keys(r.Routes)) {
			if awsapi.ToString(r.Routes[rid].Target) == "integrations/"+id {
				return v2.NewConflictExceptionf("Cannot delete integration %s: route %s (%s) targets it", id, rid, awsapi.ToString(r.Routes[rid].RouteKey))
			}
		}
		delete(r.Integrations, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
