package userpool

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// Store is the slice of the store the user-pool service needs.
type Store interface {
	store.UserPoolStore
	store.ClientStore
	store.UserStore
	store.RefreshTokenStore
	store.AuthSessionStore
	// Objects keep the aggregates that need no column index (groups and
	// memberships, one-time codes, devices, ...); see doc.go for the kinds.
	store.ObjectStore
}

// Service implements cognitoidp.API.
type Service struct {
	cip.UnimplementedAPI

	Store  Store
	Keys   *tokens.Keys
	Now    func() time.Time
	Logger *slog.Logger
	// Region and Account name ARNs and pool ids.
	Region  string
	Account string
	// IssuerBase prefixes the issuer of every token: <IssuerBase>/<poolId>.
	IssuerBase string
	// Notify receives every message the pool sends (codes, invitations).
	Notify notify.Sender
	// Secrets seals TOTP secrets and client secrets at rest (nil without
	// --master-key).
	Secrets *secretbox.Box

	// Decoded pool and client settings (see decodedCache).
	pools   decodedCache[cip.UserPoolType]
	clients decodedCache[cip.UserPoolClientType]

	// fakeKey derives the simulated password material of unknown users, so
	// that signing in as nobody costs what signing in as somebody does.
	fakeKey []byte
}

// New returns a service; Now defaults to time.Now.
func New(s Store, keys *tokens.Keys, region, account, issuerBase string, logger *slog.Logger) *Service {
	k := make([]byte, 32)
	rand.Read(k)
	return &Service{Store: s, Keys: keys, Now: time.Now, Logger: logger, Region: region, Account: account, IssuerBase: issuerBase, fakeKey: k}
}

// Issuer is the `iss` of the pool's tokens.
func (s *Service) Issuer(poolID string) string { return s.IssuerBase + "/" + poolID }

func (s *Service) now() time.Time { return s.Now().UTC() }

// JWKS returns the pool's public keys as a JSON Web Key Set.
func (s *Service) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	if _, err := s.Store.GetUserPool(ctx, poolID); err != nil {
		return nil, err
	}
	return s.Keys.JWKS(ctx, poolID)
}
