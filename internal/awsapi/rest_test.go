package awsapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestHTTPRequestBinds(t *testing.T) {
	r := &HTTPRequest{
		Labels: map[string]string{"id": "a/b"},
		Query:  url.Values{"n": {"7"}, "ok": {"true"}, "tags": {"x", "y"}, "other": {"1"}, "when": {"2024-05-01T12:00:00Z"}},
		Header: http.Header{"X-Count": {"3"}, "X-List": {"a, b", "c"}, "X-Meta-Color": {"red"}, "If-Modified-Since": {"Wed, 01 May 2024 12:00:00 GMT"}},
	}
	var (
		id, missing *string
		n           *int32
		ok          *bool
		tags, list  []string
		count       *int64
		rest, meta  map[string]string
		when        *ISO8601Timestamp
		since       *Timestamp
	)
	r.BindLabel("id", &id)
	r.BindLabel("nope", &missing)
	r.BindQuery("n", &n)
	r.BindQuery("ok", &ok)
	r.BindQuery("tags", &tags)
	r.BindQuery("when", &when)
	r.BindHeader("x-count", &count)
	r.BindHeader("X-List", &list)
	r.BindHeader("If-Modified-Since", &since)
	r.BindHeaderPrefix("x-meta-", &meta)
	r.BindQueryMap(&rest)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if *id != "a/b" || missing != nil || *n != 7 || !*ok || !reflect.DeepEqual(tags, []string{"x", "y"}) || *count != 3 ||
		!reflect.DeepEqual(list, []string{"a", "b", "c"}) || !reflect.DeepEqual(rest, map[string]string{"other": "1"}) ||
		!reflect.DeepEqual(meta, map[string]string{"color": "red"}) || !when.Equal(at) || !since.Equal(at) {
		t.Errorf("bound %v %v %v %v %v %v %v %v %v %v", *id, *n, *ok, tags, *count, list, rest, meta, when, since)
	}

	for _, bad := range []url.Values{{"n": {"x"}}, {"n": {"99999999999"}}, {"ok": {"yes"}}, {"when": {"soon"}}} {
		r := &HTTPRequest{Query: bad}
		var n *int32
		var ok *bool
		var when *ISO8601Timestamp
		r.BindQuery("n", &n)
		r.BindQuery("ok", &ok)
		r.BindQuery("when", &when)
		if r.Err() == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}

func TestHTTPRequestPayload(t *testing.T) {
	r := &HTTPRequest{Body: []byte("raw")}
	var blob []byte
	r.BindPayload(&blob)
	if string(blob) != "raw" || !r.BodyConsumed {
		t.Errorf("blob payload %q %v", blob, r.BodyConsumed)
	}
	type doc struct{ A string }
	r = &HTTPRequest{Body: []byte(`{"A":"x"}`)}
	var d *doc
	r.BindPayload(&d)
	if r.BodyConsumed || r.PayloadTarget != &d {
		t.Error("a structure payload is not left to the JSON decoder")
	}
}

func TestHTTPResponseHeaders(t *testing.T) {
	r := &HTTPResponse{Header: http.Header{}}
	at := Timestamp{time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	var none *string
	r.SetHeader("X-S", String("v"))
	r.SetHeader("X-None", none)
	r.SetHeader("X-N", Int32(4))
	r.SetHeader("Last-Modified", &at)
	r.SetHeader("X-L", []string{"a", "b"})
	r.SetHeaderPrefix("x-meta-", map[string]string{"k": "v"})
	r.SetStatus(Int32(202))
	want := http.Header{"X-S": {"v"}, "X-N": {"4"}, "Last-Modified": {"Wed, 01 May 2024 12:00:00 GMT"}, "X-L": {"a, b"}, "X-Meta-K": {"v"}}
	if !reflect.DeepEqual(r.Header, want) || r.Status != 202 {
		t.Errorf("headers %v status %d", r.Header, r.Status)
	}
}

func TestISO8601Timestamp(t *testing.T) {
	ts := ISO8601Timestamp{time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC)}
	b, err := json.Marshal(struct {
		T *ISO8601Timestamp `json:"t"`
	}{&ts})
	if err != nil || string(b) != `{"t":"2024-05-01T12:00:00.500Z"}` {
		t.Fatalf("%s %v", b, err)
	}
	for _, in := range []string{`"2024-05-01T12:00:00.5Z"`, `1714564800.5`} {
		var got ISO8601Timestamp
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(ts.Time) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
}
