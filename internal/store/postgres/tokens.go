package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	tokenCols         = `hash, pool_id, client_id, username, origin_jti, auth_time, issued_at, expires_at, revoked`
	insertToken       = `INSERT INTO refresh_tokens (` + tokenCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	selectToken       = `SELECT ` + tokenCols + ` FROM refresh_tokens WHERE hash = $1`
	selectTokenOrigin = `SELECT ` + tokenCols + ` FROM refresh_tokens WHERE origin_jti = $1`
	revokeToken       = `UPDATE refresh_tokens SET revoked = true WHERE hash = $1`
	revokeUserTokens  = `UPDATE refresh_tokens SET revoked = true WHERE pool_id = $1 AND username = $2 AND NOT revoked`
	// A zero ExpiresAt (NULL) is long past, as it is for SQLite.
	deleteExpiredToken = `DELETE FROM refresh_tokens WHERE expires_at < $1 OR expires_at IS NULL`
)

func scanToken(sc pgx.Row) (store.RefreshToken, error) {
	var t store.RefreshToken
	var auth, issued, expires *time.Time
	if err := sc.Scan(&t.Hash, &t.PoolID, &t.ClientID, &t.Username, &t.OriginJTI, &auth, &issued, &expires, &t.Revoked); err != nil {
		return store.RefreshToken{}, mapErr(err)
	}
	t.AuthTime, t.IssuedAt, t.ExpiresAt = utc(auth), utc(issued), utc(expires)
	return t, nil
}

// CreateRefreshToken adds a token: store.ErrExists when the hash or the
// origin jti is taken, store.ErrNotFound when the pool does not exist.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	_, err := s.exec(ctx, insertToken, t.Hash, t.PoolID, t.ClientID, t.Username, t.OriginJTI,
		ts(t.AuthTime), ts(t.IssuedAt), ts(t.ExpiresAt), t.Revoked)
	return err
}

// GetRefreshToken returns the token with the hash (revoked or expired
// alike) or store.ErrNotFound.
func (s *Store) GetRefreshToken(ctx context.Context, hash []byte) (store.RefreshToken, error) {
	return scanToken(s.pool.QueryRow(ctx, selectToken, hash))
}

// GetRefreshTokenByOrigin returns the token with the origin jti or
// store.ErrNotFound.
func (s *Store) GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (store.RefreshToken, error) {
	return scanToken(s.pool.QueryRow(ctx, selectTokenOrigin, originJTI))
}

// RevokeRefreshToken marks the token revoked (again, if it was);
// store.ErrNotFound when there is none.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash []byte) error {
	return mustAffect(s.exec(ctx, revokeToken, hash))
}

// RevokeUserRefreshTokens revokes the user's tokens not yet revoked and
// returns how many it revoked.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, poolID, username string) (int, error) {
	return affected(s.exec(ctx, revokeUserTokens, poolID, username))
}

// DeleteExpiredRefreshTokens deletes the tokens whose ExpiresAt is before t.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, t time.Time) (int, error) {
	return affected(s.exec(ctx, deleteExpiredToken, stored(t)))
}
