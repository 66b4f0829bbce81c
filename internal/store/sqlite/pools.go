package sqlite

import (
	"context"
	"database/sql"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	poolCols       = `id, name, settings, created_at, updated_at`
	insertPool     = `INSERT INTO user_pools (` + poolCols + `) VALUES (?, ?, ?, ?, ?)`
	selectPool     = `SELECT ` + poolCols + ` FROM user_pools WHERE id = ?`
	listPools      = `SELECT ` + poolCols + ` FROM user_pools WHERE id > ? ORDER BY id LIMIT ?`
	updatePool     = `UPDATE user_pools SET name = ?, settings = ?, created_at = ?, updated_at = ? WHERE id = ?`
	deletePool     = `DELETE FROM user_pools WHERE id = ?`
	deleteScopeKey = `DELETE FROM signing_keys WHERE scope = ?`
)

func scanPool(sc scanner) (store.UserPool, error) {
	var p store.UserPool
	var created, updated int64
	if err := sc.Scan(&p.ID, &p.Name, &p.Settings, &created, &updated); err != nil {
		return store.UserPool{}, mapErr(err)
	}
	p.CreatedAt, p.UpdatedAt = sqlstore.Time(created), sqlstore.Time(updated)
	return p, nil
}

// CreateUserPool adds a pool; store.ErrExists when the id is taken.
func (s *Store) CreateUserPool(ctx context.Context, p store.UserPool) error {
	_, err := s.exec(ctx, insertPool, p.ID, p.Name, nullBytes(p.Settings), sqlstore.Millis(p.CreatedAt), sqlstore.Millis(p.UpdatedAt))
	return err
}

// GetUserPool returns a pool or store.ErrNotFound.
func (s *Store) GetUserPool(ctx context.Context, id string) (store.UserPool, error) {
	return scanPool(s.queryRow(ctx, selectPool, id))
}

// ListUserPools pages through the pools by id.
func (s *Store) ListUserPools(ctx context.Context, page store.Page) ([]store.UserPool, error) {
	rows, err := s.query(ctx, listPools, page.After, limit(page.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []store.UserPool
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, mapErr(rows.Err())
}

// UpdateUserPool runs update on the pool in a write transaction. The id
// cannot change: the one update returns is ignored.
func (s *Store) UpdateUserPool(ctx context.Context, id string, update func(store.UserPool) (store.UserPool, error)) (store.UserPool, error) {
	var out store.UserPool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sel, err := s.txStmt(ctx, tx, selectPool)
		if err != nil {
			return err
		}
		old, err := scanPool(sel.QueryRowContext(ctx, id))
		if err != nil {
			return err
		}
		p, err := update(old)
		if err != nil {
			return err
		}
		p.ID = id
		upd, err := s.txStmt(ctx, tx, updatePool)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, p.Name, nullBytes(p.Settings), sqlstore.Millis(p.CreatedAt), sqlstore.Millis(p.UpdatedAt), id); err != nil {
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
	return s.inTx(ctx, func(tx *sql.Tx) error {
		del, err := s.txStmt(ctx, tx, deletePool)
		if err != nil {
			return err
		}
		if err := mustAffect(del.ExecContext(ctx, id)); err != nil {
			return mapErr(err)
		}
		keys, err := s.txStmt(ctx, tx, deleteScopeKey)
		if err != nil {
			return err
		}
		_, err = keys.ExecContext(ctx, id)
		return mapErr(err)
	})
}
