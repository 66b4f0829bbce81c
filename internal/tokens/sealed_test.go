package tokens

import (
	"bytes"
	"context"
	"testing"

	"github.com/ninsho/ninsho/internal/secretbox"
)

// With a master key, new private keys are sealed in the store, still sign
// and verify, and do not load without the key; keys stored in clear before
// the key was set stay usable.
func TestSealedPrivateKeys(t *testing.T) {
	ctx := context.Background()
	box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"), "ninsho tokens.key v1")
	if err != nil {
		t.Fatal(err)
	}
	st, c := newMemStore(), &clock{t: t0}

	// A scope whose keys were made before the master key was set.
	clear := newTestKeys(st, c)
	if err := clear.Ensure(ctx, "us-east-1_OLDPOOL01"); err != nil {
		t.Fatal(err)
	}

	sealed := newTestKeys(st, c)
	sealed.Secrets = box
	if err := sealed.Ensure(ctx, testScope); err != nil {
		t.Fatal(err)
	}
	keys, _ := st.all(testScope, "access")
	for _, k := range keys {
		if !bytes.HasPrefix(k.Private, []byte(sealedKeyMagic)) {
			t.Fatalf("key %s is not sealed: % x", k.KID, k.Private[:8])
		}
		if _, err := parsePrivate(k.Private[len(sealedKeyMagic):]); err == nil {
			t.Fatalf("key %s is stored as a readable private key", k.KID)
		}
	}
	for _, scope := range []string{testScope, "us-east-1_OLDPOOL01"} {
		tok, err := sealed.Sign(ctx, scope, "access", accessClaims(c.Now()))
		if err != nil {
			t.Fatalf("Sign(%s): %v", scope, err)
		}
		if _, err := sealed.Verify(ctx, scope, tok, c.Now()); err != nil {
			t.Fatalf("Verify(%s): %v", scope, err)
		}
	}
	// Another instance without the master key cannot use the sealed keys.
	nokey := newTestKeys(st, c)
	if _, err := nokey.Sign(ctx, testScope, "access", accessClaims(c.Now())); err == nil {
		t.Fatal("a sealed key signed without the master key")
	}
	// Nor with another master key.
	other, _ := secretbox.New([]byte("another master key of 32 characters"), "ninsho tokens.key v1")
	wrong := newTestKeys(st, c)
	wrong.Secrets = other
	if _, err := wrong.Sign(ctx, testScope, "access", accessClaims(c.Now())); err == nil {
		t.Fatal("a sealed key opened with another master key")
	}
}
