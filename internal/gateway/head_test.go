package gateway

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestReadHead(t *testing.T) {
	long := strings.Repeat("v", 20<<10)
	tests := []struct {
		name, method, raw string
		status            int
		length            int64
		chunked, close    bool
		noBody            bool
		body              string
		bad               bool
	}{
		{name: "a body of known length", method: "GET", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nhi", status: 200, length: 2, body: "hi"},
		{name: "a chunked body", method: "GET", raw: "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", status: 201, length: -1, chunked: true, body: "hi"},
		{name: "a body to the close", method: "GET", raw: "HTTP/1.1 200 OK\r\n\r\nall of it", status: 200, length: -1, close: true, body: "all of it"},
		{name: "HTTP/1.0 closes", method: "GET", raw: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, close: true},
		{name: "HTTP/1.0 keep-alive", method: "GET", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200},
		{name: "Connection: close", method: "GET", raw: "HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", status: 200, close: true},
		{name: "a HEAD answer has no body", method: "HEAD", raw: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", status: 200, length: 99, noBody: true},
		{name: "304 has no body", method: "GET", raw: "HTTP/1.1 304 Not Modified\r\n\r\n", status: 304, length: -1, noBody: true},
		{name: "bare LF lines", method: "GET", raw: "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", status: 200, length: 1, body: "x"},
		{name: "no reason phrase", method: "GET", raw: "HTTP/1.1 204\r\n\r\n", status: 204, length: -1, noBody: true},
		{name: "a field longer than the buffer", method: "GET", raw: "HTTP/1.1 200 OK\r\nX-Long: " + long + "\r\nContent-Length: 0\r\n\r\n", status: 200},
		{name: "conflicting lengths", method: "GET", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", bad: true},
		{name: "a coding other than chunked", method: "GET", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", bad: true},
		{name: "line folding", method: "GET", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n", bad: true},
		{name: "a bad status line", method: "GET", raw: "HTTP/2 200\r\n\r\n", bad: true},
		{name: "a bad field name", method: "GET", raw: "HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n", bad: true},
		{name: "a cut head", method: "GET", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &upConn{br: bufio.NewReaderSize(strings.NewReader(tt.raw), 8<<10)}
			err := c.readHead(tt.method)
			if tt.bad {
				if err == nil {
					t.Fatalf("accepted: %+v", c.head)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h := c.head
			if h.status != tt.status || h.length != tt.length || h.chunked != tt.chunked || h.close != tt.close || h.noBody != tt.noBody {
				t.Fatalf("got %+v", h)
			}
			if !h.noBody {
				b, err := io.ReadAll(c.body())
				if err != nil || string(b) != tt.body {
					t.Fatalf("body %q %v", b, err)
				}
			}
		})
	}
}

func TestReadHeadFieldsAndTrailer(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"1\r\nx\r\n0\r\nX-Sum: abc\r\nx-other: d\r\n\r\n"
	c := &upConn{br: bufio.NewReader(strings.NewReader(raw))}
	if err := c.readHead("GET"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range c.head.fields {
		names = append(names, f.k+"="+f.v)
	}
	if got := strings.Join(names, "|"); got != "Content-Type=text/plain|Set-Cookie=a=1|Set-Cookie=b=2|Trailer=X-Sum|Transfer-Encoding=chunked" {
		t.Fatalf("fields %s", got)
	}
	if b, err := io.ReadAll(c.body()); err != nil || string(b) != "x" {
		t.Fatalf("body %q %v", b, err)
	}
	h := http.Header{}
	if err := c.readTrailer(h); err != nil {
		t.Fatal(err)
	}
	if h.Get(http.TrailerPrefix+"X-Sum") != "abc" || h.Get(http.TrailerPrefix+"X-Other") != "d" {
		t.Fatalf("trailer %v", h)
	}
}
