package randid

import (
	"strings"
	"testing"
)

func TestStringUsesOnlyTheAlphabetAndTheLength(t *testing.T) {
	for _, alphabet := range []string{Alnum, LowerAlnum, UpperAlnum, Base64, "ab"} {
		s := String(500, alphabet)
		if len(s) != 500 || strings.Trim(s, alphabet) != "" {
			t.Fatalf("String(500, %q) = %q", alphabet, s)
		}
	}
}

func TestStringIsRoughlyUniform(t *testing.T) {
	counts := map[rune]int{}
	for _, r := range String(36000, UpperAlnum) {
		counts[r]++
	}
	for r, n := range counts {
		if n < 700 || n > 1300 { // expected 1000 each
			t.Fatalf("%q drawn %d times of 36000", r, n)
		}
	}
	if len(counts) != len(UpperAlnum) {
		t.Fatalf("only %d distinct characters", len(counts))
	}
}
