// Package userpool implements the user-pool API (cognito-idp): pools, app
// clients, users, sign-in flows and tokens, with Cognito's behaviour and
// error wording (see shared/COGNITO-NOTES.md §3).
//
// A file per operation group: pools.go, clients.go, users.go, auth.go (the
// InitiateAuth / RespondToAuthChallenge dispatcher and its flows),
// issue.go (tokens), session.go (GetUser, sign-out, revocation),
// signup.go (SignUp, ConfirmSignUp, ResendConfirmationCode,
// AdminConfirmSignUp), recovery.go (ForgotPassword, ConfirmForgotPassword,
// AdminResetUserPassword, ChangePassword), verify.go (attribute updates and
// verification), codes.go (one-time codes and per-user attempt limits) and
// messages.go (message templates and delivery through Service.Notify).
//
// Sections of store.User.Extra: "codes" (codes.go) holds, per purpose
// ("signup", "forgot", "attr:<name>"), an HMAC-SHA256 of the code under a
// random salt and its expiry, never the code; and the attempt times per
// operation over the last hour.
package userpool
