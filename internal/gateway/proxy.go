package gateway

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The HTTP_PROXY integration. Plain-HTTP backends are reached through the
// gateway's own keep-alive connections (upstreams), from the handler's
// goroutine: the request line and headers are written once, straight from
// the inbound request (hop-by-hop headers dropped as RFC 9110 section 7.6.1
// requires, the mapped headers and X-Forwarded-For/-Host/-Proto and
// Forwarded added), and the response headers go straight into the
// ResponseWriter's. https backends (and a Gateway.Transport set by the
// caller) use an http.Transport with the same headers.

var (
	errBadHeader  = errors.New("gateway: invalid header for the backend")
	errUpgrade    = errors.New("gateway: the backend switched protocols")
	errShortBody  = errors.New("gateway: request body shorter than its Content-Length")
	errClientGone = errors.New("gateway: the client went away")
	aLongTimeAgo  = time.Unix(1, 0)
)

// inlineBody is the largest request body written before the response is
// read; larger and unknown-length bodies are written by a goroutine while
// the response is read, so a backend that answers before it has read all
// of a body cannot deadlock the two.
const inlineBody = 64 << 10

// copyBufs recycles body copy buffers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// hopHeader reports the hop-by-hop fields of RFC 9110 section 7.6.1 (and
// the Proxy-* ones of RFC 2616 that proxies still drop); they are never
// forwarded. Keys are canonical.
func hopHeader(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// connectionListed reports whether k is named by a Connection field (and
// so is hop-by-hop too).
func connectionListed(conn []string, k string) bool {
	for _, v := range conn {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(tok), k) {
				return true
			}
		}
	}
	return false
}

// headerSink receives the outbound request's header fields: add for
// values the gateway composed, addInbound for the client's fields as
// net/http's server read them (it refuses control characters in names and
// values, so they cannot break the framing).
type headerSink interface {
	add(k, v string)
	addInbound(k, v string)
}

// wireSink writes fields on the connection, refusing what would break the
// framing (a CR or LF from a mapped claim, say).
type wireSink struct {
	bw  *bufio.Writer
	bad bool
}

func (s *wireSink) add(k, v string) {
	if !validFieldName(k) || !validFieldValue(v) {
		s.bad = true
		return
	}
	s.addInbound(k, v)
}

func (s *wireSink) addInbound(k, v string) {
	s.bw.WriteString(k)
	s.bw.WriteString(": ")
	s.bw.WriteString(v)
	s.bw.WriteString("\r\n")
}

// mapSink fills an http.Header for an http.Transport (which validates it).
type mapSink http.Header

func (s mapSink) add(k, v string) { s[k] = append(s[k], v) }

func (s mapSink) addInbound(k, v string) { s.add(k, v) }

// tchar is RFC 9110's token characters (section 5.6.2).
var tchar = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
	}
	return t
}()

func validFieldName(k string) bool { return isToken(k) }

func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// hdrOp is the outcome of header mappings for one field: its new value, or
// its removal.
type hdrOp struct {
	name, value string
	set         bool
}

func (rs *reqState) headerOp(name string) *hdrOp {
	for i := range rs.hdrOps {
		if rs.hdrOps[i].name == name {
			return &rs.hdrOps[i]
		}
	}
	return nil
}

// outHeaders gives the backend's request header fields: the client's,
// without hop-by-hop fields and Expect (the server answers 100-continue
// itself), with the mapped fields, then X-Forwarded-For (the client's
// address appended), X-Forwarded-Host, X-Forwarded-Proto and Forwarded
// (RFC 7239: by, for, host, proto).
func (rs *reqState) outHeaders(sink headerSink) {
	r := rs.in
	conn := r.Header["Connection"]
	for k, vv := range r.Header {
		switch {
		case k == "Te":
			if hasToken(vv, "trailers") {
				sink.add("Te", "trailers")
			}
			continue
		case hopHeader(k), len(conn) > 0 && connectionListed(conn, k):
			continue
		}
		switch k {
		case "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Expect":
			continue
		}
		if len(rs.hdrOps) > 0 && rs.headerOp(k) != nil {
			continue
		}
		for _, v := range vv {
			sink.addInbound(k, v)
		}
	}
	for _, op := range rs.hdrOps {
		if op.set {
			sink.add(op.name, op.value)
		}
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	if prior := r.Header["X-Forwarded-For"]; len(prior) > 0 {
		sink.add("X-Forwarded-For", strings.Join(prior, ", ")+", "+rs.sourceIP)
	} else {
		sink.add("X-Forwarded-For", rs.sourceIP)
	}
	sink.add("X-Forwarded-Host", r.Host)
	sink.add("X-Forwarded-Proto", proto)
	fwd := forwardedElement(rs.g.localIP(r), rs.sourceIP, r.Host, proto)
	if prior := r.Header["Forwarded"]; len(prior) > 0 {
		fwd = strings.Join(prior, ", ") + ", " + fwd
	}
	sink.add("Forwarded", fwd)
}

func hasToken(vv []string, tok string) bool {
	for _, v := range vv {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// localAddrText is the text of the last local address a gateway saw: a
// server listens on one or a few.
type localAddrText struct {
	ip net.IP
	s  string
}

// localIP is the address the request came in on, for Forwarded's by=.
func (g *Gateway) localIP(r *http.Request) string {
	a, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if a == nil {
		return ""
	}
	if t, ok := a.(*net.TCPAddr); ok {
		if l := g.lastLocal.Load(); l != nil && l.ip.Equal(t.IP) {
			return l.s
		}
		s := t.IP.String()
		g.lastLocal.Store(&localAddrText{t.IP, s})
		return s
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return ""
	}
	return h
}

// forwardedElement is one RFC 7239 forwarded-element. IPv6 nodes are
// bracketed, and values that are not tokens (a host with a port, an IPv6
// node) quoted.
func forwardedElement(by, forIP, host, proto string) string {
	var b strings.Builder
	b.Grow(len(by) + len(forIP) + len(host) + 40)
	sep := ""
	pair := func(k, v string) {
		if v == "" {
			return
		}
		b.WriteString(sep)
		sep = ";"
		b.WriteString(k)
		b.WriteByte('=')
		if strings.IndexByte(v, ':') >= 0 && (k == "by" || k == "for") {
			v = "[" + v + "]"
		}
		if isToken(v) {
			b.WriteString(v)
		} else {
			b.WriteString(strconv.Quote(v))
		}
	}
	pair("by", by)
	pair("for", forIP)
	pair("host", host)
	pair("proto", proto)
	return b.String()
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return s != ""
}

// forward proxies the request to the route's integration.
func (g *Gateway) forward(w *statusWriter, rs *reqState) {
	in := rs.route.integ
	target, err := buildTarget(in, rs)
	if err != nil {
		g.logError(rs, "integration URI", err)
		g.fail(w, rs, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	applyMappings(in.mappings, rs, target)
	rs.target = target
	method := in.method
	if method == "" {
		method = rs.in.Method
	}
	rs.integrationStart = time.Now()
	if g.Transport == nil && target.Scheme == "http" {
		g.forwardDirect(w, rs, method)
		return
	}
	g.forwardTransport(w, rs, method)
}

func backendAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// idempotent methods may be sent again on a fresh connection when a kept
// one turns out closed before anything was answered (RFC 9110 section
// 9.2.2).
func idempotent(m string) bool {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// forwardDirect proxies to a plain-HTTP backend over a kept connection.
func (g *Gateway) forwardDirect(w *statusWriter, rs *reqState, method string) {
	r := rs.in
	deadline := rs.integrationStart.Add(rs.route.integ.timeout)
	defer rs.unwatchClient()
	hasBody := r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
	addr := backendAddr(rs.target)
	var (
		c   *upConn
		err error
	)
	for attempt := 0; ; attempt++ {
		c, err = g.up.get(r.Context(), addr, rs.integrationStart, deadline)
		if err == nil {
			rs.conn.Store(c)
			if rs.clientGone.Load() {
				c.nc.Close()
				return
			}
			if hasBody {
				// Without a body the request fits the socket's buffer.
				_ = c.nc.SetWriteDeadline(deadline)
			}
			err = rs.roundTrip(w, c, method, hasBody, deadline)
			if err == nil {
				break
			}
			c.nc.Close()
			if c.reused && !rs.clientGone.Load() && !isTimeout(err) {
				// The backend closed a kept connection (it restarted, or
				// its keep-alive ran out): the others kept with it are
				// likely closed too.
				g.up.dropIdle(addr)
				if attempt == 0 && !hasBody && idempotent(method) {
					continue
				}
			}
		}
		rs.integrationLatency = time.Since(rs.integrationStart)
		switch {
		case rs.clientGone.Load():
		case isTimeout(err) && !time.Now().Before(deadline):
			g.fail(w, rs, http.StatusGatewayTimeout, "Endpoint request timed out")
		default:
			g.logError(rs, "integration", err)
			g.fail(w, rs, http.StatusBadGateway, "Internal Server Error")
		}
		rs.waitBody(c, false)
		return
	}
	if hasBody {
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
	complete, aborted := g.writeDirectResponse(w, rs, c)
	bodyOK := rs.waitBody(c, complete)
	if rs.unwatchClient() && complete && bodyOK && !c.head.close && !rs.clientGone.Load() {
		g.up.put(c, time.Now())
	} else {
		c.nc.Close()
	}
	if aborted {
		// The backend failed mid-body: the client must not take the
		// truncated body for a whole one.
		panic(http.ErrAbortHandler)
	}
}

// firstByteWait is how long a backend has to start its answer before the
// exchange watches for the client going away. A quick exchange (most are)
// never registers the watch, which costs a few allocations and locks on
// the request's context; the slow ones register it after this wait, and
// before a body that is not already all buffered is copied.
const firstByteWait = 10 * time.Millisecond

// watchClient makes a client that goes away cancel the exchange: the
// connection's deadline is moved to the past, which fails its reads and
// writes.
func (rs *reqState) watchClient() {
	if rs.unwatch == nil {
		rs.unwatch = context.AfterFunc(rs.in.Context(), rs.abortUpstream)
	}
}

// unwatchClient stops watching; false when the client went away (the
// connection's deadline may have moved).
func (rs *reqState) unwatchClient() bool {
	if rs.unwatch == nil {
		return true
	}
	ok := rs.unwatch()
	rs.unwatch = nil
	return ok
}

// abortUpstream runs when the client goes away.
func (rs *reqState) abortUpstream() {
	rs.clientGone.Store(true)
	if c := rs.conn.Load(); c != nil {
		_ = c.nc.SetDeadline(aLongTimeAgo)
	}
}

// waitBody waits for the goroutine writing a large request body, if any:
// when the response is complete it is normally done; otherwise the
// connection is closed to stop it. It reports whether the body was sent.
func (rs *reqState) waitBody(c *upConn, complete bool) bool {
	if rs.bodyDone == nil {
		return true
	}
	done := rs.bodyDone
	rs.bodyDone = nil
	if complete {
		select {
		case err := <-done:
			return err == nil
		default:
		}
	}
	if c != nil {
		c.nc.Close()
	}
	<-done
	return false
}

// headBuffered tells whether a whole response head is already buffered.
func headBuffered(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return bytes.Contains(b, []byte("\r\n\r\n")) || bytes.Contains(b, []byte("\n\n"))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// roundTrip writes the request on c and reads the response head into
// c.head, passing 1xx responses other than 100 on to the client.
func (rs *reqState) roundTrip(w *statusWriter, c *upConn, method string, hasBody bool, deadline time.Time) error {
	r := rs.in
	bw := c.bw
	bw.WriteString(method)
	bw.WriteByte(' ')
	if p := rs.target.EscapedPath(); p != "" {
		bw.WriteString(p)
	} else {
		bw.WriteByte('/')
	}
	if q := rs.target.RawQuery; q != "" {
		bw.WriteByte('?')
		bw.WriteString(q)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(rs.target.Host)
	bw.WriteString("\r\n")
	c.sink = wireSink{bw: bw}
	rs.outHeaders(&c.sink)
	if c.sink.bad || !validFieldValue(rs.target.Host) {
		return errBadHeader
	}
	chunked := hasBody && r.ContentLength < 0
	switch {
	case chunked:
		bw.WriteString("Transfer-Encoding: chunked\r\n")
		if len(r.Trailer) > 0 {
			bw.WriteString("Trailer: ")
			i := 0
			for k := range r.Trailer {
				if i > 0 {
					bw.WriteString(", ")
				}
				bw.WriteString(k)
				i++
			}
			bw.WriteString("\r\n")
		}
	case hasBody:
		bw.WriteString("Content-Length: ")
		bw.WriteString(strconv.FormatInt(r.ContentLength, 10))
		bw.WriteString("\r\n")
	case method == "POST" || method == "PUT" || method == "PATCH":
		bw.WriteString("Content-Length: 0\r\n")
	}
	bw.WriteString("\r\n")
	switch {
	case !hasBody:
		if err := bw.Flush(); err != nil {
			return err
		}
	case !chunked && r.ContentLength <= inlineBody:
		if err := writeBody(bw, r, false); err != nil {
			return err
		}
	default:
		// Reading the body while the response is written needs full
		// duplex from the server (HTTP/1.x otherwise stops the body at
		// the first write).
		_ = http.NewResponseController(w).EnableFullDuplex()
		rs.watchClient()
		done := make(chan error, 1)
		rs.bodyDone = done
		go func() { done <- writeBody(bw, r, chunked) }()
	}
	// The answer gets a moment to start before the client is watched (a
	// short read deadline, left to lapse when the whole head came in time:
	// the next exchange on the connection sets its own), then the
	// integration's deadline.
	if wait := time.Now().Add(firstByteWait); rs.unwatch == nil && wait.Before(deadline) {
		_ = c.nc.SetReadDeadline(wait)
		if _, err := c.br.Peek(1); err != nil {
			if !isTimeout(err) {
				return err
			}
			_ = c.nc.SetReadDeadline(deadline)
			rs.watchClient()
		} else if !headBuffered(c.br) {
			_ = c.nc.SetReadDeadline(deadline)
		}
	} else {
		_ = c.nc.SetReadDeadline(deadline)
	}
	for {
		if err := c.readHead(method); err != nil {
			return err
		}
		switch st := c.head.status; {
		case st >= 200:
			return nil
		case st == http.StatusSwitchingProtocols:
			return errUpgrade
		case st == http.StatusContinue:
			// Expect is not forwarded; the server answered the client.
		default:
			// 102, 103: informational, passed on as they come.
			h := w.Header()
			var added []string
			for _, f := range c.head.fields {
				if _, had := h[f.k]; !had && !hopHeader(f.k) {
					h[f.k] = []string{f.v}
					added = append(added, f.k)
				} else if slices.Contains(added, f.k) {
					h[f.k] = append(h[f.k], f.v)
				}
			}
			w.WriteHeader(st)
			for _, k := range added {
				delete(h, k)
			}
			_ = c.nc.SetReadDeadline(deadline)
			if rs.clientGone.Load() {
				return errClientGone
			}
		}
	}
}

// writeBody sends the request body: Content-Length bytes exactly, or
// chunks (flushed as they come, for streaming uploads) and the trailers.
func writeBody(bw *bufio.Writer, r *http.Request, chunked bool) error {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := *bufp
	if !chunked {
		left := r.ContentLength
		for left > 0 {
			n, err := r.Body.Read(buf[:min(int64(len(buf)), left)])
			if n > 0 {
				left -= int64(n)
				if _, werr := bw.Write(buf[:n]); werr != nil {
					return werr
				}
			}
			if err == io.EOF && left > 0 {
				return errShortBody
			}
			if err != nil && err != io.EOF {
				return err
			}
		}
		return bw.Flush()
	}
	cw := httputil.NewChunkedWriter(bw)
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			if _, werr := cw.Write(buf[:n]); werr != nil {
				return werr
			}
			if werr := bw.Flush(); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := cw.Close(); err != nil {
		return err
	}
	for k, vv := range r.Trailer {
		for _, v := range vv {
			if !validFieldName(k) || !validFieldValue(v) {
				return errBadHeader
			}
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
	bw.WriteString("\r\n")
	return bw.Flush()
}

// writeDirectResponse passes the response head read on c on, then its
// body and trailers. The header fields go straight into the
// ResponseWriter's map, without hop-by-hop ones (and without
// Access-Control-* when the API has a CORS configuration, which replaces
// them).
func (g *Gateway) writeDirectResponse(w *statusWriter, rs *reqState, c *upConn) (complete, aborted bool) {
	hd := &c.head
	rs.integrationStatus = hd.status
	rs.integrationLatency = time.Since(rs.integrationStart)
	h := w.Header()
	vals := make([]string, len(hd.fields))
	for i, f := range hd.fields {
		switch {
		case f.k == "Trailer":
			h["Trailer"] = append(h["Trailer"], f.v) // announced to the client as they were to us
			continue
		case hopHeader(f.k), len(hd.conn) > 0 && connectionListed(hd.conn, f.k),
			rs.api.cors != nil && strings.HasPrefix(f.k, "Access-Control-"),
			hd.chunked && f.k == "Content-Length":
			continue
		}
		if old, ok := h[f.k]; ok {
			h[f.k] = append(old, f.v)
		} else {
			vals[i] = f.v
			h[f.k] = vals[i : i+1 : i+1]
		}
	}
	w.WriteHeader(hd.status)
	if hd.noBody {
		return true, false
	}
	if hd.length < 0 || int64(c.br.Buffered()) < hd.length {
		// The copy may wait on the backend: no deadline, but a watch.
		_ = c.nc.SetReadDeadline(time.Time{})
		rs.watchClient()
		if rs.clientGone.Load() {
			_ = c.nc.SetDeadline(aLongTimeAgo)
		}
	}
	stream := hd.length < 0 || strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
	complete, aborted = g.copyBody(w, rs, c.body(), stream, c.br)
	if complete && hd.chunked {
		if err := c.readTrailer(h); err != nil {
			g.logError(rs, "integration trailer", err)
			return false, true
		}
	}
	return complete, aborted
}

// writeResponse passes an http.Transport's response on, as
// writeDirectResponse does.
func (g *Gateway) writeResponse(w *statusWriter, rs *reqState, resp *http.Response) (complete, aborted bool) {
	rs.integrationStatus = resp.StatusCode
	rs.integrationLatency = time.Since(rs.integrationStart)
	h := w.Header()
	conn := resp.Header["Connection"]
	for k, vv := range resp.Header {
		if hopHeader(k) || len(conn) > 0 && connectionListed(conn, k) {
			continue
		}
		if rs.api.cors != nil && strings.HasPrefix(k, "Access-Control-") {
			continue
		}
		h[k] = append(h[k], vv...)
	}
	if len(resp.Trailer) > 0 {
		names := make([]string, 0, len(resp.Trailer))
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h["Trailer"] = []string{strings.Join(names, ", ")}
	}
	w.WriteHeader(resp.StatusCode)
	if resp.Body == nil || resp.Body == http.NoBody {
		return true, false
	}
	stream := resp.ContentLength < 0 || strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
	complete, aborted = g.copyBody(w, rs, resp.Body, stream, nil)
	if complete {
		for k, vv := range resp.Trailer {
			h[http.TrailerPrefix+k] = vv
		}
	}
	return complete, aborted
}

// copyBody copies a response body with a pooled buffer. A body of known
// length is copied without flushing (a small one goes out in one write
// when the handler returns); a streamed one (stream) is flushed whenever
// nothing more of it is waiting in br (at every read when br is nil).
// complete reports that the body was read to its end; aborted that the
// backend failed in the middle of it.
func (g *Gateway) copyBody(w *statusWriter, rs *reqState, body io.Reader, stream bool, br *bufio.Reader) (complete, aborted bool) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := *bufp
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return false, false // the client went away
			}
		}
		if err == io.EOF {
			return true, false
		}
		if err != nil {
			if rs.clientGone.Load() {
				return false, false
			}
			g.logError(rs, "integration body", err)
			return false, true
		}
		if stream && (br == nil || br.Buffered() == 0) {
			w.Flush()
		}
	}
}

// forwardTransport proxies through an http.Transport: https backends, or
// any backend when the caller set Gateway.Transport.
func (g *Gateway) forwardTransport(w *statusWriter, rs *reqState, method string) {
	tr := g.Transport
	if tr == nil {
		tr = defaultTransport
	}
	r := rs.in
	hdr := make(http.Header, len(r.Header)+4)
	rs.outHeaders(mapSink(hdr))
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	timer := time.AfterFunc(rs.route.integ.timeout, func() {
		rs.timedOut.Store(true)
		cancel()
	})
	body := r.Body
	if r.ContentLength == 0 {
		body = http.NoBody
	}
	out := (&http.Request{Method: method, URL: rs.target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: hdr, Body: body, ContentLength: r.ContentLength, Host: rs.target.Host, Trailer: r.Trailer}).WithContext(ctx)
	resp, err := tr.RoundTrip(out)
	if !timer.Stop() && rs.timedOut.Load() {
		if err == nil {
			resp.Body.Close()
		}
		rs.integrationLatency = time.Since(rs.integrationStart)
		g.fail(w, rs, http.StatusGatewayTimeout, "Endpoint request timed out")
		return
	}
	if err != nil {
		rs.integrationLatency = time.Since(rs.integrationStart)
		if r.Context().Err() != nil {
			return // the client went away
		}
		g.logError(rs, "integration", err)
		g.fail(w, rs, http.StatusBadGateway, "Internal Server Error")
		return
	}
	defer resp.Body.Close()
	if _, aborted := g.writeResponse(w, rs, resp); aborted {
		panic(http.ErrAbortHandler)
	}
}
