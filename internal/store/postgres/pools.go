package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	poolCols        = `id, name, settings, created_at, updated_at`
	insertPool      = `INSERT INTO user_pools (` + poolCols + `) VALUES ($1, $2, $3, $4, $5)`
	selectPool      = `SELECT ` + poolCols + ` FROM user_pools WHERE id = $1`
	selectPoolForUp = selectPool + ` FOR UPDATE`
	listPools       = `SELECT ` + poolCols + ` FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2`
	updatePool      = `UPDATE user_pools SET name = $1, settings = $2, created_at = $3, updated_at = $4 WHERE id = $5`
	deletePool      = `DELETE FROM user_pools WHERE id = $1`
	deleteScopeKey  = `DELETE FROM signing_keys WHERE scope = $1`
)

func scanPool(sc pgx.Row) (store.UserPool, error) {
	var p store.UserPool
	var created, updated *time.Time
	if err := sc.Scan(&p.ID, &p.Name, &p.Settings, &created, &updated); err != nil {
		return store.UserPool{}, mapErr(err)
	}
	p.CreatedAt, p.UpdatedAt = utc(created), utc(updated)
	return p, nil
}

// CreateUserPool adds a pool; store.ErrExists when the id is taken.
func (s *Store) CreateUserPool(ctx context.Context, p store.UserPool) error {
	_, err := s.exec(ctx, insertPool, p.ID, p.Name, nullBytes(p.Settings), ts(p.CreatedAt), ts(p.UpdatedAt))
	return err
}

// GetUserPool returns a pool or store.ErrNotFound.
func (s *Store) GetUserPool(ctx context.Context, id string) (store.UserPool, error) {
	return scanPool(s.pool.QueryRow(ctx, selectPool, id))
}

// ListUserPools pages through the pools by id.
func (s *Store) ListUserPools(ctx context.Context, page store.Page) ([]store.UserPool, error) {
	rows, err := s.pool.Query(ctx, listPools, page.After, limit(page.Limit))
	return collect(rows, err, scanPool)
}

// UpdateUserPool runs update on the pool, locked (FOR UPDATE), in one
// transaction. The id cannot change: the one update returns is ignored.
func (s *Store) UpdateUserPool(ctx context.Context, id string, update func(store.UserPool) (store.UserPool, error)) (store.UserPool, error) {
	var out store.UserPool
	err := s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		old, err := scanPool(tx.QueryRow(ctx, selectPoolForUp, id))
		if err != nil {
			return err
		}
		p, err := update(old)
		if err != nil {
			return err
		}
		p.ID = id
		if _, err := tx.Exec(ctx, updatePool, p.Name, nullBytes(p.Settings), ts(p.CreatedAt), ts(p.UpdatedAt), id); err != nil {
			return mapErr(err)
		}
		p.CreatedAt, p.UpdatedAt = stored(p.CreatedAt), stored(p.UpdatedAt)
		out = p
		return nil
	})
	if err != nil {
		return store.UserPool{}, err
	}
	return out, nil
}

// DeleteUserPool deletes the pool with its clients, users, refresh tokens and
// auth sessions (ON DELETE CASCADE) and the signing keys scoped to it.
func (s *Store) DeleteUserPool(ctx context.Context, id string) error {
	return s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		if err := mustAffect(tx.Exec(ctx, deletePool, id)); err != nil {
			return mapErr(err)
		}
		_, err := tx.Exec(ctx, deleteScopeKey, id)
		return mapErr(err)
	})
}
