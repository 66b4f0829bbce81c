package sqlite

import (
	"context"
	"database/sql"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

var _ store.Dumper = (*Store)(nil)

// Dump streams every record to v from one read transaction: in WAL mode a
// read transaction sees one snapshot of the database from its first read to
// its end, whatever is written meanwhile.
func (s *Store) Dump(ctx context.Context, v store.DumpVisitor) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	steps := []struct {
		on    bool
		query string
		visit func(scanner) error
	}{
		{v.UserPool != nil, `SELECT ` + poolCols + ` FROM user_pools ORDER BY id`, func(sc scanner) error {
			return visit(sc, scanPool, v.UserPool)
		}},
		{v.Client != nil, `SELECT ` + clientCols + ` FROM clients ORDER BY id`, func(sc scanner) error {
			return visit(sc, scanClient, v.Client)
		}},
		{v.User != nil, `SELECT ` + userCols + ` FROM users ORDER BY pool_id, user_key`, func(sc scanner) error {
			return visit(sc, scanUser, v.User)
		}},
		{v.RefreshToken != nil, `SELECT ` + tokenCols + ` FROM refresh_tokens ORDER BY hash`, func(sc scanner) error {
			return visit(sc, scanToken, v.RefreshToken)
		}},
		{v.SigningKey != nil, `SELECT ` + keyCols + ` FROM signing_keys ORDER BY kid`, func(sc scanner) error {
			return visit(sc, scanKey, v.SigningKey)
		}},
		{v.AuthSession != nil, `SELECT ` + sessionCols + ` FROM auth_sessions ORDER BY hash`, func(sc scanner) error {
			return visit(sc, scanSession, v.AuthSession)
		}},
		{v.Object != nil, `SELECT ` + objectCols + ` FROM objects ORDER BY kind, key`, func(sc scanner) error {
			return visit(sc, scanObject, v.Object)
		}},
	}
	for _, st := range steps {
		if !st.on {
			continue
		}
		if err := dumpRows(ctx, tx, st.query, st.visit); err != nil {
			return err
		}
	}
	return nil
}

func dumpRows(ctx context.Context, tx *sql.Tx, q string, fn func(scanner) error) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

func visit[T any](sc scanner, scan func(scanner) (T, error), fn func(T) error) error {
	r, err := scan(sc)
	if err != nil {
		return err
	}
	return fn(r)
}

func scanSession(sc scanner) (store.AuthSession, error) {
	var a store.AuthSession
	var expires int64
	if err := sc.Scan(&a.Hash, &a.PoolID, &a.ClientID, &a.Username, &a.Challenge, &a.Data, &expires); err != nil {
		return store.AuthSession{}, mapErr(err)
	}
	a.ExpiresAt = sqlstore.Time(expires)
	return a, nil
}
