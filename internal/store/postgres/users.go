package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

// indexedColumns are the users columns copied from Attributes, in the order
// of store.IndexedAttributes (Open checks that they agree: a new indexed
// attribute needs a migration).
var indexedColumns = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

const (
	userCols = `pool_id, user_key, username, sub, status, enabled, attributes, password_salt, password_verifier, password_set_at, extra, created_at, updated_at`
	userKey  = ` FROM users WHERE pool_id = $1 AND user_key = $2`
)

// The users statements, built once from the column lists.
var (
	insertUser      string
	selectUser      = `SELECT ` + userCols + userKey
	selectUserForUp = selectUser + ` FOR UPDATE`
	selectUserSub   = `SELECT ` + userCols + ` FROM users WHERE pool_id = $1 AND sub = $2`
	// updateUser writes every column but the key. PostgreSQL, unlike SQLite,
	// leaves an index alone when its columns keep their values (a HOT
	// update), so there is no need to write only the changed ones.
	updateUser string
	deleteUser = `DELETE` + userKey
	countUsers = `SELECT COUNT(*) FROM users WHERE pool_id = $1`
	listUsers  = `SELECT ` + userCols + ` FROM users WHERE pool_id = $1 AND user_key > $2 ORDER BY user_key LIMIT $3`

	// indexedUserColumns are the users columns with an index of their own
	// for ListUsers filters.
	indexedUserColumns = append([]string{"username", "sub", "status", "enabled"}, indexedColumns...)
	// userFilters are the ListUsers queries by filter column.
	userFilters = map[string]filterQueries{}
	// foldQueries find users by a column of store.FoldedAttributes,
	// ignoring ASCII case, through the migration 0003 indexes.
	foldQueries = map[string]string{}
)

// filterQueries select users whose column: equals $2, is in [$2, $3), is
// >= $2; then after a key, in key order, with a limit.
//
// An equality walks the index (pool_id, column, user_key) in key order. A
// range cannot: its rows come in column order and must be sorted. The range
// queries select in a subquery that OFFSET 0 keeps whole (the planner may not
// push ORDER BY and LIMIT into it), so the planner chooses its access path
// for the filter alone: left free, it may walk the primary key to spare the
// sort, reading the whole pool to find a rare prefix (SQLite's store names
// its index for the same reason).
type filterQueries struct{ eq, between, from string }

func init() {
	cols := strings.Split(userCols+", "+strings.Join(indexedColumns, ", "), ", ")
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	insertUser = `INSERT INTO users (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)`

	var set []string
	for i, c := range cols[2:] {
		set = append(set, c+" = $"+strconv.Itoa(i+1))
	}
	n := len(set)
	updateUser = `UPDATE users SET ` + strings.Join(set, ", ") + ` WHERE pool_id = $` + strconv.Itoa(n+1) + ` AND user_key = $` + strconv.Itoa(n+2)

	for _, c := range store.FoldedAttributes {
		foldQueries[c] = `SELECT ` + userCols + ` FROM users WHERE pool_id = $1 AND lower(` + c + ` COLLATE "C") = $2 ORDER BY user_key LIMIT $3`
	}
	for _, c := range indexedUserColumns {
		sel := `SELECT ` + userCols + ` FROM users WHERE pool_id = $1 AND `
		// keys selects the page's keys from the filter's index alone (an
		// index-only scan once the table is vacuumed); the rows are read
		// for those keys only.
		keys := func(cond, lim string) string {
			return sel + `user_key IN (SELECT user_key FROM (SELECT user_key FROM users WHERE pool_id = $1 AND ` + cond +
				` OFFSET 0) m ORDER BY user_key LIMIT ` + lim + `) ORDER BY user_key`
		}
		userFilters[c] = filterQueries{
			eq:      sel + c + ` = $2 AND user_key > $3 ORDER BY user_key LIMIT $4`,
			between: keys(c+` >= $2 AND `+c+` < $3 AND user_key > $4`, `$5`),
			from:    keys(c+` >= $2 AND user_key > $3`, `$4`),
		}
	}
}

// userArgs returns the values of the insert columns, in order: userCols,
// then indexedColumns.
func userArgs(u store.User) ([]any, error) {
	attrs := "{}"
	if len(u.Attributes) > 0 {
		b, err := json.Marshal(u.Attributes)
		if err != nil {
			return nil, fmt.Errorf("postgres: user attributes: %w", err)
		}
		attrs = string(b)
	}
	args := make([]any, 0, 13+len(indexedColumns))
	args = append(args, u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs,
		nullBytes(u.Password.Salt), nullBytes(u.Password.Verifier), ts(u.PasswordSetAt),
		nullBytes(u.Extra), ts(u.CreatedAt), ts(u.UpdatedAt))
	for _, a := range indexedColumns {
		if v, ok := u.Attributes[a]; ok {
			args = append(args, indexText(v))
		} else {
			args = append(args, nil)
		}
	}
	return args, nil
}

// indexText is an attribute value as its indexed column keeps it.
// PostgreSQL's text cannot hold U+0000, which attribute values may contain
// (AttributeValueType has no pattern), so U+0000 and U+0001 are escaped as
// U+0001 U+0002 and U+0001 U+0001. The code is prefix-free: a value starts
// with a prefix exactly when the escaped value starts with the escaped
// prefix, so equality and prefix filters escape their value alike and stay
// exact. The attribute map itself is JSON, where U+0000 is escaped anyway.
func indexText(v string) string {
	if !strings.ContainsAny(v, "\x00\x01") {
		return v
	}
	return nulEscaper.Replace(v)
}

var nulEscaper = strings.NewReplacer("\x01", "\x01\x01", "\x00", "\x01\x02")

func scanUser(sc pgx.Row) (store.User, error) {
	var u store.User
	var attrs string
	var pwSet, created, updated *time.Time
	if err := sc.Scan(&u.PoolID, &u.Key, &u.Username, &u.Sub, &u.Status, &u.Enabled, &attrs,
		&u.Password.Salt, &u.Password.Verifier, &pwSet, &u.Extra, &created, &updated); err != nil {
		return store.User{}, mapErr(err)
	}
	u.Attributes = map[string]string{}
	if err := json.Unmarshal([]byte(attrs), &u.Attributes); err != nil {
		return store.User{}, fmt.Errorf("postgres: user %s/%s attributes: %w", u.PoolID, u.Key, err)
	}
	u.PasswordSetAt, u.CreatedAt, u.UpdatedAt = utc(pwSet), utc(created), utc(updated)
	return u, nil
}

func (s *Store) queryUsers(ctx context.Context, q string, args ...any) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	return collect(rows, err, scanUser)
}

// CreateUser adds a user: store.ErrExists when the Key or the Sub is taken
// in the pool, store.ErrNotFound when the pool does not exist.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, insertUser, args...)
	return err
}

// GetUser returns the user with the key or store.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (store.User, error) {
	return scanUser(s.pool.QueryRow(ctx, selectUser, poolID, key))
}

// GetUserBySub returns the user with the sub or store.ErrNotFound.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (store.User, error) {
	return scanUser(s.pool.QueryRow(ctx, selectUserSub, poolID, sub))
}

// FindUsersByAttribute returns, in key order, up to limit users (all when
// limit <= 0) whose indexed attribute equals value.
func (s *Store) FindUsersByAttribute(ctx context.Context, poolID, attribute, value string, lim int) ([]store.User, error) {
	if !slices.Contains(indexedColumns, attribute) {
		return nil, fmt.Errorf("postgres: %q is not an indexed attribute", attribute)
	}
	return s.queryUsers(ctx, userFilters[attribute].eq, poolID, indexText(value), "", limit(lim))
}

// FindUsersByAttributeFold finds users by email or preferred_username
// ignoring ASCII case.
func (s *Store) FindUsersByAttributeFold(ctx context.Context, poolID, attribute, value string, lim int) ([]store.User, error) {
	q, ok := foldQueries[attribute]
	if !ok {
		return nil, fmt.Errorf("postgres: %q cannot be found ignoring case", attribute)
	}
	return s.queryUsers(ctx, q, poolID, indexText(store.FoldASCII(value)), limit(lim))
}

// ListUsers pages through the users matching filter in key order.
func (s *Store) ListUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, error) {
	lim := limit(page.Limit)
	if slices.Contains(indexedColumns, f.Attribute) {
		// Escaped before the plan, so that a prefix's upper bound is taken
		// over the text as stored.
		f.Value = indexText(f.Value)
	}
	plan, err := sqlstore.PlanUserFilter(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	q := userFilters[plan.Column]
	switch plan.Kind {
	case sqlstore.FilterAll:
		return s.queryUsers(ctx, listUsers, poolID, page.After, lim)
	case sqlstore.FilterNone:
		return nil, nil
	case sqlstore.FilterEnabled:
		return s.queryUsers(ctx, userFilters["enabled"].eq, poolID, plan.Enabled, page.After, lim)
	case sqlstore.FilterEq:
		return s.queryUsers(ctx, q.eq, poolID, plan.Value, page.After, lim)
	case sqlstore.FilterBetween:
		return s.queryUsers(ctx, q.between, poolID, plan.Value, plan.End, page.After, lim)
	}
	return s.queryUsers(ctx, q.from, poolID, plan.Value, page.After, lim)
}

// CountUsers returns the number of users in the pool.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, countUsers, poolID).Scan(&n)
	return n, mapErr(err)
}

// UpdateUser runs update on the user, locked (FOR UPDATE), in one
// transaction. PoolID and Key cannot change: the ones update returns are
// ignored. Taking another user's Sub is store.ErrExists.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, update func(store.User) (store.User, error)) (store.User, error) {
	var out store.User
	err := s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		old, err := scanUser(tx.QueryRow(ctx, selectUserForUp, poolID, key))
		if err != nil {
			return err
		}
		u, err := update(old)
		if err != nil {
			return err
		}
		u.PoolID, u.Key = poolID, key
		args, err := userArgs(u)
		if err != nil {
			return err
		}
		args = append(args[2:], poolID, key)
		if _, err := tx.Exec(ctx, updateUser, args...); err != nil {
			return mapErr(err)
		}
		u.PasswordSetAt, u.CreatedAt, u.UpdatedAt = stored(u.PasswordSetAt), stored(u.CreatedAt), stored(u.UpdatedAt)
		out = u
		return nil
	})
	if err != nil {
		return store.User{}, err
	}
	return out, nil
}

// DeleteUser deletes a user; store.ErrNotFound when there is none.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	return mustAffect(s.exec(ctx, deleteUser, poolID, key))
}
