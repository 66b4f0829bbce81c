package sqlstore

import (
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", false},
		{"abc", "abd", true},
		{"a\U0010ffff", "b", true},
		{"\U0010ffff", "", false},
		{"\ud7ff", "\ue000", true},
		{"ü", "ý", true},
	} {
		got, ok := PrefixEnd(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// Everything starting with the prefix sorts below the end.
	for _, p := range []string{"a", "ab", "日本", "x\u00ff"} {
		end, _ := PrefixEnd(p)
		for _, s := range []string{p, p + "\U0010ffff", p + "zzz", p + "\xff\xff"} {
			if !(s >= p && s < end) {
				t.Errorf("%q not in [%q, %q)", s, p, end)
			}
		}
		if strings.HasPrefix(end, p) {
			t.Errorf("end %q starts with %q", end, p)
		}
	}
}
