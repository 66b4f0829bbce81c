package clock

import (
	"sync/atomic"
	"time"
)

// Clock is safe for concurrent use; its zero value is the real time.
type Clock struct {
	offset atomic.Int64 // nanoseconds
}

// Now is the real time plus the offset.
func (c *Clock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Offset is how far the clock is ahead of the real time.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Advance moves the clock forward by d (d ≥ 0) and returns the new offset.
func (c *Clock) Advance(d time.Duration) time.Duration {
	if d < 0 {
		d = 0
	}
	return time.Duration(c.offset.Add(int64(d)))
}

// Reset returns the clock to the real time.
func (c *Clock) Reset() { c.offset.Store(0) }
