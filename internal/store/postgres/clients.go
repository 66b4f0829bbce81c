package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	clientCols        = `pool_id, id, name, secret, settings, created_at, updated_at`
	insertClient      = `INSERT INTO clients (` + clientCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	selectClient      = `SELECT ` + clientCols + ` FROM clients WHERE pool_id = $1 AND id = $2`
	selectClientForUp = selectClient + ` FOR UPDATE`
	selectClientByID  = `SELECT ` + clientCols + ` FROM clients WHERE id = $1`
	listClients       = `SELECT ` + clientCols + ` FROM clients WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3`
	updateClient      = `UPDATE clients SET name = $1, secret = $2, settings = $3, created_at = $4, updated_at = $5 WHERE pool_id = $6 AND id = $7`
	deleteClient      = `DELETE FROM clients WHERE pool_id = $1 AND id = $2`
)

func scanClient(sc pgx.Row) (store.Client, error) {
	var c store.Client
	var created, updated *time.Time
	if err := sc.Scan(&c.PoolID, &c.ID, &c.Name, &c.Secret, &c.Settings, &created, &updated); err != nil {
		return store.Client{}, mapErr(err)
	}
	c.CreatedAt, c.UpdatedAt = utc(created), utc(updated)
	return c, nil
}

// CreateClient adds a client: store.ErrExists when the id is taken (in any
// pool), store.ErrNotFound when the pool does not exist.
func (s *Store) CreateClient(ctx context.Context, c store.Client) error {
	_, err := s.exec(ctx, insertClient, c.PoolID, c.ID, c.Name, c.Secret, nullBytes(c.Settings), ts(c.CreatedAt), ts(c.UpdatedAt))
	return err
}

// GetClient returns a client or store.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, poolID, id string) (store.Client, error) {
	return scanClient(s.pool.QueryRow(ctx, selectClient, poolID, id))
}

// GetClientByID returns the client with the id, whatever its pool, or
// store.ErrNotFound.
func (s *Store) GetClientByID(ctx context.Context, id string) (store.Client, error) {
	return scanClient(s.pool.QueryRow(ctx, selectClientByID, id))
}

// ListClients pages through the pool's clients by id.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, error) {
	rows, err := s.pool.Query(ctx, listClients, poolID, page.After, limit(page.Limit))
	return collect(rows, err, scanClient)
}

// UpdateClient runs update on the client, locked, in one transaction.
// PoolID and ID cannot change: the ones update returns are ignored.
func (s *Store) UpdateClient(ctx context.Context, poolID, id string, update func(store.Client) (store.Client, error)) (store.Client, error) {
	var out store.Client
	err := s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		old, err := scanClient(tx.QueryRow(ctx, selectClientForUp, poolID, id))
		if err != nil {
			return err
		}
		c, err := update(old)
		if err != nil {
			return err
		}
		c.PoolID, c.ID = poolID, id
		if _, err := tx.Exec(ctx, updateClient, c.Name, c.Secret, nullBytes(c.Settings), ts(c.CreatedAt), ts(c.UpdatedAt), poolID, id); err != nil {
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
