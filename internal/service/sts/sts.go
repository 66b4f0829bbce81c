package sts

import (
	"context"
	"net/http"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/store"
)

// Role is what STS needs to know of an IAM role.
type Role struct {
	Name string // the role name, without its path
	ID   string // "AROA…"
	ARN  string // arn:aws:iam::<account>:role/<path><name>
	// TrustPolicy is the role's trust policy (AssumeRolePolicyDocument),
	// as JSON.
	TrustPolicy string
	// MaxSessionDuration in seconds (3600..43200); zero means 3600.
	MaxSessionDuration int32
}

// RoleFinder finds roles. The IAM service implements it.
type RoleFinder interface {
	// RoleByARN returns store.ErrNotFound (possibly wrapped) when there is
	// no such role.
	RoleByARN(ctx context.Context, arn string) (*Role, error)
}

// Service implements stsapi.API, and sigv4.CredentialLookup for the
// temporary credentials it issues. It must not be copied after first use.
type Service struct {
	stsapi.UnimplementedAPI

	Store store.ObjectStore
	Roles RoleFinder
	// Account is the 12-digit account id ninsho serves.
	Account string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MasterKey, when not nil, encrypts the stored secret access keys
	// (AES-256-GCM under a key derived with HKDF-SHA256; see doc.go). It
	// must not change after first use: records sealed under another key
	// can no longer be read.
	MasterKey []byte
	// WebIdentity verifies the tokens of AssumeRoleWithWebIdentity; nil
	// refuses every token (InvalidIdentityToken).
	WebIdentity WebIdentityVerifier
	// OIDCProviders finds the IAM OIDC providers that user-pool tokens
	// need; nil means there are none.
	OIDCProviders OIDCProviders

	seal sealer
}

// New returns a Service; masterKey may be nil (secrets are then stored in
// clear).
func New(st store.ObjectStore, roles RoleFinder, account string, masterKey []byte) *Service {
	return &Service{Store: st, Roles: roles, Account: account, MasterKey: masterKey}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// GetCallerIdentity tells who signed the request: the account root
// (UserId = the account id), an IAM user (its AIDA… id and user ARN; also
// for the user's GetSessionToken sessions) or a role session
// ("AROA…:<session name>" and the assumed-role ARN).
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityInput) (*stsapi.GetCallerIdentityOutput, error) {
	p := principal.From(ctx)
	account := p.Account
	if account == "" {
		account = s.Account
	}
	var userID, arn string
	switch p.Kind {
	case principal.Root:
		userID, arn = account, rootARN(account)
	case principal.User, principal.AssumedRole:
		userID, arn = p.UserID, p.ARN
	default:
		// Unreachable behind the SigV4 layer, which refuses unsigned
		// requests to signed operations.
		return nil, missingAuthenticationToken()
	}
	return &stsapi.GetCallerIdentityOutput{
		UserId:  awsapi.String(userID),
		Account: awsapi.String(account),
		Arn:     awsapi.String(arn),
	}, nil
}

// GetAccessKeyInfo tells the account an access key belongs to. AWS decodes
// the account from the key id without checking that the key exists, and
// never answers "unknown key"; ninsho serves one account, so every well-formed
// key id (the generated validation checks the form) belongs to it.
func (s *Service) GetAccessKeyInfo(ctx context.Context, _ *stsapi.GetAccessKeyInfoInput) (*stsapi.GetAccessKeyInfoOutput, error) {
	account := s.Account
	if account == "" {
		account = principal.From(ctx).Account
	}
	return &stsapi.GetAccessKeyInfoOutput{Account: awsapi.String(account)}, nil
}

func rootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// accessDenied is STS's authorization failure (403, Sender).
func accessDenied(msg string) *awserr.Error {
	return &awserr.Error{Code: "AccessDenied", Message: msg, Status: http.StatusForbidden}
}

// notAuthorized is AWS's wording for a refused action on a resource.
func notAuthorized(caller, action, resource string) *awserr.Error {
	return accessDenied("User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource)
}

func validationError(msg string) *awserr.Error { return awserr.New("ValidationError", msg) }

func invalidParameterValue(msg string) *awserr.Error {
	return awserr.New("InvalidParameterValue", msg)
}

func missingAuthenticationToken() *awserr.Error {
	return &awserr.Error{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", Status: http.StatusForbidden}
}
