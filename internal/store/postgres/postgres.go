package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is the PostgreSQL store.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a pgx connection string) and
// brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if !slices.Equal(store.IndexedAttributes, indexedColumns) {
		return nil, fmt.Errorf("postgres: store.IndexedAttributes %v need a migration (columns: %v)", store.IndexedAttributes, indexedColumns)
	}
	cfg, err := connConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{pool: pool}, nil
}

// connConfig parses dsn, with the defaults ninsho sets.
func connConfig(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without connect_timeout in the URL, an unreachable server would
		// hold a start (and every new connection) for as long as TCP tries.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	return cfg, nil
}

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// Dialect is PostgreSQL's sqlstore.Dialect. Open holds a session advisory
// lock around the whole migration (the schema_migrations table's creation
// included), so Lock is not needed.
var Dialect = sqlstore.Dialect{
	Name:        "postgres",
	Placeholder: func(n int) string { return fmt.Sprintf("$%d", n) },
}

// lockKey names the advisory lock migrations hold: one per schema, so that
// databases and schemas migrate independently.
const lockKey = `hashtext('ninsho.migrate/' || coalesce(current_schema(), ''))`

// migrate applies the missing migrations on one connection that holds the
// advisory lock throughout: another instance starting at the same time waits
// for the lock, then finds every migration recorded.
func migrate(ctx context.Context, cc *pgx.ConnConfig) error {
	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDB(*cc.Copy())
	defer db.Close()
	// One connection: the session lock and the migrations must share it.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	err = sqlstore.Migrate(ctx, db, Dialect, ms)
	// Closing the connection would release the lock too; unlock explicitly
	// so that a pooled connection never keeps it.
	if _, uerr := db.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`); uerr != nil && err == nil {
		err = fmt.Errorf("migration unlock: %w", uerr)
	}
	return err
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Reset deletes every record; the schema stays. DELETE rather than TRUNCATE:
// TRUNCATE's exclusive locks would stall other instances' requests.
func (s *Store) Reset(ctx context.Context) error {
	return s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		for _, t := range []string{"auth_sessions", "refresh_tokens", "users", "clients", "signing_keys", "user_pools", "objects"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
}

// maxAttempts bounds the retries of a transaction that meets serialization
// failures or deadlocks. Twenty concurrent increments of one counter, the
// conformance suite's worst case, need up to twenty.
const maxAttempts = 60

// retryable reports whether err is a serialization failure or a deadlock:
// the transaction was rolled back and may be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// retry runs attempt until it succeeds, fails with a non-retryable error,
// or has failed maxAttempts times (then the error is store.ErrConflict).
// Between attempts it sleeps a jittered, growing delay (at most 50 ms).
func retry(ctx context.Context, attempt func() (again bool, err error)) error {
	delay := time.Millisecond
	for i := 1; ; i++ {
		again, err := attempt()
		if !again {
			return err
		}
		if i >= maxAttempts {
			return fmt.Errorf("postgres: %w after %d attempts: %w", store.ErrConflict, i, err)
		}
		t := time.NewTimer(delay/2 + rand.N(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// inTx runs fn in a transaction of the isolation level and commits when fn
// returns nil, retrying the whole transaction on serialization failures and
// deadlocks (fn may run more than once). fn's error is returned unchanged
// unless it is retryable. A panic in fn rolls back before it goes on.
func (s *Store) inTx(ctx context.Context, iso pgx.TxIsoLevel, fn func(tx pgx.Tx) error) error {
	return retry(ctx, func() (bool, error) {
		err := s.tryTx(ctx, iso, fn, nil)
		return retryable(err), err
	})
}

// tryTx runs fn in one transaction. failed, when not nil, reports that a
// statement of fn met a retryable error, whatever fn made of it.
func (s *Store) tryTx(ctx context.Context, iso pgx.TxIsoLevel, fn func(tx pgx.Tx) error, failed *bool) (err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: iso})
	if err != nil {
		return mapErr(err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if failed != nil && *failed {
		// fn ignored a failed statement: the transaction is aborted and
		// its commit would only roll back.
		return errRetry
	}
	committed = true
	return mapErr(tx.Commit(ctx))
}

// errRetry stands for a serialization failure fn swallowed.
var errRetry = &pgconn.PgError{Code: "40001", Message: "a statement of the transaction failed to serialize"}

// exec runs one statement in a transaction of its own, retried like inTx.
func (s *Store) exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := retry(ctx, func() (bool, error) {
		var err error
		tag, err = s.pool.Exec(ctx, q, args...)
		return retryable(err), mapErr(err)
	})
	return tag, err
}

// mustAffect turns "no row affected" into store.ErrNotFound.
func mustAffect(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// affected returns the number of rows a statement changed.
func affected(tag pgconn.CommandTag, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// mapErr maps driver errors to the store sentinels, keeping the driver error
// in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %w: %w", store.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("postgres: %w: %w", store.ErrExists, err)
		case "23503": // foreign_key_violation: the user pool does not exist
			return fmt.Errorf("postgres: %w: %w", store.ErrNotFound, err)
		case "40001", "40P01":
			return fmt.Errorf("postgres: %w: %w", store.ErrConflict, err)
		}
	}
	return err
}

// ts is a time as a timestamptz parameter: NULL for the zero time, and cut
// to the millisecond, as the SQLite store keeps times, so that both read
// back alike (timestamptz would keep microseconds).
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return stored(t)
}

// utc is a scanned timestamptz: UTC, the zero time for NULL.
func utc(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// stored returns t as it reads back: UTC, to the millisecond. Update*
// return what a Get would.
func stored(t time.Time) time.Time { return sqlstore.Time(sqlstore.Millis(t)) }

// limit turns Page.Limit into a LIMIT parameter: NULL (no limit) for <= 0.
func limit(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

// nullBytes keeps nil as NULL and anything else (even empty) as bytea.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// queryer is what runs statements: the pool or a transaction.
type queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
