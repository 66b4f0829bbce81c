// Package transfer copies every record of one store into another: what
// `ninsho migrate` runs to move an SQLite data directory into PostgreSQL (or
// back). It reads the source with store.Dumper and writes the target through
// the ordinary store methods, so the target's own rules (foreign keys,
// unique keys, NUL escaping) apply to every record it receives.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ninsho/ninsho/internal/store"
)

// Target is what Copy writes to: a store that can also tell whether it is
// empty.
type Target interface {
	store.Store
	store.Dumper
}

// Counts are the records of each aggregate.
type Counts struct {
	UserPools     int
	Clients       int
	Users         int
	RefreshTokens int
	SigningKeys   int
	AuthSessions  int
	Objects       int
}

// Total is the number of records of every aggregate.
func (c Counts) Total() int {
	return c.UserPools + c.Clients + c.Users + c.RefreshTokens + c.SigningKeys + c.AuthSessions + c.Objects
}

func (c Counts) String() string {
	return fmt.Sprintf("user pools %d, clients %d, users %d, refresh tokens %d, signing keys %d, challenge sessions %d, objects %d",
		c.UserPools, c.Clients, c.Users, c.RefreshTokens, c.SigningKeys, c.AuthSessions, c.Objects)
}

// ErrNotEmpty is returned by Copy when the target holds records and Force
// is not set.
var ErrNotEmpty = errors.New("the target store is not empty")

// userBatch is how many users Copy writes in one transaction (a variable
// for the tests).
var userBatch = 500

// Options tune Copy.
type Options struct {
	// Force erases every record of the target before copying. Without it,
	// Copy refuses a target that holds any record, which makes a second run
	// fail clearly rather than merge two stores.
	Force bool
	// Workers is how many records are written at once (default 8): a
	// network database answers concurrent inserts far faster than one at a
	// time. Parents (user pools, then clients) are written before any of
	// their children.
	Workers int
}

// Copy copies every record of src into dst and returns how many of each it
// copied. Challenge sessions are copied as well: they live three minutes,
// and a sign-in in progress during the move goes on. The source should not
// be written to meanwhile (stop the servers): Copy reads one snapshot, and
// later writes would not be copied.
func Copy(ctx context.Context, dst Target, src store.Dumper, opts Options) (Counts, error) {
	if opts.Force {
		if err := dst.Reset(ctx); err != nil {
			return Counts{}, fmt.Errorf("erase the target: %w", err)
		}
	} else {
		n, err := Count(ctx, dst)
		if err != nil {
			return Counts{}, fmt.Errorf("count the target's records: %w", err)
		}
		if n.Total() > 0 {
			return Counts{}, fmt.Errorf("%w (%v): erase it first, or run again with --force to replace its content", ErrNotEmpty, n)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 8
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := &writer{ctx: ctx, cancel: cancel, jobs: make(chan func() error, 4*workers)}
	for range workers {
		w.wg.Add(1)
		go w.run()
	}
	var c Counts
	// Users go in batches of userBatch, one transaction each, when the
	// target can (a million users move in minutes rather than an hour).
	bulk, _ := dst.(store.BulkUserCreator)
	var batch []store.User
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		us := batch
		batch = nil
		return w.do(func() error {
			return wrap(fmt.Sprintf("%d users from %s/%s", len(us), us[0].PoolID, us[0].Key), bulk.CreateUsers(ctx, us))
		})
	}
	// Pools and clients are written in line, so that every one exists
	// before a child that names it is queued.
	err := src.Dump(ctx, store.DumpVisitor{
		UserPool: func(p store.UserPool) error {
			c.UserPools++
			return wrap("user pool "+p.ID, dst.CreateUserPool(ctx, p))
		},
		Client: func(cl store.Client) error {
			c.Clients++
			return wrap("client "+cl.ID, dst.CreateClient(ctx, cl))
		},
		User: func(u store.User) error {
			c.Users++
			if bulk == nil {
				return w.do(func() error { return wrap("user "+u.PoolID+"/"+u.Key, dst.CreateUser(ctx, u)) })
			}
			batch = append(batch, u)
			if len(batch) < userBatch {
				return nil
			}
			return flush()
		},
		RefreshToken: func(t store.RefreshToken) error {
			c.RefreshTokens++
			return w.do(func() error { return wrap("refresh token of "+t.PoolID+"/"+t.Username, dst.CreateRefreshToken(ctx, t)) })
		},
		SigningKey: func(k store.SigningKey) error {
			c.SigningKeys++
			return w.do(func() error { return wrap("signing key "+k.KID, dst.CreateSigningKey(ctx, k)) })
		},
		AuthSession: func(a store.AuthSession) error {
			c.AuthSessions++
			return w.do(func() error {
				return wrap("challenge session of "+a.PoolID+"/"+a.Username, dst.CreateAuthSession(ctx, a))
			})
		},
		Object: func(o store.Object) error {
			c.Objects++
			return w.do(func() error { return wrap("object "+o.Kind+" "+o.Key, dst.CreateObject(ctx, o)) })
		},
	})
	if err == nil {
		err = flush()
	}
	close(w.jobs)
	w.wg.Wait()
	if cerr := context.Cause(ctx); cerr != nil && !errors.Is(cerr, context.Canceled) {
		return c, cerr
	}
	if err != nil {
		return c, err
	}
	return c, nil
}

// Count returns how many records of each aggregate s holds.
func Count(ctx context.Context, s store.Dumper) (Counts, error) {
	var c Counts
	err := s.Dump(ctx, store.DumpVisitor{
		UserPool:     func(store.UserPool) error { c.UserPools++; return nil },
		Client:       func(store.Client) error { c.Clients++; return nil },
		User:         func(store.User) error { c.Users++; return nil },
		RefreshToken: func(store.RefreshToken) error { c.RefreshTokens++; return nil },
		SigningKey:   func(store.SigningKey) error { c.SigningKeys++; return nil },
		AuthSession:  func(store.AuthSession) error { c.AuthSessions++; return nil },
		Object:       func(store.Object) error { c.Objects++; return nil },
	})
	return c, err
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("copy %s: %w", what, err)
	}
	return nil
}

// writer runs write jobs on a few goroutines; the first failure cancels
// the copy with its error as the cause.
type writer struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	jobs   chan func() error
	wg     sync.WaitGroup
}

func (w *writer) run() {
	defer w.wg.Done()
	for job := range w.jobs {
		if w.ctx.Err() != nil {
			continue // drain
		}
		if err := job(); err != nil {
			w.cancel(err)
		}
	}
}

// do queues job, or returns the copy's failure.
func (w *writer) do(job func() error) error {
	select {
	case w.jobs <- job:
		return nil
	case <-w.ctx.Done():
		return context.Cause(w.ctx)
	}
}
