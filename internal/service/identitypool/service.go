package identitypool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/service/sts"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// Object kinds; see the package doc.
const (
	kindPool     = "identity.pool"
	kindIdentity = "identity.identity"
	kindLogin    = "identity.login"
	kindRef      = "identity.ref"
)

// OpenIDScope is the tokens.Keys scope of the identity pools' OpenID tokens.
const OpenIDScope = "cognito-identity"

const openIDUse = "openid"

// CognitoIdentityProvider is the provider name of the pools' own OpenID
// tokens in Logins.
const CognitoIdentityProvider = "cognito-identity.amazonaws.com"

// TokenError is a login token refused by UserPoolTokens; its Reason follows
// "Invalid login token. " in the NotAuthorizedException.
type TokenError struct{ Reason string }

func (e *TokenError) Error() string { return "Invalid login token. " + e.Reason }

// UserPoolTokens verifies ID tokens of the server's own user pools.
type UserPoolTokens interface {
	// VerifyIDToken checks an ID token of userPoolID (signature with the
	// pool's keys, iss, token_use "id", exp at now) and returns its claims.
	// A refused token is a *TokenError; other errors are internal.
	VerifyIDToken(ctx context.Context, userPoolID, token string, now time.Time) (map[string]any, error)
}

// RoleFinder finds IAM roles by ARN (store.ErrNotFound when there is none).
type RoleFinder interface {
	RoleByARN(ctx context.Context, arn string) (*sts.Role, error)
}

// SessionIssuer issues role sessions (sts.Service).
type SessionIssuer interface {
	IssueRoleSession(ctx context.Context, spec sts.RoleSession) (*stsapi.Credentials, *stsapi.AssumedRoleUser, error)
}

// Service implements cognitoidentity.API.
type Service struct {
	Store      store.ObjectStore
	Keys       *tokens.Keys
	UserPools  UserPoolTokens
	Roles      RoleFinder
	Sessions   SessionIssuer
	Region     string
	Account    string
	IssuerBase string // the OpenID tokens' iss is IssuerBase + "/cognito-identity"
	Now        func() time.Time
}

var _ ci.API = (*Service)(nil)

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// OpenIDIssuer is the iss of the pools' OpenID tokens.
func (s *Service) OpenIDIssuer() string {
	return strings.TrimRight(s.IssuerBase, "/") + "/cognito-identity"
}

// JWKS is the key set of the OpenID tokens.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) { return s.Keys.JWKS(ctx, OpenIDScope) }

func (s *Service) poolARN(id string) string {
	return "arn:aws:cognito-identity:" + s.Region + ":" + s.Account + ":identitypool/" + id
}

func (s *Service) newID() string { return s.Region + ":" + uuid.NewString() }

// userPoolProvider is the provider name of a local user pool.
func (s *Service) userPoolProvider(poolID string) string {
	return "cognito-idp." + s.Region + ".amazonaws.com/" + poolID
}

// userPoolOf returns the user pool id of a provider name
// "cognito-idp.<region>.amazonaws.com/<pool id>".
func (s *Service) userPoolOf(provider string) (string, bool) {
	prefix := "cognito-idp." + s.Region + ".amazonaws.com/"
	if !strings.HasPrefix(provider, prefix) || len(provider) == len(prefix) {
		return "", false
	}
	return provider[len(prefix):], true
}

// Records.

type providerRecord struct {
	ProviderName         string `json:"providerName"`
	ClientID             string `json:"clientId,omitempty"`
	ServerSideTokenCheck bool   `json:"serverSideTokenCheck,omitempty"`
}

type tagMap struct {
	UseDefaults bool              `json:"useDefaults"`
	Tags        map[string]string `json:"tags,omitempty"`
}

type poolRecord struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	AllowUnauthenticated bool   `json:"allowUnauthenticated"`
	// AllowClassicFlow is nil when never set: Cognito then allows the basic
	// flow, and refuses it only when explicitly false. (Stored under a new
	// key: records written before it was a pointer kept false for "unset".)
	AllowClassicFlow         *bool                     `json:"classicFlow,omitempty"`
	SupportedLoginProviders  map[string]string         `json:"supportedLoginProviders,omitempty"`
	DeveloperProviderName    string                    `json:"developerProviderName,omitempty"`
	OpenIDConnectProviderARN []string                  `json:"openIdConnectProviderArns,omitempty"`
	CognitoProviders         []providerRecord          `json:"cognitoProviders,omitempty"`
	SAMLProviderARNs         []string                  `json:"samlProviderArns,omitempty"`
	Tags                     map[string]string         `json:"tags,omitempty"`
	Roles                    map[string]string         `json:"roles,omitempty"`
	RoleMappings             map[string]ci.RoleMapping `json:"roleMappings,omitempty"`
	PrincipalTags            map[string]tagMap         `json:"principalTags,omitempty"`
	Created                  time.Time                 `json:"created"`
}

type loginRef struct {
	Provider string `json:"provider"`
	Subject  string `json:"subject"`
}

type identityRecord struct {
	ID       string     `json:"id"`
	PoolID   string     `json:"poolId"`
	Logins   []loginRef `json:"logins,omitempty"`
	Created  time.Time  `json:"created"`
	Modified time.Time  `json:"modified"`
}

type loginRecord struct {
	IdentityID string `json:"identityId"`
}

type refRecord struct {
	PoolID string `json:"poolId"`
}

func identityKey(poolID, id string) string { return poolID + "/" + id }

func loginKey(poolID, provider, subject string) string {
	return poolID + "/" + provider + "/" + subject
}

// Store helpers.

func get[T any](ctx context.Context, tx store.ObjectTx, kind, key string) (*T, error) {
	o, err := tx.GetObject(ctx, kind, key)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(o.Value, v); err != nil {
		return nil, err
	}
	return v, nil
}

func put(ctx context.Context, tx store.ObjectTx, kind, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.PutObject(ctx, store.Object{Kind: kind, Key: key, Value: b})
}

func create(ctx context.Context, tx store.ObjectTx, kind, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.CreateObject(ctx, store.Object{Kind: kind, Key: key, Value: b})
}

func poolNotFound(id string) error {
	return ci.NewResourceNotFoundExceptionf("IdentityPool '%s' not found.", id)
}

func identityNotFound(id string) error {
	return ci.NewResourceNotFoundExceptionf("Identity '%s' not found.", id)
}

func (s *Service) pool(ctx context.Context, tx store.ObjectTx, id string) (*poolRecord, error) {
	p, err := get[poolRecord](ctx, tx, kindPool, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(id)
	}
	return p, err
}

// identity finds an identity by id alone.
func (s *Service) identity(ctx context.Context, tx store.ObjectTx, id string) (*identityRecord, error) {
	ref, err := get[refRecord](ctx, tx, kindRef, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, identityNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	rec, err := get[identityRecord](ctx, tx, kindIdentity, identityKey(ref.PoolID, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, identityNotFound(id)
	}
	return rec, err
}

// deleteIdentity removes an identity, its ref and its logins.
func deleteIdentity(ctx context.Context, tx store.ObjectTx, rec *identityRecord) error {
	for _, l := range rec.Logins {
		if err := tx.DeleteObject(ctx, kindLogin, loginKey(rec.PoolID, l.Provider, l.Subject)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if err := tx.DeleteObject(ctx, kindRef, rec.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return tx.DeleteObject(ctx, kindIdentity, identityKey(rec.PoolID, rec.ID))
}

// Pagination tokens are the last key returned, base64url-encoded.

func encodeToken(key string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(key))
	return &t
}

func decodeToken(t *string) (string, error) {
	if t == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*t)
	if err != nil {
		return "", ci.NewInvalidParameterException("Invalid pagination token.")
	}
	return string(b), nil
}
