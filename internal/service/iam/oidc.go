package iamsvc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/store"
)

// oidcValue is the stored form of an OpenID Connect provider (kind
// iam.oidc-provider).
type oidcValue struct {
	ARN         string    `json:"arn"`
	URL         string    `json:"url"` // without the scheme, as IAM returns it
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	Tags        []tag     `json:"tags,omitempty"`
}

func oidcNotFound(arn string) func() error {
	return func() error {
		return iamapi.NewNoSuchEntityExceptionf("OpenIDConnect Provider not found for arn %s", arn)
	}
}

// CreateOpenIDConnectProvider registers an OpenID Connect identity provider;
// its ARN ends with its URL without "https://".
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, in *iamapi.CreateOpenIDConnectProviderInput) (*iamapi.CreateOpenIDConnectProviderOutput, error) {
	url := awsapi.ToString(in.Url)
	host, ok := strings.CutPrefix(url, "https://")
	if !ok || host == "" {
		return nil, iamapi.NewInvalidInputExceptionf("Invalid Open ID Connect Provider URL %s: the URL must begin with https://", url)
	}
	host = strings.TrimSuffix(host, "/")
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	p := &oidcValue{
		ARN: "arn:aws:iam::" + s.Account + ":oidc-provider/" + host, URL: host,
		ClientIDs: dedupe(in.ClientIDList), Thumbprints: dedupe(in.ThumbprintList),
		CreatedAt: s.now(), Tags: tags,
	}
	if err := s.Store.CreateObject(ctx, object(kindOIDCProvider, p.ARN, p)); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, iamapi.NewEntityAlreadyExistsExceptionf("Provider with url %s already exists.", url)
		}
		return nil, err
	}
	return &iamapi.CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: awsapi.String(p.ARN), Tags: apiTags(tags)}, nil
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// GetOpenIDConnectProvider describes a provider.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, in *iamapi.GetOpenIDConnectProviderInput) (*iamapi.GetOpenIDConnectProviderOutput, error) {
	arn := awsapi.ToString(in.OpenIDConnectProviderArn)
	p, _, err := get[oidcValue](ctx, s.Store, kindOIDCProvider, arn, oidcNotFound(arn))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetOpenIDConnectProviderOutput{
		Url:            awsapi.String(p.URL),
		ClientIDList:   orEmpty(p.ClientIDs),
		ThumbprintList: orEmpty(p.Thumbprints),
		CreateDate:     awsapi.Time(p.CreatedAt),
		Tags:           apiTags(p.Tags),
	}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListOpenIDConnectProviders lists every provider's ARN.
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, _ *iamapi.ListOpenIDConnectProvidersInput) (*iamapi.ListOpenIDConnectProvidersOutput, error) {
	objs, err := all(ctx, s.Store, kindOIDCProvider, "")
	if err != nil {
		return nil, err
	}
	out := make([]iamapi.OpenIDConnectProviderListEntry, len(objs))
	for i, o := range objs {
		out[i] = iamapi.OpenIDConnectProviderListEntry{Arn: awsapi.String(o.Key)}
	}
	return &iamapi.ListOpenIDConnectProvidersOutput{OpenIDConnectProviderList: out}, nil
}

// DeleteOpenIDConnectProvider deletes a provider; deleting one that does
// not exist succeeds, as AWS documents.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, in *iamapi.DeleteOpenIDConnectProviderInput) (*awsapi.Empty, error) {
	err := s.Store.DeleteObject(ctx, kindOIDCProvider, awsapi.ToString(in.OpenIDConnectProviderArn))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

func (s *Service) updateOIDC(ctx context.Context, arn string, change func(*oidcValue)) error {
	_, err := s.Store.UpdateObject(ctx, kindOIDCProvider, arn, func(o store.Object) (store.Object, error) {
		p, err := decode[oidcValue](o)
		if err != nil {
			return o, err
		}
		change(p)
		o.Value = object(kindOIDCProvider, arn, p).Value
		return o, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return oidcNotFound(arn)()
	}
	return err
}

// AddClientIDToOpenIDConnectProvider adds an audience (adding one twice
// changes nothing).
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *iamapi.AddClientIDToOpenIDConnectProviderInput) (*awsapi.Empty, error) {
	id := awsapi.ToString(in.ClientID)
	err := s.updateOIDC(ctx, awsapi.ToString(in.OpenIDConnectProviderArn), func(p *oidcValue) {
		if !slices.Contains(p.ClientIDs, id) {
			p.ClientIDs = append(p.ClientIDs, id)
		}
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// RemoveClientIDFromOpenIDConnectProvider removes an audience (removing
// one that is not there succeeds).
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, in *iamapi.RemoveClientIDFromOpenIDConnectProviderInput) (*awsapi.Empty, error) {
	id := awsapi.ToString(in.ClientID)
	err := s.updateOIDC(ctx, awsapi.ToString(in.OpenIDConnectProviderArn), func(p *oidcValue) {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(c string) bool { return c == id })
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// UpdateOpenIDConnectProviderThumbprint replaces the thumbprint list.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, in *iamapi.UpdateOpenIDConnectProviderThumbprintInput) (*awsapi.Empty, error) {
	err := s.updateOIDC(ctx, awsapi.ToString(in.OpenIDConnectProviderArn), func(p *oidcValue) {
		p.Thumbprints = dedupe(in.ThumbprintList)
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
