package sqlite

import (
	"context"
	"database/sql"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	clientCols       = `pool_id, id, name, secret, settings, created_at, updated_at`
	insertClient     = `INSERT INTO clients (` + clientCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectClient     = `SELECT ` + clientCols + ` FROM clients WHERE pool_id = ? AND id = ?`
	selectClientByID = `SELECT ` + clientCols + ` FROM clients WHERE id = ?`
	listClients      = `SELECT ` + clientCols + ` FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`
	updateClient     = `UPDATE clients SET name = ?, secret = ?, settings = ?, created_at = ?, updated_at = ? WHERE pool_id = ? AND id = ?`
	deleteClient     = `DELETE FROM clients WHERE pool_id = ? AND id = ?`
)

func scanClient(sc scanner) (store.Client, error) {
	var c store.Client
	var created, updated int64
	if err := sc.Scan(&c.PoolID, &c.ID, &c.Name, &c.Secret, &c.Settings, &created, &updated); err != nil {
		return store.Client{}, mapErr(err)
	}
	c.CreatedAt, c.UpdatedAt = sqlstore.Time(created), sqlstore.Time(updated)
	return c, nil
}

// CreateClient adds a client: store.ErrExists when the id is taken (in any
// pool), store.ErrNotFound when the pool does not exist.
func (s *Store) CreateClient(ctx context.Context, c store.Client) error {
	_, err := s.exec(ctx, insertClient, c.PoolID, c.ID, c.Name, c.Secret, nullBytes(c.Settings), sqlstore.Millis(c.CreatedAt), sqlstore.Millis(c.UpdatedAt))
	return err
}

// GetClient returns a client or store.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, poolID, id string) (store.Client, error) {
	return scanClient(s.queryRow(ctx, selectClient, poolID, id))
}

// GetClientByID returns the client with the id, whatever its pool, or
// store.ErrNotFound.
func (s *Store) GetClientByID(ctx context.Context, id string) (store.Client, error) {
	return scanClient(s.queryRow(ctx, selectClientByID, id))
}

// ListClients pages through the pool's clients by id.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, error) {
	rows, err := s.query(ctx, listClients, poolID, page.After, limit(page.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []store.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, mapErr(rows.Err())
}

// UpdateClient runs update on the client in a write transaction. PoolID and
// ID cannot change: the ones update returns are ignored.
func (s *Store) UpdateClient(ctx context.Context, poolID, id string, update func(store.Client) (store.Client, error)) (store.Client, error) {
	var out store.Client
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sel, err := s.txStmt(ctx, tx, selectClient)
		if err != nil {
			return err
		}
		old, err := scanClient(sel.QueryRowContext(ctx, poolID, id))
		if err != nil {
			return err
		}
		c, err := update(old)
		if err != nil {
			return err
		}
		c.PoolID, c.ID = poolID, id
		upd, err := s.txStmt(ctx, tx, updateClient)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, c.Name, c.Secret, nullBytes(c.Settings), sqlstore.Millis(c.CreatedAt), sqlstore.Millis(c.UpdatedAt), poolID, id); err != nil {
			return mapErr(err)
		}
		c.CreatedAt, c.UpdatedAt = stored(c.CreatedAt), stored(c.UpdatedAt)
		out = c
		return nil
	})
	if err != nil {
		return store.Client{}, err
	}
	return out, nil
}

// DeleteClient deletes a client; store.ErrNotFound when there is none.
func (s *Store) DeleteClient(ctx context.Context, poolID, id string) error {
	return mustAffect(s.exec(ctx, deleteClient, poolID, id))
}
