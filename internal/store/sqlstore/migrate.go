package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int    // from the file name: 0001_initial.sql is version 1
	Name    string // the file name
	SQL     string // one or more statements, run in one transaction
}

// Dialect is what the migration runner needs to know about a database.
type Dialect struct {
	// Name is used in error messages ("sqlite", "postgres").
	Name string
	// Placeholder returns the n-th (1-based) bind parameter: "?" for SQLite,
	// "$n" for PostgreSQL.
	Placeholder func(n int) string
	// Lock, when set, runs first in every migration transaction to keep other
	// processes from migrating concurrently (PostgreSQL:
	// pg_advisory_xact_lock). SQLite needs none: the transaction is begun
	// IMMEDIATE and so holds the write lock from the start.
	Lock func(ctx context.Context, tx *sql.Tx) error
}

// LoadMigrations reads the files NNNN_name.sql in dir of fsys, ordered by
// version. Versions must be unique and positive; other files are ignored.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		if !ok {
			return nil, fmt.Errorf("sqlstore: migration %q: want NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %q: bad version %q", name, num)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("sqlstore: migrations %q and %q have the same version", prev, name)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %q: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// createMigrationsTable is portable between SQLite and PostgreSQL.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at BIGINT  NOT NULL
)`

// Migrate applies, in order, the migrations whose version is not yet recorded
// in schema_migrations(version, applied_at). Each runs in its own transaction
// together with the row that records it, so a failed migration leaves no
// trace. Migrations are forward only: a database recording a version newer
// than the newest known one is an error (an older binary must not write to a
// newer schema). applied_at is Unix milliseconds.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, ms []Migration) error {
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("sqlstore: %s: create schema_migrations: %w", d.Name, err)
	}
	var latest int
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	var maxApplied sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&maxApplied); err != nil {
		return fmt.Errorf("sqlstore: %s: read schema_migrations: %w", d.Name, err)
	}
	if maxApplied.Valid && int(maxApplied.Int64) > latest {
		return fmt.Errorf("sqlstore: %s: database schema version %d is newer than this binary's %d", d.Name, maxApplied.Int64, latest)
	}
	selectVersion := `SELECT 1 FROM schema_migrations WHERE version = ` + d.Placeholder(1)
	insertVersion := `INSERT INTO schema_migrations (version, applied_at) VALUES (` + d.Placeholder(1) + `, ` + d.Placeholder(2) + `)`
	for _, m := range ms {
		if err := apply(ctx, db, d, m, selectVersion, insertVersion); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, d Dialect, m Migration, selectVersion, insertVersion string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: migration %s: begin: %w", d.Name, m.Name, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if d.Lock != nil {
		if err := d.Lock(ctx, tx); err != nil {
			return fmt.Errorf("sqlstore: %s: migration %s: lock: %w", d.Name, m.Name, err)
		}
	}
	// Checked inside the transaction: another process may have applied it
	// since we looked.
	var one int
	switch err := tx.QueryRowContext(ctx, selectVersion, m.Version).Scan(&one); {
	case err == nil:
		return tx.Rollback()
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: migration %s: %w", d.Name, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlstore: %s: migration %s: %w", d.Name, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, insertVersion, m.Version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: %s: migration %s: record: %w", d.Name, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: migration %s: commit: %w", d.Name, m.Name, err)
	}
	return nil
}
