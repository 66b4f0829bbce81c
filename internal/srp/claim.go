package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// ClaimSignature is the raw PASSWORD_CLAIM_SIGNATURE before Base64:
// HMAC-SHA256(key, poolName || userID || secretBlock || timestamp), where
// secretBlock is the Base64-decoded SECRET_BLOCK and timestamp the TIMESTAMP
// text (CognitoUser.js authenticateUserDefaultAuth and getDeviceResponse).
// For device SRP, poolName is the device group key and userID the device
// key.
func ClaimSignature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// VerifyClaim reports whether claimB64, the PASSWORD_CLAIM_SIGNATURE
// (standard, padded Base64), is the [ClaimSignature] of the other arguments.
// The comparison is constant time. It does not judge the timestamp: parse it
// with [ParseTimestamp] and apply any clock-skew policy separately.
func VerifyClaim(key []byte, poolName, userID string, secretBlock []byte, timestamp string, claimB64 string) bool {
	got, err := base64.StdEncoding.DecodeString(claimB64)
	if err != nil {
		return false
	}
	return hmac.Equal(got, ClaimSignature(key, poolName, userID, secretBlock, timestamp))
}

// timestampLayout is "ddd MMM D HH:mm:ss UTC YYYY" (DateHelper.js
// getNowString): unpadded day, zero-padded time, literal "UTC".
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// ErrBadTimestamp is returned by ParseTimestamp for text that is not exactly
// in the client's format.
var ErrBadTimestamp = errors.New("srp: TIMESTAMP is not \"ddd MMM D HH:mm:ss UTC YYYY\"")

// FormatTimestamp formats t, in UTC, as the TIMESTAMP challenge response,
// e.g. "Tue Sep 5 08:03:01 UTC 2023" (DateHelper.js getNowString).
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// ParseTimestamp parses a TIMESTAMP challenge response. It accepts only the
// exact text FormatTimestamp would produce for the instant: a zero-padded
// day ("Sep 05"), a weekday that does not match the date, single-digit
// hours, extra spaces and the like are errors, as AWS refuses them.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(timestampLayout, s)
	if err != nil || t.Format(timestampLayout) != s {
		return time.Time{}, ErrBadTimestamp
	}
	return t, nil
}
