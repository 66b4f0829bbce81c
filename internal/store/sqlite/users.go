package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

// indexedColumns are the users columns copied from Attributes, in the order
// of store.IndexedAttributes (Open checks that they agree: a new indexed
// attribute needs a migration).
var indexedColumns = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

const (
	userCols = `pool_id, user_key, username, sub, status, enabled, attributes, password_salt, password_verifier, password_set_at, extra, created_at, updated_at`
	userKey  = ` FROM users WHERE pool_id = ? AND user_key = ?`
)

// The users statements, built once from the column lists.
var (
	insertUser    string
	selectUser    = `SELECT ` + userCols + userKey
	selectUserSub = `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND sub = ?`
	// updateUser writes the columns no index covers; updateUserColumn, by
	// column, one indexed column. UpdateUser writes an indexed column only
	// when its value changes: SQLite rewrites the entries of every index
	// whose column an UPDATE sets, changed or not, and with ten indexes that
	// is most of the cost of an update.
	updateUser       string
	updateUserColumn = map[string]string{}
	// indexedUserColumns are the users columns with an index of their own,
	// the ones UpdateUser writes only when they change.
	indexedUserColumns = append([]string{"username", "sub", "status", "enabled"}, indexedColumns...)
	deleteUser         = `DELETE` + userKey
	countUsers         = `SELECT COUNT(*) FROM users WHERE pool_id = ?`
	listUsers          = `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND user_key > ? ORDER BY user_key LIMIT ?`

	// userFilters are the ListUsers queries by filter column.
	userFilters = map[string]filterQueries{}
	// foldQueries find users by a column of store.FoldedAttributes,
	// ignoring ASCII case, through the migration 0003 indexes.
	foldQueries = map[string]string{}
)

// filterQueries select users whose column: equals ?, is in [?, ?), is >= ?;
// then after a key, in key order, with a limit.
type filterQueries struct{ eq, between, from string }

func init() {
	cols := userCols + ", " + strings.Join(indexedColumns, ", ")
	n := strings.Count(cols, ",") + 1
	insertUser = `INSERT INTO users (` + cols + `) VALUES (?` + strings.Repeat(", ?", n-1) + `)`

	var set []string
	for _, c := range strings.Split(userCols, ", ")[6:] { // not the key, not indexed
		set = append(set, c+" = ?")
	}
	updateUser = `UPDATE users SET ` + strings.Join(set, ", ") + ` WHERE pool_id = ? AND user_key = ?`
	for _, c := range indexedUserColumns {
		updateUserColumn[c] = `UPDATE users SET ` + c + ` = ? WHERE pool_id = ? AND user_key = ?`
	}

	for _, c := range store.FoldedAttributes {
		foldQueries[c] = `SELECT ` + userCols + ` FROM users INDEXED BY users_` + c + `_fold WHERE pool_id = ? AND lower(` + c + `) = ? ORDER BY user_key LIMIT ?`
	}
	const tail = ` AND user_key > ? ORDER BY user_key LIMIT ?`
	for _, c := range indexedUserColumns {
		sel := `SELECT ` + userCols + ` FROM users INDEXED BY users_` + c + ` WHERE pool_id = ? AND `
		userFilters[c] = filterQueries{
			eq:      sel + c + ` = ?` + tail,
			between: sel + c + ` >= ? AND ` + c + ` < ?` + tail,
			from:    sel + c + ` >= ?` + tail,
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
			return nil, fmt.Errorf("sqlite: user attributes: %w", err)
		}
		attrs = string(b)
	}
	args := make([]any, 0, 13+len(indexedColumns))
	args = append(args, u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs,
		nullBytes(u.Password.Salt), nullBytes(u.Password.Verifier), sqlstore.Millis(u.PasswordSetAt),
		nullBytes(u.Extra), sqlstore.Millis(u.CreatedAt), sqlstore.Millis(u.UpdatedAt))
	for _, a := range indexedColumns {
		args = append(args, attrValue(u, a))
	}
	return args, nil
}

// attrValue is the column value of an indexed attribute: NULL when absent.
func attrValue(u store.User, attr string) any {
	if v, ok := u.Attributes[attr]; ok {
		return v
	}
	return nil
}

// indexedValue is the value of the indexed column c (of indexedUserColumns).
func indexedValue(u store.User, c string) any {
	switch c {
	case "username":
		return u.Username
	case "sub":
		return u.Sub
	case "status":
		return u.Status
	case "enabled":
		return u.Enabled
	}
	return attrValue(u, c)
}

func scanUser(sc scanner) (store.User, error) {
	var u store.User
	var attrs string
	var pwSet, created, updated int64
	if err := sc.Scan(&u.PoolID, &u.Key, &u.Username, &u.Sub, &u.Status, &u.Enabled, &attrs,
		&u.Password.Salt, &u.Password.Verifier, &pwSet, &u.Extra, &created, &updated); err != nil {
		return store.User{}, mapErr(err)
	}
	u.Attributes = map[string]string{}
	if err := json.Unmarshal([]byte(attrs), &u.Attributes); err != nil {
		return store.User{}, fmt.Errorf("sqlite: user %s/%s attributes: %w", u.PoolID, u.Key, err)
	}
	u.PasswordSetAt, u.CreatedAt, u.UpdatedAt = sqlstore.Time(pwSet), sqlstore.Time(created), sqlstore.Time(updated)
	return u, nil
}

func (s *Store) queryUsers(ctx context.Context, q string, args ...any) ([]store.User, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, mapErr(rows.Err())
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
	return scanUser(s.queryRow(ctx, selectUser, poolID, key))
}

// GetUserBySub returns the user with the sub or store.ErrNotFound.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (store.User, error) {
	return scanUser(s.queryRow(ctx, selectUserSub, poolID, sub))
}

// FindUsersByAttribute returns, in key order, up to limit users (all when
// limit <= 0) whose indexed attribute equals value.
func (s *Store) FindUsersByAttribute(ctx context.Context, poolID, attribute, value string, lim int) ([]store.User, error) {
	if !slices.Contains(indexedColumns, attribute) {
		return nil, fmt.Errorf("sqlite: %q is not an indexed attribute", attribute)
	}
	return s.queryUsers(ctx, userFilters[attribute].eq, poolID, value, "", limit(lim))
}

// FindUsersByAttributeFold finds users by email or preferred_username
// ignoring ASCII case.
func (s *Store) FindUsersByAttributeFold(ctx context.Context, poolID, attribute, value string, lim int) ([]store.User, error) {
	q, ok := foldQueries[attribute]
	if !ok {
		return nil, fmt.Errorf("sqlite: %q cannot be found ignoring case", attribute)
	}
	return s.queryUsers(ctx, q, poolID, store.FoldASCII(value), limit(lim))
}

// ListUsers pages through the users matching filter in key order.
func (s *Store) ListUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, error) {
	lim := limit(page.Limit)
	plan, err := sqlstore.PlanUserFilter(f)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
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
	err := s.queryRow(ctx, countUsers, poolID).Scan(&n)
	return n, mapErr(err)
}

// UpdateUser runs update on the user in a write transaction. PoolID and Key
// cannot change: the ones update returns are ignored. Taking another user's
// Sub is store.ErrExists.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, update func(store.User) (store.User, error)) (store.User, error) {
	var out store.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sel, err := s.txStmt(ctx, tx, selectUser)
		if err != nil {
			return err
		}
		old, err := scanUser(sel.QueryRowContext(ctx, poolID, key))
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
		args = append(args[6:13], poolID, key) // the unindexed columns
		upd, err := s.txStmt(ctx, tx, updateUser)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, args...); err != nil {
			return mapErr(err)
		}
		for _, c := range indexedUserColumns {
			v := indexedValue(u, c)
			if v == indexedValue(old, c) {
				continue
			}
			upd, err := s.txStmt(ctx, tx, updateUserColumn[c])
			if err != nil {
				return err
			}
			if _, err := upd.ExecContext(ctx, v, poolID, key); err != nil {
				return mapErr(err)
			}
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
