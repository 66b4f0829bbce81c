package config

import (
	"strings"
	"testing"
)

func TestLoadMigrate(t *testing.T) {
	t.Setenv("NINSHO_DATA", "/srv/ninsho")
	t.Setenv("NINSHO_DB", "postgres://env@127.0.0.1/a")
	m, err := LoadMigrate(nil)
	if err != nil || m.DataDir != "/srv/ninsho" || m.DB != "postgres://env@127.0.0.1/a" || m.Force || m.Reverse {
		t.Fatalf("LoadMigrate from the environment = %+v, %v", m, err)
	}
	m, err = LoadMigrate([]string{"--data", "d", "--db", "postgresql://u:pw@db/x", "--force", "--reverse"})
	if err != nil || m.DataDir != "d" || m.DB != "postgresql://u:pw@db/x" || !m.Force || !m.Reverse {
		t.Fatalf("LoadMigrate with flags = %+v, %v", m, err)
	}
	if got := m.RedactedDB(); strings.Contains(got, "pw") {
		t.Errorf("RedactedDB() = %q", got)
	}
}

func TestLoadMigrateReportsEveryProblem(t *testing.T) {
	t.Setenv("NINSHO_DB", "")
	_, err := LoadMigrate([]string{"--data", ""})
	if err == nil || !strings.Contains(err.Error(), "data: must not be empty") || !strings.Contains(err.Error(), "db: a PostgreSQL URL is required") {
		t.Errorf("LoadMigrate without data and db = %v", err)
	}
	_, err = LoadMigrate([]string{"--db", "mysql://u@h/x"})
	if err == nil || !strings.Contains(err.Error(), `scheme "mysql"`) {
		t.Errorf("LoadMigrate with a mysql URL = %v", err)
	}
	if _, err := LoadMigrate([]string{"--db", "postgres://h/x", "extra"}); err == nil {
		t.Error("LoadMigrate accepted an extra argument")
	}
}
