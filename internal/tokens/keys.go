package tokens

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
)

// Key uses: which tokens a key signs. They equal the token_use claim of the
// tokens they sign.
const (
	UseID     = "id"
	UseAccess = "access"
)

// Algorithm is the only JWS algorithm ninsho signs with and accepts.
const Algorithm = "RS256"

const (
	defaultBits    = 2048
	defaultListTTL = 5 * time.Second
	// minForcedRefresh bounds how often Verify re-reads a scope's keys
	// because a token named a kid it does not know.
	minForcedRefresh = 250 * time.Millisecond
)

// errAlreadyRotated stops a rotation's updater when another instance retired
// the key first (dex server/signer/rotation.go).
var errAlreadyRotated = errors.New("tokens: key already rotated by another instance")

// Keys signs and verifies the tokens of any number of scopes with keys kept in
// Store. Set Store (and optionally the other fields) before first use; a Keys
// must not be copied after first use. It is safe for concurrent use.
type Keys struct {
	// Store keeps the keys; it is shared by every instance.
	Store store.SigningKeyStore
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Bits is the RSA modulus size of new keys (2048 when 0).
	Bits int
	// ListTTL is how long a scope's key list is cached (5 s when 0). Another
	// instance's new or retired key is seen within it.
	ListTTL time.Duration
	// Skew is the clock-skew leeway Verify allows on exp and nbf. Zero, the
	// default, is right for tokens this server signed itself.
	Skew time.Duration
	// Secrets, when set (--master-key), seals the private keys of new keys
	// in the store; keys stored in clear before stay readable.
	Secrets *secretbox.Box

	// generate makes a new private key; tests replace it to save time.
	generate func(bits int) (*rsa.PrivateKey, error)

	scopes sync.Map // scope → *scopeCache
}

func (k *Keys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *Keys) ttl() time.Duration {
	if k.ListTTL > 0 {
		return k.ListTTL
	}
	return defaultListTTL
}

func (k *Keys) bits() int {
	if k.Bits > 0 {
		return k.Bits
	}
	return defaultBits
}

// Ensure makes sure scope has an active key for each use (UseID and
// UseAccess when none are given), creating the missing ones. It is safe to
// call concurrently from several instances: they end with one active key per
// use. Call it when a user pool is created; Sign fails with ErrNoKey for a use
// that has no key.
func (k *Keys) Ensure(ctx context.Context, scope string, uses ...string) error {
	if len(uses) == 0 {
		uses = []string{UseID, UseAccess}
	}
	keys, err := k.list(ctx, scope)
	if err != nil {
		return err
	}
	var missing []string
	for _, use := range uses {
		if active(keys, use) == nil {
			missing = append(missing, use)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	// Generate outside any store transaction, the keys of all uses at once:
	// a 2048-bit key takes tens of milliseconds.
	created := make([]store.SigningKey, len(missing))
	errs := make([]error, len(missing))
	var wg sync.WaitGroup
	for i, use := range missing {
		wg.Go(func() { created[i], errs[i] = k.newKey(scope, use) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	defer k.invalidate(scope)
	for i, sk := range created {
		// ErrExists means another instance won a race the store arbitrates
		// (a backend may keep one active key per scope and use unique):
		// what is there now is used.
		if err := k.Store.CreateSigningKey(ctx, sk); err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("tokens: create %s key for %s: %w", missing[i], scope, err)
		}
	}
	return k.settle(ctx, scope, missing...)
}

// Rotate gives scope a new active key for use. The key that was active is
// retired: it no longer signs but keeps verifying until Prune removes it.
// When several instances rotate the same key at once, one rotates and the
// others return nil, so the scope ends with one new key.
func (k *Keys) Rotate(ctx context.Context, scope, use string) error {
	_, err := k.rotate(ctx, scope, use, 0)
	return err
}

// RotateIfOlder rotates use's key of scope if the active key was created at
// least maxAge ago (or there is none), and reports whether it did. Run it
// periodically on every instance: within a period only one of them rotates,
// because the check is made again, on the stored key, inside the update.
func (k *Keys) RotateIfOlder(ctx context.Context, scope, use string, maxAge time.Duration) (bool, error) {
	return k.rotate(ctx, scope, use, maxAge)
}

func (k *Keys) rotate(ctx context.Context, scope, use string, maxAge time.Duration) (bool, error) {
	keys, err := k.list(ctx, scope)
	if err != nil {
		return false, err
	}
	old := active(keys, use)
	if old != nil && maxAge > 0 && k.now().Sub(old.CreatedAt) < maxAge {
		return false, nil
	}
	// Generate the key outside of a store transaction.
	sk, err := k.newKey(scope, use)
	if err != nil {
		return false, err
	}
	defer k.invalidate(scope)
	if old != nil {
		_, err := k.Store.UpdateSigningKey(ctx, old.KID, func(cur store.SigningKey) (store.SigningKey, error) {
			// Another instance may have rotated meanwhile: only the one
			// that retires the key goes on to add a new one.
			if !cur.RetiredAt.IsZero() {
				return cur, errAlreadyRotated
			}
			cur.RetiredAt = k.now()
			return cur, nil
		})
		switch {
		case errors.Is(err, errAlreadyRotated), errors.Is(err, store.ErrNotFound):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("tokens: retire %s key %s: %w", use, old.KID, err)
		}
	}
	// Between the retirement above and this create the scope has no active
	// key for use; Sign bridges that gap with the just-retired key.
	if err := k.Store.CreateSigningKey(ctx, sk); err != nil && !errors.Is(err, store.ErrExists) {
		return false, fmt.Errorf("tokens: create %s key for %s: %w", use, scope, err)
	}
	return true, k.settle(ctx, scope, use)
}

// Prune deletes the keys of scope that were retired more than olderThan (plus
// ListTTL, during which other instances may still have signed with them) ago,
// and returns how many it deleted. Pass the longest lifetime of a token the
// keys sign (plus the clock skew between instances): earlier, tokens they
// signed could still be valid.
func (k *Keys) Prune(ctx context.Context, scope string, olderThan time.Duration) (int, error) {
	keys, err := k.list(ctx, scope)
	if err != nil {
		return 0, err
	}
	cutoff := k.now().Add(-olderThan - k.ttl())
	n := 0
	defer func() {
		if n > 0 {
			k.invalidate(scope)
		}
	}()
	for _, sk := range keys {
		if sk.RetiredAt.IsZero() || !sk.RetiredAt.Before(cutoff) {
			continue
		}
		if err := k.Store.DeleteSigningKey(ctx, sk.KID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue // pruned by another instance
			}
			return n, fmt.Errorf("tokens: delete key %s: %w", sk.KID, err)
		}
		n++
	}
	return n, nil
}

// settle retires, for each use, every active key but the first in listing
// order (newest, then greatest kid). Instances that created keys at the same
// time all agree on the survivor, and the last of them to create sees every
// key, so the scope ends with one active key per use.
func (k *Keys) settle(ctx context.Context, scope string, uses ...string) error {
	keys, err := k.list(ctx, scope)
	if err != nil {
		return err
	}
	for _, use := range uses {
		seen := false
		for _, sk := range keys {
			if sk.Use != use || !sk.RetiredAt.IsZero() {
				continue
			}
			if !seen {
				seen = true
				continue
			}
			_, err := k.Store.UpdateSigningKey(ctx, sk.KID, func(cur store.SigningKey) (store.SigningKey, error) {
				if !cur.RetiredAt.IsZero() {
					return cur, errAlreadyRotated
				}
				cur.RetiredAt = k.now()
				return cur, nil
			})
			if err != nil && !errors.Is(err, errAlreadyRotated) && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("tokens: retire duplicate %s key %s: %w", use, sk.KID, err)
			}
		}
	}
	return nil
}

// list reads the keys of scope from the store, in the order every instance
// uses to choose among them: newest first, then greatest kid.
func (k *Keys) list(ctx context.Context, scope string) ([]store.SigningKey, error) {
	keys, err := k.Store.ListSigningKeys(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("tokens: list keys of %s: %w", scope, err)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].CreatedAt.Equal(keys[j].CreatedAt) {
			return keys[i].CreatedAt.After(keys[j].CreatedAt)
		}
		return keys[i].KID > keys[j].KID
	})
	return keys, nil
}

// active returns the key that signs use's tokens: the first active one in
// list order.
func active(keys []store.SigningKey, use string) *store.SigningKey {
	for i := range keys {
		if keys[i].Use == use && keys[i].RetiredAt.IsZero() && keys[i].Algorithm == Algorithm {
			return &keys[i]
		}
	}
	return nil
}

// newKey generates a key for use in scope.
func (k *Keys) newKey(scope, use string) (store.SigningKey, error) {
	gen := k.generate
	if gen == nil {
		gen = func(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }
	}
	priv, err := gen(k.bits())
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("tokens: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("tokens: encode key: %w", err)
	}
	kid, err := KeyID(&priv.PublicKey)
	if err != nil {
		return store.SigningKey{}, err
	}
	if k.Secrets != nil {
		der = append([]byte(sealedKeyMagic), k.Secrets.Seal(der, sealedKeyAAD(kid))...)
	}
	return store.SigningKey{
		KID:       kid,
		Scope:     scope,
		Use:       use,
		Algorithm: Algorithm,
		Private:   der,
		CreatedAt: k.now(),
	}, nil
}

// sealedKeyMagic starts a sealed private key; a key in clear is PKCS#8
// DER, which starts with a SEQUENCE tag (0x30).
const sealedKeyMagic = "nsb1"

// sealedKeyAAD binds a sealed private key to its kid.
func sealedKeyAAD(kid string) []byte { return []byte("tokens.key/" + kid) }

// privateDER returns the PKCS#8 DER of a stored key, opening it when sealed.
func (k *Keys) privateDER(sk store.SigningKey) ([]byte, error) {
	if !bytes.HasPrefix(sk.Private, []byte(sealedKeyMagic)) {
		return sk.Private, nil
	}
	return k.Secrets.Open(sk.Private[len(sealedKeyMagic):], sealedKeyAAD(sk.KID))
}

// KeyID returns the kid of a public key: the standard base64 of the SHA-256
// of its PKIX DER, 44 characters like Cognito's.
func KeyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("tokens: encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}
