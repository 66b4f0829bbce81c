package store

import (
	"context"
	"time"
)

// Object is a JSON document of a service, addressed by Kind and Key.
//
// The aggregates of IAM, STS and identity pools (roles, policies, IAM users,
// access keys, temporary credentials, identity pools, identities, login
// links) are read by key or by key prefix only, and their shapes belong to
// the services that own them. They live as objects in one keyed table rather
// than in a table each: a new field needs no migration, and every backend
// implements one small interface. The user-pool aggregates, which need column
// indexes (ListUsers filters at millions of users), keep tables of their own.
type Object struct {
	// Kind names the aggregate, e.g. "iam.role", "sts.credential",
	// "identity.pool". Kinds are owned by the services; see each service's
	// doc.go for its kinds and key formats.
	Kind string
	// Key is unique within Kind. Keys compare byte-wise; services build
	// hierarchical keys (owner + "/" + name) so that a prefix lists one
	// owner's objects.
	Key   string
	Value []byte // JSON, owned by the service
	// ExpiresAt, when not zero, lets DeleteExpiredObjects remove the object.
	// Expired objects stay visible until then, so that a service can tell
	// "expired" (ExpiredTokenException) from "unknown".
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ObjectTx is what may be done with objects inside one transaction.
type ObjectTx interface {
	// GetObject returns ErrNotFound when there is no such object.
	GetObject(ctx context.Context, kind, key string) (Object, error)
	// CreateObject returns ErrExists when the key is taken.
	CreateObject(ctx context.Context, o Object) error
	// PutObject creates or replaces the object (CreatedAt of a replaced
	// object is kept).
	PutObject(ctx context.Context, o Object) error
	// DeleteObject returns ErrNotFound when there is no such object.
	DeleteObject(ctx context.Context, kind, key string) error
	// DeleteObjectsWithPrefix deletes the objects of kind whose key starts
	// with prefix and returns how many it deleted.
	DeleteObjectsWithPrefix(ctx context.Context, kind, prefix string) (int, error)
	// ListObjects pages through the objects of kind whose key starts with
	// prefix, ordered by key (Page.After is a key, exclusive).
	ListObjects(ctx context.Context, kind, prefix string, page Page) ([]Object, error)
}

// ObjectStore keeps objects. Each ObjectTx method called on the store itself
// runs in a transaction of its own.
type ObjectStore interface {
	ObjectTx
	// UpdateObject reads the object, calls update and writes what it
	// returns, in one transaction (ErrNotFound when missing; Kind and Key
	// changes are ignored).
	UpdateObject(ctx context.Context, kind, key string, update func(Object) (Object, error)) (Object, error)
	// InObjectTx runs fn in one write transaction and commits when fn
	// returns nil; fn's error is returned unchanged. fn may run more than
	// once (a backend may retry on a serialization failure), so it must
	// touch nothing but tx.
	InObjectTx(ctx context.Context, fn func(tx ObjectTx) error) error
	// DeleteExpiredObjects removes objects whose ExpiresAt is before t.
	DeleteExpiredObjects(ctx context.Context, t time.Time) (int, error)
}
