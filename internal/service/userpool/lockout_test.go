package userpool_test

import (
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
)

// clock is an injectable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(e *srpEnv) *clock      { c := &clock{t: time.Now()}; e.svc.Now = c.now; return c }
func exceeded(t *testing.T, err error) {
	t.Helper()
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
}
func incorrect(t *testing.T, err error) {
	t.Helper()
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
}

func TestLockoutAfterFailedSignIns(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	e.createUser(t, "ann", srpPassword, false)
	c := newClock(e)

	for i := 0; i < 5; i++ {
		_, err := e.adminSignIn("ann", "Wrong#Pass1")
		incorrect(t, err)
	}
	_, err := e.adminSignIn("ann", srpPassword)
	exceeded(t, err) // the right password is not even checked
	c.add(time.Second)
	_, err = e.adminSignIn("ann", "Wrong#Pass1") // sixth failure: two seconds
	incorrect(t, err)
	c.add(1999 * time.Millisecond)
	_, err = e.adminSignIn("ann", srpPassword)
	exceeded(t, err)
	// SRP answers are refused the same way.
	_, err = e.signIn(t, "ann", srpPassword)
	exceeded(t, err)
	c.add(time.Millisecond)
	if _, err := e.adminSignIn("ann", srpPassword); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	// A success resets the count: four failures do not lock.
	for i := 0; i < 4; i++ {
		_, err := e.adminSignIn("ann", "Wrong#Pass1")
		incorrect(t, err)
	}
	if _, err := e.adminSignIn("ann", srpPassword); err != nil {
		t.Fatalf("four failures after a success locked the user out: %v", err)
	}
	// Wrong SRP claims count as failures.
	for i := 0; i < 5; i++ {
		_, err := e.signIn(t, "ann", "Wrong#Pass1")
		incorrect(t, err)
	}
	_, err = e.adminSignIn("ann", srpPassword)
	exceeded(t, err)
}

func TestLockoutConcurrentFailuresAllCount(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	e.createUser(t, "ann", srpPassword, false)
	newClock(e) // time stands still
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.adminSignIn("ann", "Wrong#Pass1")
		}()
	}
	wg.Wait()
	_, err := e.adminSignIn("ann", srpPassword)
	exceeded(t, err)
}

func TestLockoutHidesUserExistence(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: adminFlows.ExplicitAuthFlows, PreventUserExistenceErrors: awsapi.String("ENABLED")})
	e.createUser(t, "ann", srpPassword, false)
	c := newClock(e)
	for _, name := range []string{"ann", "nobody"} {
		for i := 0; i < 5; i++ {
			_, err := e.adminSignIn(name, "Wrong#Pass1")
			incorrect(t, err)
		}
		_, err := e.adminSignIn(name, srpPassword)
		exceeded(t, err)
	}
	// The simulated SRP challenge of an unknown name is locked out too.
	cl, out, err := e.initiate(t, "nobody")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.respond(out.Session, e.claim(t, cl, out.ChallengeParameters, srpPassword, time.Now()))
	exceeded(t, err)
	c.add(2 * time.Second)
	_, err = e.adminSignIn("nobody", srpPassword)
	incorrect(t, err)
}
