package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

var _ store.Dumper = (*Store)(nil)

// Dump streams every record to v from one REPEATABLE READ, READ ONLY
// transaction: every query of it reads the snapshot its first query took.
// Rows stream from the server as v consumes them, so a large table is never
// held in memory.
func (s *Store) Dump(ctx context.Context, v store.DumpVisitor) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	steps := []struct {
		on    bool
		query string
		visit func(pgx.Row) error
	}{
		{v.UserPool != nil, `SELECT ` + poolCols + ` FROM user_pools ORDER BY id`, func(r pgx.Row) error {
			return visit(r, scanPool, v.UserPool)
		}},
		{v.Client != nil, `SELECT ` + clientCols + ` FROM clients ORDER BY id`, func(r pgx.Row) error {
			return visit(r, scanClient, v.Client)
		}},
		{v.User != nil, `SELECT ` + userCols + ` FROM users ORDER BY pool_id, user_key`, func(r pgx.Row) error {
			return visit(r, scanUser, v.User)
		}},
		{v.RefreshToken != nil, `SELECT ` + tokenCols + ` FROM refresh_tokens ORDER BY hash`, func(r pgx.Row) error {
			return visit(r, scanToken, v.RefreshToken)
		}},
		{v.SigningKey != nil, `SELECT ` + keyCols + ` FROM signing_keys ORDER BY kid`, func(r pgx.Row) error {
			return visit(r, scanKey, v.SigningKey)
		}},
		{v.AuthSession != nil, `SELECT ` + sessionCols + ` FROM auth_sessions ORDER BY hash`, func(r pgx.Row) error {
			return visit(r, scanSession, v.AuthSession)
		}},
		{v.Object != nil, `SELECT ` + objectCols + ` FROM objects ORDER BY kind, key`, func(r pgx.Row) error {
			return visit(r, scanObject, v.Object)
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

func dumpRows(ctx context.Context, tx pgx.Tx, q string, fn func(pgx.Row) error) error {
	rows, err := tx.Query(ctx, q)
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

func visit[T any](r pgx.Row, scan func(pgx.Row) (T, error), fn func(T) error) error {
	rec, err := scan(r)
	if err != nil {
		return err
	}
	return fn(rec)
}

func scanSession(r pgx.Row) (store.AuthSession, error) {
	var a store.AuthSession
	var expires *time.Time
	if err := r.Scan(&a.Hash, &a.PoolID, &a.ClientID, &a.Username, &a.Challenge, &a.Data, &expires); err != nil {
		return store.AuthSession{}, mapErr(err)
	}
	a.ExpiresAt = utc(expires)
	return a, nil
}
