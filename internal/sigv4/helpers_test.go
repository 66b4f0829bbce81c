package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awserr"
)

// keys is a CredentialLookup over a fixed set of credentials.
type keys map[string]Credential

func (k keys) LookupCredential(_ context.Context, id string) (Credential, error) {
	c, ok := k[id]
	if !ok {
		return Credential{}, ErrUnknownKey
	}
	return c, nil
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(amzDateLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// serverSide turns a client request into what a net/http server hands its
// handler: it is written to the wire and read back. The body is returned
// read, as the caller of Verify has it.
func serverSide(t testing.TB, r *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("reading request back: %v\n%s", err, buf.String())
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, body
}

// rawRequest builds a server-side request from the text of an HTTP/1.1
// request as the AWS SigV4 test suite writes it ("Name:value" header lines,
// a request target that may hold spaces or raw UTF-8).
func rawRequest(t testing.TB, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	lines := strings.Split(head, "\n")
	line := lines[0]
	method, rest, _ := strings.Cut(line, " ")
	i := strings.LastIndexByte(rest, ' ')
	target := rest[:i]
	r := &http.Request{
		Method:     method,
		RequestURI: target,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{},
	}
	path, query, _ := strings.Cut(target, "?")
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = &url.URL{Path: path, RawQuery: query}
	}
	r.URL = u
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		k = textproto.CanonicalMIMEHeaderKey(k)
		v = strings.TrimSpace(v)
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Add(k, v)
	}
	r.ContentLength = int64(len(body))
	if cl := r.Header.Get("Content-Length"); cl != "" {
		r.ContentLength, _ = strconv.ParseInt(cl, 10, 64)
	}
	r.Body = io.NopCloser(strings.NewReader(body))
	return r, []byte(body)
}

// wantErr checks err against a kind and code and, when msg is not empty, the
// exact message.
func wantErr(t *testing.T, err error, kind Kind, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v %s", kind, code)
	}
	if k := KindOf(err); k != kind {
		t.Errorf("kind = %v, want %v (%v)", k, kind, err)
	}
	ae, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *awserr.Error", err, err)
	}
	if ae.Code != code {
		t.Errorf("code = %s, want %s (%s)", ae.Code, code, ae.Message)
	}
	if ae.HTTPStatus() != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", ae.HTTPStatus())
	}
	if msg != "" && ae.Message != msg {
		t.Errorf("message =\n%q\nwant\n%q", ae.Message, msg)
	}
	var se *Error
	if !errors.As(err, &se) {
		t.Errorf("error is not a *sigv4.Error")
	}
}
