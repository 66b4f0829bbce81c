package sqlstore

import (
	"time"
	"unicode/utf8"
)

// PrefixEnd returns the smallest string greater than every string that starts
// with prefix, so that "col >= prefix AND col < end" selects exactly the
// values starting with prefix as an index range scan (LIKE would not use the
// index). ok is false when there is no such bound (empty prefix, or a prefix
// of only maximal code points): then use "col >= prefix" alone.
//
// It increments the last code point rather than the last byte, so end is
// valid UTF-8 (PostgreSQL rejects anything else); UTF-8 byte order equals code
// point order, so the range is right under byte-wise collation (SQLite's
// BINARY, PostgreSQL's "C").
func PrefixEnd(prefix string) (end string, ok bool) {
	for len(prefix) > 0 {
		r, size := utf8.DecodeLastRuneInString(prefix)
		head := prefix[:len(prefix)-size]
		if r == utf8.RuneError && size == 1 {
			// Invalid UTF-8: fall back to incrementing the byte.
			if b := prefix[len(prefix)-1]; b < 0xff {
				return head + string([]byte{b + 1}), true
			}
			prefix = head
			continue
		}
		next := r + 1
		if next == 0xd800 { // skip the surrogate range
			next = 0xe000
		}
		if next <= utf8.MaxRune {
			return head + string(next), true
		}
		prefix = head
	}
	return "", false
}

// Millis turns a time into Unix milliseconds; the zero time is 0.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Time turns Unix milliseconds into a UTC time; 0 is the zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
