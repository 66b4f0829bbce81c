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

// # Caches and several instances
//
// Several instances may share one store (PostgreSQL behind a load
// balancer). Nothing another instance needs is kept only in memory, and
// every in-memory cache follows one of three rules, so that a change made
// through one instance takes effect on the others at once or within a
// stated bound:
//
//   - Keyed by content: the entry is found by the stored bytes it was
//     derived from, and the record is read from the store on every request,
//     so a change is a miss. The user-pool service's decoded pool and client
//     settings (internal/service/userpool/cache.go), IAM's parsed policy
//     documents (internal/service/iam/documents.go), the gateway's kid sets
//     of local JWKS, and SigV4's derived signing keys (keyed by the secret,
//     which is looked up in the store on every request: a deleted or
//     deactivated access key, an expired STS credential, is refused at once).
//   - Not cached at all: users, refresh tokens (revocation), challenge
//     sessions, roles and their policies (but for the gateway, below),
//     access keys, STS credentials, identity pools. A disabled or deleted user, a revoked token, a changed
//     role policy take effect on every instance with the next request
//     (test/e2e TestChangesTakeEffectOnEveryInstance).
//   - Bounded by a short TTL, for data read on every request whose change is
//     rare and may lag: a scope's signing keys (internal/tokens, ListTTL,
//     5 s; a token signed by a key this instance has not seen yet makes it
//     read the list again at once, and retired keys verify for ListTTL more,
//     so the lag never refuses a valid token), the API Gateway's APIs and
//     custom domain names (internal/service/apigateway, CacheTTL, 1 s), and
//     the policies of an AWS_IAM route's caller in the gateway (1 s; the
//     caller's credentials are still looked up on every request).
//
// Deliberately per instance: the gateway's verified-token cache (a token
// stays valid until it expires, as API Gateway's JWT authorizers do not
// check revocation either, and it is dropped once its key leaves the
// JWKS), remote issuers' JWKS (2 h, as API Gateway), the gateway's
// throttling buckets (each instance counts its own requests),
// and how often IAM writes an access key's LastUsedDate (once a minute per
// instance). Cognito's request-rate quotas are shared on PostgreSQL: their
// buckets are objects (quota.bucket) that instances reserve tokens from, a
// tenth of the rate at a time, spent within a second (internal/quota).
