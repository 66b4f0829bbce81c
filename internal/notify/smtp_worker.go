package notify

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/store"
)

// settle is how long the worker waits after an Enqueue before it looks: the
// outbox's transaction commits after Enqueue returns.
const settle = 50 * time.Millisecond

// releaseTimeout bounds the store write that records the outcome of an
// attempt, which runs even when the worker is being stopped.
const releaseTimeout = 2 * time.Second

// Run sends due jobs until ctx ends, then returns nil. Run one worker per
// SMTP value; instances sharing a store may each run theirs.
func (s *SMTP) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
			// Only ever brought forward: a steady stream of Enqueues
			// must not keep pushing the next look away.
			if time.Until(next) > settle {
				next = time.Now().Add(settle)
				timer.Reset(settle)
			}
		case <-timer.C:
			wait := s.drain(ctx)
			next = time.Now().Add(wait)
			timer.Reset(wait)
		}
	}
}

// drain sends every job due now, earliest first, and returns how long to
// wait before looking again.
func (s *SMTP) drain(ctx context.Context) time.Duration {
	page := store.Page{Limit: 32}
	for ctx.Err() == nil {
		objs, err := s.store.ListObjects(ctx, SMTPJobKind, "", page)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("smtp: list jobs", "err", err)
			}
			return s.PollInterval
		}
		for _, o := range objs {
			due, ok := jobKeyDue(o.Key)
			if !ok {
				s.logger.Warn("smtp: dropping a job with a malformed key", "key", o.Key)
				_ = s.store.DeleteObject(ctx, SMTPJobKind, o.Key)
				continue
			}
			if wait := due.Sub(s.Now()); wait > 0 {
				return min(wait, s.PollInterval)
			}
			s.process(ctx, o.Key)
			if ctx.Err() != nil {
				return s.PollInterval
			}
		}
		if len(objs) < page.Limit {
			break
		}
		// Processed jobs moved to later keys (or were deleted); going on
		// after the last key seen never reads one twice in a pass.
		page.After = objs[len(objs)-1].Key
	}
	return s.PollInterval
}

// errJobGone stops a transaction whose job another worker took or finished.
var errJobGone = errors.New("smtp: job gone")

// process claims the job at key, sends it and records the outcome.
func (s *SMTP) process(ctx context.Context, key string) {
	owner := randid.String(16, randid.LowerAlnum)
	leaseEnd := s.Now().Add(s.Lease)
	var job smtpJob
	var leasedKey string
	dropped, malformed := false, false
	err := s.store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		o, err := tx.GetObject(ctx, SMTPJobKind, key)
		if errors.Is(err, store.ErrNotFound) {
			return errJobGone
		}
		if err != nil {
			return err
		}
		job, dropped, malformed = smtpJob{}, false, false
		if err := tx.DeleteObject(ctx, SMTPJobKind, key); err != nil {
			return err
		}
		if err := json.Unmarshal(o.Value, &job); err != nil {
			// Not a job this code can read: retrying would not help.
			malformed = true
			return nil
		}
		if job.Attempts >= s.MaxAttempts {
			// A worker died with the last attempt in flight.
			dropped = true
			return nil
		}
		job.Attempts++
		job.Owner = owner
		leasedKey = jobKey(leaseEnd, job.Message.ID)
		return putJob(ctx, tx, leasedKey, job, o.CreatedAt, s.Now())
	})
	switch {
	case errors.Is(err, errJobGone):
		return
	case err != nil:
		if ctx.Err() == nil {
			s.logger.Warn("smtp: claim job", "key", key, "err", err)
		}
		return
	case malformed:
		s.logger.Error("smtp: dropped an unreadable job", "key", key)
		return
	case dropped:
		s.logger.Error("smtp: message dropped after the last attempt; it stays in the outbox",
			"id", job.Message.ID, "pool", job.Message.PoolID, "kind", job.Message.Kind,
			"attempts", job.Attempts, "lastError", job.LastError)
		return
	}

	m, sendErr := unseal(s.aead, job)
	if sendErr != nil {
		sendErr = permanentError{sendErr}
	} else {
		sendErr = s.send(ctx, m)
	}
	// The outcome is recorded even when ctx ended meanwhile: a sent
	// message left leased would be sent again when the lease runs out.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	switch {
	case sendErr == nil:
		s.finish(fctx, leasedKey, owner, nil)
		s.logger.Info("smtp: delivered", "id", job.Message.ID, "pool", job.Message.PoolID,
			"kind", job.Message.Kind, "attempts", job.Attempts)
	case ctx.Err() != nil:
		// Stopped mid-send: hand the job back as it was, due now, so that
		// the next worker (this one after a restart, or another instance)
		// takes it without waiting for the lease to run out.
		job.Attempts--
		s.finish(fctx, leasedKey, owner, &retry{job: job, due: s.Now()})
	case isPermanent(sendErr) || job.Attempts >= s.MaxAttempts:
		s.finish(fctx, leasedKey, owner, nil)
		s.logger.Error("smtp: message dropped; it stays in the outbox",
			"id", job.Message.ID, "pool", job.Message.PoolID, "kind", job.Message.Kind,
			"attempts", job.Attempts, "permanent", isPermanent(sendErr), "err", sendErr)
	default:
		next := s.Now().Add(s.backoff(job.Attempts))
		job.LastError = sendErr.Error()
		s.finish(fctx, leasedKey, owner, &retry{job: job, due: next})
		s.logger.Warn("smtp: attempt failed; will retry", "id", job.Message.ID, "pool", job.Message.PoolID,
			"kind", job.Message.Kind, "attempt", job.Attempts, "next", next, "err", sendErr)
	}
}

type retry struct {
	job smtpJob
	due time.Time
}

// finish removes the leased job and, with r, puts it back due at r.due. It
// does nothing when the lease was lost (the job moved or is owned by another
// worker).
func (s *SMTP) finish(ctx context.Context, leasedKey, owner string, r *retry) {
	err := s.store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		o, err := tx.GetObject(ctx, SMTPJobKind, leasedKey)
		if errors.Is(err, store.ErrNotFound) {
			return errJobGone
		}
		if err != nil {
			return err
		}
		var cur smtpJob
		if err := json.Unmarshal(o.Value, &cur); err != nil {
			return err
		}
		if cur.Owner != owner {
			return errJobGone
		}
		if err := tx.DeleteObject(ctx, SMTPJobKind, leasedKey); err != nil {
			return err
		}
		if r == nil {
			return nil
		}
		j := r.job
		j.Owner = ""
		return putJob(ctx, tx, jobKey(r.due, j.Message.ID), j, o.CreatedAt, s.Now())
	})
	if errors.Is(err, errJobGone) {
		s.logger.Warn("smtp: lease lost before the job was finished; another worker may send it again",
			"key", leasedKey)
		return
	}
	if err != nil {
		s.logger.Warn("smtp: finish job", "key", leasedKey, "err", err)
	}
}

func putJob(ctx context.Context, tx store.ObjectTx, key string, j smtpJob, created, now time.Time) error {
	value, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return tx.CreateObject(ctx, store.Object{Kind: SMTPJobKind, Key: key, Value: value, CreatedAt: created, UpdatedAt: now})
}

// backoff is the wait after the given number of failed attempts.
func (s *SMTP) backoff(attempts int) time.Duration {
	d := s.Backoff
	for i := 1; i < attempts && d < s.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.MaxBackoff)
	// ±20%, so that instances that failed together do not retry together.
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// permanentError is a message that no retry can send.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// isPermanent reports whether err rejects the message itself: a bad
// address, or a 5xx reply to MAIL, RCPT or DATA. Connection, TLS and AUTH
// failures, and 4xx replies, are retried.
func isPermanent(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() {
		code := se.ErrorCode()
		return code >= 500 && code < 600
	}
	return false
}

var htmlTag = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>`)

// send delivers m in one SMTP session, cut off at half the lease.
func (s *SMTP) send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.target.from); err != nil {
		return permanentError{err}
	}
	if err := msg.To(m.To); err != nil {
		return permanentError{err}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	// The id lets a receiver tell a message delivered twice (see SMTP).
	msg.SetMessageIDWithValue(m.ID + "@" + s.target.fromDomain)
	// Cognito's email messages may carry HTML (the pool's
	// VerificationMessageTemplate); such a body goes as text/html.
	ctype := mail.TypeTextPlain
	if htmlTag.MatchString(m.Body) {
		ctype = mail.TypeTextHTML
	}
	msg.SetBodyString(ctype, m.Body)

	sctx, cancel := context.WithTimeout(ctx, s.Lease/2)
	defer cancel()
	client, err := mail.NewClient(s.target.host, s.target.clientOptions(s.target.dialer(sctx))...)
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(sctx, msg); err != nil {
		// Errors from a connection closed by ctx say so poorly.
		if ctxErr := sctx.Err(); ctxErr != nil && !strings.Contains(err.Error(), ctxErr.Error()) {
			return errors.Join(ctxErr, err)
		}
		return err
	}
	return nil
}
