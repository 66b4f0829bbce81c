// Package sigv4 verifies AWS Signature Version 4 (SigV4) requests, both
// header-signed (Authorization: AWS4-HMAC-SHA256 ...) and presigned
// (X-Amz-Algorithm, X-Amz-Credential, ... in the query string).
//
// The package is pure: it reads an *http.Request and the request body the
// caller already read, asks a CredentialLookup for the secret of the claimed
// access key, and answers with a *Result or an error. It keeps no global state;
// a Verifier holds a small, bounded, concurrency-safe cache of derived signing
// keys, keyed by (secret, date, region, service), so it must not be copied
// after first use.
//
// # Canonical request
//
// The canonical request is built as AWS describes it: the method; the
// canonical URI; the canonical query string (parameters decoded, re-encoded
// per RFC 3986 with %20 for a space, sorted by encoded key then encoded value,
// X-Amz-Signature left out for presigned requests); the signed headers,
// lower-cased, values trimmed and runs of spaces collapsed, several values
// joined with ','; the signed header list; and the payload hash.
//
// The canonical URI differs between signers, so the verifier accepts any of
// these forms (tried in order, each only when it differs from the previous):
//
//  1. the path as sent, escaped again per RFC 3986 (aws-sdk-go-v2, the Java
//     and JavaScript SDKs, and every SDK for services other than S3);
//  2. the same after removing "." and ".." segments and empty segments
//     (botocore: quote(remove_dot_segments(path), safe='/~'));
//  3. the decoded path, normalized like 2 and escaped once (the AWS SigV4 test
//     suite's "normalized" vectors);
//  4. the decoded path escaped once (S3-style, the test suite's
//     "unnormalized" vectors).
//
// Forms 3 and 4 map /a%2Fb and /a/b to the same canonical URI; the services
// this verifier fronts route on the body or the query, not the path, so the
// ambiguity does not widen what a signature authorizes.
//
// The payload hash is the X-Amz-Content-Sha256 header when present (it must
// then be UNSIGNED-PAYLOAD or a SHA-256 in hex that matches the body), else
// the SHA-256 of the body. A presigned request without the header may carry
// either the body's SHA-256 (what botocore, aws-sdk-go-v2 and the AWS test
// suite sign for services other than S3) or UNSIGNED-PAYLOAD (S3-style).
// UNSIGNED-PAYLOAD leaves the body unauthenticated, as it does at AWS.
//
// # Checks and errors
//
// The host header must be signed, and for header authentication so must the
// header that carries the request time (x-amz-date, or date when X-Amz-Date is
// absent). The credential scope's date must equal the request time's date. The
// request time must lie within MaxSkew (15 minutes by default) of the
// verifier's clock; a presigned request carrying X-Amz-Expires (1..604800) is
// instead valid until X-Amz-Date + X-Amz-Expires (and not before X-Amz-Date -
// MaxSkew). At most 64 signed headers and a 16 KiB Authorization header are
// accepted.
//
// Every refusal is an *Error: a Kind, for callers that word errors per
// protocol (query services say SignatureDoesNotMatch where JSON services say
// InvalidSignatureException), wrapping the *awserr.Error a JSON-protocol
// service answers (status 400). awserr.As and errors.As reach the wrapped
// value. The kinds, with the JSON-protocol code each carries:
//
//	KindMissing            MissingAuthenticationTokenException  no Authorization header, no presigned query
//	KindMalformed          IncompleteSignatureException         unparsable Authorization / query parameters
//	KindScope              InvalidSignatureException            scope names another date, region, service or terminator
//	KindUnknownKey         UnrecognizedClientException          unknown access key, or security token mismatch
//	KindBadSignature       InvalidSignatureException            signature (or payload hash) does not match
//	KindSignatureExpired   InvalidSignatureException            request time outside MaxSkew
//	KindRequestExpired     AccessDeniedException                presigned request past X-Amz-Expires
//	KindExpiredCredential  ExpiredTokenException                Credential.Expires has passed
//
// A CredentialLookup failure other than ErrUnknownKey is returned wrapped, not
// as an *Error: it is the server's fault and the caller answers it as such.
//
// VerifyService also checks the scope's service against the signing name the
// caller expects (e.g. "cognito-idp", "sts"); Verify does not. Verifier.Region,
// when set, likewise pins the scope's region.
//
// With AcceptAny ("--iam off"), any well-formed request passes: the
// Authorization header or presigned query must parse, and the scope must be
// consistent (date, expected service and region), but neither the clock, the
// credential lookup nor the signature is consulted. The Result still reports
// the claimed access key id and session token.
package sigv4
