package tokens

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// memStore is an in-memory store.SigningKeyStore that behaves like a SQL
// backend: the kid is a primary key (ErrExists on a duplicate), updaters run
// under the store's lock as if in a serializable transaction, and every read
// returns copies. With uniqueActive it also models a backend with a unique
// index on (scope, use) over active keys.
type memStore struct {
	uniqueActive bool
	// afterList, when set, runs in each ListSigningKeys after the read
	// (outside the lock), to line up concurrent callers.
	afterList func()

	lists atomic.Int64

	mu   sync.Mutex
	keys map[string]store.SigningKey
}

func newMemStore() *memStore { return &memStore{keys: map[string]store.SigningKey{}} }

func (m *memStore) CreateSigningKey(ctx context.Context, k store.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[k.KID]; ok {
		return store.ErrExists
	}
	if m.uniqueActive && k.RetiredAt.IsZero() {
		for _, o := range m.keys {
			if o.Scope == k.Scope && o.Use == k.Use && o.RetiredAt.IsZero() {
				return store.ErrExists
			}
		}
	}
	k.Private = append([]byte(nil), k.Private...)
	m.keys[k.KID] = k
	return nil
}

func (m *memStore) ListSigningKeys(ctx context.Context, scope string) ([]store.SigningKey, error) {
	m.lists.Add(1)
	m.mu.Lock()
	var out []store.SigningKey
	for _, k := range m.keys {
		if k.Scope == scope {
			k.Private = append([]byte(nil), k.Private...)
			out = append(out, k)
		}
	}
	m.mu.Unlock()
	if m.afterList != nil {
		m.afterList()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (m *memStore) UpdateSigningKey(ctx context.Context, kid string, update func(store.SigningKey) (store.SigningKey, error)) (store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.keys[kid]
	if !ok {
		return store.SigningKey{}, store.ErrNotFound
	}
	old.Private = append([]byte(nil), old.Private...)
	k, err := update(old)
	if err != nil {
		return store.SigningKey{}, err
	}
	k.KID = kid
	m.keys[kid] = k
	return k, nil
}

func (m *memStore) DeleteSigningKey(ctx context.Context, kid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[kid]; !ok {
		return store.ErrNotFound
	}
	delete(m.keys, kid)
	return nil
}

// all returns the keys of scope and use, and how many of them are active.
func (m *memStore) all(scope, use string) (keys []store.SigningKey, active int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.keys {
		if k.Scope == scope && k.Use == use {
			keys = append(keys, k)
			if k.RetiredAt.IsZero() {
				active++
			}
		}
	}
	return keys, active
}

// barrier returns an afterList hook that holds the first n readers until all
// n have read, so they all read before any of them writes.
func barrier(n int) func() {
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	return func() {
		mu.Lock()
		arrived++
		a := arrived
		mu.Unlock()
		switch {
		case a < n:
			<-release
		case a == n:
			close(release)
		}
	}
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
