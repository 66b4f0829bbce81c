package main

import (
	"regexp"
	"strconv"
	"strings"
)

// translatePattern turns a model pattern (Java regex syntax) into an RE2
// expression anchored for a full match, as AWS's Java validators match the
// whole value. It returns ok=false when the result does not compile (Java
// features RE2 lacks, such as lookbehind), so the caller can skip the pattern
// rather than fail.
//
// Differences handled:
//   - \uXXXX escapes become \x{XXXX}. A run of 5 or 6 hex digits whose value
//     is above U+FFFF (sts writes "\u10000-\u10FFFF") is read as one
//     supplementary code point: that is clearly the model's intent, although
//     Java would read "\u1000" followed by "0".
//
// Differences accepted: Java's \s also matches \x0B and Java's '.' also
// excludes \r, U+0085, U+2028 and U+2029; both are immaterial for the
// identifiers and free text these patterns guard.
func translatePattern(java string) (re string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(java); i++ {
		c := java[i]
		if c != '\\' || i+1 >= len(java) {
			b.WriteByte(c)
			continue
		}
		next := java[i+1]
		if next != 'u' {
			b.WriteByte(c)
			b.WriteByte(next)
			i++
			continue
		}
		j := i + 2
		for j < len(java) && j-(i+2) < 6 && isHex(java[j]) {
			j++
		}
		run := java[i+2 : j]
		if len(run) < 4 {
			return "", false
		}
		if len(run) > 4 {
			if v, err := strconv.ParseUint(run, 16, 32); err != nil || v <= 0xFFFF || v > 0x10FFFF {
				run = run[:4]
			}
		}
		b.WriteString(`\x{` + run + `}`)
		i += 1 + len(run)
	}
	re = `^(?:` + b.String() + `)$`
	if _, err := regexp.Compile(re); err != nil {
		return "", false
	}
	return re, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
