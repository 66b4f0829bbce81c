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
// messages.go (message templates and delivery through Service.Notify), mfa.go
// (pool MFA settings, users' MFA preferences), totp.go (software tokens),
// mfa_challenges.go (the MFA challenges that follow a proved password),
// devices.go (device tracking and device SRP).
//
// Objects (store.ObjectStore), keys hierarchical under the pool id so that
// DeleteUserPool removes them by prefix:
//
//	userpool.group, userpool.group-count,
//	userpool.group-member, userpool.user-group   groups.go
//	userpool.lockout                             lockout.go (unknown names)
//	userpool.mfa     key <poolId>                factors on and email MFA template (mfa.go)
//	userpool.device  key <poolId>/<sub>/<deviceKey> a tracked device (devices.go)
//
// Sections of store.User.Extra: "lockout" (lockout.go), "passwordHistory"
// (history.go), "mfa" (mfa.go: factors, preference, TOTP secret and last
// accepted time step), and "codes" (codes.go), which holds, per purpose
// ("signup", "forgot", "attr:<name>"), an HMAC-SHA256 of the code under a
// random salt and its expiry, never the code; and the attempt times per
// operation over the last hour.
package userpool
