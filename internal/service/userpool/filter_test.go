package userpool

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    store.UserFilter
		wantErr string
	}{
		{"an empty filter selects everyone", "", store.UserFilter{}, ""},
		{"an exact match", `email = "taro@example.com"`, store.UserFilter{Attribute: "email", Value: "taro@example.com"}, ""},
		{"a prefix match", `family_name ^= "Yama"`, store.UserFilter{Attribute: "family_name", Value: "Yama", Prefix: true}, ""},
		{"spaces are optional", `username="taro"`, store.UserFilter{Attribute: "username", Value: "taro"}, ""},
		{"escaped quotes are part of the value", `name = "a \"b\""`, store.UserFilter{Attribute: "name", Value: `a "b"`}, ""},
		{"the status pseudo-attribute", `status = "Disabled"`, store.UserFilter{Attribute: "status", Value: "Disabled"}, ""},
		{"cognito:user_status", `cognito:user_status = "CONFIRMED"`, store.UserFilter{Attribute: "cognito:user_status", Value: "CONFIRMED"}, ""},
		{"an unquoted value is refused", `email = taro`, store.UserFilter{}, "InvalidParameterException"},
		{"an unknown operator is refused", `email != "x"`, store.UserFilter{}, "InvalidParameterException"},
		{"an attribute that cannot be searched is refused", `custom:team = "x"`, store.UserFilter{}, "InvalidParameterException"},
		{"an unescaped quote inside the value is refused", `email = "a"b"`, store.UserFilter{}, "InvalidParameterException"},
		{"a lone attribute is refused", `email`, store.UserFilter{}, "InvalidParameterException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseFilter(c.in)
			if c.wantErr != "" {
				e, ok := awserr.As(err)
				if !ok || e.Code != c.wantErr {
					t.Fatalf("parseFilter(%q) error = %v, want %s", c.in, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("parseFilter(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", `email = "a@b"`, `name ^= "x\"y"`, `status="Enabled"`, `"email" = "q"`, `= ""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseFilter(s)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("parseFilter(%q) returned a non-AWS error %v", s, err)
			}
			return
		}
		if got.Attribute != "" && !filterAttributes[got.Attribute] {
			t.Fatalf("parseFilter(%q) accepted attribute %q", s, got.Attribute)
		}
	})
}
