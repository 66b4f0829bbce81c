package sigv4

import (
	"errors"
	"fmt"
	"time"

	"github.com/ninsho/ninsho/internal/awserr"
)

// Kind classifies a verification failure independently of its wording, so a
// caller can answer in its protocol's own codes.
type Kind int

const (
	// KindNone is the kind of a nil error or of an error not from this package.
	KindNone Kind = iota
	// KindMissing: neither an Authorization header nor a presigned query.
	KindMissing
	// KindMalformed: the Authorization header or presigned query cannot be
	// parsed, misses a parameter, or fails a structural rule (host not
	// signed, bad X-Amz-Date, bad X-Amz-Expires, ...).
	KindMalformed
	// KindScope: the credential scope names another date than the request
	// time, or a region, service or terminator this verifier does not serve.
	KindScope
	// KindUnknownKey: the access key id is unknown, or the request's
	// security token does not match the credential's.
	KindUnknownKey
	// KindBadSignature: the signature (or the declared payload hash) does
	// not match.
	KindBadSignature
	// KindSignatureExpired: the request time is more than MaxSkew before or
	// after the verifier's clock.
	KindSignatureExpired
	// KindRequestExpired: a presigned request used after X-Amz-Date +
	// X-Amz-Expires.
	KindRequestExpired
	// KindExpiredCredential: the credential's Expires has passed.
	KindExpiredCredential
)

var kindNames = [...]string{
	KindNone:              "none",
	KindMissing:           "missing",
	KindMalformed:         "malformed",
	KindScope:             "scope",
	KindUnknownKey:        "unknown-key",
	KindBadSignature:      "bad-signature",
	KindSignatureExpired:  "signature-expired",
	KindRequestExpired:    "request-expired",
	KindExpiredCredential: "expired-credential",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a refused request: its Kind and the AWS error a JSON-protocol
// service answers. Unwrap gives the *awserr.Error, so awserr.As finds it.
type Error struct {
	Kind Kind
	Err  *awserr.Error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the *awserr.Error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err when it is (or wraps) an *Error, else
// KindNone.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindNone
}

// ErrUnknownKey is what a CredentialLookup returns (possibly wrapped) for an
// access key id it does not know.
var ErrUnknownKey = errors.New("sigv4: unknown access key id")

// AWS error codes used by this package.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeExpiredToken               = "ExpiredTokenException"
	CodeAccessDenied               = "AccessDeniedException"
)

// Messages worded as AWS words them.
const (
	msgMissingToken     = "Missing Authentication Token"
	msgInvalidToken     = "The security token included in the request is invalid."
	msgExpiredToken     = "The security token included in the request is expired"
	msgSignatureNoMatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgRequestExpired   = "Request has expired"
	msgHostNotSigned    = "'Host' must be a 'SignedHeader' in the AWS Authorization."
)

func newErr(kind Kind, code, msg string) *Error {
	return &Error{Kind: kind, Err: awserr.New(code, msg)}
}

func errMissing() *Error {
	return newErr(KindMissing, CodeMissingAuthenticationToken, msgMissingToken)
}

func errMalformed(msg string) *Error {
	return newErr(KindMalformed, CodeIncompleteSignature, msg)
}

func errMalformedf(format string, args ...any) *Error {
	return errMalformed(fmt.Sprintf(format, args...))
}

func errScope(msg string) *Error {
	return newErr(KindScope, CodeInvalidSignature, msg)
}

func errUnknownKey() *Error {
	return newErr(KindUnknownKey, CodeUnrecognizedClient, msgInvalidToken)
}

func errBadSignature() *Error {
	return newErr(KindBadSignature, CodeInvalidSignature, msgSignatureNoMatch)
}

func errExpiredCredential() *Error {
	return newErr(KindExpiredCredential, CodeExpiredToken, msgExpiredToken)
}

func errRequestExpired() *Error {
	return newErr(KindRequestExpired, CodeAccessDenied, msgRequestExpired)
}

// errSkew words a request time outside the allowed skew as AWS does:
//
//	Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)
//	Signature not yet current: 20240101T010000Z is still later than 20240101T004500Z (20240101T003000Z + 15 min.)
func errSkew(reqTime, now time.Time, skew time.Duration) *Error {
	var msg string
	if reqTime.Before(now) {
		msg = fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			fmtTime(reqTime), fmtTime(now.Add(-skew)), fmtTime(now), fmtSkew(skew))
	} else {
		msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
			fmtTime(reqTime), fmtTime(now.Add(skew)), fmtTime(now), fmtSkew(skew))
	}
	return newErr(KindSignatureExpired, CodeInvalidSignature, msg)
}

func fmtSkew(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", int64(d/time.Minute))
	}
	return d.String() + "."
}

func fmtTime(t time.Time) string { return t.UTC().Format(amzDateLayout) }
