// Package userpool implements the user-pool API (cognito-idp): pools, app
// clients, users, sign-in flows and tokens, with Cognito's behaviour and
// error wording (see shared/COGNITO-NOTES.md §3).
//
// A file per operation group: pools.go, clients.go, users.go, auth.go (the
// InitiateAuth / RespondToAuthChallenge dispatcher and its flows),
// issue.go (tokens), session.go (GetUser, sign-out, revocation).
package userpool
