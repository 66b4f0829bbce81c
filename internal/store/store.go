package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends wrap or return these; callers test with errors.Is.
var (
	// ErrNotFound: the addressed record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a record with the same key (or unique attribute) exists.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a concurrent change won; the caller may retry.
	ErrConflict = errors.New("store: conflict")
)

// UserPool is a Cognito user pool. Its configuration is owned by the user-pool
// service and kept as an opaque JSON document, so new settings need no schema
// migration.
type UserPool struct {
	ID        string // "<region>_<9 alphanumerics>"
	Name      string
	Settings  []byte // JSON, owned by internal/service/userpool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Client is a user-pool app client.
type Client struct {
	ID        string
	PoolID    string
	Name      string
	Secret    string // empty when the client has no secret
	Settings  []byte // JSON, owned by internal/service/userpool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Password is what is kept of a password: the SRP salt and verifier
// (v = g^x mod N, see internal/srp), never the password itself.
type Password struct {
	Salt     []byte
	Verifier []byte
}

// User is a user of a user pool.
type User struct {
	PoolID string
	// Username is the user's real username (a UUID when the pool signs in
	// with email or phone number as username attributes).
	Username string
	// Key is the lookup key for Username: equal to Username in
	// case-sensitive pools, its lower-case form otherwise. Unique per pool.
	Key string
	// Sub is the immutable UUID of the user; unique per pool.
	Sub     string
	Status  string // UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ...
	Enabled bool
	// Attributes are the user's attributes by name (without "sub"), values as
	// Cognito keeps them: strings.
	Attributes map[string]string
	Password   Password
	// PasswordSetAt is when the password was last set; with Status
	// FORCE_CHANGE_PASSWORD it dates the temporary password.
	PasswordSetAt time.Time
	// Extra is a JSON document owned by the service for per-user state that
	// needs no index (MFA settings, lockout counters, ...).
	Extra     []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IndexedAttributes are the attributes a backend indexes for lookups and for
// ListUsers filters (with "username", "sub", "status" and
// "cognito:user_status", which are columns of their own).
var IndexedAttributes = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

// FoldedAttributes are the IndexedAttributes a backend can also find
// ignoring case (FindUsersByAttributeFold).
var FoldedAttributes = []string{"email", "preferred_username"}

// FoldASCII lower-cases the ASCII letters of s and leaves every other rune
// as it is: the case folding of FindUsersByAttributeFold, which both SQL
// backends compute with lower() under a byte-wise collation.
func FoldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// UserFilter selects users in ListUsers. The zero value selects all.
type UserFilter struct {
	// Attribute is one of "username", "sub", "status" (enabled: "Enabled" or
	// "Disabled"), "cognito:user_status" or one of IndexedAttributes.
	Attribute string
	Value     string
	// Prefix selects values starting with Value (Cognito's "^="); otherwise
	// values equal to Value ("=").
	Prefix bool
}

// Page asks for at most Limit records after the record with key After
// (exclusive; "" for the first page). Records are ordered by their key.
type Page struct {
	After string
	Limit int
}

// RefreshToken is an issued refresh token, kept by its SHA-256 hash only.
type RefreshToken struct {
	Hash      []byte // SHA-256 of the token string; primary key
	PoolID    string
	ClientID  string
	Username  string
	OriginJTI string // origin_jti of every token issued from it; unique
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   bool
}

// SigningKey is a private key that signs tokens. Scope is the user-pool id
// (or another issuer's name); Use tells which tokens it signs ("id",
// "access").
type SigningKey struct {
	KID       string // primary key
	Scope     string
	Use       string
	Algorithm string // "RS256"
	Private   []byte // PKCS#8 DER
	CreatedAt time.Time
	// RetiredAt is zero while the key signs; once set, the key only verifies
	// until tokens it signed have expired.
	RetiredAt time.Time
}

// AuthSession is the server side of a challenge's Session string, kept by
// the hash of that string.
type AuthSession struct {
	Hash      []byte // SHA-256 of the Session string; primary key
	PoolID    string
	ClientID  string
	Username  string
	Challenge string // the challenge that this session answers
	Data      []byte // JSON, owned by the flow that created it
	ExpiresAt time.Time
}

// UserPoolStore keeps user pools. DeleteUserPool removes everything that
// belongs to the pool (clients, users, tokens, keys, sessions).
type UserPoolStore interface {
	CreateUserPool(ctx context.Context, p UserPool) error
	GetUserPool(ctx context.Context, id string) (UserPool, error)
	ListUserPools(ctx context.Context, page Page) ([]UserPool, error)
	UpdateUserPool(ctx context.Context, id string, update func(UserPool) (UserPool, error)) (UserPool, error)
	DeleteUserPool(ctx context.Context, id string) error
}

// ClientStore keeps app clients.
type ClientStore interface {
	CreateClient(ctx context.Context, c Client) error
	GetClient(ctx context.Context, poolID, id string) (Client, error)
	// GetClientByID finds a client by id alone (InitiateAuth names only the
	// client); client ids are unique across pools.
	GetClientByID(ctx context.Context, id string) (Client, error)
	ListClients(ctx context.Context, poolID string, page Page) ([]Client, error)
	UpdateClient(ctx context.Context, poolID, id string, update func(Client) (Client, error)) (Client, error)
	DeleteClient(ctx context.Context, poolID, id string) error
}

// UserStore keeps users. CreateUser returns ErrExists when the Key or the
// Sub is taken in the pool.
type UserStore interface {
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, poolID, key string) (User, error)
	GetUserBySub(ctx context.Context, poolID, sub string) (User, error)
	// FindUsersByAttribute returns the users whose attribute (one of
	// IndexedAttributes) equals value, at most limit of them.
	FindUsersByAttribute(ctx context.Context, poolID, attribute, value string, limit int) ([]User, error)
	// FindUsersByAttributeFold is FindUsersByAttribute ignoring the case of
	// ASCII letters, for the attributes of FoldedAttributes: in pools whose
	// usernames are case-insensitive, Cognito matches email and
	// preferred_username in any capitalization.
	FindUsersByAttributeFold(ctx context.Context, poolID, attribute, value string, limit int) ([]User, error)
	// ListUsers pages through the users matching filter, ordered by Key.
	ListUsers(ctx context.Context, poolID string, filter UserFilter, page Page) ([]User, error)
	CountUsers(ctx context.Context, poolID string) (int, error)
	UpdateUser(ctx context.Context, poolID, key string, update func(User) (User, error)) (User, error)
	DeleteUser(ctx context.Context, poolID, key string) error
}

// RefreshTokenStore keeps refresh tokens.
type RefreshTokenStore interface {
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	GetRefreshToken(ctx context.Context, hash []byte) (RefreshToken, error)
	GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (RefreshToken, error)
	// RevokeRefreshToken marks one token revoked.
	RevokeRefreshToken(ctx context.Context, hash []byte) error
	// RevokeUserRefreshTokens marks every token of the user revoked and
	// returns how many were.
	RevokeUserRefreshTokens(ctx context.Context, poolID, username string) (int, error)
	// DeleteExpiredRefreshTokens removes tokens that expired before t.
	DeleteExpiredRefreshTokens(ctx context.Context, t time.Time) (int, error)
}

// SigningKeyStore keeps signing keys.
type SigningKeyStore interface {
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// ListSigningKeys returns the keys of a scope, newest first.
	ListSigningKeys(ctx context.Context, scope string) ([]SigningKey, error)
	UpdateSigningKey(ctx context.Context, kid string, update func(SigningKey) (SigningKey, error)) (SigningKey, error)
	DeleteSigningKey(ctx context.Context, kid string) error
}

// AuthSessionStore keeps challenge sessions.
type AuthSessionStore interface {
	CreateAuthSession(ctx context.Context, s AuthSession) error
	GetAuthSession(ctx context.Context, hash []byte) (AuthSession, error)
	DeleteAuthSession(ctx context.Context, hash []byte) error
	DeleteExpiredAuthSessions(ctx context.Context, t time.Time) (int, error)
}

// Store is everything a backend provides.
type Store interface {
	UserPoolStore
	ClientStore
	UserStore
	RefreshTokenStore
	SigningKeyStore
	AuthSessionStore
	ObjectStore
	// Reset removes every record (for test suites: POST /_ninsho/reset).
	Reset(ctx context.Context) error
	Close() error
}
