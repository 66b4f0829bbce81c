package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/store"
)

// ObjectKind is the store kind of outbox messages. Keys are
// "<poolId>/<19-digit reversed nanoseconds>/<id>", so that listing one
// pool's prefix yields its messages newest first.
const ObjectKind = "notify.message"

// DefaultRetention is how long a message stays in the outbox.
const DefaultRetention = 7 * 24 * time.Hour

// Limits of List.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
	// maxScan bounds the objects one List reads while filtering by To or
	// Kind, so that a query that matches little cannot read everything.
	maxScan = 20000
)

// Outbox is the Sender every pool uses: it keeps each message in the store
// for Retention, and hands it to the Deliverer (SMTP), when there is one,
// in the same transaction.
type Outbox struct {
	Store     store.ObjectStore
	Deliverer Deliverer // optional
	Now       func() time.Time
	Retention time.Duration // DefaultRetention when zero

	mu   sync.Mutex
	last time.Time // the newest CreatedAt this outbox gave
}

// NewOutbox returns an outbox over st with the real clock.
func NewOutbox(st store.ObjectStore, d Deliverer) *Outbox {
	return &Outbox{Store: st, Deliverer: d, Now: time.Now}
}

func (o *Outbox) now() time.Time {
	if o.Now == nil {
		return time.Now().UTC()
	}
	return o.Now().UTC()
}

// messageKey orders a pool's messages newest first: the reversed time sorts
// byte-wise in the opposite order of the time.
func messageKey(m Message) string {
	pool := m.PoolID
	if pool == "" {
		pool = "-"
	}
	return fmt.Sprintf("%s/%019d/%s", pool, math.MaxInt64-m.CreatedAt.UnixNano(), m.ID)
}

// Send writes m to the outbox, and to the Deliverer in the same transaction.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if m.ID == "" {
		m.ID = randid.String(20, "0123456789abcdefghijklmnopqrstuvwxyz")
	}
	if m.CreatedAt.IsZero() {
		// Messages sent at the same instant (a frozen test clock, a coarse
		// one) still list in the order they were sent.
		o.mu.Lock()
		// A clock set back (POST /_ninsho/reset) is followed, not
		// overtaken.
		m.CreatedAt = o.now()
		if !m.CreatedAt.After(o.last) && o.last.Sub(m.CreatedAt) < time.Millisecond {
			m.CreatedAt = o.last.Add(time.Nanosecond)
		}
		o.last = m.CreatedAt
		o.mu.Unlock()
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if strings.Contains(m.PoolID, "/") {
		return fmt.Errorf("notify: pool id %q contains a slash", m.PoolID)
	}
	value, err := json.Marshal(m)
	if err != nil {
		return err
	}
	retention := o.Retention
	if retention <= 0 {
		retention = DefaultRetention
	}
	obj := store.Object{Kind: ObjectKind, Key: messageKey(m), Value: value, ExpiresAt: m.CreatedAt.Add(retention)}
	return o.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.CreateObject(ctx, obj); err != nil {
			return fmt.Errorf("notify: outbox: %w", err)
		}
		if o.Deliverer != nil {
			return o.Deliverer.Enqueue(ctx, tx, m)
		}
		return nil
	})
}

// Query selects messages: every field is optional.
type Query struct {
	PoolID string
	To     string // exact destination, case-insensitive for email addresses
	Kind   string
	Limit  int // DefaultListLimit when zero, at most MaxListLimit
}

// ErrBadQuery is returned by List for a limit out of range.
var ErrBadQuery = errors.New("notify: bad query")

// List returns the messages q selects, newest first. Messages past their
// retention are not listed even before the janitor removes them.
func (o *Outbox) List(ctx context.Context, q Query) ([]Message, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultListLimit
	case limit < 0 || limit > MaxListLimit:
		return nil, fmt.Errorf("%w: limit must be between 1 and %d", ErrBadQuery, MaxListLimit)
	}
	if strings.Contains(q.PoolID, "/") {
		return []Message{}, nil
	}
	prefix := ""
	if q.PoolID != "" {
		prefix = q.PoolID + "/"
	}
	now := o.now()
	out := []Message{}
	after, scanned := "", 0
	// Without a pool the keys are ordered by pool first: read everything
	// (bounded by maxScan) and sort by time.
	all := q.PoolID == ""
	for scanned < maxScan {
		objs, err := o.Store.ListObjects(ctx, ObjectKind, prefix, store.Page{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			scanned++
			if !obj.ExpiresAt.IsZero() && !obj.ExpiresAt.After(now) {
				continue
			}
			var m Message
			if err := json.Unmarshal(obj.Value, &m); err != nil {
				return nil, fmt.Errorf("notify: outbox %s: %w", obj.Key, err)
			}
			if q.Kind != "" && m.Kind != q.Kind {
				continue
			}
			if q.To != "" && !sameDestination(m.To, q.To) {
				continue
			}
			out = append(out, m)
		}
		if len(objs) < 500 || (!all && len(out) >= limit) {
			break
		}
		after = objs[len(objs)-1].Key
	}
	if all {
		sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sameDestination(a, b string) bool {
	if strings.Contains(a, "@") {
		return strings.EqualFold(a, b)
	}
	return a == b
}
