package sqlite

import (
	"context"
	"time"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	tokenCols          = `hash, pool_id, client_id, username, origin_jti, auth_time, issued_at, expires_at, revoked`
	insertToken        = `INSERT INTO refresh_tokens (` + tokenCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	selectToken        = `SELECT ` + tokenCols + ` FROM refresh_tokens WHERE hash = ?`
	selectTokenOrigin  = `SELECT ` + tokenCols + ` FROM refresh_tokens WHERE origin_jti = ?`
	revokeToken        = `UPDATE refresh_tokens SET revoked = 1 WHERE hash = ?`
	revokeUserTokens   = `UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username = ? AND revoked = 0`
	deleteExpiredToken = `DELETE FROM refresh_tokens WHERE expires_at < ?`
)

func scanToken(sc scanner) (store.RefreshToken, error) {
	var t store.RefreshToken
	var auth, issued, expires int64
	if err := sc.Scan(&t.Hash, &t.PoolID, &t.ClientID, &t.Username, &t.OriginJTI, &auth, &issued, &expires, &t.Revoked); err != nil {
		return store.RefreshToken{}, mapErr(err)
	}
	t.AuthTime, t.IssuedAt, t.ExpiresAt = sqlstore.Time(auth), sqlstore.Time(issued), sqlstore.Time(expires)
	return t, nil
}

// CreateRefreshToken adds a token: store.ErrExists when the hash or the
// origin jti is taken, store.ErrNotFound when the pool does not exist.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	_, err := s.exec(ctx, insertToken, t.Hash, t.PoolID, t.ClientID, t.Username, t.OriginJTI,
		sqlstore.Millis(t.AuthTime), sqlstore.Millis(t.IssuedAt), sqlstore.Millis(t.ExpiresAt), t.Revoked)
	return err
}

// GetRefreshToken returns the token with the hash (revoked or expired
// alike) or store.ErrNotFound.
func (s *Store) GetRefreshToken(ctx context.Context, hash []byte) (store.RefreshToken, error) {
	return scanToken(s.queryRow(ctx, selectToken, hash))
}

// GetRefreshTokenByOrigin returns the token with the origin jti or
// store.ErrNotFound.
func (s *Store) GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (store.RefreshToken, error) {
	return scanToken(s.queryRow(ctx, selectTokenOrigin, originJTI))
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
	return affected(s.exec(ctx, deleteExpiredToken, sqlstore.Millis(t)))
}
