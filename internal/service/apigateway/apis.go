package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
	"github.com/ninsho/ninsho/internal/store"
)

const (
	defaultRouteSelection  = "${request.method} ${request.path}"
	defaultApiKeySelection = "$request.header.x-api-key"
)

// CreateApi creates an HTTP API. With Target (quick create) it also creates
// an HTTP_PROXY integration, a route (RouteKey, "$default" when empty) and
// the $default stage with AutoDeploy, all marked ApiGatewayManaged.
func (s *Service) CreateApi(ctx context.Context, in *v2.CreateApiInput) (*v2.CreateApiOutput, error) {
	return s.createApi(ctx, in, gateway.ProtocolHTTP)
}

// createApi creates an API; protocol is what it is stored (and served) as.
func (s *Service) createApi(ctx context.Context, in *v2.CreateApiInput, protocol string) (*v2.CreateApiOutput, error) {
	name, err := required("Name", in.Name)
	if err != nil {
		return nil, err
	}
	switch p := awsapi.ToString(in.ProtocolType); p {
	case "":
		return nil, v2.NewBadRequestException("ProtocolType is required")
	case gateway.ProtocolHTTP:
	default:
		return nil, v2.NewBadRequestExceptionf("Unsupported protocol type %s: ninsho serves HTTP APIs only", p)
	}
	now := s.now()
	r := &apiRecord{
		ID: newID(10), Name: name, Description: awsapi.ToString(in.Description), ProtocolType: protocol,
		Version: awsapi.ToString(in.Version), RouteSelectionExpression: defaultRouteSelection,
		ApiKeySelectionExpression: defaultApiKeySelection, DisableExecuteApiEndpoint: awsapi.ToBool(in.DisableExecuteApiEndpoint),
		DisableSchemaValidation: awsapi.ToBool(in.DisableSchemaValidation), IpAddressType: awsapi.ToString(in.IpAddressType),
		Cors: in.CorsConfiguration, Tags: in.Tags, CreatedDate: now,
	}
	if r.IpAddressType == "" {
		r.IpAddressType = "ipv4"
	}
	if e := awsapi.ToString(in.RouteSelectionExpression); e != "" && e != defaultRouteSelection {
		return nil, v2.NewBadRequestExceptionf("Unsupported route selection expression %s for an HTTP API; use %s", e, defaultRouteSelection)
	}
	if e := awsapi.ToString(in.ApiKeySelectionExpression); e != "" {
		r.ApiKeySelectionExpression = e
	}
	r.init()
	if target := awsapi.ToString(in.Target); target != "" {
		if err := s.quickCreate(r, target, awsapi.ToString(in.RouteKey)); err != nil {
			return nil, err
		}
	} else if in.RouteKey != nil {
		return nil, v2.NewBadRequestException("RouteKey is only supported for quick create (with Target)")
	}
	if err := s.commit(r, true); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	for {
		err = s.Store.CreateObject(ctx, store.Object{Kind: kindAPI, Key: r.ID, Value: b})
		if !errors.Is(err, store.ErrExists) {
			break
		}
		r.ID = newID(10) // a collision of 36^10 ids: draw again
		b, _ = json.Marshal(r)
	}
	if err != nil {
		return nil, err
	}
	s.forget(r.ID)
	out := v2.CreateApiOutput(s.apiOut(r))
	return &out, nil
}

func (s *Service) quickCreate(r *apiRecord, target, routeKey string) error {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		return v2.NewBadRequestExceptionf("Unsupported target %s: ninsho supports HTTP_PROXY integrations (an http or https URL) only, not Lambda (AWS_PROXY)", target)
	}
	if routeKey == "" {
		routeKey = gateway.DefaultRoute
	}
	if err := checkRouteKey(routeKey); err != nil {
		return err
	}
	yes := awsapi.Bool(true)
	integ := &v2.Integration{
		ApiGatewayManaged: yes, ConnectionType: awsapi.String("INTERNET"), IntegrationId: awsapi.String(newID(7)),
		IntegrationMethod: awsapi.String("ANY"), IntegrationType: awsapi.String("HTTP_PROXY"), IntegrationUri: awsapi.String(target),
		PayloadFormatVersion: awsapi.String("1.0"), TimeoutInMillis: awsapi.Int32(30000),
	}
	r.Integrations[*integ.IntegrationId] = integ
	rt := &v2.Route{
		ApiGatewayManaged: yes, ApiKeyRequired: awsapi.Bool(false), AuthorizationType: awsapi.String(gateway.AuthNone),
		RouteId: awsapi.String(newID(7)), RouteKey: awsapi.String(routeKey), Target: awsapi.String("integrations/" + *integ.IntegrationId),
	}
	r.Routes[*rt.RouteId] = rt
	now := awsapi.ISO8601Timestamp{Time: s.now()}
	r.Stages[gateway.DefaultStage] = &v2.Stage{
		ApiGatewayManaged: yes, AutoDeploy: yes, CreatedDate: &now, LastUpdatedDate: &now,
		DefaultRouteSettings: &v2.RouteSettings{DetailedMetricsEnabled: awsapi.Bool(false)},
		RouteSettings:        map[string]v2.RouteSettings{}, StageName: awsapi.String(gateway.DefaultStage),
		StageVariables: map[string]string{}, Tags: map[string]string{},
	}
	return nil
}

func (s *Service) apiOut(r *apiRecord) v2.Api {
	created := awsapi.ISO8601Timestamp{Time: r.CreatedDate}
	a := v2.Api{
		ApiEndpoint: awsapi.String(s.Endpoint(r.ID)), ApiId: awsapi.String(r.ID),
		ApiKeySelectionExpression: awsapi.String(r.ApiKeySelectionExpression), CorsConfiguration: r.Cors,
		CreatedDate: &created, DisableExecuteApiEndpoint: awsapi.Bool(r.DisableExecuteApiEndpoint),
		IpAddressType: awsapi.String(r.IpAddressType), Name: awsapi.String(r.Name), ProtocolType: awsapi.String(r.ProtocolType),
		RouteSelectionExpression: awsapi.String(r.RouteSelectionExpression), Tags: r.Tags,
	}
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	if r.Description != "" {
		a.Description = awsapi.String(r.Description)
	}
	if r.Version != "" {
		a.Version = awsapi.String(r.Version)
	}
	if r.DisableSchemaValidation {
		a.DisableSchemaValidation = awsapi.Bool(true)
	}
	return a
}

// Endpoint is an API's ApiEndpoint: the stage and the path follow it
// (<endpoint>/dev/hello), or the path alone for the $default stage.
func (s *Service) Endpoint(apiID string) string {
	return strings.TrimRight(s.EndpointBase, "/") + "/_aws/execute-api/" + apiID
}

// GetApi returns an API.
func (s *Service) GetApi(ctx context.Context, in *v2.GetApiInput) (*v2.GetApiOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	out := v2.GetApiOutput(s.apiOut(r))
	return &out, nil
}

// GetApis lists the APIs by id; NextToken is the last id of the previous
// page.
func (s *Service) GetApis(ctx context.Context, in *v2.GetApisInput) (*v2.GetApisOutput, error) {
	limit, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 100
	}
	objs, err := s.Store.ListObjects(ctx, kindAPI, "", store.Page{After: awsapi.ToString(in.NextToken), Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &v2.GetApisOutput{Items: []v2.Api{}}
	if len(objs) > limit {
		objs = objs[:limit]
		out.NextToken = awsapi.String(objs[limit-1].Key)
	}
	for _, o := range objs {
		r, err := decode(o.Value)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, s.apiOut(r))
	}
	return out, nil
}

// UpdateApi changes an API's settings. Quick-create Target and RouteKey
// updates are not supported.
func (s *Service) UpdateApi(ctx context.Context, in *v2.UpdateApiInput) (*v2.UpdateApiOutput, error) {
	if in.Target != nil || in.RouteKey != nil {
		return nil, v2.NewBadRequestException("Updating Target or RouteKey of a quick-created API is not supported; update its integration and route")
	}
	r, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		if in.Name != nil {
			if *in.Name == "" {
				return v2.NewBadRequestException("Name must not be empty")
			}
			r.Name = *in.Name
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.Version != nil {
			r.Version = *in.Version
		}
		if in.CorsConfiguration != nil {
			r.Cors = in.CorsConfiguration
		}
		if in.ApiKeySelectionExpression != nil {
			r.ApiKeySelectionExpression = *in.ApiKeySelectionExpression
		}
		if e := in.RouteSelectionExpression; e != nil && *e != defaultRouteSelection {
			return v2.NewBadRequestExceptionf("Unsupported route selection expression %s for an HTTP API; use %s", *e, defaultRouteSelection)
		}
		if in.DisableExecuteApiEndpoint != nil {
			r.DisableExecuteApiEndpoint = *in.DisableExecuteApiEndpoint
		}
		if in.DisableSchemaValidation != nil {
			r.DisableSchemaValidation = *in.DisableSchemaValidation
		}
		if in.IpAddressType != nil {
			r.IpAddressType = *in.IpAddressType
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateApiOutput(s.apiOut(r))
	return &out, nil
}

// DeleteCorsConfiguration removes an API's CORS configuration.
func (s *Service) DeleteCorsConfiguration(ctx context.Context, in *v2.DeleteCorsConfigurationInput) (*awsapi.Empty, error) {
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		r.Cors = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DeleteApi deletes an API with everything in it.
func (s *Service) DeleteApi(ctx context.Context, in *v2.DeleteApiInput) (*awsapi.Empty, error) {
	id := awsapi.ToString(in.ApiId)
	if id == "" {
		return nil, v2.NewBadRequestException("ApiId is required")
	}
	// As AWS does, an API that a custom domain name maps is not deleted.
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		mapped, err := mappedDomain(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if mapped != "" {
			if _, err := tx.GetObject(ctx, kindAPI, id); err != nil {
				return err
			}
			return v2.NewBadRequestExceptionf("Deleting API %s failed. Please remove all API mappings for the API from your custom domain names.", id)
		}
		return tx.DeleteObject(ctx, kindAPI, id)
	})
	s.forget(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.apiNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
