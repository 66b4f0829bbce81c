// Package store defines what ninsho keeps: the model types, one small
// interface per aggregate, and the sentinel errors every backend returns.
//
// Backends (internal/store/sqlite, later internal/store/postgres) translate
// driver errors into ErrNotFound, ErrExists and ErrConflict; the services
// decide what those mean for AWS. Every backend passes the conformance suite in
// internal/store/storetest.
//
// Read-modify-write goes through updater closures (Update*(ctx, key, func(old)
// (new, error))): the updater runs inside the backend's transaction and may run
// more than once, so it must be pure (no I/O, no side effects outside its
// return value). Returning an error from an updater aborts the write and the
// error is returned unchanged. Changes an updater makes to key fields are
// ignored: a record stays at its key.
//
// Creating a record that belongs to a pool that does not exist returns
// ErrNotFound, as do deleting, revoking or updating a missing record (the
// updater is not called). RevokeUserRefreshTokens counts only the tokens it
// newly revoked. DeleteUser removes the user only: the user-pool service
// revokes the user's refresh tokens first.
package store
