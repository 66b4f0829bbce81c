package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// Migrate is the configuration of `ninsho migrate`, which copies every
// record of the SQLite store in DataDir into the PostgreSQL database DB (or,
// with Reverse, of DB into DataDir).
type Migrate struct {
	DataDir string
	DB      string
	// Force erases the target first; without it a target that holds any
	// record is refused.
	Force bool
	// Reverse copies PostgreSQL into SQLite.
	Reverse bool
}

// LoadMigrate returns the configuration of `migrate` from the environment
// (NINSHO_DATA, NINSHO_DB, as for serve) and args.
func LoadMigrate(args []string) (Migrate, error) {
	d := Default()
	m := Migrate{DataDir: d.DataDir}
	if v, ok := os.LookupEnv("NINSHO_DATA"); ok {
		m.DataDir = v
	}
	m.DB = os.Getenv("NINSHO_DB")
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: ninsho migrate --data DIR --db postgres://… [--force] [--reverse]\n\n"+
			"Copies every record of the SQLite store in --data into the PostgreSQL database --db (with --reverse,\n"+
			"of --db into --data). Stop the servers first. The target must be empty unless --force is given.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory of the SQLite store (NINSHO_DATA)")
	fs.StringVar(&m.DB, "db", m.DB, "PostgreSQL URL, postgres://user:password@host:port/db?sslmode=... (NINSHO_DB)")
	fs.BoolVar(&m.Force, "force", false, "erase every record of the target before copying (without it, a target that holds any record is refused)")
	fs.BoolVar(&m.Reverse, "reverse", false, "copy the PostgreSQL database into the SQLite store instead")
	if err := fs.Parse(args); err != nil {
		return m, err
	}
	if fs.NArg() > 0 {
		return m, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var errs []error
	if m.DataDir == "" {
		errs = append(errs, errors.New("data: must not be empty"))
	}
	if m.DB == "" {
		errs = append(errs, errors.New("db: a PostgreSQL URL is required (--db or NINSHO_DB)"))
	} else if err := checkDB(m.DB); err != nil {
		errs = append(errs, err)
	}
	return m, errors.Join(errs...)
}

// RedactedDB is DB fit for logs: the password, if any, replaced.
func (m *Migrate) RedactedDB() string {
	c := Config{DB: m.DB}
	return c.RedactedDB()
}
