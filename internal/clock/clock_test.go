package clock

import (
	"testing"
	"time"
)

func TestAdvanceMovesNowForwardAndResetReturns(t *testing.T) {
	var c Clock
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("a new clock is off by %v", d)
	}
	c.Advance(2 * time.Hour)
	if d := c.Now().Sub(time.Now()); d < 2*time.Hour-time.Second || d > 2*time.Hour+time.Second {
		t.Fatalf("after Advance(2h) the clock is ahead by %v", d)
	}
	if c.Advance(-time.Hour) != 2*time.Hour {
		t.Fatal("a negative advance moved the clock back")
	}
	c.Reset()
	if c.Offset() != 0 {
		t.Fatal("Reset kept an offset")
	}
}
