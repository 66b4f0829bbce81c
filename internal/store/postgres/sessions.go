package postgres

import (
	"context"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	sessionCols   = `hash, pool_id, client_id, username, challenge, data, expires_at`
	insertSession = `INSERT INTO auth_sessions (` + sessionCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	selectSession = `SELECT ` + sessionCols + ` FROM auth_sessions WHERE hash = $1`
	deleteSession = `DELETE FROM auth_sessions WHERE hash = $1`
	// A zero ExpiresAt (NULL) is long past, as it is for SQLite.
	deleteExpiredSession = `DELETE FROM auth_sessions WHERE expires_at < $1 OR expires_at IS NULL`
)

// CreateAuthSession adds a session: store.ErrExists when the hash is taken,
// store.ErrNotFound when the pool does not exist.
func (s *Store) CreateAuthSession(ctx context.Context, a store.AuthSession) error {
	_, err := s.exec(ctx, insertSession, a.Hash, a.PoolID, a.ClientID, a.Username, a.Challenge, nullBytes(a.Data), ts(a.ExpiresAt))
	return err
}

// GetAuthSession returns the session with the hash (expired or not) or
// store.ErrNotFound.
func (s *Store) GetAuthSession(ctx context.Context, hash []byte) (store.AuthSession, error) {
	var a store.AuthSession
	var expires *time.Time
	err := s.pool.QueryRow(ctx, selectSession, hash).Scan(&a.Hash, &a.PoolID, &a.ClientID, &a.Username, &a.Challenge, &a.Data, &expires)
	if err != nil {
		return store.AuthSession{}, mapErr(err)
	}
	a.ExpiresAt = utc(expires)
	return a, nil
}

// DeleteAuthSession deletes a session; store.ErrNotFound when there is none.
func (s *Store) DeleteAuthSession(ctx context.Context, hash []byte) error {
	return mustAffect(s.exec(ctx, deleteSession, hash))
}

// DeleteExpiredAuthSessions deletes the sessions whose ExpiresAt is before t.
func (s *Store) DeleteExpiredAuthSessions(ctx context.Context, t time.Time) (int, error) {
	return affected(s.exec(ctx, deleteExpiredSession, stored(t)))
}
