package sqlstore

import (
	"fmt"
	"strings"

	"github.com/ninsho/ninsho/internal/store"
)

// FilterKind says which statement answers a ListUsers filter.
type FilterKind int

const (
	// FilterAll lists every user of the pool.
	FilterAll FilterKind = iota
	// FilterNone matches no user.
	FilterNone
	// FilterEnabled selects users whose enabled column is Plan.Enabled.
	FilterEnabled
	// FilterEq selects Column = Value.
	FilterEq
	// FilterBetween selects Value <= Column < End (a prefix as an index
	// range).
	FilterBetween
	// FilterFrom selects Column >= Value (a prefix with no upper bound).
	FilterFrom
)

// FilterPlan is how a SQL backend answers a store.UserFilter; both backends
// share it, so that they agree on every filter.
type FilterPlan struct {
	Kind       FilterKind
	Column     string // FilterEq, FilterBetween, FilterFrom
	Enabled    bool   // FilterEnabled
	Value, End string
}

// PlanUserFilter maps a filter to its plan. "status" (Enabled or Disabled)
// is matched here against both values, so that a prefix of both lists
// everyone; other attributes name their column: username, sub,
// cognito:user_status (status) and store.IndexedAttributes.
func PlanUserFilter(f store.UserFilter) (FilterPlan, error) {
	switch f.Attribute {
	case "":
		return FilterPlan{Kind: FilterAll}, nil
	case "status":
		match := func(s string) bool {
			if f.Prefix {
				return strings.HasPrefix(s, f.Value)
			}
			return s == f.Value
		}
		en, dis := match("Enabled"), match("Disabled")
		switch {
		case en && dis:
			return FilterPlan{Kind: FilterAll}, nil
		case en || dis:
			return FilterPlan{Kind: FilterEnabled, Enabled: en}, nil
		}
		return FilterPlan{Kind: FilterNone}, nil
	}
	col, ok := filterColumns[f.Attribute]
	if !ok {
		return FilterPlan{}, fmt.Errorf("cannot filter users by %q", f.Attribute)
	}
	if !f.Prefix {
		return FilterPlan{Kind: FilterEq, Column: col, Value: f.Value}, nil
	}
	if end, ok := PrefixEnd(f.Value); ok {
		return FilterPlan{Kind: FilterBetween, Column: col, Value: f.Value, End: end}, nil
	}
	return FilterPlan{Kind: FilterFrom, Column: col, Value: f.Value}, nil
}

// filterColumns maps UserFilter.Attribute to its column.
var filterColumns = func() map[string]string {
	m := map[string]string{"username": "username", "sub": "sub", "cognito:user_status": "status"}
	for _, a := range store.IndexedAttributes {
		m[a] = a
	}
	return m
}()

// ObjectRange is how both backends page through the objects of kind under
// prefix after a key: the statement variant (lower is 1 when the page
// starts after page.After rather than at prefix, upper is 1 when prefix has
// an upper bound) and its arguments, the limit left to the caller.
func ObjectRange(kind, prefix, after string) (args []any, lower, upper int) {
	args = make([]any, 0, 4)
	args = append(args, kind)
	if after != "" && after >= prefix {
		args, lower = append(args, after), 1
	} else {
		args = append(args, prefix)
	}
	if end, ok := PrefixEnd(prefix); ok {
		args, upper = append(args, end), 1
	}
	return args, lower, upper
}
