package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
)

// The response head of a kept connection, parsed without http.ReadResponse:
// the whole head is copied into one string, whose substrings are the
// field names and values, and the fields go straight into the
// ResponseWriter's header map. Framing follows RFC 9112 section 6.3.

// maxHeadBytes bounds a response head (http.Transport's default is 10 MB;
// API Gateway refuses far less).
const maxHeadBytes = 1 << 20

var errBadResponse = errors.New("gateway: malformed response from the backend")

type field struct{ k, v string }

// span locates a field's name and value in a head's bytes.
type span struct{ k0, k1, v0, v1 int }

// respHead is a parsed response head.
type respHead struct {
	status  int
	fields  []field // reused
	length  int64   // -1: chunked or until close
	chunked bool
	close   bool // the connection ends with this response
	noBody  bool
	conn    []string // Connection values
	trailer bool     // a Trailer field was sent
}

// readHead reads a status line and fields from br.
func (c *upConn) readHead(method string) error {
	h := &c.head
	*h = respHead{fields: h.fields[:0], length: -1}
	buf := c.headBuf[:0]
	spans := c.spans[:0]
	line, err := c.readLine()
	if err != nil {
		return err
	}
	// HTTP/1.x NNN reason
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || len(line) > 12 && line[12] != ' ' {
		return errBadResponse
	}
	h.status = 0
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return errBadResponse
		}
		h.status = h.status*10 + int(d-'0')
	}
	if h.status < 100 {
		return errBadResponse
	}
	http10 := line[7] == '0'
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return errBadResponse // obsolete line folding (RFC 9112 section 5.2)
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 || len(buf)+len(line) > maxHeadBytes {
			return errBadResponse
		}
		k0 := len(buf)
		buf = append(buf, line[:i]...)
		k1 := len(buf)
		v := textproto.TrimBytes(line[i+1:])
		buf = append(buf, v...)
		spans = append(spans, span{k0, k1, k1, len(buf)})
	}
	c.headBuf, c.spans = buf, spans
	all := string(buf)
	for _, s := range spans {
		k := all[s.k0:s.k1]
		if !validFieldName(k) {
			return errBadResponse
		}
		k = canonical(k)
		v := all[s.v0:s.v1]
		switch k {
		case "Content-Length":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || (h.length >= 0 && n != h.length) {
				return errBadResponse
			}
			h.length = n
		case "Transfer-Encoding":
			if !strings.EqualFold(v, "chunked") || h.chunked {
				return errBadResponse
			}
			h.chunked = true
		case "Connection":
			h.conn = append(h.conn, v)
			if hasToken(h.conn[len(h.conn)-1:], "close") {
				h.close = true
			}
		case "Trailer":
			h.trailer = true
		}
		h.fields = append(h.fields, field{k, v})
	}
	if http10 && !hasToken(h.conn, "keep-alive") {
		h.close = true
	}
	switch {
	case method == "HEAD" || h.status < 200 || h.status == http.StatusNoContent || h.status == http.StatusNotModified:
		h.noBody = true
	case h.chunked:
		h.length = -1
		c.chunks = httputil.NewChunkedReader(c.br)
	case h.length >= 0:
		c.fixed = fixedBody{br: c.br, left: h.length}
	default:
		h.close = true // the body ends with the connection
	}
	return nil
}

// body is the response body's reader.
func (c *upConn) body() io.Reader {
	switch {
	case c.head.chunked:
		return c.chunks
	case c.head.length >= 0:
		return &c.fixed
	}
	return c.br
}

// readTrailer reads the trailer section after a chunked body.
func (c *upConn) readTrailer(h http.Header) error {
	for n := 0; ; n++ {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 || n > 1000 || !validFieldName(string(line[:i])) {
			return errBadResponse
		}
		k := canonical(string(line[:i]))
		if hopHeader(k) || k == "Content-Length" {
			continue
		}
		h[http.TrailerPrefix+k] = append(h[http.TrailerPrefix+k], string(textproto.TrimBytes(line[i+1:])))
	}
}

// readLine reads a line without its CRLF (or LF); the slice is valid until
// the next read. A line longer than the buffer is gathered in c.long.
func (c *upConn) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull && len(c.long) <= maxHeadBytes {
			line, err = c.br.ReadSlice('\n')
			c.long = append(c.long, line...)
		}
		if err == bufio.ErrBufferFull {
			return nil, errBadResponse
		}
		line = c.long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// canonical is textproto.CanonicalMIMEHeaderKey without an allocation for
// a name that is already canonical.
func canonical(k string) string {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return textproto.CanonicalMIMEHeaderKey(k)
		}
		upper = c == '-'
	}
	return k
}

// fixedBody reads a body of known length.
type fixedBody struct {
	br   *bufio.Reader
	left int64
}

func (b *fixedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.br.Read(p)
	b.left -= int64(n)
	if err == io.EOF {
		if b.left > 0 {
			return n, io.ErrUnexpectedEOF
		}
	}
	if b.left == 0 && err == nil {
		err = io.EOF
	}
	return n, err
}
