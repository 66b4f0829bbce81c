// Package principal describes who made a request: the account root, an IAM
// user, an assumed role, or nobody (operations that AWS leaves unsigned). The
// SigV4 layer finds it, the protocol layer puts it in the request's context,
// and policy evaluation (internal/iam) reads it.
package principal
