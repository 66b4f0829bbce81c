package awsapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// HTTPBinding is the HTTP trait of an operation of a REST protocol service
// (rest-json): which method and URI call it and which status answers it.
// It is zero for AWS JSON 1.1 and query services, which POST to "/".
type HTTPBinding struct {
	Method string // "GET", "POST", ...
	// RequestURI is the model's URI template, e.g.
	// "/v2/apis/{apiId}/routes/{routeId}": {name} matches one path segment,
	// {name+} (greedy) the rest of the path. A "?k" or "?k=v" suffix names
	// query parameters the request must carry.
	RequestURI string
	// ResponseCode is the status of a successful answer; 0 means 200.
	ResponseCode int
}

// HTTPInput is implemented by the generated input structs of REST operations
// whose model binds members outside the JSON body (URI labels, query string,
// headers, a payload member). The protocol layer calls BindHTTP before it
// decodes the JSON body; bound members have `json:"-"` tags, so the body
// never sets them.
type HTTPInput interface {
	Input
	BindHTTP(r *HTTPRequest)
}

// HTTPOutput is implemented by the generated output structs of REST
// operations whose model binds members to headers, the status code or a
// payload member.
type HTTPOutput interface {
	EncodeHTTP(r *HTTPResponse)
}

// HTTPRequest is what a generated BindHTTP method reads from. The protocol
// layer fills the exported fields; the methods record the first problem,
// which Err returns.
type HTTPRequest struct {
	Labels map[string]string // URI labels, already percent-decoded
	Query  url.Values
	Header http.Header
	Body   []byte

	// PayloadTarget is set by BindPayload for a structure (or document) payload
	// member: the protocol layer decodes the JSON body into it instead of
	// into the whole input.
	PayloadTarget any
	// BodyConsumed is set by BindPayload for a blob or string payload member:
	// the body is that member's value, not JSON.
	BodyConsumed bool

	queryBound map[string]bool
	err        error
}

// Err is the first binding problem (a malformed number, boolean or
// timestamp), worded for the caller, or nil.
func (r *HTTPRequest) Err() error { return r.err }

func (r *HTTPRequest) fail(where, name, raw, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("Invalid value %q for %s %q: expected %s.", raw, where, name, want)
	}
}

// BindLabel binds the URI label name ({name} or {name+}) to dst.
func (r *HTTPRequest) BindLabel(name string, dst any) {
	if v, ok := r.Labels[name]; ok {
		r.set("URI label", name, []string{v}, dst, "iso8601")
	}
}

// BindQuery binds the query parameter name to dst (a list takes every value).
func (r *HTTPRequest) BindQuery(name string, dst any) {
	if r.queryBound == nil {
		r.queryBound = map[string]bool{}
	}
	r.queryBound[name] = true
	if vs, ok := r.Query[name]; ok && len(vs) > 0 {
		r.set("query parameter", name, vs, dst, "iso8601")
	}
}

// BindQueryMap binds the query parameters not bound by BindQuery to dst, a
// *map[string]string or *map[string][]string. Generated code calls it after
// every BindQuery.
func (r *HTTPRequest) BindQueryMap(dst any) {
	switch d := dst.(type) {
	case *map[string]string:
		for k, vs := range r.Query {
			if !r.queryBound[k] && len(vs) > 0 {
				if *d == nil {
					*d = map[string]string{}
				}
				(*d)[k] = vs[0]
			}
		}
	case *map[string][]string:
		for k, vs := range r.Query {
			if !r.queryBound[k] {
				if *d == nil {
					*d = map[string][]string{}
				}
				(*d)[k] = append([]string(nil), vs...)
			}
		}
	}
}

// BindHeader binds the header name to dst. A list header is comma-separated.
func (r *HTTPRequest) BindHeader(name string, dst any) {
	vs := r.Header.Values(name)
	if len(vs) == 0 {
		return
	}
	if _, ok := dst.(*[]string); ok {
		var items []string
		for _, v := range vs {
			for item := range strings.SplitSeq(v, ",") {
				items = append(items, strings.TrimSpace(item))
			}
		}
		vs = items
	}
	r.set("header", name, vs, dst, "rfc822")
}

// BindHeaderPrefix binds every header starting with prefix (case-insensitive) to
// dst, a *map[string]string keyed by the rest of the (lower-case) name.
func (r *HTTPRequest) BindHeaderPrefix(prefix string, dst *map[string]string) {
	p := strings.ToLower(prefix)
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, p) && len(vs) > 0 {
			if *dst == nil {
				*dst = map[string]string{}
			}
			(*dst)[lk[len(p):]] = strings.Join(vs, ",")
		}
	}
}

// BindPayload binds the body to the payload member dst: a blob (*[]byte) or a
// string (**string) takes the raw body; anything else is decoded from JSON
// by the protocol layer (PayloadTarget).
func (r *HTTPRequest) BindPayload(dst any) {
	switch d := dst.(type) {
	case *[]byte:
		r.BodyConsumed = true
		if len(r.Body) > 0 {
			*d = r.Body
		}
	case **string:
		r.BodyConsumed = true
		if len(r.Body) > 0 {
			s := string(r.Body)
			*d = &s
		}
	default:
		r.PayloadTarget = dst
	}
}

// set converts the raw values to dst's type.
func (r *HTTPRequest) set(where, name string, vs []string, dst any, tsFormat string) {
	raw := vs[0]
	switch d := dst.(type) {
	case **string:
		*d = &raw
	case *[]string:
		*d = append([]string(nil), vs...)
	case **int32:
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			r.fail(where, name, raw, "an integer")
			return
		}
		v := int32(n)
		*d = &v
	case **int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			r.fail(where, name, raw, "an integer")
			return
		}
		*d = &n
	case **float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			r.fail(where, name, raw, "a number")
			return
		}
		*d = &f
	case **bool:
		b, err := strconv.ParseBool(raw)
		if err != nil || (raw != "true" && raw != "false") {
			r.fail(where, name, raw, "true or false")
			return
		}
		*d = &b
	case *[]byte:
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			r.fail(where, name, raw, "base64")
			return
		}
		*d = b
	case **Timestamp:
		t, ok := parseTextTimestamp(raw)
		if !ok {
			r.fail(where, name, raw, "a timestamp")
			return
		}
		*d = &Timestamp{t}
	case **ISO8601Timestamp:
		t, ok := parseTextTimestamp(raw)
		if !ok {
			r.fail(where, name, raw, "a timestamp")
			return
		}
		*d = &ISO8601Timestamp{t}
	case *[]int32:
		out := make([]int32, 0, len(vs))
		for _, v := range vs {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				r.fail(where, name, v, "an integer")
				return
			}
			out = append(out, int32(n))
		}
		*d = out
	default:
		r.fail(where, name, raw, fmt.Sprintf("a value ninsho can bind (%T)", dst))
	}
}

// parseTextTimestamp reads ISO 8601, RFC 822/1123 (headers) or epoch seconds.
func parseTextTimestamp(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	var ts Timestamp
	if err := ts.UnmarshalText([]byte(s)); err != nil {
		return time.Time{}, false
	}
	return ts.Time, true
}

// HTTPResponse is what a generated EncodeHTTP method writes to.
type HTTPResponse struct {
	// Status replaces the operation's ResponseCode when non-zero.
	Status int
	Header http.Header
	// Payload is the value of the payload member when HasPayload: []byte
	// and *string are written raw, anything else as JSON.
	Payload    any
	HasPayload bool
}

// SetStatus binds a statusCode member.
func (r *HTTPResponse) SetStatus(v *int32) {
	if v != nil && *v >= 100 && *v <= 999 {
		r.Status = int(*v)
	}
}

// SetPayload binds the payload member v.
func (r *HTTPResponse) SetPayload(v any) { r.Payload, r.HasPayload = v, true }

// SetHeader binds a header member; nil values are left out.
func (r *HTTPResponse) SetHeader(name string, v any) {
	var s string
	switch x := v.(type) {
	case *string:
		if x == nil {
			return
		}
		s = *x
	case *int32:
		if x == nil {
			return
		}
		s = strconv.FormatInt(int64(*x), 10)
	case *int64:
		if x == nil {
			return
		}
		s = strconv.FormatInt(*x, 10)
	case *float64:
		if x == nil {
			return
		}
		s = strconv.FormatFloat(*x, 'g', -1, 64)
	case *bool:
		if x == nil {
			return
		}
		s = strconv.FormatBool(*x)
	case *Timestamp:
		if x == nil {
			return
		}
		s = x.UTC().Format(http.TimeFormat)
	case *ISO8601Timestamp:
		if x == nil {
			return
		}
		b, _ := Timestamp(*x).MarshalText()
		s = string(b)
	case []string:
		if x == nil {
			return
		}
		s = strings.Join(x, ", ")
	case []byte:
		if x == nil {
			return
		}
		s = base64.StdEncoding.EncodeToString(x)
	default:
		return
	}
	r.Header.Set(name, s)
}

// SetHeaderPrefix binds a headers-prefix map member.
func (r *HTTPResponse) SetHeaderPrefix(prefix string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Header.Set(prefix+k, m[k])
	}
}

// ISO8601Timestamp is a timestamp whose model shape says
// "timestampFormat": "iso8601" (API Gateway's createdDate, ...): JSON
// carries it as an ISO 8601 string, not epoch seconds. Reading accepts both.
type ISO8601Timestamp struct{ time.Time }

// MarshalJSON writes a quoted ISO 8601 UTC time, e.g. "2024-05-01T12:00:00Z".
func (t ISO8601Timestamp) MarshalJSON() ([]byte, error) {
	b, err := Timestamp(t).MarshalText()
	if err != nil {
		return nil, err
	}
	return []byte(`"` + string(b) + `"`), nil
}

// UnmarshalJSON accepts an ISO 8601 string or epoch seconds.
func (t *ISO8601Timestamp) UnmarshalJSON(b []byte) error {
	return (*Timestamp)(t).UnmarshalJSON(b)
}

// MarshalText writes ISO 8601, as Timestamp does.
func (t ISO8601Timestamp) MarshalText() ([]byte, error) { return Timestamp(t).MarshalText() }

// UnmarshalText accepts ISO 8601 or epoch seconds, as Timestamp does.
func (t *ISO8601Timestamp) UnmarshalText(b []byte) error {
	return (*Timestamp)(t).UnmarshalText(b)
}
