package postgres

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

// insertUsers copies users into the store in one COPY (test fixtures).
func insertUsers(tb testing.TB, s *Store, us []store.User) {
	tb.Helper()
	cols := strings.Split(userCols+", "+strings.Join(indexedColumns, ", "), ", ")
	n, err := s.pool.CopyFrom(tb.Context(), pgx.Identifier{"users"}, cols, pgx.CopyFromSlice(len(us), func(i int) ([]any, error) {
		return userArgs(us[i])
	}))
	if err != nil || int(n) != len(us) {
		tb.Fatalf("COPY users: %d rows, %v", n, err)
	}
	if _, err := s.pool.Exec(tb.Context(), `ANALYZE users`); err != nil {
		tb.Fatal(err)
	}
}

// planValues gives, for each filter column, user i's value.
var planValues = map[string]func(i int) string{
	"username":           func(i int) string { return fmt.Sprintf("user%05d", i) },
	"sub":                func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) },
	"status":             func(i int) string { return map[bool]string{true: "UNCONFIRMED", false: "CONFIRMED"}[i%100 == 0] },
	"email":              func(i int) string { return fmt.Sprintf("user%05d@example.com", i) },
	"phone_number":       func(i int) string { return fmt.Sprintf("+1555%07d", i) },
	"name":               func(i int) string { return fmt.Sprintf("Name %05d", i) },
	"given_name":         func(i int) string { return fmt.Sprintf("Given%05d", i) },
	"family_name":        func(i int) string { return fmt.Sprintf("Family%05d", i) },
	"preferred_username": func(i int) string { return fmt.Sprintf("pref%05d", i) },
}

// TestFilterPlans checks that every ListUsers filter reads the filter's own
// index (equality, prefix range, lower bound) on a pool of a few thousand
// users with statistics, and never scans the table.
func TestFilterPlans(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	const pool, n = "us-east-1_plans0000", 4000
	for _, p := range []string{pool, "us-east-1_other0000"} {
		if err := s.CreateUserPool(ctx, store.UserPool{ID: p}); err != nil {
			t.Fatal(err)
		}
		var us []store.User
		for i := range n {
			u := store.User{PoolID: p, Key: planValues["username"](i), Username: planValues["username"](i), Sub: planValues["sub"](i),
				Status: planValues["status"](i), Enabled: i%100 != 0, Attributes: map[string]string{}}
			for _, a := range indexedColumns {
				u.Attributes[a] = planValues[a](i)
			}
			us = append(us, u)
		}
		insertUsers(t, s, us)
	}
	for _, col := range indexedUserColumns {
		q := userFilters[col]
		var eq, prefix, from []any
		if col == "enabled" {
			eq = []any{false}
		} else {
			v := planValues[col]
			eq = []any{v(42)}
			if col == "status" {
				eq = []any{"UNCONFIRMED"}
			}
			p := v(42)[:len(v(42))-1] // ten users
			if col == "status" {
				p = "UNC"
			}
			prefix = []any{p, p[:len(p)-1] + string(p[len(p)-1]+1)}
			from = []any{v(n - 3)}
			if col == "status" {
				from = []any{"UNCONFIRMED"} // > "CONFIRMED"
			}
		}
		cases := [][2]any{{q.eq, append(append([]any{pool}, eq...), "", 60)}}
		if prefix != nil {
			cases = append(cases,
				[2]any{q.between, append(append([]any{pool}, prefix...), "", 60)},
				[2]any{q.from, append(append([]any{pool}, from...), "", 60)})
		}
		want := regexp.MustCompile(`(using|on) users_` + col + `\b`)
		for _, c := range cases {
			query, args := c[0].(string), c[1].([]any)
			rows, err := s.pool.Query(ctx, "EXPLAIN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, strings.TrimSpace(line))
			}
			rows.Close()
			p := strings.Join(plan, " | ")
			if !want.MatchString(p) || strings.Contains(p, "Seq Scan") {
				t.Errorf("%s %v:\nplan %s", query, args, p)
			}
		}
	}
}

// TestFoldPlans checks that the case-insensitive lookups use their
// expression indexes on a few thousand rows.
func TestFoldPlans(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	const pool, n = "us-east-1_fold00000", 4000
	if err := s.CreateUserPool(ctx, store.UserPool{ID: pool}); err != nil {
		t.Fatal(err)
	}
	var us []store.User
	for i := range n {
		u := store.User{PoolID: pool, Key: planValues["username"](i), Username: planValues["username"](i), Sub: planValues["sub"](i),
			Status: "CONFIRMED", Enabled: true, Attributes: map[string]string{}}
		for _, a := range indexedColumns {
			u.Attributes[a] = planValues[a](i)
		}
		us = append(us, u)
	}
	insertUsers(t, s, us)
	for col, q := range foldQueries {
		rows, err := s.pool.Query(ctx, "EXPLAIN "+q, pool, store.FoldASCII(planValues[col](42)), 2)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		rows.Close()
		p := strings.Join(plan, " | ")
		if !regexp.MustCompile(`users_`+col+`_fold\b`).MatchString(p) || strings.Contains(p, "Seq Scan") {
			t.Errorf("%s:\nplan %s", q, p)
		}
	}
}

// TestObjectPlans checks that the objects statements that read rows use the
// primary key (prefixes as ranges) and that the janitor's delete uses the
// partial index on expires_at. Unlike SQLite's planner, PostgreSQL's may
// sort a few rows of a bitmap scan rather than walk the index in order.
func TestObjectPlans(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	if _, err := s.pool.Exec(ctx, `INSERT INTO objects (kind, key, value, expires_at)
		SELECT 'k' || (i % 10), 'owner' || (i % 100) || '/' || i, '\x7b7d', CASE WHEN i % 50 = 0 THEN now() END
		FROM generate_series(1, 5000) AS i`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE objects`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		args []any
	}{
		{selectObject, []any{"k1", "owner1/1"}},
		{listObjects[0][0], []any{"k1", "owner1/", 60}},
		{listObjects[0][1], []any{"k1", "owner1/", "owner10", 60}},
		{listObjects[1][0], []any{"k1", "owner1/500", 60}},
		{listObjects[1][1], []any{"k1", "owner1/500", "owner10", 60}},
		{deleteObject, []any{"k1", "owner1/1"}},
		{deleteObjectRange, []any{"k1", "owner1/", "owner10"}},
		{deleteExpiredObject, []any{"2000-01-01T00:00:00Z"}},
	} {
		rows, err := s.pool.Query(ctx, "EXPLAIN "+c.q, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		rows.Close()
		p := strings.Join(plan, " | ")
		want := "objects_pkey"
		if c.q == deleteExpiredObject {
			want = "objects_expires"
		}
		if !strings.Contains(p, want) || strings.Contains(p, "Seq Scan") {
			t.Errorf("%s:\nplan %s", c.q, p)
		}
	}
}
