package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
	"github.com/ninsho/ninsho/internal/store"
)

// kindDomain is the object kind of a custom domain name; the key is the
// domain name in lower case. Its API mappings live in the same object, so
// that one read gives the gateway a domain's whole routing.
const kindDomain = "apigw.domain"

type domainRecord struct {
	Domain   v2.DomainName             `json:"domain"`
	Mappings map[string]*v2.ApiMapping `json:"mappings,omitempty"`
}

var (
	domainNameRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	// A mapping key is one or more path segments without leading or
	// trailing slash ("orders", "orders/v1/items").
	mappingKeyRE = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()]+(?:/[A-Za-z0-9$\-_.+!*'()]+)*$`)
)

func domainNotFound() error {
	return v2.NewNotFoundException("Invalid domain name identifier specified")
}

func mappingNotFound() error {
	return v2.NewNotFoundException("Invalid api mapping identifier specified")
}

// domainKey checks a domain name and returns it in lower case, as the
// store keys it (DNS names are case-insensitive).
func domainKey(v *string) (string, error) {
	name := strings.ToLower(strings.TrimSuffix(awsapi.ToString(v), "."))
	if name == "" {
		return "", v2.NewBadRequestException("DomainName is required")
	}
	if len(name) > 253 || !domainNameRE.MatchString(name) || net.ParseIP(name) != nil {
		return "", v2.NewBadRequestExceptionf("Invalid domain name %s: a fully qualified domain name of letters, digits and hyphens is required", name)
	}
	return name, nil
}

func decodeDomain(b []byte) (*domainRecord, error) {
	var d domainRecord
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("apigw: decode domain name: %w", err)
	}
	if d.Mappings == nil {
		d.Mappings = map[string]*v2.ApiMapping{}
	}
	return &d, nil
}

// domainConfigurations fills in what AWS reports for a Regional domain
// name's configuration. No certificate is needed locally: the
// ApiGatewayDomainName, where DNS would point, is the domain itself.
func domainConfigurations(name string, in []v2.DomainNameConfiguration) ([]v2.DomainNameConfiguration, error) {
	if len(in) > 1 {
		return nil, v2.NewBadRequestException("Expected one domain name configuration")
	}
	c := v2.DomainNameConfiguration{}
	if len(in) == 1 {
		c = in[0]
	}
	switch awsapi.ToString(c.EndpointType) {
	case "", "REGIONAL":
		c.EndpointType = awsapi.String("REGIONAL")
	default:
		return nil, v2.NewBadRequestException("Only REGIONAL domain names can be managed through the API Gateway V2 API")
	}
	switch awsapi.ToString(c.SecurityPolicy) {
	case "":
		c.SecurityPolicy = awsapi.String("TLS_1_2")
	case "TLS_1_0", "TLS_1_2":
	default:
		return nil, v2.NewBadRequestExceptionf("Invalid security policy %s: TLS_1_0 or TLS_1_2", *c.SecurityPolicy)
	}
	if c.IpAddressType == nil {
		c.IpAddressType = awsapi.String("ipv4")
	}
	c.ApiGatewayDomainName = awsapi.String(name)
	c.DomainNameStatus = awsapi.String("AVAILABLE")
	c.DomainNameStatusMessage = nil
	return []v2.DomainNameConfiguration{c}, nil
}

func routingMode(v *string) (*string, error) {
	switch m := awsapi.ToString(v); m {
	case "", "API_MAPPING_ONLY":
		return awsapi.String("API_MAPPING_ONLY"), nil
	default:
		return nil, v2.NewBadRequestExceptionf("Unsupported routing mode %s: ninsho routes custom domain names by API mappings only (API_MAPPING_ONLY)", m)
	}
}

func mutualTLS(in *v2.MutualTlsAuthenticationInput) *v2.MutualTlsAuthentication {
	if in == nil {
		return nil
	}
	return &v2.MutualTlsAuthentication{TruststoreUri: in.TruststoreUri, TruststoreVersion: in.TruststoreVersion}
}

func (s *Service) domainARN(name string) string {
	return "arn:aws:apigateway:" + s.Region + "::/domainnames/" + name
}

// CreateDomainName adds a custom domain name; requests whose Host is that
// name are routed by its API mappings.
func (s *Service) CreateDomainName(ctx context.Context, in *v2.CreateDomainNameInput) (*v2.CreateDomainNameOutput, error) {
	name, err := domainKey(in.DomainName)
	if err != nil {
		return nil, err
	}
	cfgs, err := domainConfigurations(name, in.DomainNameConfigurations)
	if err != nil {
		return nil, err
	}
	mode, err := routingMode(in.RoutingMode)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	tags := in.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	d := domainRecord{Domain: v2.DomainName{
		ApiMappingSelectionExpression: awsapi.String("$request.basepath"), DomainName: awsapi.String(name),
		DomainNameArn: awsapi.String(s.domainARN(name)), DomainNameConfigurations: cfgs,
		MutualTlsAuthentication: mutualTLS(in.MutualTlsAuthentication), RoutingMode: mode, Tags: tags,
	}}
	b, err := json.Marshal(&d)
	if err != nil {
		return nil, err
	}
	err = s.Store.CreateObject(ctx, store.Object{Kind: kindDomain, Key: name, Value: b})
	s.forgetDomains()
	if errors.Is(err, store.ErrExists) {
		return nil, v2.NewConflictExceptionf("The domain name resource already exists: %s", name)
	}
	if err != nil {
		return nil, err
	}
	out := v2.CreateDomainNameOutput(d.Domain)
	return &out, nil
}

func (s *Service) loadDomain(ctx context.Context, tx store.ObjectTx, v *string) (*domainRecord, error) {
	name := strings.ToLower(strings.TrimSuffix(awsapi.ToString(v), "."))
	if name == "" {
		return nil, v2.NewBadRequestException("DomainName is required")
	}
	o, err := tx.GetObject(ctx, kindDomain, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domainNotFound()
	}
	if err != nil {
		return nil, err
	}
	return decodeDomain(o.Value)
}

// updateDomain changes a domain name in one transaction; fn may run more
// than once.
func (s *Service) updateDomain(ctx context.Context, v *string, fn func(tx store.ObjectTx, d *domainRecord) error) (*domainRecord, error) {
	var out *domainRecord
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		d, err := s.loadDomain(ctx, tx, v)
		if err != nil {
			return err
		}
		if err := fn(tx, d); err != nil {
			return err
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		out = d
		return tx.PutObject(ctx, store.Object{Kind: kindDomain, Key: *d.Domain.DomainName, Value: b})
	})
	s.forgetDomains()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetDomainName returns a custom domain name.
func (s *Service) GetDomainName(ctx context.Context, in *v2.GetDomainNameInput) (*v2.GetDomainNameOutput, error) {
	d, err := s.loadDomain(ctx, s.Store, in.DomainName)
	if err != nil {
		return nil, err
	}
	out := v2.GetDomainNameOutput(d.Domain)
	return &out, nil
}

// GetDomainNames lists the custom domain names by name.
func (s *Service) GetDomainNames(ctx context.Context, in *v2.GetDomainNamesInput) (*v2.GetDomainNamesOutput, error) {
	limit, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 100
	}
	objs, err := s.Store.ListObjects(ctx, kindDomain, "", store.Page{After: awsapi.ToString(in.NextToken), Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &v2.GetDomainNamesOutput{Items: []v2.DomainName{}}
	if len(objs) > limit {
		objs = objs[:limit]
		out.NextToken = awsapi.String(objs[limit-1].Key)
	}
	for _, o := range objs {
		d, err := decodeDomain(o.Value)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, d.Domain)
	}
	return out, nil
}

// UpdateDomainName replaces a domain name's configuration, mutual TLS
// settings or routing mode.
func (s *Service) UpdateDomainName(ctx context.Context, in *v2.UpdateDomainNameInput) (*v2.UpdateDomainNameOutput, error) {
	d, err := s.updateDomain(ctx, in.DomainName, func(_ store.ObjectTx, d *domainRecord) error {
		if in.DomainNameConfigurations != nil {
			cfgs, err := domainConfigurations(*d.Domain.DomainName, in.DomainNameConfigurations)
			if err != nil {
				return err
			}
			d.Domain.DomainNameConfigurations = cfgs
		}
		if in.MutualTlsAuthentication != nil {
			d.Domain.MutualTlsAuthentication = mutualTLS(in.MutualTlsAuthentication)
		}
		if in.RoutingMode != nil {
			mode, err := routingMode(in.RoutingMode)
			if err != nil {
				return err
			}
			d.Domain.RoutingMode = mode
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateDomainNameOutput(d.Domain)
	return &out, nil
}

// DeleteDomainName removes a custom domain name and its API mappings.
func (s *Service) DeleteDomainName(ctx context.Context, in *v2.DeleteDomainNameInput) (*awsapi.Empty, error) {
	name := strings.ToLower(strings.TrimSuffix(awsapi.ToString(in.DomainName), "."))
	err := s.Store.DeleteObject(ctx, kindDomain, name)
	s.forgetDomains()
	if errors.Is(err, store.ErrNotFound) {
		return nil, domainNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// checkMapping checks that the stage of an API mapping exists and that its
// key is well formed and not taken by another mapping of the domain.
func (s *Service) checkMapping(ctx context.Context, tx store.ObjectTx, d *domainRecord, m *v2.ApiMapping) error {
	key := awsapi.ToString(m.ApiMappingKey)
	if key != "" && (len(key) > 1024 || !mappingKeyRE.MatchString(key)) {
		return v2.NewBadRequestExceptionf("Invalid ApiMappingKey %s: path segments separated by slashes, without a leading or trailing slash", key)
	}
	for _, id := range slices.Sorted(maps.Keys(d.Mappings)) {
		if id != awsapi.ToString(m.ApiMappingId) && awsapi.ToString(d.Mappings[id].ApiMappingKey) == key {
			return v2.NewConflictExceptionf("An API mapping with key '%s' already exists for domain name %s", key, *d.Domain.DomainName)
		}
	}
	apiID, _ := required("ApiId", m.ApiId)
	o, err := tx.GetObject(ctx, kindAPI, apiID)
	if errors.Is(err, store.ErrNotFound) {
		return s.apiNotFound(apiID)
	}
	if err != nil {
		return err
	}
	r, err := decode(o.Value)
	if err != nil {
		return err
	}
	stage, err := required("Stage", m.Stage)
	if err != nil {
		return err
	}
	if r.Stages[stage] == nil {
		return s.stageNotFound(stage)
	}
	return nil
}

// CreateApiMapping maps a path of a custom domain name (ApiMappingKey,
// empty for the root) to one stage of an API.
func (s *Service) CreateApiMapping(ctx context.Context, in *v2.CreateApiMappingInput) (*v2.CreateApiMappingOutput, error) {
	var m *v2.ApiMapping
	_, err := s.updateDomain(ctx, in.DomainName, func(tx store.ObjectTx, d *domainRecord) error {
		m = &v2.ApiMapping{ApiId: in.ApiId, ApiMappingId: awsapi.String(newID(6)), ApiMappingKey: awsapi.String(awsapi.ToString(in.ApiMappingKey)), Stage: in.Stage}
		if err := s.checkMapping(ctx, tx, d, m); err != nil {
			return err
		}
		d.Mappings[*m.ApiMappingId] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateApiMappingOutput(*m)
	return &out, nil
}

// GetApiMapping returns an API mapping.
func (s *Service) GetApiMapping(ctx context.Context, in *v2.GetApiMappingInput) (*v2.GetApiMappingOutput, error) {
	d, err := s.loadDomain(ctx, s.Store, in.DomainName)
	if err != nil {
		return nil, err
	}
	m := d.Mappings[awsapi.ToString(in.ApiMappingId)]
	if m == nil {
		return nil, mappingNotFound()
	}
	out := v2.GetApiMappingOutput(*m)
	return &out, nil
}

// GetApiMappings lists a domain name's API mappings by id.
func (s *Service) GetApiMappings(ctx context.Context, in *v2.GetApiMappingsInput) (*v2.GetApiMappingsOutput, error) {
	d, err := s.loadDomain(ctx, s.Store, in.DomainName)
	if err != nil {
		return nil, err
	}
	items, next, err := pageValues(d.Mappings, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &v2.GetApiMappingsOutput{Items: items, NextToken: next}, nil
}

// UpdateApiMapping changes the API, stage or key of a mapping.
func (s *Service) UpdateApiMapping(ctx context.Context, in *v2.UpdateApiMappingInput) (*v2.UpdateApiMappingOutput, error) {
	var m v2.ApiMapping
	_, err := s.updateDomain(ctx, in.DomainName, func(tx store.ObjectTx, d *domainRecord) error {
		old := d.Mappings[awsapi.ToString(in.ApiMappingId)]
		if old == nil {
			return mappingNotFound()
		}
		m = *old
		if in.ApiId != nil {
			m.ApiId = in.ApiId
		}
		if in.ApiMappingKey != nil {
			m.ApiMappingKey = in.ApiMappingKey
		}
		if in.Stage != nil {
			m.Stage = in.Stage
		}
		if err := s.checkMapping(ctx, tx, d, &m); err != nil {
			return err
		}
		d.Mappings[*m.ApiMappingId] = &m
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateApiMappingOutput(m)
	return &out, nil
}

// DeleteApiMapping removes an API mapping.
func (s *Service) DeleteApiMapping(ctx context.Context, in *v2.DeleteApiMappingInput) (*awsapi.Empty, error) {
	_, err := s.updateDomain(ctx, in.DomainName, func(_ store.ObjectTx, d *domainRecord) error {
		id := awsapi.ToString(in.ApiMappingId)
		if d.Mappings[id] == nil {
			return mappingNotFound()
		}
		delete(d.Mappings, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// mappedDomain returns the first custom domain name (by name) with an API
// mapping to apiID (to its stage when stage is not empty), or "".
func mappedDomain(ctx context.Context, tx store.ObjectTx, apiID, stage string) (string, error) {
	after := ""
	for {
		objs, err := tx.ListObjects(ctx, kindDomain, "", store.Page{After: after, Limit: 500})
		if err != nil {
			return "", err
		}
		for _, o := range objs {
			d, err := decodeDomain(o.Value)
			if err != nil {
				return "", err
			}
			for _, m := range d.Mappings {
				if awsapi.ToString(m.ApiId) == apiID && (stage == "" || awsapi.ToString(m.Stage) == stage) {
					return o.Key, nil
				}
			}
		}
		if len(objs) < 500 {
			return "", nil
		}
		after = objs[len(objs)-1].Key
	}
}

// domainIndex is the gateway's view of every custom domain name.
type domainIndex struct {
	byName   map[string]*gateway.Domain
	loadedAt time.Time
}

// LookupDomain implements gateway.Domains, from memory: the domain names
// are read again when this Service changed one, or CacheTTL after they were
// last read (changes made elsewhere, a reset).
func (s *Service) LookupDomain(ctx context.Context, host string) (*gateway.Domain, bool) {
	d, ok := s.domainIndex(ctx).byName[host]
	return d, ok
}

func (s *Service) domainIndex(ctx context.Context) *domainIndex {
	ttl := s.CacheTTL
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	fresh := func(idx *domainIndex) bool { return idx != nil && time.Since(idx.loadedAt) < ttl }
	if idx := s.domains.Load(); fresh(idx) {
		return idx
	}
	s.domainMu.Lock()
	defer s.domainMu.Unlock()
	old := s.domains.Load()
	if fresh(old) {
		return old
	}
	idx, err := s.loadDomains(context.WithoutCancel(ctx))
	if err != nil {
		if old != nil {
			return old
		}
		return &domainIndex{}
	}
	s.domains.Store(idx)
	return idx
}

func (s *Service) loadDomains(ctx context.Context) (*domainIndex, error) {
	idx := &domainIndex{byName: map[string]*gateway.Domain{}, loadedAt: time.Now()}
	after := ""
	for {
		objs, err := s.Store.ListObjects(ctx, kindDomain, "", store.Page{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			d, err := decodeDomain(o.Value)
			if err != nil {
				return nil, err
			}
			gd := &gateway.Domain{Name: o.Key}
			for _, id := range slices.Sorted(maps.Keys(d.Mappings)) {
				m := d.Mappings[id]
				gd.Mappings = append(gd.Mappings, gateway.APIMapping{
					Key: awsapi.ToString(m.ApiMappingKey), APIID: awsapi.ToString(m.ApiId), Stage: awsapi.ToString(m.Stage)})
			}
			idx.byName[o.Key] = gd
		}
		if len(objs) < 500 {
			return idx, nil
		}
		after = objs[len(objs)-1].Key
	}
}

// forgetDomains makes the next LookupDomain read the domain names again.
func (s *Service) forgetDomains() { s.domains.Store(nil) }
