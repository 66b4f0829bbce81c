package gateway

import (
	"sync"
	"time"
)

// verified is a token whose signature checked out, with the claims the
// authorizers read on every request.
type verified struct {
	claims map[string]any
	exp    time.Time
	iss    string
	kid    string
	scope  string // local key scope; empty for a remote issuer
}

const cacheShards = 16

// tokenCache remembers verified tokens by the SHA-256 of the token, so the
// hot path does no RSA work. It is bounded (entries beyond the limit evict
// expired ones first, else arbitrary ones), and a hit is only a hit while
// the token is unexpired; the caller also checks that the signing key is
// still published.
type tokenCache struct {
	perShard int
	shards   [cacheShards]struct {
		mu sync.RWMutex
		m  map[[32]byte]*verified
	}
}

func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		max = 10000
	}
	c := &tokenCache{perShard: max/cacheShards + 1}
	for i := range c.shards {
		c.shards[i].m = make(map[[32]byte]*verified)
	}
	return c
}

func (c *tokenCache) get(h [32]byte, now time.Time) *verified {
	s := &c.shards[h[0]%cacheShards]
	s.mu.RLock()
	v := s.m[h]
	s.mu.RUnlock()
	if v != nil && !now.Before(v.exp) {
		c.remove(h)
		return nil
	}
	return v
}

func (c *tokenCache) put(h [32]byte, v *verified, now time.Time) {
	s := &c.shards[h[0]%cacheShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= c.perShard {
		n := 0
		for k, e := range s.m {
			if !now.Before(e.exp) || n == 0 {
				delete(s.m, k)
			}
			n++
			if n >= 8 {
				break
			}
		}
	}
	s.m[h] = v
}

func (c *tokenCache) remove(h [32]byte) {
	s := &c.shards[h[0]%cacheShards]
	s.mu.Lock()
	delete(s.m, h)
	s.mu.Unlock()
}

func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
