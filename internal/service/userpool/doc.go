// Package userpool implements the user-pool API (cognito-idp): pools, app
// clients, users, sign-in flows and tokens, with Cognito's behaviour and
// error wording (see shared/COGNITO-NOTES.md §3).
//
// A file per operation group: pools.go, clients.go, users.go, auth.go (the
// InitiateAuth / RespondToAuthChallenge dispatcher and its flows),
// issue.go (tokens), session.go (GetUser, sign-out, revocation), mfa.go
// (pool MFA settings, users' MFA preferences), totp.go (software tokens),
// mfa_challenges.go (the MFA challenges that follow a proved password),
// devices.go (device tracking and device SRP).
//
// Object kinds (store.ObjectStore) owned by this package:
//
//	userpool.mfa     key <poolId>                  factors on and email MFA template (mfa.go)
//	userpool.device  key <poolId>/<sub>/<deviceKey> a tracked device (devices.go)
//
// Sections of store.User.Extra: "mfa" (mfa.go: factors, preference, TOTP
// secret and last accepted time step).
package userpool
