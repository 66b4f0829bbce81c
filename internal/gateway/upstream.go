package gateway

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// upstreams keeps HTTP/1.1 keep-alive connections to plain-HTTP backends.
// A request uses a connection from the handler's goroutine: it writes the
// request and reads the response itself, where http.Transport hands each
// request to a connection's read and write goroutines (two handoffs and
// their wake-ups per request, which cost more than the proxying on a busy
// machine).
type upstreams struct {
	maxIdle     int           // idle connections kept per backend
	idleTimeout time.Duration // an idle connection older than this is closed
	checkAfter  time.Duration // checkIdleAfter
	dialer      net.Dialer

	mu    sync.Mutex
	idle  map[string][]*upConn // "host:port" -> most recently used last
	sweep *time.Timer          // closes connections idle too long; nil when none are kept
}

// upConn is a connection to a backend with its buffers, reused from one
// request to the next.
type upConn struct {
	nc       net.Conn
	addr     string
	br       *bufio.Reader
	bw       *bufio.Writer
	idleFrom time.Time
	reused   bool
	sink     wireSink

	// the response being read
	head    respHead
	headBuf []byte
	spans   []span
	long    []byte
	fixed   fixedBody
	chunks  io.Reader
}

const (
	defaultMaxIdlePerBackend = 512
	defaultIdleTimeout       = 90 * time.Second
	// checkIdleAfter: a connection idle longer than this is checked for a
	// close by the backend before it is used again (one non-blocking peek);
	// busy connections never are.
	checkIdleAfter = time.Second
)

func newUpstreams() *upstreams {
	return &upstreams{
		maxIdle: defaultMaxIdlePerBackend, idleTimeout: defaultIdleTimeout, checkAfter: checkIdleAfter,
		dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second},
		idle:   map[string][]*upConn{},
	}
}

// get returns an idle connection to addr, or dials one (giving up at
// deadline).
func (u *upstreams) get(ctx context.Context, addr string, now, deadline time.Time) (*upConn, error) {
	for {
		u.mu.Lock()
		l := u.idle[addr]
		if len(l) == 0 {
			u.mu.Unlock()
			break
		}
		c := l[len(l)-1]
		l[len(l)-1] = nil
		u.idle[addr] = l[:len(l)-1]
		u.mu.Unlock()
		idle := now.Sub(c.idleFrom)
		if idle >= u.checkAfter {
			// The last exchange may have left a lapsed read deadline,
			// which would fail the peek.
			_ = c.nc.SetReadDeadline(time.Time{})
		}
		if idle > u.idleTimeout || (idle >= u.checkAfter && !stillOpen(c.nc)) {
			c.nc.Close()
			continue
		}
		c.reused = true
		return c, nil
	}
	d := u.dialer
	d.Deadline = deadline
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &upConn{nc: nc, addr: addr, br: bufio.NewReaderSize(nc, 8<<10), bw: bufio.NewWriterSize(nc, 8<<10)}, nil
}

// put keeps c for the next request to its backend, or closes it when
// enough are kept.
func (u *upstreams) put(c *upConn, now time.Time) {
	c.idleFrom = now
	c.chunks = nil
	u.mu.Lock()
	l := u.idle[c.addr]
	if len(l) >= u.maxIdle {
		u.mu.Unlock()
		c.nc.Close()
		return
	}
	u.idle[c.addr] = append(l, c)
	if u.sweep == nil {
		u.sweep = time.AfterFunc(u.idleTimeout/2, u.closeStale)
	}
	u.mu.Unlock()
}

// closeStale closes the connections idle longer than idleTimeout, and
// runs again while some are kept.
func (u *upstreams) closeStale() {
	now := time.Now()
	var stale []*upConn
	u.mu.Lock()
	kept := 0
	for addr, l := range u.idle {
		// Most recently used last: the stale ones lead.
		n := 0
		for n < len(l) && now.Sub(l[n].idleFrom) > u.idleTimeout {
			n++
		}
		stale = append(stale, l[:n]...)
		if n == len(l) {
			delete(u.idle, addr)
			continue
		}
		rest := l[n:]
		clear(l[:n])
		u.idle[addr] = rest
		kept += len(rest)
	}
	if kept > 0 {
		u.sweep = time.AfterFunc(u.idleTimeout/2, u.closeStale)
	} else {
		u.sweep = nil
	}
	u.mu.Unlock()
	for _, c := range stale {
		c.nc.Close()
	}
}

// dropIdle closes the idle connections to addr.
func (u *upstreams) dropIdle(addr string) {
	u.mu.Lock()
	l := u.idle[addr]
	delete(u.idle, addr)
	u.mu.Unlock()
	for _, c := range l {
		c.nc.Close()
	}
}

// closeIdle closes every idle connection.
func (u *upstreams) closeIdle() {
	u.mu.Lock()
	all := u.idle
	u.idle = map[string][]*upConn{}
	u.mu.Unlock()
	for _, l := range all {
		for _, c := range l {
			c.nc.Close()
		}
	}
}
