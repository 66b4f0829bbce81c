package secretbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a, err := New(key, "purpose a")
	if err != nil {
		t.Fatal(err)
	}
	sealed := a.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("pool/sub"))
	if bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("the plaintext is visible in the sealed value")
	}
	if again := a.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("pool/sub")); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	plain, err := a.Open(sealed, []byte("pool/sub"))
	if err != nil || string(plain) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	// Another record, another purpose, another master key, a cut value:
	// none opens.
	if _, err := a.Open(sealed, []byte("pool/other")); !errors.Is(err, ErrOpen) {
		t.Errorf("other aad: %v", err)
	}
	b, _ := New(key, "purpose b")
	if _, err := b.Open(sealed, []byte("pool/sub")); !errors.Is(err, ErrOpen) {
		t.Errorf("other purpose: %v", err)
	}
	c, _ := New([]byte("another master key, 32 characters"), "purpose a")
	if _, err := c.Open(sealed, []byte("pool/sub")); !errors.Is(err, ErrOpen) {
		t.Errorf("other key: %v", err)
	}
	for _, cut := range [][]byte{nil, sealed[:5], sealed[:len(sealed)-1]} {
		if _, err := a.Open(cut, []byte("pool/sub")); !errors.Is(err, ErrOpen) {
			t.Errorf("cut to %d bytes: %v", len(cut), err)
		}
	}
	// No master key: no box, and sealed values are refused.
	none, err := New(nil, "purpose a")
	if err != nil || none != nil {
		t.Fatalf("New(nil) = %v, %v", none, err)
	}
	if _, err := none.Open(sealed, nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("nil box: %v", err)
	}
}
