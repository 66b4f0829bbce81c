package sts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/store"
)

// memObjects is an in-memory store.ObjectStore for the tests of this package.
type memObjects struct {
	mu   sync.Mutex
	objs map[string]store.Object // kind + "\x00" + key
}

var _ store.ObjectStore = (*memObjects)(nil)

func newMemObjects() *memObjects { return &memObjects{objs: make(map[string]store.Object)} }

func objKey(kind, key string) string { return kind + "\x00" + key }

func (m *memObjects) GetObject(_ context.Context, kind, key string) (store.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objs[objKey(kind, key)]
	if !ok {
		return store.Object{}, store.ErrNotFound
	}
	o.Value = append([]byte(nil), o.Value...)
	return o, nil
}

func (m *memObjects) CreateObject(_ context.Context, o store.Object) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objs[objKey(o.Kind, o.Key)]; ok {
		return store.ErrExists
	}
	o.Value = append([]byte(nil), o.Value...)
	m.objs[objKey(o.Kind, o.Key)] = o
	return nil
}

func (m *memObjects) PutObject(_ context.Context, o store.Object) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o.Value = append([]byte(nil), o.Value...)
	m.objs[objKey(o.Kind, o.Key)] = o
	return nil
}

func (m *memObjects) DeleteObject(_ context.Context, kind, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objs[objKey(kind, key)]; !ok {
		return store.ErrNotFound
	}
	delete(m.objs, objKey(kind, key))
	return nil
}

func (m *memObjects) DeleteObjectsWithPrefix(_ context.Context, kind, prefix string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, o := range m.objs {
		if o.Kind == kind && strings.HasPrefix(o.Key, prefix) {
			delete(m.objs, k)
			n++
		}
	}
	return n, nil
}

func (m *memObjects) ListObjects(_ context.Context, kind, prefix string, page store.Page) ([]store.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Object
	for _, o := range m.objs {
		if o.Kind == kind && strings.HasPrefix(o.Key, prefix) && o.Key > page.After {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	if page.Limit > 0 && len(out) > page.Limit {
		out = out[:page.Limit]
	}
	return out, nil
}

func (m *memObjects) UpdateObject(ctx context.Context, kind, key string, update func(store.Object) (store.Object, error)) (store.Object, error) {
	o, err := m.GetObject(ctx, kind, key)
	if err != nil {
		return store.Object{}, err
	}
	n, err := update(o)
	if err != nil {
		return store.Object{}, err
	}
	n.Kind, n.Key = kind, key
	return n, m.PutObject(ctx, n)
}

func (m *memObjects) InObjectTx(_ context.Context, fn func(tx store.ObjectTx) error) error {
	return fn(m) // no isolation: enough for these tests
}

func (m *memObjects) DeleteExpiredObjects(_ context.Context, t time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, o := range m.objs {
		if !o.ExpiresAt.IsZero() && o.ExpiresAt.Before(t) {
			delete(m.objs, k)
			n++
		}
	}
	return n, nil
}

// fakeRoles is a RoleFinder over a map.
type fakeRoles map[string]*Role

func (f fakeRoles) RoleByARN(_ context.Context, arn string) (*Role, error) {
	r, ok := f[arn]
	if !ok {
		return nil, fmt.Errorf("role %s: %w", arn, store.ErrNotFound)
	}
	c := *r
	return &c, nil
}

const testAccount = "123456789012"

var testEpoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc   *Service
	store *memObjects
	roles fakeRoles
	clock *testClock
}

func newFixture(t testing.TB, masterKey []byte) *fixture {
	t.Helper()
	f := &fixture{store: newMemObjects(), roles: fakeRoles{}, clock: &testClock{t: testEpoch}}
	f.svc = New(f.store, f.roles, testAccount, masterKey)
	f.svc.Now = f.clock.Now
	return f
}

// addRole registers a role whose trust policy is trust.
func (f *fixture) addRole(name, trust string, maxSession int32) *Role {
	r := &Role{
		Name:               name,
		ID:                 "AROA" + strings.ToUpper(fmt.Sprintf("%016x", len(f.roles)+1)),
		ARN:                "arn:aws:iam::" + testAccount + ":role/" + name,
		TrustPolicy:        trust,
		MaxSessionDuration: maxSession,
	}
	f.roles[r.ARN] = r
	return r
}

func rootPrincipal() *principal.Principal {
	return &principal.Principal{Kind: principal.Root, Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root",
		UserID: testAccount, AccessKeyID: "AKIAROOTROOTROOTROOT"}
}

func userPrincipal(name string) *principal.Principal {
	return &principal.Principal{Kind: principal.User, Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/" + name,
		UserID: "AIDA" + strings.ToUpper(fmt.Sprintf("%016x", len(name))), AccessKeyID: "AKIAUSERUSERUSERUSER", UserName: name}
}

func as(p *principal.Principal) context.Context { return principal.With(context.Background(), p) }

// sessionPrincipal is the principal of a request signed with creds' key.
func (f *fixture) sessionPrincipal(t testing.TB, accessKeyID string) *principal.Principal {
	t.Helper()
	c, err := f.svc.LookupCredential(context.Background(), accessKeyID)
	if err != nil {
		t.Fatalf("LookupCredential(%s): %v", accessKeyID, err)
	}
	return c.Principal.(*principal.Principal)
}

func trustPolicy(principalARN string, actions ...string) string {
	if len(actions) == 0 {
		actions = []string{"sts:AssumeRole"}
	}
	acts := `"` + strings.Join(actions, `","`) + `"`
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN + `"},"Action":[` + acts + `]}]}`
}
