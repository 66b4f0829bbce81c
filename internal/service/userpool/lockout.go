package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// Lockout after failed sign-ins, as Cognito does it: "After five failed
// sign-in attempts, Amazon Cognito locks out your user for one second. The
// lockout duration then doubles after each additional one failed attempt,
// up to a maximum of approximately 15 minutes. Attempts made during a lockout
// period generate a Password attempts exceeded exception, and don't affect
// the duration of subsequent lockout periods. ... To reset the lockout ...
// your user must either sign in successfully after a lockout period expires,
// or not initiate any sign-in attempts for 15 consecutive minutes at any time
// after a lockout." (Cognito developer guide, authentication flow,
// "User pool lockout behavior for failed sign-in attempts".)
//
// A user's counter is the "lockout" section of User.Extra, written with
// UpdateUser's updater so that concurrent failures are all counted. With
// PreventUserExistenceErrors, names that match no user count failures as
// well (objects of kind userpool.lockout, key <poolId>/<name key>), so that
// "Password attempts exceeded" does not tell a real user from nobody.
const (
	lockoutSection   = "lockout"
	kindLockout      = "userpool.lockout"
	lockoutThreshold = 5
	maxLockout       = 15 * time.Minute
	lockoutIdleReset = 15 * time.Minute
)

var errAttemptsExceeded = cip.NewNotAuthorizedException("Password attempts exceeded")

// lockoutState counts consecutive failed sign-ins.
type lockoutState struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"last"` // the last counted failure
}

// lockoutDuration is how long n consecutive failures lock sign-in out:
// nothing below five, then 2^(n-5) seconds, at most about 15 minutes.
func lockoutDuration(n int) time.Duration {
	if n < lockoutThreshold {
		return 0
	}
	shift := n - lockoutThreshold
	if shift >= 10 { // 2^10 s is past the cap already
		return maxLockout
	}
	d := time.Duration(1<<shift) * time.Second
	if d > maxLockout {
		return maxLockout
	}
	return d
}

func (st lockoutState) lockedUntil() time.Time {
	return st.Last.Add(lockoutDuration(st.Failures))
}

// locked reports whether a sign-in at now is refused without a password
// check.
func (st lockoutState) locked(now time.Time) bool {
	return st.Failures >= lockoutThreshold && now.Before(st.lockedUntil())
}

// current is the state as of now: fifteen minutes without attempts after a
// lockout has ended start the count again.
func (st lockoutState) current(now time.Time) lockoutState {
	if st.Failures >= lockoutThreshold && !now.Before(st.lockedUntil().Add(lockoutIdleReset)) {
		return lockoutState{}
	}
	return st
}

// fail counts a failed attempt at now. Attempts refused during a lockout are
// not counted.
func (st lockoutState) fail(now time.Time) lockoutState {
	st = st.current(now)
	if st.locked(now) {
		return st
	}
	return lockoutState{Failures: st.Failures + 1, Last: now}
}

func userLockout(u store.User) lockoutState {
	var st lockoutState
	_, _ = getExtra(u, lockoutSection, &st)
	return st
}

// lockedOut reports whether u's sign-ins are refused now.
func (s *Service) lockedOut(u store.User) bool {
	return userLockout(u).current(s.now()).locked(s.now())
}

// recordFailure counts a failed sign-in of u.
func (s *Service) recordFailure(ctx context.Context, p *pool, u store.User) error {
	now := s.now()
	_, err := s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(u store.User) (store.User, error) {
		st := userLockout(u).fail(now)
		return u, setExtra(&u, lockoutSection, st)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// resetLockout clears u's count after a successful sign-in.
func (s *Service) resetLockout(ctx context.Context, p *pool, u store.User) error {
	if found, _ := getExtra(u, lockoutSection, &lockoutState{}); !found {
		return nil
	}
	_, err := s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(u store.User) (store.User, error) {
		return u, setExtra(&u, lockoutSection, nil)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

func unknownLockoutKey(p *pool, name string) string {
	return p.rec.ID + "/" + seg(p.userKey(name))
}

// unknownLockedOut is lockedOut for a name that matches no user.
func (s *Service) unknownLockedOut(ctx context.Context, p *pool, name string) (bool, error) {
	st, err := getJSON[lockoutState](ctx, s.Store, kindLockout, unknownLockoutKey(p, name))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := s.now()
	return st.current(now).locked(now), nil
}

// unknownFailure is recordFailure for a name that matches no user. The
// object expires once it could no longer lock anything out.
func (s *Service) unknownFailure(ctx context.Context, p *pool, name string) error {
	now := s.now()
	key := unknownLockoutKey(p, name)
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		st, err := getJSON[lockoutState](ctx, tx, kindLockout, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st = st.fail(now)
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		// A count below the threshold is kept a day, so that sprayed names
		// do not pile up; a lockout until it resets.
		expires := st.Last.Add(24 * time.Hour)
		if st.Failures >= lockoutThreshold {
			expires = st.lockedUntil().Add(lockoutIdleReset)
		}
		return tx.PutObject(ctx, store.Object{Kind: kindLockout, Key: key, Value: b, ExpiresAt: expires})
	})
}

// deletePoolLockouts removes the counters of unknown names of a pool.
func (s *Service) deletePoolLockouts(ctx context.Context, poolID string) error {
	_, err := s.Store.DeleteObjectsWithPrefix(ctx, kindLockout, poolID+"/")
	return err
}
