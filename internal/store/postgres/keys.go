package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	keyCols   = `kid, scope, key_use, algorithm, private_key, created_at, retired_at`
	insertKey = `INSERT INTO signing_keys (` + keyCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	selectKey = `SELECT ` + keyCols + ` FROM signing_keys WHERE kid = $1 FOR UPDATE`
	// The zero CreatedAt (NULL) sorts last, as the oldest.
	listKeys  = `SELECT ` + keyCols + ` FROM signing_keys WHERE scope = $1 ORDER BY created_at DESC NULLS LAST, kid DESC`
	updateKey = `UPDATE signing_keys SET scope = $1, key_use = $2, algorithm = $3, private_key = $4, created_at = $5, retired_at = $6 WHERE kid = $7`
	deleteKey = `DELETE FROM signing_keys WHERE kid = $1`
)

func scanKey(sc pgx.Row) (store.SigningKey, error) {
	var k store.SigningKey
	var created, retired *time.Time
	if err := sc.Scan(&k.KID, &k.Scope, &k.Use, &k.Algorithm, &k.Private, &created, &retired); err != nil {
		return store.SigningKey{}, mapErr(err)
	}
	k.CreatedAt, k.RetiredAt = utc(created), utc(retired)
	return k, nil
}

// CreateSigningKey adds a key; store.ErrExists when the kid is taken.
func (s *Store) CreateSigningKey(ctx context.Context, k store.SigningKey) error {
	_, err := s.exec(ctx, insertKey, k.KID, k.Scope, k.Use, k.Algorithm, nullBytes(k.Private), ts(k.CreatedAt), ts(k.RetiredAt))
	return err
}

// ListSigningKeys returns the scope's keys, newest (CreatedAt) first; ties
// by kid, descending.
func (s *Store) ListSigningKeys(ctx context.Context, scope string) ([]store.SigningKey, error) {
	rows, err := s.pool.Query(ctx, listKeys, scope)
	return collect(rows, err, scanKey)
}

// UpdateSigningKey runs update on the key, locked, in one transaction. The
// KID cannot change: the one update returns is ignored.
func (s *Store) UpdateSigningKey(ctx context.Context, kid string, update func(store.SigningKey) (store.SigningKey, error)) (store.SigningKey, error) {
	var out store.SigningKey
	err := s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		old, err := scanKey(tx.QueryRow(ctx, selectKey, kid))
		if err != nil {
			return err
		}
		k, err := update(old)
		if err != nil {
			return err
		}
		k.KID = kid
		if _, err := tx.Exec(ctx, updateKey, k.Scope, k.Use, k.Algorithm, nullBytes(k.Private), ts(k.CreatedAt), ts(k.RetiredAt), kid); err != nil {
			return mapErr(err)
		}
		k.CreatedAt, k.RetiredAt = stored(k.CreatedAt), stored(k.RetiredAt)
		out = k
		return nil
	})
	if err != nil {
		return store.SigningKey{}, err
	}
	return out, nil
}

// DeleteSigningKey deletes a key; store.ErrNotFound when there is none.
func (s *Store) DeleteSigningKey(ctx context.Context, kid string) error {
	return mustAffect(s.exec(ctx, deleteKey, kid))
}
