package sqlite

import (
	"context"
	"database/sql"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	keyCols   = `kid, scope, key_use, algorithm, private_key, created_at, retired_at`
	insertKey = `INSERT INTO signing_keys (` + keyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectKey = `SELECT ` + keyCols + ` FROM signing_keys WHERE kid = ?`
	listKeys  = `SELECT ` + keyCols + ` FROM signing_keys WHERE scope = ? ORDER BY created_at DESC, kid DESC`
	updateKey = `UPDATE signing_keys SET scope = ?, key_use = ?, algorithm = ?, private_key = ?, created_at = ?, retired_at = ? WHERE kid = ?`
	deleteKey = `DELETE FROM signing_keys WHERE kid = ?`
)

func scanKey(sc scanner) (store.SigningKey, error) {
	var k store.SigningKey
	var created, retired int64
	if err := sc.Scan(&k.KID, &k.Scope, &k.Use, &k.Algorithm, &k.Private, &created, &retired); err != nil {
		return store.SigningKey{}, mapErr(err)
	}
	k.CreatedAt, k.RetiredAt = sqlstore.Time(created), sqlstore.Time(retired)
	return k, nil
}

// CreateSigningKey adds a key; store.ErrExists when the kid is taken.
func (s *Store) CreateSigningKey(ctx context.Context, k store.SigningKey) error {
	_, err := s.exec(ctx, insertKey, k.KID, k.Scope, k.Use, k.Algorithm, nullBytes(k.Private),
		sqlstore.Millis(k.CreatedAt), sqlstore.Millis(k.RetiredAt))
	return err
}

// ListSigningKeys returns the scope's keys, newest (CreatedAt) first; ties
// by kid, descending.
func (s *Store) ListSigningKeys(ctx context.Context, scope string) ([]store.SigningKey, error) {
	rows, err := s.query(ctx, listKeys, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ks []store.SigningKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, mapErr(rows.Err())
}

// UpdateSigningKey runs update on the key in a write transaction. The KID
// cannot change: the one update returns is ignored.
func (s *Store) UpdateSigningKey(ctx context.Context, kid string, update func(store.SigningKey) (store.SigningKey, error)) (store.SigningKey, error) {
	var out store.SigningKey
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sel, err := s.txStmt(ctx, tx, selectKey)
		if err != nil {
			return err
		}
		old, err := scanKey(sel.QueryRowContext(ctx, kid))
		if err != nil {
			return err
		}
		k, err := update(old)
		if err != nil {
			return err
		}
		k.KID = kid
		upd, err := s.txStmt(ctx, tx, updateKey)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, k.Scope, k.Use, k.Algorithm, nullBytes(k.Private),
			sqlstore.Millis(k.CreatedAt), sqlstore.Millis(k.RetiredAt), kid); err != nil {
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
