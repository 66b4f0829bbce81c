package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// client is a stored app client with its settings decoded and its secret
// opened (rec.Secret may be sealed: see sealClientSecret).
type client struct {
	rec    store.Client
	cfg    cip.UserPoolClientType
	secret string
}

// sealedSecretPrefix starts a client secret sealed with the master key in
// the store (base64 of the sealed bytes follows). Secrets Cognito generates
// are 51 lower-case alphanumerics and a given ClientSecret matches
// [\w+]+, so neither can start with it.
const sealedSecretPrefix = "sealed:"

// sealClientSecret is what the store keeps of a client secret: sealed,
// bound to the client, when there is a master key; as it is otherwise.
func (s *Service) sealClientSecret(clientID, secret string) string {
	if s.Secrets == nil || secret == "" {
		return secret
	}
	return sealedSecretPrefix + base64.RawStdEncoding.EncodeToString(s.Secrets.Seal([]byte(secret), clientSecretAAD(clientID)))
}

// openClientSecret returns the secret of a stored client.
func (s *Service) openClientSecret(rec store.Client) (string, error) {
	sealed, ok := strings.CutPrefix(rec.Secret, sealedSecretPrefix)
	if !ok {
		return rec.Secret, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("client %s: bad sealed secret: %w", rec.ID, err)
	}
	plain, err := s.Secrets.Open(b, clientSecretAAD(rec.ID))
	if err != nil {
		return "", fmt.Errorf("client %s: %w", rec.ID, err)
	}
	return string(plain), nil
}

func clientSecretAAD(clientID string) []byte { return []byte("userpool.client/" + clientID) }

// newClientView is a client of a record just written.
func (s *Service) newClientView(rec store.Client, cfg cip.UserPoolClientType) (*client, error) {
	secret, err := s.openClientSecret(rec)
	if err != nil {
		return nil, err
	}
	return &client{rec: rec, cfg: cfg, secret: secret}, nil
}

func clientNotFound(id string) error {
	return cip.NewResourceNotFoundExceptionf("User pool client %s does not exist.", id)
}

func (s *Service) loadClient(ctx context.Context, poolID, id string) (*client, error) {
	var rec store.Client
	var err error
	if poolID == "" {
		rec, err = s.Store.GetClientByID(ctx, id)
	} else {
		rec, err = s.Store.GetClient(ctx, poolID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := s.clients.decode(rec.ID, rec.Settings)
	if err != nil {
		return nil, fmt.Errorf("client %s: bad settings: %w", id, err)
	}
	return s.newClientView(rec, cfg)
}

func (c *client) describe() *cip.UserPoolClientType {
	out := c.cfg
	out.UserPoolId = awsapi.String(c.rec.PoolID)
	out.ClientId = awsapi.String(c.rec.ID)
	out.ClientName = awsapi.String(c.rec.Name)
	if c.secret != "" {
		out.ClientSecret = awsapi.String(c.secret)
	}
	out.CreationDate = awsapi.Time(c.rec.CreatedAt)
	out.LastModifiedDate = awsapi.Time(c.rec.UpdatedAt)
	return &out
}

// legacyFlows are the ExplicitAuthFlows values from before the ALLOW_ ones.
var legacyFlows = []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}

// allowsFlow reports whether the client may use an AuthFlow. A client
// without ExplicitAuthFlows allows SRP, custom auth and refresh (Cognito's
// default); a client with legacy values allows SRP and refresh plus what the
// values name; refresh is always allowed.
func (c *client) allowsFlow(flow string) bool {
	flows := c.cfg.ExplicitAuthFlows
	if flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN" {
		return true
	}
	if len(flows) == 0 {
		return flow == "USER_SRP_AUTH" || flow == "CUSTOM_AUTH"
	}
	if slices.ContainsFunc(flows, func(f string) bool { return slices.Contains(legacyFlows, f) }) {
		switch flow {
		case "USER_SRP_AUTH":
			return true
		case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
			return slices.Contains(flows, "ADMIN_NO_SRP_AUTH")
		case "USER_PASSWORD_AUTH":
			return slices.Contains(flows, "USER_PASSWORD_AUTH")
		case "CUSTOM_AUTH":
			return slices.Contains(flows, "CUSTOM_AUTH_FLOW_ONLY")
		}
		return false
	}
	want := "ALLOW_" + flow
	if flow == "ADMIN_NO_SRP_AUTH" {
		want = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
	}
	return slices.Contains(flows, want)
}

// clientSettings are the settable members of Create/UpdateUserPoolClient.
type clientSettings struct {
	RefreshTokenValidity, AccessTokenValidity, IdTokenValidity      *int32
	TokenValidityUnits                                              *cip.TokenValidityUnitsType
	ReadAttributes, WriteAttributes, ExplicitAuthFlows              []string
	SupportedIdentityProviders, CallbackURLs, LogoutURLs            []string
	DefaultRedirectURI                                              *string
	AllowedOAuthFlows, AllowedOAuthScopes                           []string
	AllowedOAuthFlowsUserPoolClient                                 *bool
	AnalyticsConfiguration                                          *cip.AnalyticsConfigurationType
	PreventUserExistenceErrors                                      *string
	EnableTokenRevocation, EnablePropagateAdditionalUserContextData *bool
	AuthSessionValidity                                             *int32
	RefreshTokenRotation                                            *cip.RefreshTokenRotationType
}

// validityRange is what Cognito allows for each token (COGNITO-NOTES §4.3).
var validityRange = map[string][2]time.Duration{
	"access":  {5 * time.Minute, 24 * time.Hour},
	"id":      {5 * time.Minute, 24 * time.Hour},
	"refresh": {time.Hour, 3650 * 24 * time.Hour},
}

func unitDuration(unit string) time.Duration {
	switch unit {
	case "seconds":
		return time.Second
	case "minutes":
		return time.Minute
	case "hours":
		return time.Hour
	case "days":
		return 24 * time.Hour
	}
	return 0
}

func applyClientSettings(cfg *cip.UserPoolClientType, m clientSettings) error {
	flows := m.ExplicitAuthFlows
	hasLegacy := slices.ContainsFunc(flows, func(f string) bool { return slices.Contains(legacyFlows, f) })
	hasAllow := slices.ContainsFunc(flows, func(f string) bool { return strings.HasPrefix(f, "ALLOW_") })
	if hasLegacy && hasAllow {
		return cip.NewInvalidParameterException("Explicit auth flows cannot mix legacy values and ALLOW_ values.")
	}
	if hasAllow && !slices.Contains(flows, "ALLOW_REFRESH_TOKEN_AUTH") {
		return cip.NewInvalidParameterException("Invalid Explicit Auth Flow: REFRESH_TOKEN_AUTH should always be allowed.")
	}
	units := cip.TokenValidityUnitsType{AccessToken: awsapi.String("hours"), IdToken: awsapi.String("hours"), RefreshToken: awsapi.String("days")}
	if u := m.TokenValidityUnits; u != nil {
		if u.AccessToken != nil {
			units.AccessToken = u.AccessToken
		}
		if u.IdToken != nil {
			units.IdToken = u.IdToken
		}
		if u.RefreshToken != nil {
			units.RefreshToken = u.RefreshToken
		}
	}
	access, id, refresh := m.AccessTokenValidity, m.IdTokenValidity, m.RefreshTokenValidity
	if access == nil {
		access, units.AccessToken = awsapi.Int32(60), awsapi.String("minutes")
	}
	if id == nil {
		id, units.IdToken = awsapi.Int32(60), awsapi.String("minutes")
	}
	if refresh == nil {
		refresh, units.RefreshToken = awsapi.Int32(30), awsapi.String("days")
	}
	for _, v := range []struct {
		kind string
		n    *int32
		unit *string
	}{{"access", access, units.AccessToken}, {"id", id, units.IdToken}, {"refresh", refresh, units.RefreshToken}} {
		d := time.Duration(*v.n) * unitDuration(*v.unit)
		r := validityRange[v.kind]
		if d < r[0] || d > r[1] {
			return cip.NewInvalidParameterExceptionf("Invalid range for token validity.")
		}
	}
	cfg.RefreshTokenValidity, cfg.AccessTokenValidity, cfg.IdTokenValidity = refresh, access, id
	cfg.TokenValidityUnits = &units
	cfg.ReadAttributes, cfg.WriteAttributes = m.ReadAttributes, m.WriteAttributes
	cfg.ExplicitAuthFlows = flows
	cfg.SupportedIdentityProviders, cfg.CallbackURLs, cfg.LogoutURLs = m.SupportedIdentityProviders, m.CallbackURLs, m.LogoutURLs
	cfg.DefaultRedirectURI = m.DefaultRedirectURI
	cfg.AllowedOAuthFlows, cfg.AllowedOAuthScopes = m.AllowedOAuthFlows, m.AllowedOAuthScopes
	cfg.AllowedOAuthFlowsUserPoolClient = awsapi.Bool(awsapi.ToBool(m.AllowedOAuthFlowsUserPoolClient))
	cfg.AnalyticsConfiguration = m.AnalyticsConfiguration
	cfg.PreventUserExistenceErrors = m.PreventUserExistenceErrors
	if cfg.PreventUserExistenceErrors == nil {
		cfg.PreventUserExistenceErrors = awsapi.String("LEGACY")
	}
	cfg.EnableTokenRevocation = m.EnableTokenRevocation
	if cfg.EnableTokenRevocation == nil {
		cfg.EnableTokenRevocation = awsapi.Bool(true)
	}
	cfg.EnablePropagateAdditionalUserContextData = awsapi.Bool(awsapi.ToBool(m.EnablePropagateAdditionalUserContextData))
	cfg.AuthSessionValidity = m.AuthSessionValidity
	if cfg.AuthSessionValidity == nil {
		cfg.AuthSessionValidity = awsapi.Int32(3)
	}
	cfg.RefreshTokenRotation = m.RefreshTokenRotation
	return nil
}

// tokenValidity returns the lifetimes of the client's tokens.
func (c *client) tokenValidity() (access, id, refresh time.Duration) {
	u := c.cfg.TokenValidityUnits
	return time.Duration(awsapi.ToInt32(c.cfg.AccessTokenValidity)) * unitDuration(awsapi.ToString(u.AccessToken)),
		time.Duration(awsapi.ToInt32(c.cfg.IdTokenValidity)) * unitDuration(awsapi.ToString(u.IdToken)),
		time.Duration(awsapi.ToInt32(c.cfg.RefreshTokenValidity)) * unitDuration(awsapi.ToString(u.RefreshToken))
}

func (c *client) preventUserExistenceErrors() bool {
	return awsapi.ToString(c.cfg.PreventUserExistenceErrors) == "ENABLED"
}

// CreateUserPoolClient creates an app client.
func (s *Service) CreateUserPoolClient(ctx context.Context, in *cip.CreateUserPoolClientInput) (*cip.CreateUserPoolClientOutput, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	var cfg cip.UserPoolClientType
	var m clientSettings
	if err := copyMembers(in, &m); err != nil {
		return nil, err
	}
	if err := applyClientSettings(&cfg, m); err != nil {
		return nil, err
	}
	settings, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec := store.Client{ID: newClientID(), PoolID: *in.UserPoolId, Name: *in.ClientName, Settings: settings, CreatedAt: now, UpdatedAt: now}
	if awsapi.ToBool(in.GenerateSecret) {
		secret := newClientSecret()
		if in.ClientSecret != nil {
			secret = *in.ClientSecret
		}
		rec.Secret = s.sealClientSecret(rec.ID, secret)
	}
	if err := s.Store.CreateClient(ctx, rec); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, poolNotFound(*in.UserPoolId)
		}
		return nil, err
	}
	c, err := s.newClientView(rec, cfg)
	if err != nil {
		return nil, err
	}
	return &cip.CreateUserPoolClientOutput{UserPoolClient: c.describe()}, nil
}

// DescribeUserPoolClient returns a client, with its secret.
func (s *Service) DescribeUserPoolClient(ctx context.Context, in *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	c, err := s.loadClient(ctx, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	return &cip.DescribeUserPoolClientOutput{UserPoolClient: c.describe()}, nil
}

// ListUserPoolClients pages through a pool's clients.
func (s *Service) ListUserPoolClients(ctx context.Context, in *cip.ListUserPoolClientsInput) (*cip.ListUserPoolClientsOutput, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	after, err := decodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(awsapi.ToInt32(in.MaxResults))
	if limit == 0 {
		limit = 60
	}
	recs, err := s.Store.ListClients(ctx, *in.UserPoolId, store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &cip.ListUserPoolClientsOutput{UserPoolClients: []cip.UserPoolClientDescription{}}
	if len(recs) > limit {
		recs = recs[:limit]
		out.NextToken = encodePageToken(recs[len(recs)-1].ID)
	}
	for _, r := range recs {
		out.UserPoolClients = append(out.UserPoolClients, cip.UserPoolClientDescription{
			ClientId: awsapi.String(r.ID), UserPoolId: awsapi.String(r.PoolID), ClientName: awsapi.String(r.Name)})
	}
	return out, nil
}

// UpdateUserPoolClient replaces a client's settings; like Cognito, settings
// left out return to their defaults.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	var cfg cip.UserPoolClientType
	var m clientSettings
	if err := copyMembers(in, &m); err != nil {
		return nil, err
	}
	if err := applyClientSettings(&cfg, m); err != nil {
		return nil, err
	}
	settings, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec, err := s.Store.UpdateClient(ctx, *in.UserPoolId, *in.ClientId, func(c store.Client) (store.Client, error) {
		c.Settings = settings
		if in.ClientName != nil {
			c.Name = *in.ClientName
		}
		c.UpdatedAt = now
		return c, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientNotFound(*in.ClientId)
	}
	if err != nil {
		return nil, err
	}
	c, err := s.newClientView(rec, cfg)
	if err != nil {
		return nil, err
	}
	return &cip.UpdateUserPoolClientOutput{UserPoolClient: c.describe()}, nil
}

// DeleteUserPoolClient deletes a client.
func (s *Service) DeleteUserPoolClient(ctx context.Context, in *cip.DeleteUserPoolClientInput) (*awsapi.Empty, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	err := s.Store.DeleteClient(ctx, *in.UserPoolId, *in.ClientId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientNotFound(*in.ClientId)
	}
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
