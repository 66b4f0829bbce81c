// Package tokens mints and verifies the JWTs ninsho issues, publishes their
// public keys as a JWKS, and keeps the signing keys: created on demand,
// rotated with overlap, pruned once nothing they signed can still be valid.
//
// # Token shape
//
// Tokens are RS256 JWTs shaped like Amazon Cognito's: the header is exactly
// {"kid":"…","alg":"RS256"} (no "typ"), and ID tokens and access tokens of a
// user pool are signed by different keys with different kids ("the key ID
// (kid) is different because different keys are used to sign ID tokens and
// access tokens", Cognito developer guide, "Using the access token"). A kid is
// the standard base64 (44 characters, "=" padded) of the SHA-256 of the public
// key's PKIX DER, so it is stable and unique. The JWKS lists every key of a
// scope that still verifies, in Cognito's member order
// ({"alg","e","kid","kty","n","use"}).
//
// # Keys live in the store, shared by all instances
//
// Keys are kept in a store.SigningKeyStore (PKCS#8 DER), so every instance
// behind a load balancer signs and verifies alike. A scope (a user-pool id or
// another issuer's name) has at most one active key per use ("id",
// "access"); retired keys keep verifying until Prune removes them. Following
// dex (server/signer/rotation.go): keys are generated outside any store
// transaction, and rotation retires the old key through an updater that
// checks again that the key is still active and stops with errAlreadyRotated
// when another instance got there first, so concurrent rotations end with one
// new key. When two instances create a key for the same use at once (Ensure
// on a fresh scope), both re-read the scope and retire every active key but
// the newest (ordered by CreatedAt, then kid): all instances agree on the
// survivor, the losers keep verifying, and the scope settles on one active
// key per use.
//
// # Caching
//
// Key material is immutable once stored, so parsed keys are reused for as
// long as their kid is listed. The key list of a scope is cached for
// Keys.ListTTL (5 s by default): Sign and JWKS make no store round trip while
// it is fresh, and an instance sees a key created or retired by another
// instance within that TTL. Verify refreshes the list once when a token names
// an unknown kid (at most once per 250 ms per scope, so random kids cannot turn
// requests into store queries) before failing with ErrUnknownKey. Because an
// instance may sign with a key for up to ListTTL after another instance
// retired it, Prune adds ListTTL to the age it is given.
package tokens
