package store

import "context"

// Dumper is implemented by backends that can stream every record they keep,
// for copying one store into another (ninsho migrate). It is optional: the
// aggregate interfaces read by key and cannot enumerate refresh tokens,
// signing-key scopes or object kinds.
type Dumper interface {
	// Dump calls v's functions with every record, one aggregate after the
	// other in the order of DumpVisitor's fields (parents before children),
	// all read from one consistent snapshot. A nil function skips its
	// aggregate. The first error a function returns stops the dump and is
	// returned unchanged.
	Dump(ctx context.Context, v DumpVisitor) error
}

// DumpVisitor receives the records of a Dump. Records come in key order
// within their aggregate; times as a Get returns them.
type DumpVisitor struct {
	UserPool     func(UserPool) error
	Client       func(Client) error
	User         func(User) error
	RefreshToken func(RefreshToken) error
	SigningKey   func(SigningKey) error
	AuthSession  func(AuthSession) error
	Object       func(Object) error
}

// BulkUserCreator is implemented by backends that can add many users in one
// transaction, for bulk loads (ninsho migrate, benchmarks). It is optional.
type BulkUserCreator interface {
	// CreateUsers adds every user or none: it fails as CreateUser would on
	// the first user that CreateUser would refuse.
	CreateUsers(ctx context.Context, us []User) error
}
