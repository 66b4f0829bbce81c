package awsapi

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValidationError lists AWS-worded constraint violations. The protocol layer
// sends Error() as the message of Service.ValidationErrorCode.
type ValidationError struct{ Violations []string }

// Error words the violations as AWS does:
// "1 validation error detected: <v1>" or "2 validation errors detected: <v1>; <v2>".
func (e *ValidationError) Error() string {
	n := len(e.Violations)
	noun := "errors"
	if n == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", n, noun, strings.Join(e.Violations, "; "))
}

// Rule is the constraint set of one model shape (min/max, pattern, enum).
// Generated packages declare one package-level Rule per constrained shape and
// pass it to the Validator methods, so the checks themselves live here once.
type Rule struct {
	// Sensitive hides the value in messages ("Value at 'password' ...")
	// for shapes marked sensitive, or containers holding sensitive values.
	Sensitive      bool
	HasMin, HasMax bool
	// Min and Max bound the length of strings (in code points), blobs (in
	// bytes), lists and maps, or the value of numbers.
	Min, Max float64
	// Pattern must match the whole value; nil when the model has no pattern
	// or it is not expressible in RE2 (the generator says which).
	Pattern *regexp.Regexp
	// PatternText is the model's (Java) pattern, quoted in messages.
	PatternText string
	// Enum lists the allowed values of enum strings.
	Enum []string
}

// Validator collects violations while a generated validate method walks an
// input. AWS reports every violation at once, in member order, so nothing
// here stops at the first failure.
type Validator struct {
	violations []string
	hidden     int // > 0 while inside a sensitive structure or container
}

// Hide starts hiding values in messages: everything inside a sensitive
// structure, list or map is sensitive, whatever its own shape says.
func (v *Validator) Hide() { v.hidden++ }

// Unhide ends the innermost Hide.
func (v *Validator) Unhide() { v.hidden-- }

// Err returns nil or a *ValidationError with everything collected.
func (v *Validator) Err() error {
	if len(v.violations) == 0 {
		return nil
	}
	return &ValidationError{Violations: slices.Clone(v.violations)}
}

// Null reports a missing required member.
func (v *Validator) Null(path string) {
	v.violations = append(v.violations, "Value null at '"+path+"' failed to satisfy constraint: Member must not be null")
}

// Fail reports value at path violating constraint; hidden omits the value.
func (v *Validator) Fail(path, value string, hidden bool, constraint string) {
	if hidden || v.hidden > 0 {
		v.violations = append(v.violations, "Value at '"+path+"' failed to satisfy constraint: "+constraint)
		return
	}
	v.violations = append(v.violations, "Value '"+value+"' at '"+path+"' failed to satisfy constraint: "+constraint)
}

// String checks a string member.
func (v *Validator) String(path, s string, r *Rule) {
	if len(r.Enum) > 0 && !slices.Contains(r.Enum, s) {
		v.Fail(path, s, r.Sensitive, "Member must satisfy enum value set: ["+strings.Join(r.Enum, ", ")+"]")
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		v.Fail(path, s, r.Sensitive, "Member must satisfy regular expression pattern: "+r.PatternText)
	}
	// AWS counts code points (Java's codePointCount), not bytes.
	v.length(path, utf8.RuneCountInString(s), func() string { return s }, r)
}

// Bytes checks a blob member; its length is in bytes.
func (v *Validator) Bytes(path string, b []byte, r *Rule) {
	v.length(path, len(b), func() string { return FormatValue(b) }, r)
}

// Len checks the length of a list or map member; value is formatted only
// when a violation needs it.
func (v *Validator) Len(path string, n int, value any, r *Rule) {
	v.length(path, n, func() string { return FormatValue(value) }, r)
}

func (v *Validator) length(path string, n int, value func() string, r *Rule) {
	if r.HasMin && float64(n) < r.Min {
		v.Fail(path, value(), r.Sensitive, "Member must have length greater than or equal to "+formatBound(r.Min))
	}
	if r.HasMax && float64(n) > r.Max {
		v.Fail(path, value(), r.Sensitive, "Member must have length less than or equal to "+formatBound(r.Max))
	}
}

// Int checks an integer or long member.
func (v *Validator) Int(path string, n int64, r *Rule) {
	v.Float(path, float64(n), r)
}

// Float checks a numeric member's value range.
func (v *Validator) Float(path string, f float64, r *Rule) {
	if r.HasMin && f < r.Min {
		v.Fail(path, formatBound(f), r.Sensitive, "Member must have value greater than or equal to "+formatBound(r.Min))
	}
	if r.HasMax && f > r.Max {
		v.Fail(path, formatBound(f), r.Sensitive, "Member must have value less than or equal to "+formatBound(r.Max))
	}
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// FormatValue renders a value the way AWS's (Java) messages do: lists as
// "[a, b]", maps as "{k=v}" (keys sorted so messages are deterministic),
// pointers dereferenced, nil as "null".
func FormatValue(x any) string {
	var b strings.Builder
	formatValue(&b, reflect.ValueOf(x))
	return b.String()
}

func formatValue(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("null")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		formatValue(b, v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%q", v.Bytes())
			return
		}
		fallthrough
	case reflect.Array:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			formatValue(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(fmt.Sprint(x), fmt.Sprint(y)) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			formatValue(b, k)
			b.WriteByte('=')
			formatValue(b, v.MapIndex(k))
		}
		b.WriteByte('}')
	case reflect.Struct:
		if ts, ok := v.Interface().(Timestamp); ok {
			text, _ := ts.MarshalText()
			b.Write(text)
			return
		}
		// Java's generated toString: {Name: value,Other: value}.
		b.WriteByte('{')
		first := true
		for i := range v.NumField() {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() || (f.Kind() == reflect.Pointer && f.IsNil()) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(v.Type().Field(i).Name + ": ")
			formatValue(b, f)
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v.Interface())
	}
}
