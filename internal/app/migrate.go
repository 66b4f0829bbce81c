package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ninsho/ninsho/internal/config"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/postgres"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/store/transfer"
)

// Migrate copies every record of the SQLite store in cfg.DataDir into the
// PostgreSQL database cfg.DB (the other way with cfg.Reverse) and writes
// what it copied to out. Records are copied as they are stored, secrets
// sealed with the master key included: the servers on the target need the
// same --master-key.
func Migrate(ctx context.Context, cfg config.Migrate, out io.Writer) error {
	// Opening an SQLite store creates it: a mistyped --data must not read
	// as an empty source (nor, reversed, be created silently elsewhere).
	file := filepath.Join(cfg.DataDir, sqlite.FileName)
	if _, err := os.Stat(file); err != nil && (!cfg.Reverse || !errors.Is(err, os.ErrNotExist)) {
		return fmt.Errorf("no SQLite store in %s: %w", cfg.DataDir, err)
	}
	lite, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("open store in %s: %w", cfg.DataDir, err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open store %s: %w", cfg.RedactedDB(), err)
	}
	defer pg.Close()

	var dst transfer.Target = pg
	var src store.Dumper = lite
	from, to := "sqlite:"+cfg.DataDir, cfg.RedactedDB()
	if cfg.Reverse {
		dst, src, from, to = lite, pg, to, from
	}
	fmt.Fprintf(out, "copying %s into %s\n", from, to)
	start := time.Now()
	c, err := transfer.Copy(ctx, dst, src, transfer.Options{Force: cfg.Force})
	if err != nil {
		return err
	}
	// Read the target back: what it holds is what was copied.
	got, err := transfer.Count(ctx, dst)
	if err != nil {
		return fmt.Errorf("count the target's records: %w", err)
	}
	if got != c {
		return fmt.Errorf("the target holds %v after copying %v", got, c)
	}
	fmt.Fprintf(out, "user pools      %d\nclients         %d\nusers           %d\nrefresh tokens  %d\nsigning keys    %d\nsessions        %d\nobjects         %d\ncopied %d records in %s\n",
		c.UserPools, c.Clients, c.Users, c.RefreshTokens, c.SigningKeys, c.AuthSessions, c.Objects, c.Total(), time.Since(start).Round(time.Millisecond))
	return nil
}
