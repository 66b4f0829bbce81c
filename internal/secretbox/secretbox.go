// Package secretbox seals small secrets at rest (temporary credentials'
// secret keys, TOTP seeds, queued email bodies) under the master key of
// the configuration (--master-key). Each use derives its own AES-256-GCM
// key from the master key with HKDF-SHA256 and a purpose string, and binds
// every sealed value to the record it belongs to (the additional data), so
// that a sealed value copied to another record does not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Box seals and opens values for one purpose. A nil *Box means "no master
// key": callers keep values in clear and refuse sealed ones (ErrNoKey).
type Box struct {
	aead cipher.AEAD
}

var (
	// ErrNoKey: a value is sealed and no master key is configured.
	ErrNoKey = errors.New("secretbox: the value is sealed and no master key is configured")
	// ErrOpen: the value does not open with this key and additional data
	// (another master key, or a value moved to another record).
	ErrOpen = errors.New("secretbox: cannot open the sealed value (another master key?)")
)

// New derives the box of purpose from masterKey; it returns nil, nil when
// masterKey is empty.
func New(masterKey []byte, purpose string) (*Box, error) {
	if len(masterKey) == 0 {
		return nil, nil
	}
	key, err := hkdf.Key(sha256.New, masterKey, nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal returns nonce || ciphertext of plain, bound to aad.
func (b *Box) Seal(plain, aad []byte) []byte {
	n := b.aead.NonceSize()
	out := make([]byte, n, n+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		panic("secretbox: no randomness: " + err.Error())
	}
	return b.aead.Seal(out, out, plain, aad)
}

// Open returns the plaintext of a value Seal produced with the same aad.
// A nil box returns ErrNoKey.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	if b == nil {
		return nil, ErrNoKey
	}
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
