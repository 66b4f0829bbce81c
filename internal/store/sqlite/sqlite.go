package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// FileName is the database file Open uses in its directory.
const FileName = "ninsho.db"

// Store is the SQLite store.Store.
type Store struct {
	w, r   *sql.DB // write pool (one connection) and read-only pool
	ws, rs stmts
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the database <dir>/ninsho.db, creating dir
// with mode 0700, and brings its schema up to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return OpenFile(ctx, filepath.Join(dir, FileName))
}

// OpenFile opens (creating if need be) the database file at path and brings
// its schema up to date. The path must be a file: ":memory:" would give every
// pooled connection a database of its own.
func OpenFile(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: unsupported database path %q", path)
	}
	if !slices.Equal(store.IndexedAttributes, indexedColumns) {
		return nil, fmt.Errorf("sqlite: store.IndexedAttributes %v need a migration (columns: %v)", store.IndexedAttributes, indexedColumns)
	}
	// Every pooled connection runs these pragmas when it is opened.
	//
	// synchronous=NORMAL in WAL mode syncs the WAL only at checkpoints, not
	// at every commit: a committed transaction survives the application
	// crashing or being killed (the WAL is in the OS page cache), and the
	// database is never corrupted, but the last transactions before a power
	// loss or OS crash may be rolled back. Surviving application crashes is
	// what ninsho promises, and NORMAL makes commits several times cheaper
	// than FULL.
	common := url.Values{"_pragma": {
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}}
	wq := cloneValues(common)
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	// Migrate on the write pool before the read pool connects: the first
	// connection turns the file into WAL mode.
	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err == nil {
		err = sqlstore.Migrate(ctx, w, Dialect, ms)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}

	rq := cloneValues(common)
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s := &Store{w: w, r: r}
	s.ws.db, s.rs.db = w, r
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return s, nil
}

// prepare prepares every statement the Store runs.
func (s *Store) prepare(ctx context.Context) error {
	reads := []string{
		selectPool, listPools,
		selectClient, selectClientByID, listClients,
		selectUser, selectUserSub, countUsers, listUsers,
		selectToken, selectTokenOrigin,
		listKeys,
		selectSession,
	}
	for _, q := range userFilters {
		reads = append(reads, q.eq, q.between, q.from)
	}
	for _, q := range foldQueries {
		reads = append(reads, q)
	}
	writes := []string{
		insertPool, selectPool, updatePool, deletePool, deleteScopeKey,
		insertClient, selectClient, updateClient, deleteClient,
		insertUser, selectUser, updateUser, deleteUser,
		insertToken, revokeToken, revokeUserTokens, deleteExpiredToken,
		insertKey, selectKey, updateKey, deleteKey,
		insertSession, deleteSession, deleteExpiredSession,
	}
	for _, q := range updateUserColumn {
		writes = append(writes, q)
	}
	reads = append(reads, objectReads...)
	writes = append(writes, objectWrites...)
	return errors.Join(s.rs.prepare(ctx, reads...), s.ws.prepare(ctx, writes...))
}

// Dialect is SQLite's sqlstore.Dialect. The write pool's transactions begin
// IMMEDIATE, so migrations need no extra lock.
var Dialect = sqlstore.Dialect{
	Name:        "sqlite",
	Placeholder: func(int) string { return "?" },
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = slices.Clone(vs)
	}
	return c
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.ws.close()
	s.rs.close()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Reset deletes every record; the schema stays.
func (s *Store) Reset(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Children first, though ON DELETE CASCADE would do.
		for _, t := range []string{"auth_sessions", "refresh_tokens", "users", "clients", "signing_keys", "user_pools", "objects"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
}

// stmts holds a pool's prepared statements. They are all prepared in Open:
// preparing lazily could deadlock, since preparing on the write pool waits
// for its one connection, which a transaction in need of the statement may
// hold. After Open the map is only read.
type stmts struct {
	db *sql.DB
	m  map[string]*sql.Stmt
}

func (c *stmts) prepare(ctx context.Context, qs ...string) error {
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	for _, q := range qs {
		if c.m[q] != nil {
			continue
		}
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		c.m[q] = st
	}
	return nil
}

func (c *stmts) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// exec runs a write statement outside an explicit transaction.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := s.ws.m[q]; st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := s.w.ExecContext(ctx, q, args...)
	return res, mapErr(err)
}

// query runs a read on the read pool.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.rs.m[q]; st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapErr(err)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	return rows, mapErr(err)
}

// queryRow runs a one-row read on the read pool.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.rs.m[q]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, q, args...)
}

// txStmt returns the write pool's prepared q bound to tx (database/sql reuses
// the statement already prepared on the connection).
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := s.ws.m[q]; st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	st, err := tx.PrepareContext(ctx, q)
	return st, mapErr(err)
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it when
// fn returns nil. fn's error is returned unchanged. When fn panics, the
// transaction is rolled back before the panic goes on: a recovered panic
// (net/http recovers handlers') must not leave the one write connection in
// a transaction that nobody ends.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return mapErr(tx.Commit())
}

// mustAffect turns "no row affected" into store.ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// mapErr maps driver errors to the store sentinels, keeping the driver error
// in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %w: %w", store.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %w: %w", store.ErrExists, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			// The parent (user pool) does not exist.
			return fmt.Errorf("sqlite: %w: %w", store.ErrNotFound, err)
		}
		if se.Code()&0xff == sqlite3.SQLITE_BUSY {
			// Another process held the database past busy_timeout.
			return fmt.Errorf("sqlite: %w: %w", store.ErrConflict, err)
		}
	}
	return err
}

// stored returns t as it reads back: UTC, to the millisecond. Update*
// return what a Get would.
func stored(t time.Time) time.Time { return sqlstore.Time(sqlstore.Millis(t)) }

// limit turns Page.Limit into SQLite's LIMIT: negative means none.
func limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

type scanner interface{ Scan(dest ...any) error }

// nullBytes keeps nil as NULL and anything else (even empty) as a BLOB.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
