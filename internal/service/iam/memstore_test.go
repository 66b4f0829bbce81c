package iamsvc

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// memStore is an in-memory store.ObjectStore for tests. Transactions run
// under the store's lock and write a copy that is kept only when fn
// succeeds.
type memStore struct {
	mu   sync.Mutex
	objs map[string]store.Object // kind + "\x00" + key
	now  func() time.Time
}

func newMemStore() *memStore {
	return &memStore{objs: map[string]store.Object{}, now: time.Now}
}

type memTx struct {
	objs map[string]store.Object
	now  func() time.Time
}

func id(kind, key string) string { return kind + "\x00" + key }

func (t *memTx) GetObject(_ context.Context, kind, key string) (store.Object, error) {
	o, ok := t.objs[id(kind, key)]
	if !ok {
		return store.Object{}, store.ErrNotFound
	}
	o.Value = slices.Clone(o.Value)
	return o, nil
}

func (t *memTx) CreateObject(_ context.Context, o store.Object) error {
	if _, ok := t.objs[id(o.Kind, o.Key)]; ok {
		return store.ErrExists
	}
	o.Value = slices.Clone(o.Value)
	o.CreatedAt, o.UpdatedAt = t.now(), t.now()
	t.objs[id(o.Kind, o.Key)] = o
	return nil
}

func (t *memTx) PutObject(_ context.Context, o store.Object) error {
	o.Value = slices.Clone(o.Value)
	o.UpdatedAt = t.now()
	if old, ok := t.objs[id(o.Kind, o.Key)]; ok {
		o.CreatedAt = old.CreatedAt
	} else {
		o.CreatedAt = o.UpdatedAt
	}
	t.objs[id(o.Kind, o.Key)] = o
	return nil
}

func (t *memTx) DeleteObject(_ context.Context, kind, key string) error {
	if _, ok := t.objs[id(kind, key)]; !ok {
		return store.ErrNotFound
	}
	delete(t.objs, id(kind, key))
	return nil
}

func (t *memTx) DeleteObjectsWithPrefix(_ context.Context, kind, prefix string) (int, error) {
	n := 0
	for k, o := range t.objs {
		if o.Kind == kind && strings.HasPrefix(o.Key, prefix) {
			delete(t.objs, k)
			n++
		}
	}
	return n, nil
}

func (t *memTx) ListObjects(_ context.Context, kind, prefix string, page store.Page) ([]store.Object, error) {
	var out []store.Object
	for _, o := range t.objs {
		if o.Kind == kind && strings.HasPrefix(o.Key, prefix) && o.Key > page.After {
			o.Value = slices.Clone(o.Value)
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b store.Object) int { return strings.Compare(a.Key, b.Key) })
	if page.Limit > 0 && len(out) > page.Limit {
		out = out[:page.Limit]
	}
	return out, nil
}

// run runs fn on a copy of the objects and keeps the copy when fn succeeds.
func (m *memStore) run(fn func(tx *memTx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{objs: make(map[string]store.Object, len(m.objs)), now: m.now}
	for k, v := range m.objs {
		tx.objs[k] = v
	}
	if err := fn(tx); err != nil {
		return err
	}
	m.objs = tx.objs
	return nil
}

// Reads need no copy of the whole map.
func (m *memStore) read() *memTx {
	return &memTx{objs: m.objs, now: m.now}
}

func (m *memStore) GetObject(ctx context.Context, kind, key string) (store.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read().GetObject(ctx, kind, key)
}

func (m *memStore) ListObjects(ctx context.Context, kind, prefix string, page store.Page) ([]store.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read().ListObjects(ctx, kind, prefix, page)
}

func (m *memStore) CreateObject(ctx context.Context, o store.Object) error {
	return m.run(func(tx *memTx) error { return tx.CreateObject(ctx, o) })
}

func (m *memStore) PutObject(ctx context.Context, o store.Object) error {
	return m.run(func(tx *memTx) error { return tx.PutObject(ctx, o) })
}

func (m *memStore) DeleteObject(ctx context.Context, kind, key string) error {
	return m.run(func(tx *memTx) error { return tx.DeleteObject(ctx, kind, key) })
}

func (m *memStore) DeleteObjectsWithPrefix(ctx context.Context, kind, prefix string) (n int, err error) {
	err = m.run(func(tx *memTx) error { n, err = tx.DeleteObjectsWithPrefix(ctx, kind, prefix); return err })
	return n, err
}

func (m *memStore) UpdateObject(ctx context.Context, kind, key string, update func(store.Object) (store.Object, error)) (out store.Object, err error) {
	err = m.run(func(tx *memTx) error {
		o, err := tx.GetObject(ctx, kind, key)
		if err != nil {
			return err
		}
		n, err := update(o)
		if err != nil {
			return err
		}
		n.Kind, n.Key = kind, key
		if err := tx.PutObject(ctx, n); err != nil {
			return err
		}
		out = tx.objs[id(kind, key)]
		return nil
	})
	return out, err
}

func (m *memStore) InObjectTx(_ context.Context, fn func(tx store.ObjectTx) error) error {
	return m.run(func(tx *memTx) error { return fn(tx) })
}

func (m *memStore) DeleteExpiredObjects(_ context.Context, t time.Time) (n int, err error) {
	err = m.run(func(tx *memTx) error {
		for k, o := range tx.objs {
			if !o.ExpiresAt.IsZero() && o.ExpiresAt.Before(t) {
				delete(tx.objs, k)
				n++
			}
		}
		return nil
	})
	return n, err
}

var _ store.ObjectStore = (*memStore)(nil)
