// Package userpool implements the user-pool API (cognito-idp): pools, app
// clients, users, sign-in flows and tokens, with Cognito's behaviour and
// error wording (see shared/COGNITO-NOTES.md §3).
//
// A file per operation group: pools.go, clients.go, users.go, auth.go (the
// InitiateAuth / RespondToAuthChallenge dispatcher and its flows),
// issue.go (tokens), session.go (GetUser, sign-out, revocation).
//
// Objects (store.ObjectStore), keys hierarchical under the pool id so that
// DeleteUserPool removes them by prefix:
//
//	userpool.group, userpool.group-count,
//	userpool.group-member, userpool.user-group   groups.go
//	userpool.lockout                             lockout.go (unknown names)
//
// Sections of User.Extra: "lockout" (lockout.go), "passwordHistory"
// (history.go).
package userpool
