package postgres

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

// TestAttributeValuesWithNUL checks that attribute values holding U+0000 and
// U+0001, which PostgreSQL's text cannot keep as they are, are stored, found
// and filtered exactly, as the SQLite store does.
func TestAttributeValuesWithNUL(t *testing.T) {
	lite, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	for name, s := range map[string]store.Store{"postgres": open(t, freshSchema(t)), "sqlite": lite} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			if err := s.CreateUserPool(ctx, store.UserPool{ID: "p"}); err != nil {
				t.Fatal(err)
			}
			values := map[string]string{"k1": "a\x00b", "k2": "a\x01b", "k3": "a", "k4": "a\x00", "k5": "ab", "k6": "a\x01\x02"}
			for k, v := range values {
				u := store.User{PoolID: "p", Key: k, Username: k, Sub: "sub-" + k, Attributes: map[string]string{"given_name": v}}
				if err := s.CreateUser(ctx, u); err != nil {
					t.Fatalf("CreateUser(%q): %v", v, err)
				}
				got, err := s.GetUser(ctx, "p", k)
				if err != nil || got.Attributes["given_name"] != v {
					t.Fatalf("GetUser = %q, %v; want %q", got.Attributes["given_name"], err, v)
				}
			}
			keys := func(us []store.User, err error) []string {
				if err != nil {
					t.Fatal(err)
				}
				ks := []string{}
				for _, u := range us {
					ks = append(ks, u.Key)
				}
				return ks
			}
			for k, v := range values {
				if got := keys(s.FindUsersByAttribute(ctx, "p", "given_name", v, 0)); !slices.Equal(got, []string{k}) {
					t.Errorf("FindUsersByAttribute(%q) = %v, want [%s]", v, got, k)
				}
			}
			for _, c := range []struct {
				prefix string
				want   []string
			}{
				{"a\x00", []string{"k1", "k4"}},
				{"a\x01", []string{"k2", "k6"}},
				{"a\x01\x02", []string{"k6"}},
				{"a", []string{"k1", "k2", "k3", "k4", "k5", "k6"}},
				{"\x00", []string{}},
			} {
				f := store.UserFilter{Attribute: "given_name", Value: c.prefix, Prefix: true}
				if got := keys(s.ListUsers(ctx, "p", f, store.Page{})); !slices.Equal(got, c.want) {
					t.Errorf("ListUsers(prefix %s) = %v, want %v", fmt.Sprintf("%q", c.prefix), got, c.want)
				}
			}
		})
	}
}
