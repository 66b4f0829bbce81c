package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlstore"
)

const (
	objectCols        = `kind, key, value, expires_at, created_at, updated_at`
	selectObject      = `SELECT ` + objectCols + ` FROM objects WHERE kind = $1 AND key = $2`
	selectObjectForUp = selectObject + ` FOR UPDATE`
	// insertObject never fails on a taken key (that would abort the
	// transaction it runs in): no row inserted means ErrExists.
	insertObject = `INSERT INTO objects (` + objectCols + `) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, key) DO NOTHING`
	// upsertObject keeps created_at of the row it replaces.
	upsertObject = `INSERT INTO objects (` + objectCols + `) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, key) DO UPDATE SET
		value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at`
	updateObject = `UPDATE objects SET value = $1, expires_at = $2, created_at = $3, updated_at = $4 WHERE kind = $5 AND key = $6`
	deleteObject = `DELETE FROM objects WHERE kind = $1 AND key = $2`
	// A prefix is the range [prefix, sqlstore.PrefixEnd(prefix)), or
	// [prefix, ...) when there is no end.
	deleteObjectRange = `DELETE FROM objects WHERE kind = $1 AND key >= $2 AND key < $3`
	deleteObjectFrom  = `DELETE FROM objects WHERE kind = $1 AND key >= $2`
	// NULL (never) is not "< $1": the partial index objects_expires serves.
	deleteExpiredObject = `DELETE FROM objects WHERE expires_at < $1`
)

// The ListObjects statements, by lower bound (the prefix, inclusive, or
// Page.After, exclusive, whichever is greater) and whether there is an upper
// bound, so that both bounds go to the primary-key range.
var listObjects = func() (q [2][2]string) {
	for i, lower := range []string{`key >= $2`, `key > $2`} {
		for j, upper := range []string{``, ` AND key < $3`} {
			q[i][j] = `SELECT ` + objectCols + ` FROM objects WHERE kind = $1 AND ` + lower + upper + ` ORDER BY key LIMIT $` + strconv.Itoa(3+j)
		}
	}
	return q
}()

// objectTx runs the object methods in a transaction, or, when tx is nil,
// each statement in a transaction of its own (retried on serialization
// failures). It is the store.ObjectTx InObjectTx hands out.
type objectTx struct {
	s  *Store
	tx pgx.Tx
	// failed is set when a statement in tx met a serialization failure or
	// deadlock: InObjectTx then runs fn again, whatever fn returned.
	failed *bool
}

var _ store.ObjectTx = objectTx{}

func (o objectTx) note(err error) error {
	if o.failed != nil && retryable(err) {
		*o.failed = true
	}
	return mapErr(err)
}

func (o objectTx) exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error) {
	if o.tx == nil {
		return o.s.exec(ctx, q, args...)
	}
	tag, err := o.tx.Exec(ctx, q, args...)
	return tag, o.note(err)
}

func (o objectTx) queryer() queryer {
	if o.tx == nil {
		return o.s.pool
	}
	return o.tx
}

func scanObject(sc pgx.Row) (store.Object, error) {
	var o store.Object
	var expires, created, updated *time.Time
	if err := sc.Scan(&o.Kind, &o.Key, &o.Value, &expires, &created, &updated); err != nil {
		return store.Object{}, mapErr(err)
	}
	o.ExpiresAt, o.CreatedAt, o.UpdatedAt = utc(expires), utc(created), utc(updated)
	return o, nil
}

func objectArgs(o store.Object) []any {
	return []any{o.Kind, o.Key, nullBytes(o.Value), ts(o.ExpiresAt), ts(o.CreatedAt), ts(o.UpdatedAt)}
}

// GetObject returns the object (expired or not) or store.ErrNotFound.
func (o objectTx) GetObject(ctx context.Context, kind, key string) (store.Object, error) {
	obj, err := scanObject(o.queryer().QueryRow(ctx, selectObject, kind, key))
	if err != nil {
		o.note(err)
	}
	return obj, err
}

// CreateObject adds an object; store.ErrExists when the key is taken.
func (o objectTx) CreateObject(ctx context.Context, obj store.Object) error {
	tag, err := o.exec(ctx, insertObject, objectArgs(obj)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
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
	rows, err := o.queryer().Query(ctx, listObjects[lower][upper], args...)
	objs, err := collect(rows, err, scanObject)
	if err != nil {
		o.note(err)
	}
	return objs, err
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

// UpdateObject runs update on the object, locked (FOR UPDATE), in one
// transaction. Kind and Key cannot change: the ones update returns are
// ignored. Every other field is stored as update returns it, CreatedAt
// included.
func (s *Store) UpdateObject(ctx context.Context, kind, key string, update func(store.Object) (store.Object, error)) (store.Object, error) {
	var out store.Object
	err := s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		old, err := scanObject(tx.QueryRow(ctx, selectObjectForUp, kind, key))
		if err != nil {
			return err
		}
		obj, err := update(old)
		if err != nil {
			return err
		}
		obj.Kind, obj.Key = kind, key
		if _, err := tx.Exec(ctx, updateObject, nullBytes(obj.Value), ts(obj.ExpiresAt), ts(obj.CreatedAt), ts(obj.UpdatedAt), kind, key); err != nil {
			return mapErr(err)
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

// InObjectTx runs fn in a SERIALIZABLE transaction and commits when fn
// returns nil: what fn read (lists included) is still true when it commits.
// On a serialization failure or deadlock, met by a statement of fn (whatever
// fn returned) or by the commit, the transaction is rolled back and fn runs
// again, a bounded number of times (then the error is store.ErrConflict).
// fn's own error is returned unchanged, after rolling back. tx is valid only
// until fn returns; fn must not call the Store's own methods.
func (s *Store) InObjectTx(ctx context.Context, fn func(tx store.ObjectTx) error) error {
	return retry(ctx, func() (bool, error) {
		failed := false
		err := s.tryTx(ctx, pgx.Serializable, func(tx pgx.Tx) error {
			return fn(objectTx{s: s, tx: tx, failed: &failed})
		}, &failed)
		if failed {
			if err == nil || !retryable(err) {
				err = errRetry
			}
			return true, err
		}
		return retryable(err), err
	})
}

// DeleteExpiredObjects deletes the objects whose ExpiresAt is before t;
// objects with a zero ExpiresAt never expire.
func (s *Store) DeleteExpiredObjects(ctx context.Context, t time.Time) (int, error) {
	return affected(s.exec(ctx, deleteExpiredObject, stored(t)))
}
