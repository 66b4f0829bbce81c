package awsapi

import (
	"regexp"
	"testing"
)

func TestValidationErrorWording(t *testing.T) {
	one := "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
	two := "Value null at 'username' failed to satisfy constraint: Member must not be null"
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"words a single violation in the singular", []string{one}, "1 validation error detected: " + one},
		{"joins several violations with semicolons", []string{one, two}, "2 validation errors detected: " + one + "; " + two},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&ValidationError{Violations: tt.in}).Error(); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidator(t *testing.T) {
	pattern := &Rule{HasMin: true, Min: 1, HasMax: true, Max: 5, Pattern: regexp.MustCompile(`^(?:[a-z]+)$`), PatternText: `[a-z]+`}
	secret := &Rule{Sensitive: true, HasMax: true, Max: 2}
	enum := &Rule{Enum: []string{"A", "B"}}
	rng := &Rule{HasMin: true, Min: 0, HasMax: true, Max: 10}
	list := &Rule{HasMin: true, Min: 1}
	tests := []struct {
		name string
		run  func(v *Validator)
		want []string
	}{
		{"accepts a valid value", func(v *Validator) { v.String("x", "abc", pattern) }, nil},
		{"counts code points, not bytes", func(v *Validator) { v.String("x", "ééééé", &Rule{HasMax: true, Max: 5}) }, nil},
		{"reports a pattern mismatch with the model pattern", func(v *Validator) { v.String("x", "ABC", pattern) },
			[]string{"Value 'ABC' at 'x' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"}},
		{"reports every violation of one value", func(v *Validator) { v.String("x", "", pattern) }, []string{
			"Value '' at 'x' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
			"Value '' at 'x' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"reports a too long value", func(v *Validator) { v.String("x", "abcdef", pattern) },
			[]string{"Value 'abcdef' at 'x' failed to satisfy constraint: Member must have length less than or equal to 5"}},
		{"hides sensitive values", func(v *Validator) { v.String("password", "abc", secret) },
			[]string{"Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 2"}},
		{"hides values inside a sensitive container", func(v *Validator) { v.Hide(); v.String("x", "ABC", pattern); v.Unhide() },
			[]string{"Value at 'x' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"}},
		{"lists the enum values", func(v *Validator) { v.String("authFlow", "NOPE", enum) },
			[]string{"Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [A, B]"}},
		{"checks numeric ranges from below", func(v *Validator) { v.Int("limit", -1, rng) },
			[]string{"Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"}},
		{"checks numeric ranges from above", func(v *Validator) { v.Int("limit", 11, rng) },
			[]string{"Value '11' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10"}},
		{"prints lists like Java", func(v *Validator) { v.Len("names", 0, []string{}, list) },
			[]string{"Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1"}},
		{"reports missing members", func(v *Validator) { v.Null("userPoolId") },
			[]string{"Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validator
			tt.run(&v)
			err := v.Err()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("got %T %v, want *ValidationError", err, err)
			}
			if len(ve.Violations) != len(tt.want) {
				t.Fatalf("got %q\nwant %q", ve.Violations, tt.want)
			}
			for i := range tt.want {
				if ve.Violations[i] != tt.want[i] {
					t.Errorf("violation %d:\ngot  %q\nwant %q", i, ve.Violations[i], tt.want[i])
				}
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	s := "v"
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"renders nil as null", nil, "null"},
		{"dereferences pointers", &s, "v"},
		{"renders lists with brackets", []string{"a", "b"}, "[a, b]"},
		{"renders maps with sorted keys", map[string]string{"b": "2", "a": "1"}, "{a=1, b=2}"},
		{"renders structures by field", []struct{ Name *string }{{Name: &s}}, "[{Name: v}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatValue(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
