// Package e2e holds ninsho's black-box end-to-end tests. They build the
// ninsho binary once (TestMain), start it as a separate process on a free
// loopback port with a temporary data directory, and drive it only through
// what a user has: the preinstalled AWS CLI, aws-sdk-go-v2, raw HTTP signed
// with SigV4, and boto3 from a Python script in testdata/.
//
// The flows reproduced are those of the seed user documents (sign in with
// `aws cognito-idp admin-initiate-auth`, answer NEW_PASSWORD_REQUIRED with
// `admin-respond-to-auth-challenge`, ADMIN_NO_SRP_AUTH), and the token
// shapes and error semantics of COGNITO-NOTES §3.1–3.2.
//
// Run them with
//
//	go test ./test/e2e/ -v
//
// Tests that need the `aws` CLI or python3 with boto3 skip when those are
// missing. Every test is bounded in time: a server that hangs fails the test
// instead of blocking the run.
package e2e
