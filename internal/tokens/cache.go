package tokens

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// scopeCache holds the current view of one scope's keys.
type scopeCache struct {
	mu   sync.Mutex // held while refreshing
	gen  atomic.Uint64
	view atomic.Pointer[view]
}

// view is an immutable snapshot of a scope's keys, ready for the hot paths.
type view struct {
	fetched   time.Time
	signers   map[string]*signer   // by use
	verifiers map[string]*verifier // by kid
	jwks      []byte
}

type signer struct {
	kid    string
	key    *rsa.PrivateKey
	prefix string // base64url of the header, then "."
	// until is zero for an active key. For a key retired moments ago that
	// stands in while a rotation adds its successor, it is when the key
	// stops signing.
	until time.Time
}

type verifier struct {
	use string
	key *rsa.PrivateKey
}

// view returns a snapshot of scope's keys: the cached one while it is younger
// than ListTTL (or, with force, than minForcedRefresh), else a fresh one.
// While another goroutine refreshes, a stale snapshot is used rather than
// waiting (except with force, which looks for a kid the snapshot lacks). Scopes without keys are not cached, so unknown scope names cannot
// fill memory.
func (k *Keys) view(ctx context.Context, scope string, force bool) (*view, error) {
	maxAge := k.ttl()
	if force {
		maxAge = min(maxAge, minForcedRefresh)
	}
	fresh := func(v *view) bool { return v != nil && k.now().Sub(v.fetched) < maxAge }

	var c *scopeCache
	if x, ok := k.scopes.Load(scope); ok {
		c = x.(*scopeCache)
	} else {
		x, _ := k.scopes.LoadOrStore(scope, &scopeCache{})
		c = x.(*scopeCache)
	}
	v := c.view.Load()
	if fresh(v) {
		return v, nil
	}
	if v != nil && !force {
		if !c.mu.TryLock() {
			return v, nil // being refreshed; at most one refresh stale
		}
	} else {
		c.mu.Lock() // a forced refresh waits for one in progress
	}
	defer c.mu.Unlock()
	if v := c.view.Load(); fresh(v) {
		return v, nil // refreshed while we waited
	}

	gen := c.gen.Load()
	fetched := k.now()
	keys, err := k.list(ctx, scope)
	if err != nil {
		return nil, err
	}
	nv, err := k.build(keys, c.view.Load(), fetched)
	if err != nil {
		return nil, err
	}
	switch {
	case len(nv.verifiers) == 0:
		k.scopes.CompareAndDelete(scope, c)
	case c.gen.Load() != gen:
		// Keys were written while we read: keep the result for this call
		// only, marked stale.
		stale := *nv
		stale.fetched = time.Time{}
		c.view.Store(&stale)
	default:
		c.view.Store(nv)
	}
	return nv, nil
}

// invalidate drops the cached view of scope after this instance changed its
// keys, so the change is seen at once here.
func (k *Keys) invalidate(scope string) {
	if x, ok := k.scopes.Load(scope); ok {
		c := x.(*scopeCache)
		c.gen.Add(1)
		c.view.Store(nil)
	}
}

// jwk is one key of a JWKS, members in the order Cognito publishes them.
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// build makes a view of keys (in list order), reusing the keys that prev
// already parsed.
func (k *Keys) build(keys []store.SigningKey, prev *view, fetched time.Time) (*view, error) {
	v := &view{
		fetched:   fetched,
		signers:   map[string]*signer{},
		verifiers: make(map[string]*verifier, len(keys)),
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, sk := range keys {
		if sk.Algorithm != Algorithm {
			continue
		}
		ver := (*verifier)(nil)
		if prev != nil {
			ver = prev.verifiers[sk.KID]
		}
		if ver == nil || ver.use != sk.Use {
			der, err := k.privateDER(sk)
			if err != nil {
				return nil, fmt.Errorf("tokens: key %s of %s: %w", sk.KID, sk.Scope, err)
			}
			priv, err := parsePrivate(der)
			if err != nil {
				return nil, fmt.Errorf("tokens: key %s of %s: %w", sk.KID, sk.Scope, err)
			}
			ver = &verifier{use: sk.Use, key: priv}
		}
		v.verifiers[sk.KID] = ver
		set.Keys = append(set.Keys, jwk{
			Alg: Algorithm,
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(ver.key.E)).Bytes()),
			Kid: sk.KID,
			Kty: "RSA",
			N:   base64.RawURLEncoding.EncodeToString(ver.key.N.Bytes()),
			Use: "sig",
		})
		if sk.RetiredAt.IsZero() && v.signers[sk.Use] == nil {
			v.signers[sk.Use] = newSigner(sk.KID, ver.key, time.Time{})
		}
	}
	// A use whose key was retired moments ago by a rotation that has not
	// yet stored the successor keeps signing with the retired key: it
	// verifies until pruned, and Prune allows for ListTTL.
	for _, sk := range keys {
		if sk.Algorithm != Algorithm || sk.RetiredAt.IsZero() {
			continue
		}
		until := sk.RetiredAt.Add(k.ttl())
		if s := v.signers[sk.Use]; (s == nil || (!s.until.IsZero() && until.After(s.until))) && fetched.Before(until) {
			v.signers[sk.Use] = newSigner(sk.KID, v.verifiers[sk.KID].key, until)
		}
	}
	var err error
	if v.jwks, err = json.Marshal(set); err != nil {
		return nil, err
	}
	return v, nil
}

func newSigner(kid string, key *rsa.PrivateKey, until time.Time) *signer {
	h, _ := json.Marshal(struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}{kid, Algorithm})
	return &signer{kid: kid, key: key, prefix: base64.RawURLEncoding.EncodeToString(h) + ".", until: until}
}

func parsePrivate(der []byte) (*rsa.PrivateKey, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA key: %T", key)
	}
	return priv, nil
}
