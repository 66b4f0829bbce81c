// Package storetest is the conformance suite of store.Store: every backend
// runs RunTests from its own tests, on a fresh store per subtest.
//
// Besides what the store package documents, the suite pins down these
// choices, which every backend must make the same way:
//
//   - Update* may not change a record's primary key (UserPool.ID; Client's
//     PoolID and ID; User's PoolID and Key; SigningKey.KID): the changed key
//     is ignored, the record stays where it was, and the returned record
//     carries the addressed key. Every other field, CreatedAt and UpdatedAt
//     included, is stored as the updater returned it: the store never invents
//     times.
//   - Client ids are unique across pools: CreateClient with an id taken in
//     another pool returns ErrExists.
//   - Update* of a missing record returns ErrNotFound without calling the
//     updater; an updater error aborts the write and is returned so that
//     errors.Is finds it.
//   - Creating a record under a user pool that does not exist (client, user,
//     refresh token, auth session) returns ErrNotFound. Signing keys are not
//     tied to pools.
//   - Delete*, RevokeRefreshToken of a missing record return ErrNotFound.
//   - UpdateUser giving a user another user's Sub returns ErrExists.
//   - Page.Limit <= 0 means no limit; Page.After is exclusive and need not
//     name an existing record. Keys compare byte-wise (SQLite BINARY,
//     PostgreSQL COLLATE "C").
//   - The "username" filter compares Username (not Key). A prefix filter
//     with an empty Value selects the users that have the attribute (even
//     with an empty value). "status" is the Enabled flag: "Enabled" or
//     "Disabled" (a prefix filter selects those of the two the prefix
//     starts). An unknown filter attribute is an error.
//   - FindUsersByAttribute returns users in Key order; limit <= 0 means no
//     limit; an attribute not in IndexedAttributes is an error.
//   - RevokeUserRefreshTokens counts the tokens it revoked, not those that
//     already were.
//   - DeleteExpired* delete records whose ExpiresAt is strictly before t.
//   - Read records carry times in UTC, at least to the millisecond, and a
//     zero time stays zero; nil and empty byte slices and maps are the same.
//   - GetRefreshToken and GetAuthSession return revoked or expired records:
//     judging them is the service's job.
//
// For objects (store.ObjectStore):
//
//   - GetObject and ListObjects return expired objects until
//     DeleteExpiredObjects removes them; it removes, across kinds, the
//     objects whose ExpiresAt is strictly before t, never those with a zero
//     ExpiresAt.
//   - PutObject over an existing object keeps its CreatedAt and takes every
//     other field from the new object (a zero ExpiresAt clears the expiry).
//     UpdateObject stores what the updater returns, CreatedAt included.
//   - The empty prefix selects every object of the kind; a prefix ending in
//     the highest code points (U+00FF, U+10FFFF) selects exactly the keys
//     that start with it. Keys are valid UTF-8 in the suite (PostgreSQL's
//     text accepts nothing else). Page.After before the prefix's range lists
//     from its start. DeleteObjectsWithPrefix of nothing returns 0, not
//     ErrNotFound.
//   - InObjectTx returns fn's error so that errors.Is finds it and keeps
//     none of fn's writes; reads through tx see tx's own writes. A method of
//     tx returning ErrExists or ErrNotFound leaves the transaction usable: fn
//     may go on and commit (a PostgreSQL backend must not let such a failure
//     abort the transaction).
//   - Concurrent InObjectTx and UpdateObject read-modify-writes of one object
//     lose no update.
package storetest
