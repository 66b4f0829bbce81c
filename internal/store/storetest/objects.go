package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

const (
	kindA = "test.thing"
	kindB = "test.other"
)

func newObject(kind, key string) store.Object {
	return store.Object{Kind: kind, Key: key, Value: []byte(`{"key":"` + key + `"}`), CreatedAt: t0, UpdatedAt: at(time.Second)}
}

func mustObject(t *testing.T, s store.ObjectTx, o store.Object) store.Object {
	t.Helper()
	if err := s.CreateObject(t.Context(), o); err != nil {
		t.Fatalf("CreateObject(%s, %q): %v", o.Kind, o.Key, err)
	}
	return o
}

// sameObject fails the test unless the stored object kind/key is want.
func sameObject(t *testing.T, s store.ObjectTx, what string, want store.Object) {
	t.Helper()
	got, err := s.GetObject(t.Context(), want.Kind, want.Key)
	noErr(t, what+": GetObject", err)
	same(t, what, got, want)
}

func noObject(t *testing.T, s store.ObjectTx, what, kind, key string) {
	t.Helper()
	_, err := s.GetObject(t.Context(), kind, key)
	wantErr(t, what+": GetObject", err, store.ErrNotFound)
}

func objectKeys(os []store.Object) []string {
	keys := []string{}
	for _, o := range os {
		keys = append(keys, o.Key)
	}
	return keys
}

// checkObjectList checks that kind and prefix list want (in key order), whole
// and in pages of 1, 2 and 3.
func checkObjectList(t *testing.T, s store.ObjectTx, kind, prefix string, want []string) {
	t.Helper()
	for _, n := range []int{0, 1, 2, 3} {
		list := func(p store.Page) ([]string, error) {
			os, err := s.ListObjects(t.Context(), kind, prefix, p)
			for _, o := range os {
				if o.Kind != kind {
					t.Errorf("object %s/%q listed for kind %s", o.Kind, o.Key, kind)
				}
			}
			return objectKeys(os), err
		}
		var got []string
		if n == 0 {
			var err error
			got, err = list(store.Page{})
			noErr(t, fmt.Sprintf("ListObjects(%s, %q)", kind, prefix), err)
		} else {
			got = pageThrough(t, n, list)
		}
		sameKeys(t, fmt.Sprintf("ListObjects(%s, %q) in pages of %d", kind, prefix, n), got, want)
	}
}

// counter reads the "n" of a counter object's value.
func counter(o store.Object) (int, error) {
	var c struct{ N int }
	err := json.Unmarshal(o.Value, &c)
	return c.N, err
}

func increment(o store.Object) (store.Object, error) {
	n, err := counter(o)
	if err != nil {
		return o, err
	}
	o.Value = fmt.Appendf(nil, `{"n":%d}`, n+1)
	return o, nil
}

// incrementConcurrently runs workers goroutines, each incrementing the
// counter object kindA/"counter" once with inc(i), and checks that none is
// lost.
func incrementConcurrently(t *testing.T, s store.Store, inc func(i int) error) {
	t.Helper()
	c := newObject(kindA, "counter")
	c.Value = []byte(`{"n":0}`)
	mustObject(t, s, c)
	const workers = 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() { errs <- inc(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, "increment", err)
	}
	got, err := s.GetObject(t.Context(), kindA, "counter")
	noErr(t, "GetObject", err)
	if n, err := counter(got); err != nil || n != workers {
		t.Errorf("counter = %s after %d increments", got.Value, workers)
	}
}

func txIncrement(t *testing.T, s store.Store) func(int) error {
	ctx := t.Context()
	return func(int) error {
		return s.InObjectTx(ctx, func(tx store.ObjectTx) error {
			o, err := tx.GetObject(ctx, kindA, "counter")
			if err != nil {
				return err
			}
			if o, err = increment(o); err != nil {
				return err
			}
			return tx.PutObject(ctx, o)
		})
	}
}

var objectTests = []subtest{
	{"an object is created, read and deleted, and deleting it again returns ErrNotFound", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		o := mustObject(t, s, newObject(kindA, "acct/alice"))
		sameObject(t, s, "created object", o)
		noErr(t, "DeleteObject", s.DeleteObject(ctx, kindA, "acct/alice"))
		noObject(t, s, "deleted object", kindA, "acct/alice")
		wantErr(t, "second DeleteObject", s.DeleteObject(ctx, kindA, "acct/alice"), store.ErrNotFound)
	}},
	{"objects of different kinds with one key are distinct", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := mustObject(t, s, newObject(kindA, "k"))
		noObject(t, s, "other kind", kindB, "k")
		wantErr(t, "DeleteObject(other kind)", s.DeleteObject(ctx, kindB, "k"), store.ErrNotFound)
		b := newObject(kindB, "k")
		b.Value = []byte(`{"b":true}`)
		mustObject(t, s, b)
		sameObject(t, s, "object of kind A", a)
		sameObject(t, s, "object of kind B", b)
		noErr(t, "DeleteObject(B)", s.DeleteObject(ctx, kindB, "k"))
		sameObject(t, s, "object of kind A", a)
	}},
	{"creating an object twice returns ErrExists and keeps the first", func(t *testing.T, s store.Store) {
		o := mustObject(t, s, newObject(kindA, "k"))
		second := newObject(kindA, "k")
		second.Value, second.CreatedAt = []byte(`{"second":true}`), at(time.Hour)
		wantErr(t, "second CreateObject", s.CreateObject(t.Context(), second), store.ErrExists)
		sameObject(t, s, "stored object", o)
	}},
	{"putting an object creates it, then replaces it keeping its CreatedAt", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		o := newObject(kindA, "k")
		o.ExpiresAt = at(time.Hour)
		noErr(t, "PutObject (create)", s.PutObject(ctx, o))
		sameObject(t, s, "created object", o)

		r := store.Object{Kind: kindA, Key: "k", Value: []byte(`{"v":2}`), ExpiresAt: at(2 * time.Hour), CreatedAt: at(5 * time.Hour), UpdatedAt: at(3 * time.Hour)}
		noErr(t, "PutObject (replace)", s.PutObject(ctx, r))
		r.CreatedAt = o.CreatedAt
		sameObject(t, s, "replaced object", r)

		// Replacing with a zero ExpiresAt makes it never expire.
		r.ExpiresAt, r.Value = time.Time{}, nil
		noErr(t, "PutObject (no expiry)", s.PutObject(ctx, r))
		sameObject(t, s, "replaced object without expiry", r)
		n, err := s.DeleteExpiredObjects(ctx, at(1000*time.Hour))
		noErr(t, "DeleteExpiredObjects", err)
		if n != 0 {
			t.Errorf("DeleteExpiredObjects deleted %d objects", n)
		}
	}},
	{"object times come back in UTC to the millisecond and zero times stay zero", func(t *testing.T, s store.Store) {
		o := newObject(kindA, "times")
		o.ExpiresAt = at(time.Hour + 999*time.Microsecond)
		mustObject(t, s, o)
		got, err := s.GetObject(t.Context(), kindA, "times")
		noErr(t, "GetObject", err)
		same(t, "object", got, o) // same checks UTC and compares to the millisecond
		if want := time.UnixMilli(o.ExpiresAt.UnixMilli()).UTC(); !got.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want)
		}
		z := store.Object{Kind: kindA, Key: "zero"}
		mustObject(t, s, z)
		got, err = s.GetObject(t.Context(), kindA, "zero")
		noErr(t, "GetObject(zero)", err)
		if !got.ExpiresAt.IsZero() || !got.CreatedAt.IsZero() || !got.UpdatedAt.IsZero() || len(got.Value) != 0 {
			t.Errorf("object with zero fields read back as %+v", got)
		}
	}},
	{"expired objects are read and listed until DeleteExpiredObjects removes those expired strictly before t", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		never := mustObject(t, s, newObject(kindA, "never"))
		mk := func(kind, key string, exp time.Time) store.Object {
			o := newObject(kind, key)
			o.ExpiresAt = exp
			return mustObject(t, s, o)
		}
		early := mk(kindA, "early", at(time.Hour))
		atT := mk(kindA, "at-t", at(2*time.Hour))
		late := mk(kindA, "late", at(3*time.Hour))
		otherKind := mk(kindB, "early", at(time.Hour))

		// Long past its expiry, the object is still there: judging it is the
		// service's job.
		sameObject(t, s, "expired object", early)
		checkObjectList(t, s, kindA, "", []string{"at-t", "early", "late", "never"})

		n, err := s.DeleteExpiredObjects(ctx, at(2*time.Hour))
		noErr(t, "DeleteExpiredObjects", err)
		if n != 2 {
			t.Errorf("DeleteExpiredObjects(t) = %d, want 2 (one of each kind)", n)
		}
		noObject(t, s, "expired object", kindA, "early")
		noObject(t, s, "expired object of another kind", kindB, otherKind.Key)
		sameObject(t, s, "object expiring at t", atT)
		sameObject(t, s, "object expiring after t", late)
		sameObject(t, s, "object without expiry", never)

		n, err = s.DeleteExpiredObjects(ctx, at(10000*time.Hour))
		noErr(t, "DeleteExpiredObjects", err)
		if n != 2 {
			t.Errorf("second DeleteExpiredObjects = %d, want 2", n)
		}
		checkObjectList(t, s, kindA, "", []string{"never"})
	}},
	{"objects are listed by key and paged, per kind and prefix", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		keys := []string{"bob/x", "alice/c", "alice", "alice/a", "alicea", "alice/b", "alice/b/1", "carol/"}
		for _, k := range keys {
			mustObject(t, s, newObject(kindA, k))
		}
		mustObject(t, s, newObject(kindB, "alice/0"))
		all := slices.Sorted(slices.Values(keys))
		checkObjectList(t, s, kindA, "", all)
		checkObjectList(t, s, kindA, "alice/", []string{"alice/a", "alice/b", "alice/b/1", "alice/c"})
		checkObjectList(t, s, kindA, "alice", []string{"alice", "alice/a", "alice/b", "alice/b/1", "alice/c", "alicea"})
		checkObjectList(t, s, kindA, "alice/b", []string{"alice/b", "alice/b/1"})
		checkObjectList(t, s, kindA, "carol/", []string{"carol/"})
		checkObjectList(t, s, kindA, "dave/", nil)
		checkObjectList(t, s, kindB, "alice/", []string{"alice/0"})
		checkObjectList(t, s, "test.none", "", nil)

		for _, c := range []struct {
			prefix string
			page   store.Page
			want   []string
		}{
			{"alice/", store.Page{After: "alice/aa", Limit: 1}, []string{"alice/b"}},                  // After need not exist
			{"alice/", store.Page{After: "alice/c"}, nil},                                             // after the last key
			{"alice/", store.Page{After: "a", Limit: 2}, []string{"alice/a", "alice/b"}},              // After before the prefix
			{"alice/", store.Page{After: "zzz"}, nil},                                                 // After beyond the prefix
			{"", store.Page{After: "alice/c", Limit: 2}, []string{"alicea", "bob/x"}},                 // no prefix
			{"alice/", store.Page{Limit: -1}, []string{"alice/a", "alice/b", "alice/b/1", "alice/c"}}, // negative: no limit
		} {
			os, err := s.ListObjects(ctx, kindA, c.prefix, c.page)
			noErr(t, "ListObjects", err)
			sameKeys(t, fmt.Sprintf("ListObjects(%q, %+v)", c.prefix, c.page), objectKeys(os), c.want)
		}
	}},
	{"listed objects are complete records", func(t *testing.T, s store.Store) {
		a := newObject(kindA, "p/a")
		a.ExpiresAt = at(time.Hour)
		mustObject(t, s, a)
		b := mustObject(t, s, newObject(kindA, "p/b"))
		os, err := s.ListObjects(t.Context(), kindA, "p/", store.Page{})
		noErr(t, "ListObjects", err)
		same(t, "listed objects", os, []store.Object{a, b})
	}},
	{"object keys compare byte-wise, and prefixes ending in the highest code points list exactly their keys", func(t *testing.T, s store.Store) {
		keys := []string{
			"B", "a", "z", "é", "\u00ff", "\u00ffa", "\u00ff\U0010ffff", "\u0100", "\u00fez",
			"x\U0010fffe", "x\U0010ffff", "x\U0010ffffy", "y",
			"\U0010fffe", "\U0010ffff", "\U0010ffffz",
			"日本", "日本語", "日朝", "旧",
		}
		for _, k := range keys {
			mustObject(t, s, newObject(kindA, k))
		}
		// Byte order: upper case before lower case, ASCII before the rest,
		// multi-byte UTF-8 by code point.
		checkObjectList(t, s, kindA, "", slices.Sorted(slices.Values(keys)))
		for _, c := range []struct {
			prefix string
			want   []string
		}{
			{"B", []string{"B"}},
			{"b", nil},
			{"\u00ff", []string{"\u00ff", "\u00ffa", "\u00ff\U0010ffff"}},
			{"x\U0010ffff", []string{"x\U0010ffff", "x\U0010ffffy"}},
			{"x", []string{"x\U0010fffe", "x\U0010ffff", "x\U0010ffffy"}},
			{"\U0010ffff", []string{"\U0010ffff", "\U0010ffffz"}},
			{"\U0010fffe", []string{"\U0010fffe"}},
			{"日本", []string{"日本", "日本語"}},
			{"日", []string{"日朝", "日本", "日本語"}},
		} {
			checkObjectList(t, s, kindA, c.prefix, c.want)
		}
		n, err := s.DeleteObjectsWithPrefix(t.Context(), kindA, "\U0010ffff")
		noErr(t, "DeleteObjectsWithPrefix", err)
		if n != 2 {
			t.Errorf("DeleteObjectsWithPrefix(U+10FFFF) = %d, want 2", n)
		}
		n, err = s.DeleteObjectsWithPrefix(t.Context(), kindA, "\u00ff")
		noErr(t, "DeleteObjectsWithPrefix", err)
		if n != 3 {
			t.Errorf("DeleteObjectsWithPrefix(U+00FF) = %d, want 3", n)
		}
		checkObjectList(t, s, kindA, "\U0010ffff", nil)
		checkObjectList(t, s, kindA, "\u0100", []string{"\u0100"})
		checkObjectList(t, s, kindA, "\U0010fffe", []string{"\U0010fffe"})
		checkObjectList(t, s, kindA, "\u00fe", []string{"\u00fez"})
	}},
	{"deleting by prefix counts the deleted objects and spares other prefixes and kinds", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, k := range []string{"alice/1", "alice/2", "alice", "alice2", "bob/1"} {
			mustObject(t, s, newObject(kindA, k))
		}
		b := mustObject(t, s, newObject(kindB, "alice/1"))
		n, err := s.DeleteObjectsWithPrefix(ctx, kindA, "alice/")
		noErr(t, "DeleteObjectsWithPrefix", err)
		if n != 2 {
			t.Errorf("DeleteObjectsWithPrefix(alice/) = %d, want 2", n)
		}
		checkObjectList(t, s, kindA, "", []string{"alice", "alice2", "bob/1"})
		sameObject(t, s, "object of another kind", b)

		n, err = s.DeleteObjectsWithPrefix(ctx, kindA, "carol/")
		noErr(t, "DeleteObjectsWithPrefix(no match)", err)
		if n != 0 {
			t.Errorf("DeleteObjectsWithPrefix(carol/) = %d, want 0", n)
		}
		n, err = s.DeleteObjectsWithPrefix(ctx, kindA, "")
		noErr(t, "DeleteObjectsWithPrefix(all)", err)
		if n != 3 {
			t.Errorf("DeleteObjectsWithPrefix(\"\") = %d, want 3", n)
		}
		checkObjectList(t, s, kindA, "", nil)
		sameObject(t, s, "object of another kind", b)
	}},
	{"updating an object stores what the updater returns", func(t *testing.T, s store.Store) {
		o := mustObject(t, s, newObject(kindA, "k"))
		var seen store.Object
		got, err := s.UpdateObject(t.Context(), kindA, "k", func(old store.Object) (store.Object, error) {
			seen = old
			old.Value = []byte(`{"v":2}`)
			old.ExpiresAt = at(time.Hour)
			old.CreatedAt = at(-time.Hour)
			old.UpdatedAt = at(2 * time.Hour)
			return old, nil
		})
		noErr(t, "UpdateObject", err)
		same(t, "updater's argument", seen, o)
		o.Value, o.ExpiresAt, o.CreatedAt, o.UpdatedAt = []byte(`{"v":2}`), at(time.Hour), at(-time.Hour), at(2*time.Hour)
		same(t, "returned object", got, o)
		sameObject(t, s, "stored object", o)
	}},
	{"updating a missing object returns ErrNotFound without calling the updater", func(t *testing.T, s store.Store) {
		mustObject(t, s, newObject(kindB, "k"))
		_, err := s.UpdateObject(t.Context(), kindA, "k", func(o store.Object) (store.Object, error) {
			t.Error("updater called")
			return o, nil
		})
		wantErr(t, "UpdateObject", err, store.ErrNotFound)
	}},
	{"an object updater's error aborts the update and is returned", func(t *testing.T, s store.Store) {
		o := mustObject(t, s, newObject(kindA, "k"))
		_, err := s.UpdateObject(t.Context(), kindA, "k", func(o store.Object) (store.Object, error) {
			o.Value = []byte(`{"v":2}`)
			return o, errTest
		})
		wantErr(t, "UpdateObject", err, errTest)
		sameObject(t, s, "stored object", o)
	}},
	{"an object updater cannot change the kind or key", func(t *testing.T, s store.Store) {
		o := mustObject(t, s, newObject(kindA, "k"))
		got, err := s.UpdateObject(t.Context(), kindA, "k", func(o store.Object) (store.Object, error) {
			o.Kind, o.Key = kindB, "k2"
			o.Value = []byte(`{"v":2}`)
			return o, nil
		})
		noErr(t, "UpdateObject", err)
		o.Value = []byte(`{"v":2}`)
		same(t, "returned object", got, o)
		sameObject(t, s, "stored object", o)
		noObject(t, s, "changed key", kindA, "k2")
		noObject(t, s, "changed kind and key", kindB, "k2")
		noObject(t, s, "changed kind", kindB, "k")
	}},
	{"a transaction commits all its writes when fn returns nil, and its reads see its own writes", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		old := mustObject(t, s, newObject(kindA, "p/old"))
		gone := mustObject(t, s, newObject(kindA, "p/gone"))
		mustObject(t, s, newObject(kindA, "q/1"))
		mustObject(t, s, newObject(kindA, "q/2"))
		created, put := newObject(kindA, "p/new"), newObject(kindA, "p/put")
		old.Value = []byte(`{"replaced":true}`)
		err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
			mustObject(t, tx, created)
			noErr(t, "PutObject", tx.PutObject(ctx, put))
			noErr(t, "PutObject(replace)", tx.PutObject(ctx, old))
			noErr(t, "DeleteObject", tx.DeleteObject(ctx, kindA, gone.Key))
			n, err := tx.DeleteObjectsWithPrefix(ctx, kindA, "q/")
			noErr(t, "DeleteObjectsWithPrefix", err)
			if n != 2 {
				t.Errorf("DeleteObjectsWithPrefix in the transaction = %d, want 2", n)
			}
			sameObject(t, tx, "object created in the transaction", created)
			sameObject(t, tx, "object put in the transaction", put)
			sameObject(t, tx, "object replaced in the transaction", old)
			noObject(t, tx, "object deleted in the transaction", kindA, gone.Key)
			checkObjectList(t, tx, kindA, "", []string{"p/new", "p/old", "p/put"})
			return nil
		})
		noErr(t, "InObjectTx", err)
		sameObject(t, s, "created object", created)
		sameObject(t, s, "put object", put)
		sameObject(t, s, "replaced object", old)
		noObject(t, s, "deleted object", kindA, gone.Key)
		checkObjectList(t, s, kindA, "", []string{"p/new", "p/old", "p/put"})
	}},
	{"an error returned by a transaction's fn rolls back all its writes and is returned", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		old := mustObject(t, s, newObject(kindA, "p/old"))
		gone := mustObject(t, s, newObject(kindA, "p/gone"))
		q := mustObject(t, s, newObject(kindA, "q/1"))
		b := mustObject(t, s, newObject(kindB, "b"))
		err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
			mustObject(t, tx, newObject(kindA, "p/new"))
			changed := old
			changed.Value = []byte(`{"replaced":true}`)
			noErr(t, "PutObject", tx.PutObject(ctx, changed))
			noErr(t, "DeleteObject", tx.DeleteObject(ctx, kindA, gone.Key))
			_, err := tx.DeleteObjectsWithPrefix(ctx, kindA, "q/")
			noErr(t, "DeleteObjectsWithPrefix", err)
			noErr(t, "DeleteObject(B)", tx.DeleteObject(ctx, kindB, "b"))
			return fmt.Errorf("giving up: %w", errTest)
		})
		wantErr(t, "InObjectTx", err, errTest)
		noObject(t, s, "created object", kindA, "p/new")
		sameObject(t, s, "replaced object", old)
		sameObject(t, s, "deleted object", gone)
		sameObject(t, s, "object deleted by prefix", q)
		sameObject(t, s, "object of kind B", b)
		checkObjectList(t, s, kindA, "", []string{"p/gone", "p/old", "q/1"})
	}},
	{"ErrExists and ErrNotFound inside a transaction leave it usable", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		o := mustObject(t, s, newObject(kindA, "k"))
		after := newObject(kindA, "after")
		err := s.InObjectTx(ctx, func(tx store.ObjectTx) error {
			wantErr(t, "CreateObject(taken)", tx.CreateObject(ctx, newObject(kindA, "k")), store.ErrExists)
			_, err := tx.GetObject(ctx, kindA, "missing")
			wantErr(t, "GetObject(missing)", err, store.ErrNotFound)
			wantErr(t, "DeleteObject(missing)", tx.DeleteObject(ctx, kindA, "missing"), store.ErrNotFound)
			noErr(t, "PutObject", tx.PutObject(ctx, after))
			sameObject(t, tx, "object in the transaction", o)
			return nil
		})
		noErr(t, "InObjectTx", err)
		sameObject(t, s, "object written after the errors", after)
		sameObject(t, s, "object", o)
	}},
	{"concurrent increments in transactions lose no update", func(t *testing.T, s store.Store) {
		incrementConcurrently(t, s, txIncrement(t, s))
	}},
	{"concurrent UpdateObject increments lose no update", func(t *testing.T, s store.Store) {
		incrementConcurrently(t, s, func(int) error {
			_, err := s.UpdateObject(t.Context(), kindA, "counter", increment)
			return err
		})
	}},
	{"concurrent increments in transactions and UpdateObject together lose no update", func(t *testing.T, s store.Store) {
		inTx := txIncrement(t, s)
		incrementConcurrently(t, s, func(i int) error {
			if i%2 == 0 {
				return inTx(i)
			}
			_, err := s.UpdateObject(t.Context(), kindA, "counter", increment)
			return err
		})
	}},
	{"concurrently creating one object key succeeds exactly once", func(t *testing.T, s store.Store) {
		const workers = 20
		var wg sync.WaitGroup
		type result struct {
			i   int
			err error
		}
		results := make(chan result, workers)
		for i := range workers {
			wg.Go(func() {
				o := newObject(kindA, "k")
				o.Value = fmt.Appendf(nil, `{"n":%d}`, i)
				results <- result{i, s.CreateObject(t.Context(), o)}
			})
		}
		wg.Wait()
		close(results)
		var ok, exists, winner int
		for r := range results {
			switch {
			case r.err == nil:
				ok++
				winner = r.i
			case errors.Is(r.err, store.ErrExists):
				exists++
			default:
				t.Errorf("CreateObject: %v", r.err)
			}
		}
		if ok != 1 || exists != workers-1 {
			t.Errorf("%d successes and %d ErrExists, want 1 and %d", ok, exists, workers-1)
		}
		got, err := s.GetObject(t.Context(), kindA, "k")
		noErr(t, "GetObject", err)
		if n, err := counter(got); err != nil || n != winner {
			t.Errorf("stored value %s, want the winner's {\"n\":%d}", got.Value, winner)
		}
	}},
	{"Reset removes every object and leaves the store usable", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := mustObject(t, s, newObject(kindA, "a/1"))
		expiring := newObject(kindB, "b/1")
		expiring.ExpiresAt = at(time.Hour)
		mustObject(t, s, expiring)
		noErr(t, "Reset", s.Reset(ctx))
		noObject(t, s, "object after Reset", kindA, "a/1")
		noObject(t, s, "expiring object after Reset", kindB, "b/1")
		checkObjectList(t, s, kindA, "", nil)
		checkObjectList(t, s, kindB, "", nil)
		n, err := s.DeleteExpiredObjects(ctx, at(10*time.Hour))
		noErr(t, "DeleteExpiredObjects", err)
		if n != 0 {
			t.Errorf("DeleteExpiredObjects after Reset = %d", n)
		}
		mustObject(t, s, a)
		sameObject(t, s, "object created after Reset", a)
	}},
}
