package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// JWKS caching, as API Gateway: keys of a remote issuer are cached for up
// to two hours, and an unknown kid makes the gateway fetch them again, at
// most once a minute per issuer.
const (
	jwksTTL          = 2 * time.Hour
	jwksForcedPeriod = time.Minute
	jwksMaxBytes     = 1 << 20
)

// RemoteKeys fetches and caches the JWKS of issuers that are not local
// user pools. Its zero value uses a client with a 5 s timeout.
type RemoteKeys struct {
	// Client fetches discovery documents and key sets.
	Client *http.Client
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu      sync.Mutex
	issuers map[string]*remoteIssuer
}

type remoteIssuer struct {
	mu         sync.Mutex
	set        atomic.Pointer[keySet]
	fetched    atomic.Int64 // unix nanos of the last successful fetch
	lastForced time.Time
	jwksURI    string
}

var defaultJWKSClient = &http.Client{Timeout: 5 * time.Second}

func (k *RemoteKeys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *RemoteKeys) issuer(iss string) *remoteIssuer {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.issuers == nil {
		k.issuers = map[string]*remoteIssuer{}
	}
	ri := k.issuers[iss]
	if ri == nil {
		ri = &remoteIssuer{}
		k.issuers[iss] = ri
	}
	return ri
}

// keys returns iss's key set, fetching it when absent or older than two
// hours (a stale set is kept when the fetch fails), or, with force, when the
// last forced fetch is more than a minute old.
func (k *RemoteKeys) keys(ctx context.Context, iss string, force bool) (*keySet, error) {
	ri := k.issuer(iss)
	now := k.now()
	set := ri.set.Load()
	fresh := set != nil && now.Sub(time.Unix(0, ri.fetched.Load())) < jwksTTL
	if fresh && !force {
		return set, nil
	}
	if set != nil && !force && !ri.mu.TryLock() {
		return set, nil // another goroutine refreshes
	} else if set == nil || force {
		ri.mu.Lock()
	}
	defer ri.mu.Unlock()
	if cur := ri.set.Load(); cur != set && cur != nil {
		return cur, nil // refreshed while we waited
	}
	if force {
		if !ri.lastForced.IsZero() && now.Sub(ri.lastForced) < jwksForcedPeriod {
			return set, nil
		}
		ri.lastForced = now
	}
	ns, err := k.fetch(ctx, iss, ri)
	if err != nil {
		if set != nil {
			return set, nil
		}
		return nil, err
	}
	ri.set.Store(ns)
	ri.fetched.Store(now.UnixNano())
	return ns, nil
}

// current returns the cached key set without fetching (nil when none).
func (k *RemoteKeys) current(iss string) *keySet {
	return k.issuer(iss).set.Load()
}

func (k *RemoteKeys) fetch(ctx context.Context, iss string, ri *remoteIssuer) (*keySet, error) {
	if ri.jwksURI == "" {
		base := strings.TrimSuffix(iss, "/")
		var disc struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if b, err := k.get(ctx, base+"/.well-known/openid-configuration"); err == nil && json.Unmarshal(b, &disc) == nil && disc.JWKSURI != "" {
			ri.jwksURI = disc.JWKSURI
		} else {
			ri.jwksURI = base + "/.well-known/jwks.json"
		}
	}
	b, err := k.get(ctx, ri.jwksURI)
	if err != nil {
		ri.jwksURI = "" // discover again next time
		return nil, err
	}
	return parseJWKS(b)
}

func (k *RemoteKeys) get(ctx context.Context, url string) ([]byte, error) {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, errors.New("gateway: jwks: not an http(s) URL")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	c := k.Client
	if c == nil {
		c = defaultJWKSClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("gateway: jwks: GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes))
}
