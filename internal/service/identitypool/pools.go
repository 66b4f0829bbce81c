package identitypool

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	"github.com/ninsho/ninsho/internal/store"
)

// CreateIdentityPool creates a pool with id "<region>:<uuid>".
func (s *Service) CreateIdentityPool(ctx context.Context, in *ci.CreateIdentityPoolInput) (*ci.CreateIdentityPoolOutput, error) {
	rec := &poolRecord{ID: s.newID(), Created: s.now()}
	if err := s.applySettings(rec, &ci.IdentityPool{
		IdentityPoolName:               in.IdentityPoolName,
		AllowUnauthenticatedIdentities: in.AllowUnauthenticatedIdentities,
		AllowClassicFlow:               in.AllowClassicFlow,
		SupportedLoginProviders:        in.SupportedLoginProviders,
		DeveloperProviderName:          in.DeveloperProviderName,
		OpenIdConnectProviderARNs:      in.OpenIdConnectProviderARNs,
		CognitoIdentityProviders:       in.CognitoIdentityProviders,
		SamlProviderARNs:               in.SamlProviderARNs,
	}); err != nil {
		return nil, err
	}
	rec.Tags = maps.Clone(in.IdentityPoolTags)
	if err := create(ctx, s.Store, kindPool, rec.ID, rec); err != nil {
		return nil, err
	}
	return s.describe(rec), nil
}

// applySettings copies the settings of an IdentityPool shape (all but the
// id and the tags) into rec.
func (s *Service) applySettings(rec *poolRecord, in *ci.IdentityPool) error {
	var providers []providerRecord
	for _, p := range in.CognitoIdentityProviders {
		name := awsapi.ToString(p.ProviderName)
		if name == "" {
			return ci.NewInvalidParameterException("1 validation error detected: Value null at 'cognitoIdentityProviders.member.providerName' failed to satisfy constraint: Member must not be null")
		}
		providers = append(providers, providerRecord{ProviderName: name, ClientID: awsapi.ToString(p.ClientId),
			ServerSideTokenCheck: awsapi.ToBool(p.ServerSideTokenCheck)})
	}
	dev := awsapi.ToString(in.DeveloperProviderName)
	if rec.DeveloperProviderName != "" && dev != rec.DeveloperProviderName {
		// AWS: once set, the developer provider name cannot change.
		return ci.NewInvalidParameterException("Developer provider name cannot be changed once set.")
	}
	rec.Name = awsapi.ToString(in.IdentityPoolName)
	rec.AllowUnauthenticated = awsapi.ToBool(in.AllowUnauthenticatedIdentities)
	rec.AllowClassicFlow = nil
	if in.AllowClassicFlow != nil {
		rec.AllowClassicFlow = awsapi.Bool(*in.AllowClassicFlow)
	}
	rec.SupportedLoginProviders = maps.Clone(in.SupportedLoginProviders)
	rec.DeveloperProviderName = dev
	rec.OpenIDConnectProviderARN = slices.Clone(in.OpenIdConnectProviderARNs)
	rec.CognitoProviders = providers
	rec.SAMLProviderARNs = slices.Clone(in.SamlProviderARNs)
	return nil
}

func (s *Service) describe(rec *poolRecord) *ci.IdentityPool {
	out := &ci.IdentityPool{
		IdentityPoolId:                 awsapi.String(rec.ID),
		IdentityPoolName:               awsapi.String(rec.Name),
		AllowUnauthenticatedIdentities: awsapi.Bool(rec.AllowUnauthenticated),
		AllowClassicFlow:               awsapi.Bool(awsapi.ToBool(rec.AllowClassicFlow)),
		SupportedLoginProviders:        maps.Clone(rec.SupportedLoginProviders),
		OpenIdConnectProviderARNs:      slices.Clone(rec.OpenIDConnectProviderARN),
		SamlProviderARNs:               slices.Clone(rec.SAMLProviderARNs),
		IdentityPoolTags:               maps.Clone(rec.Tags),
	}
	if rec.DeveloperProviderName != "" {
		out.DeveloperProviderName = awsapi.String(rec.DeveloperProviderName)
	}
	for _, p := range rec.CognitoProviders {
		cp := ci.CognitoIdentityProvider{ProviderName: awsapi.String(p.ProviderName), ServerSideTokenCheck: awsapi.Bool(p.ServerSideTokenCheck)}
		if p.ClientID != "" {
			cp.ClientId = awsapi.String(p.ClientID)
		}
		out.CognitoIdentityProviders = append(out.CognitoIdentityProviders, cp)
	}
	return out
}

// DescribeIdentityPool returns a pool's settings and tags.
func (s *Service) DescribeIdentityPool(ctx context.Context, in *ci.DescribeIdentityPoolInput) (*ci.DescribeIdentityPoolOutput, error) {
	rec, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	return s.describe(rec), nil
}

// ListIdentityPools pages through the pools in id order.
func (s *Service) ListIdentityPools(ctx context.Context, in *ci.ListIdentityPoolsInput) (*ci.ListIdentityPoolsOutput, error) {
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(awsapi.ToInt32(in.MaxResults))
	objs, err := s.Store.ListObjects(ctx, kindPool, "", store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &ci.ListIdentityPoolsOutput{IdentityPools: []ci.IdentityPoolShortDescription{}}
	for i, o := range objs {
		if i == limit {
			out.NextToken = encodeToken(objs[i-1].Key)
			break
		}
		rec, err := get[poolRecord](ctx, s.Store, kindPool, o.Key)
		if err != nil {
			return nil, err
		}
		out.IdentityPools = append(out.IdentityPools, ci.IdentityPoolShortDescription{
			IdentityPoolId: awsapi.String(rec.ID), IdentityPoolName: awsapi.String(rec.Name)})
	}
	return out, nil
}

// UpdateIdentityPool replaces a pool's settings (all of them, as AWS does);
// tags change only when IdentityPoolTags is given.
func (s *Service) UpdateIdentityPool(ctx context.Context, in *ci.UpdateIdentityPoolInput) (*ci.UpdateIdentityPoolOutput, error) {
	var out *poolRecord
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		rec, err := s.pool(ctx, tx, awsapi.ToString(in.IdentityPoolId))
		if err != nil {
			return err
		}
		if err := s.applySettings(rec, in); err != nil {
			return err
		}
		if in.IdentityPoolTags != nil {
			rec.Tags = maps.Clone(in.IdentityPoolTags)
		}
		out = rec
		return put(ctx, tx, kindPool, rec.ID, rec)
	})
	if err != nil {
		return nil, err
	}
	return s.describe(out), nil
}

// DeleteIdentityPool deletes a pool with its identities and logins.
func (s *Service) DeleteIdentityPool(ctx context.Context, in *ci.DeleteIdentityPoolInput) (*awsapi.Empty, error) {
	id := awsapi.ToString(in.IdentityPoolId)
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.DeleteObject(ctx, kindPool, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return poolNotFound(id)
			}
			return err
		}
		after := ""
		for {
			objs, err := tx.ListObjects(ctx, kindIdentity, id+"/", store.Page{After: after, Limit: 500})
			if err != nil {
				return err
			}
			for _, o := range objs {
				if err := tx.DeleteObject(ctx, kindRef, strings.TrimPrefix(o.Key, id+"/")); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			if len(objs) < 500 {
				break
			}
			after = objs[len(objs)-1].Key
		}
		if _, err := tx.DeleteObjectsWithPrefix(ctx, kindIdentity, id+"/"); err != nil {
			return err
		}
		_, err := tx.DeleteObjectsWithPrefix(ctx, kindLogin, id+"/")
		return err
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// SetIdentityPoolRoles replaces the pool's roles and role mappings.
func (s *Service) SetIdentityPoolRoles(ctx context.Context, in *ci.SetIdentityPoolRolesInput) (*awsapi.Empty, error) {
	for provider, m := range in.RoleMappings {
		switch awsapi.ToString(m.Type) {
		case "Rules":
			if m.RulesConfiguration == nil || len(m.RulesConfiguration.Rules) == 0 {
				return nil, ci.NewInvalidParameterExceptionf("RulesConfiguration is required for Rules-based role mapping of %s.", provider)
			}
		}
		if m.AmbiguousRoleResolution == nil {
			return nil, ci.NewInvalidParameterExceptionf("AmbiguousRoleResolution must be specified for %s.", provider)
		}
	}
	err := s.update(ctx, awsapi.ToString(in.IdentityPoolId), func(rec *poolRecord) error {
		rec.Roles = maps.Clone(in.Roles)
		rec.RoleMappings = maps.Clone(in.RoleMappings)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// GetIdentityPoolRoles returns the pool's roles and role mappings.
func (s *Service) GetIdentityPoolRoles(ctx context.Context, in *ci.GetIdentityPoolRolesInput) (*ci.GetIdentityPoolRolesOutput, error) {
	rec, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	out := &ci.GetIdentityPoolRolesOutput{IdentityPoolId: awsapi.String(rec.ID), Roles: maps.Clone(rec.Roles), RoleMappings: maps.Clone(rec.RoleMappings)}
	if out.Roles == nil {
		out.Roles = map[string]string{}
	}
	return out, nil
}

func (s *Service) update(ctx context.Context, id string, fn func(*poolRecord) error) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		rec, err := s.pool(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		return put(ctx, tx, kindPool, rec.ID, rec)
	})
}

// poolOfARN returns the pool id of "arn:aws:cognito-identity:<region>:<account>:identitypool/<id>".
func (s *Service) poolOfARN(arn string) (string, error) {
	prefix := "arn:aws:cognito-identity:" + s.Region + ":" + s.Account + ":identitypool/"
	if !strings.HasPrefix(arn, prefix) {
		return "", ci.NewResourceNotFoundExceptionf("Resource '%s' not found.", arn)
	}
	return arn[len(prefix):], nil
}

// TagResource adds or replaces tags of a pool.
func (s *Service) TagResource(ctx context.Context, in *ci.TagResourceInput) (*ci.TagResourceOutput, error) {
	id, err := s.poolOfARN(awsapi.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, id, func(rec *poolRecord) error {
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		maps.Copy(rec.Tags, in.Tags)
		if len(rec.Tags) > 50 {
			return ci.NewLimitExceededException("Number of tags exceeds the limit of 50.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ci.TagResourceOutput{}, nil
}

// UntagResource removes tags of a pool.
func (s *Service) UntagResource(ctx context.Context, in *ci.UntagResourceInput) (*ci.UntagResourceOutput, error) {
	id, err := s.poolOfARN(awsapi.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, id, func(rec *poolRecord) error {
		for _, k := range in.TagKeys {
			delete(rec.Tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ci.UntagResourceOutput{}, nil
}

// ListTagsForResource returns a pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ci.ListTagsForResourceInput) (*ci.ListTagsForResourceOutput, error) {
	id, err := s.poolOfARN(awsapi.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	rec, err := s.pool(ctx, s.Store, id)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(rec.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &ci.ListTagsForResourceOutput{Tags: tags}, nil
}

// defaultPrincipalTags is the mapping of UseDefaults for Cognito user
// pools: tag "client" from aud (the app client id), "username" from sub.
var defaultPrincipalTags = map[string]string{"client": "aud", "username": "sub"}

// SetPrincipalTagAttributeMap sets which token claims become principal tags
// of the sessions of a provider's identities.
func (s *Service) SetPrincipalTagAttributeMap(ctx context.Context, in *ci.SetPrincipalTagAttributeMapInput) (*ci.SetPrincipalTagAttributeMapOutput, error) {
	provider := awsapi.ToString(in.IdentityProviderName)
	m := tagMap{UseDefaults: awsapi.ToBool(in.UseDefaults), Tags: maps.Clone(in.PrincipalTags)}
	if m.UseDefaults {
		m.Tags = maps.Clone(defaultPrincipalTags)
	}
	err := s.update(ctx, awsapi.ToString(in.IdentityPoolId), func(rec *poolRecord) error {
		if rec.PrincipalTags == nil {
			rec.PrincipalTags = map[string]tagMap{}
		}
		if !m.UseDefaults && len(m.Tags) == 0 {
			delete(rec.PrincipalTags, provider)
		} else {
			rec.PrincipalTags[provider] = m
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ci.SetPrincipalTagAttributeMapOutput{IdentityPoolId: in.IdentityPoolId, IdentityProviderName: in.IdentityProviderName,
		UseDefaults: awsapi.Bool(m.UseDefaults), PrincipalTags: orEmpty(m.Tags)}, nil
}

// GetPrincipalTagAttributeMap returns a provider's principal-tag map.
func (s *Service) GetPrincipalTagAttributeMap(ctx context.Context, in *ci.GetPrincipalTagAttributeMapInput) (*ci.GetPrincipalTagAttributeMapOutput, error) {
	rec, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	m := rec.PrincipalTags[awsapi.ToString(in.IdentityProviderName)]
	return &ci.GetPrincipalTagAttributeMapOutput{IdentityPoolId: in.IdentityPoolId, IdentityProviderName: in.IdentityProviderName,
		UseDefaults: awsapi.Bool(m.UseDefaults), PrincipalTags: orEmpty(m.Tags)}, nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
