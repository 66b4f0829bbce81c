package storetest

import (
	"testing"

	"github.com/ninsho/ninsho/internal/store"
)

// bulkTests check store.BulkUserCreator, for the backends that implement it.
var bulkTests = []subtest{
	{"bulk create adds every user as create would", func(t *testing.T, s store.Store) {
		b := bulk(t, s)
		mustPool(t, s, "us-east-1_bulk1")
		us := []store.User{newUser("us-east-1_bulk1", "a"), newUser("us-east-1_bulk1", "b"), newUser("us-east-1_bulk1", "c")}
		us[1].Attributes["name"] = "Bee"
		noErr(t, "CreateUsers", b.CreateUsers(t.Context(), us))
		for _, u := range us {
			got, err := s.GetUser(t.Context(), u.PoolID, u.Key)
			noErr(t, "GetUser", err)
			same(t, "user "+u.Key, got, u)
		}
		sameKeys(t, "name filter", listKeys(t, s, "us-east-1_bulk1", store.UserFilter{Attribute: "name", Value: "Bee"}, 0), []string{"b"})
	}},
	{"bulk create adds nothing when one user is refused", func(t *testing.T, s store.Store) {
		b := bulk(t, s)
		mustPool(t, s, "us-east-1_bulk2")
		mustUser(t, s, newUser("us-east-1_bulk2", "taken"))
		err := b.CreateUsers(t.Context(), []store.User{newUser("us-east-1_bulk2", "x"), newUser("us-east-1_bulk2", "taken")})
		wantErr(t, "CreateUsers with a taken key", err, store.ErrExists)
		_, err = s.GetUser(t.Context(), "us-east-1_bulk2", "x")
		wantErr(t, "GetUser of the refused batch's first user", err, store.ErrNotFound)
		err = b.CreateUsers(t.Context(), []store.User{newUser("us-east-1_nopool", "y")})
		wantErr(t, "CreateUsers in a missing pool", err, store.ErrNotFound)
	}},
}

func bulk(t *testing.T, s store.Store) store.BulkUserCreator {
	t.Helper()
	b, ok := s.(store.BulkUserCreator)
	if !ok {
		t.Skip("the store is not a store.BulkUserCreator")
	}
	return b
}
