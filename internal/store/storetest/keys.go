package storetest

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

var keyTests = []subtest{
	{"signing keys are listed per scope, newest first", func(t *testing.T, s store.Store) {
		k1 := mustKey(t, s, newKey("k1", poolA, at(time.Hour)))
		k2 := mustKey(t, s, newKey("k2", poolA, at(3*time.Hour)))
		k3 := newKey("k3", poolA, at(2*time.Hour))
		k3.Use, k3.RetiredAt = "access", at(4*time.Hour)
		mustKey(t, s, k3)
		other := mustKey(t, s, newKey("k0", "issuer", at(5*time.Hour)))
		ks, err := s.ListSigningKeys(t.Context(), poolA)
		noErr(t, "ListSigningKeys", err)
		same(t, "keys of "+poolA, ks, []store.SigningKey{k2, k3, k1})
		ks, err = s.ListSigningKeys(t.Context(), "issuer")
		noErr(t, "ListSigningKeys(issuer)", err)
		same(t, "keys of issuer", ks, []store.SigningKey{other})
		ks, err = s.ListSigningKeys(t.Context(), "none")
		noErr(t, "ListSigningKeys(none)", err)
		if len(ks) != 0 {
			t.Errorf("ListSigningKeys(none): %d keys", len(ks))
		}
	}},
	{"creating a signing key twice returns ErrExists", func(t *testing.T, s store.Store) {
		k := mustKey(t, s, newKey("k1", poolA, t0))
		k.Scope = poolB
		wantErr(t, "second CreateSigningKey", s.CreateSigningKey(t.Context(), k), store.ErrExists)
		ks, err := s.ListSigningKeys(t.Context(), poolB)
		noErr(t, "ListSigningKeys", err)
		if len(ks) != 0 {
			t.Errorf("ListSigningKeys: %d keys", len(ks))
		}
	}},
	{"updating a signing key stores what the updater returns", func(t *testing.T, s store.Store) {
		k := mustKey(t, s, newKey("k1", poolA, t0))
		var seen store.SigningKey
		got, err := s.UpdateSigningKey(t.Context(), "k1", func(old store.SigningKey) (store.SigningKey, error) {
			seen = old
			old.RetiredAt = at(time.Hour)
			return old, nil
		})
		noErr(t, "UpdateSigningKey", err)
		same(t, "updater's argument", seen, k)
		k.RetiredAt = at(time.Hour)
		same(t, "returned key", got, k)
		ks, err := s.ListSigningKeys(t.Context(), poolA)
		noErr(t, "ListSigningKeys", err)
		same(t, "stored keys", ks, []store.SigningKey{k})
	}},
	{"updating a missing signing key returns ErrNotFound without calling the updater", func(t *testing.T, s store.Store) {
		_, err := s.UpdateSigningKey(t.Context(), "k1", func(k store.SigningKey) (store.SigningKey, error) {
			t.Error("updater called")
			return k, nil
		})
		wantErr(t, "UpdateSigningKey", err, store.ErrNotFound)
	}},
	{"a signing key updater's error aborts the update and is returned", func(t *testing.T, s store.Store) {
		k := mustKey(t, s, newKey("k1", poolA, t0))
		_, err := s.UpdateSigningKey(t.Context(), "k1", func(k store.SigningKey) (store.SigningKey, error) {
			k.RetiredAt = at(time.Hour)
			return k, errTest
		})
		wantErr(t, "UpdateSigningKey", err, errTest)
		ks, err := s.ListSigningKeys(t.Context(), poolA)
		noErr(t, "ListSigningKeys", err)
		same(t, "stored keys", ks, []store.SigningKey{k})
	}},
	{"a signing key updater cannot change the kid", func(t *testing.T, s store.Store) {
		k := mustKey(t, s, newKey("k1", poolA, t0))
		got, err := s.UpdateSigningKey(t.Context(), "k1", func(k store.SigningKey) (store.SigningKey, error) {
			k.KID = "k2"
			k.RetiredAt = at(time.Hour)
			return k, nil
		})
		noErr(t, "UpdateSigningKey", err)
		k.RetiredAt = at(time.Hour)
		same(t, "returned key", got, k)
		ks, err := s.ListSigningKeys(t.Context(), poolA)
		noErr(t, "ListSigningKeys", err)
		same(t, "stored keys", ks, []store.SigningKey{k})
	}},
	{"deleting a signing key removes it and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		mustKey(t, s, newKey("k1", poolA, t0))
		k2 := mustKey(t, s, newKey("k2", poolA, t0))
		noErr(t, "DeleteSigningKey", s.DeleteSigningKey(t.Context(), "k1"))
		ks, err := s.ListSigningKeys(t.Context(), poolA)
		noErr(t, "ListSigningKeys", err)
		same(t, "keys left", ks, []store.SigningKey{k2})
		wantErr(t, "second DeleteSigningKey", s.DeleteSigningKey(t.Context(), "k1"), store.ErrNotFound)
	}},
}
