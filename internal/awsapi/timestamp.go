package awsapi

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Timestamp is an AWS timestamp. JSON protocols carry it as epoch seconds (a
// JSON number); query/XML protocols as ISO 8601 text. Wrapping time.Time
// lets encoding/json and encoding/xml pick the right form without the
// protocol layer walking the structs.
type Timestamp struct{ time.Time }

// maxEpochSeconds bounds accepted epoch values to year 9999 so absurd inputs
// are rejected instead of silently wrapping around int64 nanoseconds.
const maxEpochSeconds = 253402300799

// MarshalJSON writes epoch seconds: an integer when the time has no
// sub-second part, otherwise with millisecond precision (1700000000.123),
// which is how AWS's JSON services and botocore render timestamps.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	sec, frac := ms/1000, ms%1000
	if frac == 0 {
		return []byte(sign + strconv.FormatInt(sec, 10)), nil
	}
	f := strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	return []byte(sign + strconv.FormatInt(sec, 10) + "." + f), nil
}

// UnmarshalJSON accepts epoch seconds (fractions and exponents allowed) and,
// because some clients send them, ISO 8601 strings. null leaves t unchanged,
// as encoding/json expects of Unmarshalers.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return fmt.Errorf("awsapi: invalid timestamp %s", b)
		}
		return t.UnmarshalText([]byte(s))
	}
	v, err := parseEpoch(string(b))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalText writes ISO 8601 in UTC, with milliseconds only when present
// (AWS's query services answer e.g. 2024-05-01T12:00:00Z).
func (t Timestamp) MarshalText() ([]byte, error) {
	u := t.UTC()
	if u.Nanosecond()/int(time.Millisecond) == 0 {
		return []byte(u.Format("2006-01-02T15:04:05Z")), nil
	}
	return []byte(u.Format("2006-01-02T15:04:05.000Z")), nil
}

// UnmarshalText accepts ISO 8601 (RFC 3339, with or without fractional
// seconds or a zone) and, for leniency, epoch seconds.
func (t *Timestamp) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	v, err := parseEpoch(s)
	if err != nil {
		return fmt.Errorf("awsapi: invalid timestamp %q", s)
	}
	t.Time = v
	return nil
}

// parseEpoch parses decimal epoch seconds. Plain decimals are parsed exactly
// (no float rounding of the fraction); exponent forms go through float64.
func parseEpoch(s string) (time.Time, error) {
	bad := fmt.Errorf("awsapi: invalid timestamp %q", s)
	if s == "" {
		return time.Time{}, bad
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxEpochSeconds {
			return time.Time{}, bad
		}
		sec := math.Floor(f)
		nsec := math.Round((f - sec) * 1e9)
		return time.Unix(int64(sec), int64(nsec)).UTC(), nil
	}
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(digits, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) || strings.HasPrefix(s, "+") {
		return time.Time{}, bad
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec > maxEpochSeconds {
		return time.Time{}, bad
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9] // below nanoseconds: truncate, time.Time cannot hold it
		}
		n, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		nsec = n
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
