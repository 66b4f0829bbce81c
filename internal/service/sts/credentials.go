package sts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/sigv4"
	"github.com/ninsho/ninsho/internal/store"
)

// ObjectKind is the store kind of temporary credentials (see doc.go).
const ObjectKind = "sts.credential"

// TemporaryKeyPrefix starts every access key id this package issues, as it
// starts AWS's temporary keys.
const TemporaryKeyPrefix = "ASIA"

const (
	keyIDRandomLen = 16  // after "ASIA": 20 characters, AWS's length
	secretLen      = 40  // AWS's secret access key length
	tokenBytes     = 288 // 384 base64 characters
	sealInfo       = "ninsho sts.credential secret v1"
	issueAttempts  = 3
)

// RoleSession describes a role session to issue.
type RoleSession struct {
	Role *Role
	// SessionName is the role session name (2..64 of [\w+=,.@-]).
	SessionName string
	// Duration of the credentials; zero means one hour.
	Duration time.Duration
	// SessionPolicy is an inline session policy (JSON), already parsed
	// by the caller, or "".
	SessionPolicy string
	// Tags become the session's principal tags.
	Tags map[string]string
	// TransitiveTagKeys (lower-cased keys of Tags) pass on to the sessions
	// this session assumes by role chaining.
	TransitiveTagKeys []string
	// Context holds extra condition keys the session carries (identity
	// pools: cognito-identity.amazonaws.com:aud, :amr, :sub).
	Context        map[string][]string
	SourceIdentity string
}

// credentialRecord is the stored value of an "sts.credential" object.
type credentialRecord struct {
	Secret       string    `json:"secret,omitempty"`
	SealedSecret []byte    `json:"sealedSecret,omitempty"`
	TokenHash    []byte    `json:"tokenHash"`
	Issued       time.Time `json:"issued"`
	Expiration   time.Time `json:"expiration"`

	Kind          string              `json:"kind"`
	Account       string              `json:"account"`
	ARN           string              `json:"arn"`
	UserID        string              `json:"userId"`
	UserName      string              `json:"userName,omitempty"`
	RoleName      string              `json:"roleName,omitempty"`
	RoleARN       string              `json:"roleArn,omitempty"`
	SessionName   string              `json:"sessionName,omitempty"`
	SessionPolicy string              `json:"sessionPolicy,omitempty"`
	Tags          map[string]string   `json:"tags,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`

	TransitiveTagKeys []string `json:"transitiveTagKeys,omitempty"`
	SourceIdentity    string   `json:"sourceIdentity,omitempty"`
}

var kindNames = map[principal.Kind]string{
	principal.Root:        "Root",
	principal.User:        "User",
	principal.AssumedRole: "AssumedRole",
}

func kindFromName(name string) principal.Kind {
	for k, n := range kindNames {
		if n == name {
			return k
		}
	}
	return principal.Anonymous
}

// toPrincipal is the caller a request signed with this session's key is.
func (r *credentialRecord) toPrincipal(accessKeyID string) *principal.Principal {
	return &principal.Principal{
		Kind:          kindFromName(r.Kind),
		Account:       r.Account,
		ARN:           r.ARN,
		UserID:        r.UserID,
		AccessKeyID:   accessKeyID,
		UserName:      r.UserName,
		RoleName:      r.RoleName,
		RoleARN:       r.RoleARN,
		SessionName:   r.SessionName,
		SessionPolicy: r.SessionPolicy,
		Tags:          r.Tags,
		Context:       r.Context,
	}
}

// IssueRoleSession issues temporary credentials for a session of spec.Role:
// AssumedRoleId "<role id>:<session name>", ARN
// arn:aws:sts::<account>:assumed-role/<role name>/<session name>. It checks
// nothing about who may assume the role: AssumeRole and the identity-pool
// service (GetCredentialsForIdentity, session name
// "CognitoIdentityCredentials") do that first.
func (s *Service) IssueRoleSession(ctx context.Context, spec RoleSession) (*stsapi.Credentials, *stsapi.AssumedRoleUser, error) {
	if spec.Role == nil || spec.Role.ARN == "" || spec.Role.Name == "" || spec.Role.ID == "" {
		return nil, nil, errors.New("sts: IssueRoleSession needs a role with a name, id and ARN")
	}
	if spec.SessionName == "" {
		return nil, nil, errors.New("sts: IssueRoleSession needs a session name")
	}
	d := spec.Duration
	if d <= 0 {
		d = time.Hour
	}
	account := s.Account
	if a := arnAccount(spec.Role.ARN); a != "" {
		account = a
	}
	rec := &credentialRecord{
		Kind:              kindNames[principal.AssumedRole],
		Account:           account,
		ARN:               "arn:aws:sts::" + account + ":assumed-role/" + spec.Role.Name + "/" + spec.SessionName,
		UserID:            spec.Role.ID + ":" + spec.SessionName,
		RoleName:          spec.Role.Name,
		RoleARN:           spec.Role.ARN,
		SessionName:       spec.SessionName,
		SessionPolicy:     spec.SessionPolicy,
		Tags:              maps.Clone(spec.Tags),
		TransitiveTagKeys: spec.TransitiveTagKeys,
		Context:           maps.Clone(spec.Context),
		SourceIdentity:    spec.SourceIdentity,
	}
	creds, err := s.issue(ctx, rec, d)
	if err != nil {
		return nil, nil, err
	}
	return creds, &stsapi.AssumedRoleUser{AssumedRoleId: awsapi.String(rec.UserID), Arn: awsapi.String(rec.ARN)}, nil
}

// issue stores rec under a new access key with a new secret and session
// token, valid for d from now, and returns the credentials.
func (s *Service) issue(ctx context.Context, rec *credentialRecord, d time.Duration) (*stsapi.Credentials, error) {
	now := s.now().UTC().Truncate(time.Second)
	rec.Issued, rec.Expiration = now, now.Add(d)
	for range issueAttempts {
		id := TemporaryKeyPrefix + randid.String(keyIDRandomLen, upperAlnum)
		secret := randid.String(secretLen, secretAlphabet)
		token := newSessionToken()
		rec.TokenHash = hashToken(token)
		if err := s.putSecret(rec, id, secret); err != nil {
			return nil, err
		}
		value, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("sts: encode credential: %w", err)
		}
		err = s.Store.CreateObject(ctx, store.Object{Kind: ObjectKind, Key: id, Value: value, ExpiresAt: rec.Expiration})
		if errors.Is(err, store.ErrExists) {
			continue // 36^16 ids: a collision is all but impossible
		}
		if err != nil {
			return nil, fmt.Errorf("sts: store credential: %w", err)
		}
		return &stsapi.Credentials{
			AccessKeyId:     awsapi.String(id),
			SecretAccessKey: awsapi.String(secret),
			SessionToken:    awsapi.String(token),
			Expiration:      awsapi.Time(rec.Expiration),
		}, nil
	}
	return nil, errors.New("sts: could not find a free access key id")
}

// LookupCredential implements sigv4.CredentialLookup for the temporary
// credentials issued here: it returns sigv4.ErrUnknownKey for any key it did
// not issue (so it can be chained with the lookups of long-term keys), and
// for a known key its secret, expiry and principal. An expired session is
// still returned (with Expires in the past) until the janitor deletes it, so
// that the verifier answers ExpiredTokenException.
//
// The session token is not returned: only its SHA-256 is stored. See
// SessionTokenHash.
func (s *Service) LookupCredential(ctx context.Context, accessKeyID string) (sigv4.Credential, error) {
	rec, err := s.record(ctx, accessKeyID)
	if err != nil {
		return sigv4.Credential{}, err
	}
	secret, err := s.secret(rec, accessKeyID)
	if err != nil {
		return sigv4.Credential{}, err
	}
	return sigv4.Credential{
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secret,
		Expires:         rec.Expiration,
		Principal:       rec.toPrincipal(accessKeyID),
		// Only the token's hash is stored; sigv4 compares the request's
		// token by its SHA-256.
		SessionTokenHash: rec.TokenHash,
	}, nil
}

// record reads the session of a temporary key (sigv4.ErrUnknownKey when
// there is none).
func (s *Service) record(ctx context.Context, accessKeyID string) (*credentialRecord, error) {
	if !strings.HasPrefix(accessKeyID, TemporaryKeyPrefix) {
		return nil, sigv4.ErrUnknownKey
	}
	o, err := s.Store.GetObject(ctx, ObjectKind, accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, sigv4.ErrUnknownKey
	}
	if err != nil {
		return nil, fmt.Errorf("sts: read credential: %w", err)
	}
	rec := new(credentialRecord)
	if err := json.Unmarshal(o.Value, rec); err != nil {
		return nil, fmt.Errorf("sts: decode credential %s: %w", accessKeyID, err)
	}
	return rec, nil
}

// hashToken is what is stored of a session token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ---- secrets at rest

// box is the secretbox derived from MasterKey, built on first use (nil
// without a master key).
func (s *Service) box() (*secretbox.Box, error) {
	s.seal.once.Do(func() { s.seal.box, s.seal.err = secretbox.New(s.MasterKey, sealInfo) })
	if s.seal.err != nil {
		return nil, fmt.Errorf("sts: master key: %w", s.seal.err)
	}
	return s.seal.box, nil
}

// sealer holds the box of Service.box.
type sealer struct {
	once sync.Once
	box  *secretbox.Box
	err  error
}

func sealAAD(accessKeyID string) []byte { return []byte(ObjectKind + "/" + accessKeyID) }

// putSecret sets the secret of rec: sealed under the master key if there
// is one, else in clear.
func (s *Service) putSecret(rec *credentialRecord, accessKeyID, secret string) error {
	rec.Secret, rec.SealedSecret = "", nil
	box, err := s.box()
	if err != nil {
		return err
	}
	if box == nil {
		rec.Secret = secret
		return nil
	}
	rec.SealedSecret = box.Seal([]byte(secret), sealAAD(accessKeyID))
	return nil
}

// secret returns the secret of rec.
func (s *Service) secret(rec *credentialRecord, accessKeyID string) (string, error) {
	if rec.SealedSecret == nil {
		return rec.Secret, nil
	}
	box, err := s.box()
	if err != nil {
		return "", err
	}
	plain, err := box.Open(rec.SealedSecret, sealAAD(accessKeyID))
	if errors.Is(err, secretbox.ErrNoKey) {
		return "", fmt.Errorf("sts: credential %s is sealed and no master key is configured", accessKeyID)
	}
	if err != nil {
		return "", fmt.Errorf("sts: credential %s: cannot open the sealed secret (another master key?)", accessKeyID)
	}
	return string(plain), nil
}

// ---- random identifiers

const (
	upperAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// newSessionToken returns an opaque token shaped like AWS's (standard
// base64, a few hundred characters). It carries nothing: the session lives
// in the store, keyed by the access key id.
func newSessionToken() string {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// arnAccount returns the account field of an ARN, or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}
