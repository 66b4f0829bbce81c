package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type recordingDeliverer struct {
	got  []notify.Message
	fail error
}

func (d *recordingDeliverer) Enqueue(ctx context.Context, tx store.ObjectTx, m notify.Message) error {
	if d.fail != nil {
		return d.fail
	}
	d.got = append(d.got, m)
	return tx.PutObject(ctx, store.Object{Kind: "smtp.queue", Key: m.ID, Value: []byte(`{}`)})
}

func TestOutboxListsNewestFirstWithFilters(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := &notify.Outbox{Store: st, Now: func() time.Time { return now }}
	send := func(pool, kind, to, code string) {
		t.Helper()
		if err := o.Send(ctx, notify.Message{PoolID: pool, Kind: kind, Medium: notify.Email, To: to, Body: "code " + code, Code: code}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	send("p1", notify.KindSignUp, "a@example.com", "1")
	send("p2", notify.KindSignUp, "a@example.com", "2")
	send("p1", notify.KindForgotPassword, "a@example.com", "3")
	send("p1", notify.KindSignUp, "b@example.com", "4")
	send("p1", notify.KindSignUp, "A@Example.com", "5")

	codes := func(q notify.Query) string {
		t.Helper()
		ms, err := o.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, m := range ms {
			s += m.Code
			if m.ID == "" || m.CreatedAt.IsZero() {
				t.Errorf("message %+v lacks id or time", m)
			}
		}
		return s
	}
	for _, c := range []struct {
		name string
		q    notify.Query
		want string
	}{
		{"one pool, newest first", notify.Query{PoolID: "p1"}, "5431"},
		{"every pool, newest first", notify.Query{}, "54321"},
		{"by destination, case-insensitive for email", notify.Query{PoolID: "p1", To: "a@example.com"}, "531"},
		{"by kind", notify.Query{PoolID: "p1", Kind: notify.KindSignUp}, "541"},
		{"limit", notify.Query{PoolID: "p1", Limit: 2}, "54"},
		{"unknown pool", notify.Query{PoolID: "nope"}, ""},
	} {
		if got := codes(c.q); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := o.List(ctx, notify.Query{Limit: 5000}); !errors.Is(err, notify.ErrBadQuery) {
		t.Errorf("limit 5000: %v, want ErrBadQuery", err)
	}

	// Retention: past it, a message is no longer listed, and the janitor's
	// DeleteExpiredObjects removes it.
	now = now.Add(notify.DefaultRetention - 1500*time.Millisecond)
	if got := codes(notify.Query{}); got != "5" {
		t.Errorf("after the retention: %q, want only the last message", got)
	}
	n, err := st.DeleteExpiredObjects(ctx, now)
	if err != nil || n != 4 {
		t.Errorf("DeleteExpiredObjects = %d, %v; want 4", n, err)
	}
}

func TestOutboxAndDelivererShareATransaction(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	d := &recordingDeliverer{}
	o := notify.NewOutbox(st, d)
	if err := o.Send(ctx, notify.Message{PoolID: "p", Kind: notify.KindMFA, Medium: notify.SMS, To: "+15550100", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(d.got) != 1 {
		t.Fatalf("deliverer got %d messages", len(d.got))
	}
	d.fail = errors.New("queue full")
	if err := o.Send(ctx, notify.Message{PoolID: "p", Kind: notify.KindMFA, Medium: notify.SMS, To: "+15550101", Body: "y"}); err == nil {
		t.Fatal("a failing deliverer did not fail Send")
	}
	ms, err := o.List(ctx, notify.Query{PoolID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].To != "+15550100" {
		t.Errorf("outbox holds %+v; the failed message must not be in it", ms)
	}
}

func TestOutboxKeepsSendOrderAtOneInstantAndFollowsAClockSetBack(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := &notify.Outbox{Store: openStore(t), Now: func() time.Time { return now }}
	for _, code := range []string{"1", "2", "3"} {
		if err := o.Send(ctx, notify.Message{PoolID: "p", Kind: notify.KindSignUp, To: "x@example.com", Code: code}); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(-time.Hour)
	if err := o.Send(ctx, notify.Message{PoolID: "q", Kind: notify.KindSignUp, To: "x@example.com", Code: "4"}); err != nil {
		t.Fatal(err)
	}
	ms, err := o.List(ctx, notify.Query{PoolID: "p"})
	if err != nil || len(ms) != 3 || ms[0].Code != "3" || ms[2].Code != "1" {
		t.Fatalf("same instant: %+v, %v", ms, err)
	}
	ms, _ = o.List(ctx, notify.Query{PoolID: "q"})
	if len(ms) != 1 || !ms[0].CreatedAt.Equal(now) {
		t.Errorf("after the clock went back an hour: %+v, want CreatedAt %v", ms, now)
	}
}
