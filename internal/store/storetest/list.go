package storetest

import (
	"fmt"
	"testing"

	"github.com/ninsho/ninsho/internal/store"
)

// listKeys lists the keys of the users of pool matching f, in pages of n (0:
// one call without limit).
func listKeys(t *testing.T, s store.Store, pool string, f store.UserFilter, n int) []string {
	t.Helper()
	list := func(p store.Page) ([]string, error) {
		us, err := s.ListUsers(t.Context(), pool, f, p)
		for _, u := range us {
			if u.PoolID != pool {
				t.Errorf("user %s of pool %s listed", u.Key, u.PoolID)
			}
		}
		return userKeys(us), err
	}
	if n == 0 {
		keys, err := list(store.Page{})
		noErr(t, fmt.Sprintf("ListUsers(%+v)", f), err)
		return keys
	}
	return pageThrough(t, n, list)
}

// checkFilter checks that filter selects want (in key order), listed whole and
// in pages of 1, 2 and 3.
func checkFilter(t *testing.T, s store.Store, pool string, f store.UserFilter, want []string) {
	t.Helper()
	for _, n := range []int{0, 1, 2, 3} {
		sameKeys(t, fmt.Sprintf("ListUsers(%+v) in pages of %d", f, n), listKeys(t, s, pool, f, n), want)
	}
}

var listTests = []subtest{
	{"users are listed by key and paged, per user pool", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		for _, k := range []string{"mallory", "alice", "trent", "bob", "carol", "eve", "zed", "dave"} {
			mustUser(t, s, newUser(poolA, k))
		}
		mustUser(t, s, newUser(poolB, "aaron"))
		want := []string{"alice", "bob", "carol", "dave", "eve", "mallory", "trent", "zed"}
		checkFilter(t, s, poolA, store.UserFilter{}, want)
		us, err := s.ListUsers(t.Context(), poolA, store.UserFilter{}, store.Page{After: "c", Limit: 2})
		noErr(t, "ListUsers", err)
		sameKeys(t, "after a missing key", userKeys(us), []string{"carol", "dave"})
		us, err = s.ListUsers(t.Context(), poolA, store.UserFilter{}, store.Page{After: "zed"})
		noErr(t, "ListUsers", err)
		sameKeys(t, "after the last key", userKeys(us), nil)
		us, err = s.ListUsers(t.Context(), "us-east-1_none00000", store.UserFilter{}, store.Page{})
		noErr(t, "ListUsers(missing pool)", err)
		sameKeys(t, "users of a missing pool", userKeys(us), nil)
	}},
	{"listed users are complete records", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		u := newUser(poolA, "alice")
		u.Attributes["name"] = "Ålice"
		u.Attributes["custom:empty"] = ""
		mustUser(t, s, u)
		us, err := s.ListUsers(t.Context(), poolA, store.UserFilter{Attribute: "name", Value: "Ål", Prefix: true}, store.Page{Limit: 10})
		noErr(t, "ListUsers", err)
		same(t, "listed users", us, []store.User{u})
		us, err = s.FindUsersByAttribute(t.Context(), poolA, "email", u.Attributes["email"], 1)
		noErr(t, "FindUsersByAttribute", err)
		same(t, "found users", us, []store.User{u})
	}},
	{"users are filtered by each indexed attribute, exactly and by prefix, in key order", func(t *testing.T, s store.Store) {
		for i, attr := range store.IndexedAttributes {
			pool := fmt.Sprintf("us-east-1_attr%05d", i)
			mustPool(t, s, pool)
			// Key order differs from value order on purpose.
			vals := map[string]*string{
				"k1": ptr("val-b"),
				"k2": ptr("val-a2"),
				"k3": ptr("val-a1"),
				"k4": nil, // without the attribute
				"k5": ptr(""),
				"k6": ptr("val-a"),
				"k7": ptr("VAL-a1"),
				"k8": ptr("val-`"), // '`' sorts just before 'a'
				"k9": ptr("val-a\U0010ffff"),
			}
			for key, v := range vals {
				u := newUser(pool, key)
				u.Attributes = map[string]string{}
				for _, other := range store.IndexedAttributes {
					if other != attr {
						u.Attributes[other] = "val-a1" // must not match: another column
					}
				}
				if v != nil {
					u.Attributes[attr] = *v
				}
				mustUser(t, s, u)
			}
			// Another pool has a user with the same value.
			other := fmt.Sprintf("us-east-1_othr%05d", i)
			mustPool(t, s, other)
			o := newUser(other, "k0")
			o.Attributes = map[string]string{attr: "val-a1"}
			mustUser(t, s, o)

			t.Run(attr, func(t *testing.T) {
				for _, c := range []struct {
					value  string
					prefix bool
					want   []string
				}{
					{"val-a1", false, []string{"k3"}},
					{"val-a", false, []string{"k6"}},
					{"", false, []string{"k5"}},
					{"missing", false, nil},
					{"val-a", true, []string{"k2", "k3", "k6", "k9"}},
					{"val-a1", true, []string{"k3"}},
					{"val-", true, []string{"k1", "k2", "k3", "k6", "k8", "k9"}},
					{"v", true, []string{"k1", "k2", "k3", "k6", "k8", "k9"}},
					{"VAL", true, []string{"k7"}},
					{"", true, []string{"k1", "k2", "k3", "k5", "k6", "k7", "k8", "k9"}},
					{"val-c", true, nil},
					{"val-a1x", true, nil},
				} {
					checkFilter(t, s, pool, store.UserFilter{Attribute: attr, Value: c.value, Prefix: c.prefix}, c.want)
					if !c.prefix {
						for _, lim := range []int{0, 1, 10} {
							us, err := s.FindUsersByAttribute(t.Context(), pool, attr, c.value, lim)
							noErr(t, "FindUsersByAttribute", err)
							want := c.want
							if lim > 0 && len(want) > lim {
								want = want[:lim]
							}
							sameKeys(t, fmt.Sprintf("FindUsersByAttribute(%s, %q, %d)", attr, c.value, lim), userKeys(us), want)
						}
					}
				}
			})
		}
	}},
	{"prefix filters compare unicode values by code point", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		for key, name := range map[string]string{
			"u1": "Zoë", "u2": "Zoé", "u3": "Zoe", "u4": "Zoëy", "u5": "日本語", "u6": "日本", "u7": "日曜", "u8": "Zo",
		} {
			u := newUser(poolA, key)
			u.Attributes["name"] = name
			mustUser(t, s, u)
		}
		for prefix, want := range map[string][]string{
			"Zoë": {"u1", "u4"},
			"Zo":  {"u1", "u2", "u3", "u4", "u8"},
			"Zoe": {"u3"},
			"日本":  {"u5", "u6"},
			"日":   {"u5", "u6", "u7"},
			"日本語": {"u5"},
		} {
			checkFilter(t, s, poolA, store.UserFilter{Attribute: "name", Value: prefix, Prefix: true}, want)
		}
	}},
	{"users are filtered by username, sub and cognito:user_status", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		subs := map[string]string{}
		for _, u := range []struct{ key, username, status string }{
			{"alice", "Alice", "CONFIRMED"},
			{"alicia", "alicia", "UNCONFIRMED"},
			{"bob", "bob", "CONFIRMED"},
			{"carol", "Carol", "FORCE_CHANGE_PASSWORD"},
			{"dave", "dave", "RESET_REQUIRED"},
		} {
			nu := newUser(poolA, u.key)
			nu.Username, nu.Status = u.username, u.status
			mustUser(t, s, nu)
			subs[u.key] = nu.Sub
		}
		b := newUser(poolB, "alice")
		b.Username = "Alice"
		mustUser(t, s, b)
		for _, c := range []struct {
			f    store.UserFilter
			want []string
		}{
			{store.UserFilter{Attribute: "username", Value: "Alice"}, []string{"alice"}},
			{store.UserFilter{Attribute: "username", Value: "alice"}, nil}, // Username, not Key
			{store.UserFilter{Attribute: "username", Value: "ali", Prefix: true}, []string{"alicia"}},
			{store.UserFilter{Attribute: "username", Value: "", Prefix: true}, []string{"alice", "alicia", "bob", "carol", "dave"}},
			{store.UserFilter{Attribute: "sub", Value: subs["bob"]}, []string{"bob"}},
			{store.UserFilter{Attribute: "sub", Value: subs["carol"][:8], Prefix: true}, []string{"carol"}},
			{store.UserFilter{Attribute: "sub", Value: subs["carol"][:8]}, nil},
			{store.UserFilter{Attribute: "cognito:user_status", Value: "CONFIRMED"}, []string{"alice", "bob"}},
			{store.UserFilter{Attribute: "cognito:user_status", Value: "UNCONFIRMED"}, []string{"alicia"}},
			{store.UserFilter{Attribute: "cognito:user_status", Value: "FORCE", Prefix: true}, []string{"carol"}},
			{store.UserFilter{Attribute: "cognito:user_status", Value: "CONF"}, nil},
		} {
			checkFilter(t, s, poolA, c.f, c.want)
		}
	}},
	{"users are filtered by status Enabled and Disabled", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		for key, enabled := range map[string]bool{"a": true, "b": false, "c": true, "d": false, "e": false, "f": true} {
			u := newUser(poolA, key)
			u.Enabled = enabled
			mustUser(t, s, u)
		}
		mustUser(t, s, newUser(poolB, "a0"))
		for _, c := range []struct {
			f    store.UserFilter
			want []string
		}{
			{store.UserFilter{Attribute: "status", Value: "Enabled"}, []string{"a", "c", "f"}},
			{store.UserFilter{Attribute: "status", Value: "Disabled"}, []string{"b", "d", "e"}},
			{store.UserFilter{Attribute: "status", Value: "Dis", Prefix: true}, []string{"b", "d", "e"}},
			{store.UserFilter{Attribute: "status", Value: "Enabled", Prefix: true}, []string{"a", "c", "f"}},
			{store.UserFilter{Attribute: "status", Value: "enabled"}, nil},
			{store.UserFilter{Attribute: "status", Value: "Dis"}, nil},
		} {
			checkFilter(t, s, poolA, c.f, c.want)
		}
		// Status follows updates.
		_, err := s.UpdateUser(t.Context(), poolA, "b", func(u store.User) (store.User, error) {
			u.Enabled = true
			return u, nil
		})
		noErr(t, "UpdateUser", err)
		checkFilter(t, s, poolA, store.UserFilter{Attribute: "status", Value: "Enabled"}, []string{"a", "b", "c", "f"})
	}},
	{"FindUsersByAttributeFold ignores the case of ASCII letters only, per pool, in key order", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustPool(t, s, poolB)
		with := func(pool, key string, attrs map[string]string) {
			u := newUser(pool, key)
			u.Attributes = attrs
			mustUser(t, s, u)
		}
		with(poolA, "u1", map[string]string{"email": "Jane.Doe@Example.COM", "preferred_username": "JaneD"})
		with(poolA, "u2", map[string]string{"email": "jane.doe@example.com"})
		with(poolA, "u3", map[string]string{"email": "Émile@example.com", "preferred_username": "Émile"})
		with(poolB, "u4", map[string]string{"email": "JANE.DOE@EXAMPLE.COM"})
		find := func(attr, value string, lim int) []string {
			t.Helper()
			us, err := s.FindUsersByAttributeFold(t.Context(), poolA, attr, value, lim)
			noErr(t, "FindUsersByAttributeFold", err)
			return userKeys(us)
		}
		sameKeys(t, "email JANE.DOE@example.com", find("email", "JANE.DOE@example.com", 0), []string{"u1", "u2"})
		sameKeys(t, "email with limit 1", find("email", "jane.doe@EXAMPLE.com", 1), []string{"u1"})
		sameKeys(t, "preferred_username janed", find("preferred_username", "janed", 0), []string{"u1"})
		sameKeys(t, "email ÉMILE@EXAMPLE.COM", find("email", "ÉMILE@EXAMPLE.COM", 0), []string{"u3"})
		sameKeys(t, "email émile@example.com (é is not ASCII)", find("email", "émile@example.com", 0), []string{})
		sameKeys(t, "a prefix does not match", find("email", "jane.doe@example.co", 0), []string{})
		// The index follows updates.
		if _, err := s.UpdateUser(t.Context(), poolA, "u2", func(u store.User) (store.User, error) {
			u.Attributes = map[string]string{"email": "Other@Example.com"}
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		sameKeys(t, "email after an update", find("email", "jane.doe@example.com", 0), []string{"u1"})
		sameKeys(t, "the new email", find("email", "OTHER@example.COM", 0), []string{"u2"})
		for _, attr := range []string{"name", "phone_number", "nope"} {
			if _, err := s.FindUsersByAttributeFold(t.Context(), poolA, attr, "x", 0); err == nil {
				t.Errorf("FindUsersByAttributeFold(%s): no error", attr)
			}
		}
	}},
	{"listing users by an unknown attribute returns an error", func(t *testing.T, s store.Store) {
		mustPool(t, s, poolA)
		mustUser(t, s, newUser(poolA, "alice"))
		for _, attr := range []string{"email_verified", "custom:x", "nope"} {
			if _, err := s.ListUsers(t.Context(), poolA, store.UserFilter{Attribute: attr, Value: "true"}, store.Page{}); err == nil {
				t.Errorf("ListUsers(%s): no error", attr)
			}
			if _, err := s.FindUsersByAttribute(t.Context(), poolA, attr, "true", 0); err == nil {
				t.Errorf("FindUsersByAttribute(%s): no error", attr)
			}
		}
	}},
}

func ptr[T any](v T) *T { return &v }
