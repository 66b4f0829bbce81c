package sqlstore

import (
	"testing"

	"github.com/ninsho/ninsho/internal/store"
)

func TestPlanUserFilter(t *testing.T) {
	for _, c := range []struct {
		f    store.UserFilter
		want FilterPlan
	}{
		{store.UserFilter{}, FilterPlan{Kind: FilterAll}},
		{store.UserFilter{Attribute: "status", Value: "Enabled"}, FilterPlan{Kind: FilterEnabled, Enabled: true}},
		{store.UserFilter{Attribute: "status", Value: "Disabled"}, FilterPlan{Kind: FilterEnabled}},
		{store.UserFilter{Attribute: "status", Value: "", Prefix: true}, FilterPlan{Kind: FilterAll}},
		{store.UserFilter{Attribute: "status", Value: "Dis", Prefix: true}, FilterPlan{Kind: FilterEnabled}},
		{store.UserFilter{Attribute: "status", Value: "enabled"}, FilterPlan{Kind: FilterNone}},
		{store.UserFilter{Attribute: "cognito:user_status", Value: "CONFIRMED"}, FilterPlan{Kind: FilterEq, Column: "status", Value: "CONFIRMED"}},
		{store.UserFilter{Attribute: "email", Value: "ab", Prefix: true}, FilterPlan{Kind: FilterBetween, Column: "email", Value: "ab", End: "ac"}},
		{store.UserFilter{Attribute: "name", Value: "", Prefix: true}, FilterPlan{Kind: FilterFrom, Column: "name"}},
		{store.UserFilter{Attribute: "username", Value: "x"}, FilterPlan{Kind: FilterEq, Column: "username", Value: "x"}},
	} {
		got, err := PlanUserFilter(c.f)
		if err != nil || got != c.want {
			t.Errorf("PlanUserFilter(%+v) = %+v, %v; want %+v", c.f, got, err, c.want)
		}
	}
	for _, attr := range []string{"email_verified", "custom:x", "enabled"} {
		if _, err := PlanUserFilter(store.UserFilter{Attribute: attr, Value: "x"}); err == nil {
			t.Errorf("PlanUserFilter(%s): no error", attr)
		}
	}
}

func TestObjectRange(t *testing.T) {
	args, lower, upper := ObjectRange("k", "p/", "")
	if lower != 0 || upper != 1 || len(args) != 3 || args[1] != "p/" || args[2] != "p0" {
		t.Errorf("from the prefix: %v %d %d", args, lower, upper)
	}
	args, lower, upper = ObjectRange("k", "p/", "p/b")
	if lower != 1 || upper != 1 || args[1] != "p/b" {
		t.Errorf("after a key: %v %d %d", args, lower, upper)
	}
	args, lower, upper = ObjectRange("k", "", "")
	if lower != 0 || upper != 0 || len(args) != 2 {
		t.Errorf("every object: %v %d %d", args, lower, upper)
	}
	// A position before the prefix starts at the prefix.
	if _, lower, _ = ObjectRange("k", "p/", "a"); lower != 0 {
		t.Errorf("after a key before the prefix: lower %d", lower)
	}
}
