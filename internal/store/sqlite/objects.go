package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	objectCols   = `kind, key, value, expires_at, created_at, updated_at`
	selectObject = `SELECT ` + objectCols + ` FROM objects WHERE kind = ? AND key = ?`
	insertObject = `INSERT INTO objects (` + objectCols + `) VALUES (?, ?, ?, ?, ?, ?)`
	// upsertObject keeps created_at of the row it replaces.
	upsertObject = insertObject + ` ON CONFLICT (kind, key) DO UPDATE SET
		value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at`
	updateObject = `UPDATE objects SET value = ?, expires_at = ?, created_at = ?, updated_at = ? WHERE kind = ? AND key = ?`
	deleteObject = `DELETE FROM objects WHERE kind = ? AND key = ?`
	// A prefix is the range [prefix, sqlstore.PrefixEnd(prefix)), or
	// [prefix, ...) when there is no end.
	deleteObjectRange = `DELETE FROM objects WHERE kind = ? AND key >= ? AND key < ?`
	deleteObjectFrom  = `DELETE FROM objects WHERE kind = ? AND key >= ?`
	// "expires_at <> 0" lets the planner use the partial index objects_expires.
	deleteExpiredObject = `DELETE FROM objects WHERE expires_at <> 0 AND expires_at < ?`
)

// The ListObjects statements, by lower bound (the prefix, inclusive, or
// Page.After, exclusive, whichever is greater) and whether there is an upper
// bound. Both bounds go to the primary-key range: had the query both
// "key >= prefix" and "key > after", the planner would seek to one of them and
// filter on the other, reading every earlier key of the prefix on a late page.
var listObjects = func() (q [2][2]string) {
	for i, lower := range []string{`key >= ?`, `key > ?`} {
		for j, upper := range []string{``, ` AND key < ?`} {
			q[i][j] = `SELECT ` + objectCols + ` FROM objects WHERE kind = ? AND ` + lower + upper + ` ORDER BY key LIMIT ?`
		}
	}
	return q
}()

// objectStatements are every statement the objects run, read or write. Open
// prepares them all on the write pool, whose transactions (UpdateObject,
// InObjectTx) run them, and the reads on the read pool as well.
var (
	objectReads  = []string{selectObject, listObjects[0][0], listObjects[0][1], listObjects[1][0], listObjects[1][1]}
	objectWrites = append([]string{insertObject, upsertObject, updateObject, deleteObject,
		deleteObjectRange, deleteObjectFrom, deleteExpiredObject}, objectReads...)
)

// objectTx runs the object methods on a write transaction, or, when tx is
// nil, each on its own: reads on the read pool, writes as single statements
// (each its own transaction) on the write pool. It is the store.ObjectTx
// InObjectTx hands out.
type objectTx struct {
	s  *Store
	tx *sql.Tx
}

var _ store.ObjectTx = objectTx{}

func (o objectTx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if o.tx == nil {
		return o.s.exec(ctx, q, args...)
	}
	st, err := o.s.txStmt(ctx, o.tx, q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(ctx, args...)
	return res, mapErr(err)
}

func (o objectTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if o.tx == nil {
		return o.s.query(ctx, q, args...)
	}
	st, err := o.s.txStmt(ctx, o.tx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, mapErr(err)
}

func (o objectTx) queryRow(ctx context.Context, q string, args ...any) scanner {
	if o.tx == nil {
		return o.s.queryRow(ctx, q, args...)
	}
	st, err := o.s.txStmt(ctx, o.tx, q)
	if err != nil {
		return errScanner{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }

func scanObject(sc scanner) (store.Object, error) {
	var o store.Object
	var expires, created, updated int64
	if err := sc.Scan(&o.Kind, &o.Key, &o.Value, &expires, &created, &updated); err != nil {
		return store.Object{}, mapErr(err)
	}
	o.ExpiresAt, o.CreatedAt, o.UpdatedAt = sqlstore.Time(expires), sqlstore.Time(created), sqlstore.Time(updated)
	return o, nil
}

func objectArgs(o store.Object) []any {
	return []any{o.Kind, o.Key, nullBytes(o.Value), sqlstore.Millis(o.ExpiresAt), sqlstore.Millis(o.CreatedAt), sqlstore.Millis(o.UpdatedAt)}
}

// GetObject returns the object (expired or not) or store.ErrNotFound.
func (o objectTx) GetObject(ctx context.Context, kind, key string) (store.Object, error) {
	return scanObject(o.queryRow(ctx, selectObject, kind, key))
}

// CreateObject adds an object; store.ErrExists when the key is taken.
func (o objectTx) CreateObject(ctx context.Context, obj store.Object) error {
	_, err := o.exec(ctx, insertObject, objectArgs(obj)...)
	return err
}

// PutObject creates or replaces an object; a replaced object keeps its
// CreatedAt.
func (o objectTx) PutObject(ctx context.Context, obj store.Object) error {
	_, err := o.exec(ctx, upsertObject, objectArgs(obj)...)
	return err
}

// DeleteObject deletes an object; store.ErrNotFound when there is none.
func (o objectTx) DeleteObject(ctx context.Context, kind, key string) error {
	return mustAffect(o.exec(ctx, deleteObject, kind, key))
}

// DeleteObjectsWithPrefix deletes the objects of kind whose key starts with
// prefix (every object of kind for "") and returns how many it deleted.
func (o objectTx) DeleteObjectsWithPrefix(ctx context.Context, kind, prefix string) (int, error) {
	if end, ok := sqlstore.PrefixEnd(prefix); ok {
		return affected(o.exec(ctx, deleteObjectRange, kind, prefix, end))
	}
	return affected(o.exec(ctx, deleteObjectFrom, kind, prefix))
}

// ListObjects pages through the objects of kind whose key starts with prefix
// (every object of kind for ""), in byte-wise key order.
func (o objectTx) ListObjects(ctx context.Context, kind, prefix string, page store.Page) ([]store.Object, error) {
	args, lower, upper := sqlstore.ObjectRange(kind, prefix, page.After)
	args = append(args, limit(page.Limit))
	rows, err := o.query(ctx, listObjects[lower][upper], args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var objs []store.Object
	for rows.Next() {
		obj, err := scanObject(rows)
		if err != nil {
			return nil, err
		}
		objs = append(objs, obj)
	}
	return objs, mapErr(rows.Err())
}

// GetObject returns the object (expired or not) or store.ErrNotFound.
func (s *Store) GetObject(ctx context.Context, kind, key string) (store.Object, error) {
	return objectTx{s: s}.GetObject(ctx, kind, key)
}

// CreateObject adds an object; store.ErrExists when the key is taken.
func (s *Store) CreateObject(ctx context.Context, o store.Object) error {
	return objectTx{s: s}.CreateObject(ctx, o)
}

// PutObject creates or replaces an object; a replaced object keeps its
// CreatedAt.
func (s *Store) PutObject(ctx context.Context, o store.Object) error {
	return objectTx{s: s}.PutObject(ctx, o)
}

// DeleteObject deletes an object; store.ErrNotFound when there is none.
func (s *Store) DeleteObject(ctx context.Context, kind, key string) error {
	return objectTx{s: s}.DeleteObject(ctx, kind, key)
}

// DeleteObjectsWithPrefix deletes the objects of kind whose key starts with
// prefix (every object of kind for "") and returns how many it deleted.
func (s *Store) DeleteObjectsWithPrefix(ctx context.Context, kind, prefix string) (int, error) {
	return objectTx{s: s}.DeleteObjectsWithPrefix(ctx, kind, prefix)
}

// ListObjects pages through the objects of kind whose key starts with prefix
// (every object of kind for ""), in byte-wise key order.
func (s *Store) ListObjects(ctx context.Context, kind, prefix string, page store.Page) ([]store.Object, error) {
	return objectTx{s: s}.ListObjects(ctx, kind, prefix, page)
}

// UpdateObject runs update on the object in a write transaction. Kind and Key
// cannot change: the ones update returns are ignored. Every other field is
// stored as update returns it, CreatedAt included.
func (s *Store) UpdateObject(ctx context.Context, kind, key string, update func(store.Object) (store.Object, error)) (store.Object, error) {
	var out store.Object
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		o := objectTx{s: s, tx: tx}
		old, err := o.GetObject(ctx, kind, key)
		if err != nil {
			return err
		}
		obj, err := update(old)
		if err != nil {
			return err
		}
		obj.Kind, obj.Key = kind, key
		if _, err := o.exec(ctx, updateObject, nullBytes(obj.Value), sqlstore.Millis(obj.ExpiresAt),
			sqlstore.Millis(obj.CreatedAt), sqlstore.Millis(obj.UpdatedAt), kind, key); err != nil {
			return err
		}
		obj.ExpiresAt, obj.CreatedAt, obj.UpdatedAt = stored(obj.ExpiresAt), stored(obj.CreatedAt), stored(obj.UpdatedAt)
		out = obj
		return nil
	})
	if err != nil {
		return store.Object{}, err
	}
	return out, nil
}

// InObjectTx runs fn in a write transaction (BEGIN IMMEDIATE: it holds the
// database's write lock from the start, so fn runs once and never meets a
// serialization failure) and commits when fn returns nil. fn's error is
// returned unchanged, after rolling back. tx is valid only until fn returns;
// the Store's own methods must not be called from fn: the writes would wait
// for the write connection fn's transaction holds, forever.
func (s *Store) InObjectTx(ctx context.Context, fn func(tx store.ObjectTx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return fn(objectTx{s: s, tx: tx})
	})
}

// DeleteExpiredObjects deletes the objects whose ExpiresAt is before t;
// objects with a zero ExpiresAt never expire.
func (s *Store) DeleteExpiredObjects(ctx context.Context, t time.Time) (int, error) {
	return affected(s.exec(ctx, deleteExpiredObject, sqlstore.Millis(t)))
}
