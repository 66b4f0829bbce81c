package gateway

import (
	"context"
	"time"

	"github.com/ninsho/ninsho/internal/tokens"
)

// TokenKeys adapts *tokens.Keys to LocalKeys. Issuers maps a token's iss to
// the key scope (a user-pool id) of a pool this server issues for.
type TokenKeys struct {
	Keys    *tokens.Keys
	Issuers func(iss string) (scope string, ok bool)
}

// IssuerScope calls Issuers.
func (t TokenKeys) IssuerScope(iss string) (string, bool) {
	if t.Issuers == nil {
		return "", false
	}
	return t.Issuers(iss)
}

// Verify calls Keys.Verify.
func (t TokenKeys) Verify(ctx context.Context, scope, token string, now time.Time) (map[string]any, error) {
	c, err := t.Keys.Verify(ctx, scope, token, now)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// JWKS calls Keys.JWKS.
func (t TokenKeys) JWKS(ctx context.Context, scope string) ([]byte, error) {
	return t.Keys.JWKS(ctx, scope)
}
