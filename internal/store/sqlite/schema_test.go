package sqlite

import (
	"database/sql"
	"strings"
	"testing"
)

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.w.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(t.Context(), dir); err == nil {
		s.Close()
		t.Fatal("Open of a database from the future succeeded")
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, t.TempDir())
	for _, c := range []struct {
		db     *sql.DB
		pool   string
		pragma string
		want   string
	}{
		{s.w, "write", "journal_mode", "wal"},
		{s.w, "write", "foreign_keys", "1"},
		{s.w, "write", "synchronous", "1"},
		{s.w, "write", "busy_timeout", "10000"},
		{s.w, "write", "query_only", "0"},
		{s.r, "read", "journal_mode", "wal"},
		{s.r, "read", "foreign_keys", "1"},
		{s.r, "read", "busy_timeout", "10000"},
		{s.r, "read", "query_only", "1"},
	} {
		var got string
		if err := c.db.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s pool: %s = %s, want %s", c.pool, c.pragma, got, c.want)
		}
	}
	if _, err := s.r.ExecContext(t.Context(), `DELETE FROM user_pools`); err == nil {
		t.Error("the read pool can write")
	}
}

// TestFilterPlans checks that every ListUsers filter is an index lookup or
// range scan on the filter's own index.
func TestFilterPlans(t *testing.T) {
	s := open(t, t.TempDir())
	for col, q := range userFilters {
		for _, query := range []string{q.eq, q.between, q.from} {
			args := make([]any, strings.Count(query, "?"))
			for i := range args {
				args[i] = "x"
			}
			rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			p := strings.Join(plan, " | ")
			if !strings.HasPrefix(p, "SEARCH users USING INDEX users_"+col+" (pool_id=? AND "+col) {
				t.Errorf("%s: plan %s", query, p)
			}
		}
	}
}

// TestFoldPlans checks that the case-insensitive lookups use their
// expression indexes.
func TestFoldPlans(t *testing.T) {
	s := open(t, t.TempDir())
	for col, q := range foldQueries {
		rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, "p", "x", 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, " | "); !strings.HasPrefix(p, "SEARCH users USING INDEX users_"+col+"_fold (pool_id=? AND <expr>=?)") {
			t.Errorf("%s: plan %s", q, p)
		}
	}
}

// TestObjectPlans checks that every objects statement that reads rows is a
// lookup or range scan of the primary key (prefixes included: no full scan,
// no sort for ORDER BY key), and that the janitor's delete uses the partial
// index on expires_at.
func TestObjectPlans(t *testing.T) {
	s := open(t, t.TempDir())
	for _, q := range objectWrites {
		if strings.HasPrefix(q, "INSERT") {
			continue
		}
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := s.w.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, " | ")
		want := "SEARCH objects USING INDEX sqlite_autoindex_objects_1 (kind=? AND key"
		if q == deleteExpiredObject {
			want = "SEARCH objects USING INDEX objects_expires (expires_at<?)"
		}
		if !strings.HasPrefix(p, want) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %s", q, p)
		}
	}
}
