package awsproto

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
)

// restJSONContentType is what rest-json services answer with.
const restJSONContentType = "application/json"

// IsRESTRequest reports whether r is addressed to the URI space of a REST
// protocol service ninsho speaks: paths under /v2/ (API Gateway v2) that do
// not carry an AWS JSON 1.1 X-Amz-Target header. A Handler answers these in
// ServeHTTP (or ServeREST), with NotFoundException when no operation matches.
func IsRESTRequest(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/v2/") && r.Header.Get("X-Amz-Target") == ""
}

// ServeREST answers r if it lies in the URI space of one of the handler's
// rest-json services (its first path segment is the first segment of one of
// their request URIs, e.g. "/v2/...") and reports whether it did. It writes
// nothing and returns false otherwise, so callers can fall through.
func (h *Handler) ServeREST(w http.ResponseWriter, r *http.Request) bool {
	if !h.ownsREST(r) {
		return false
	}
	h.ServeHTTP(w, r)
	return true
}

func (h *Handler) ownsREST(r *http.Request) bool {
	return h.rest != nil && r.Header.Get("X-Amz-Target") == "" && h.rest.owns(r.URL.EscapedPath())
}

// serveREST answers a rest-json request: the operation is found by method
// and path, the input bound from URI labels, query string, headers and the
// JSON body, and the output written with the operation's status code.
func (h *Handler) serveREST(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		h.writeRESTError(ctx, w, awserr.New("BadRequestException", "The query string is malformed."))
		return
	}
	m := h.rest.match(r.Method, r.URL.EscapedPath(), query)
	if m.route == nil {
		if len(m.allowed) > 0 {
			w.Header().Set("Allow", strings.Join(m.allowed, ", "))
			h.writeRESTError(ctx, w, awserr.Newf("MethodNotAllowedException", "%s is not allowed on %s.", r.Method, r.URL.Path).WithStatus(http.StatusMethodNotAllowed))
			return
		}
		h.writeRESTError(ctx, w, awserr.Newf("NotFoundException", "No operation matches %s %s.", r.Method, r.URL.Path).WithStatus(http.StatusNotFound))
		return
	}
	svc, op := m.route.svc, m.route.op
	in := op.NewInput()
	req := &awsapi.HTTPRequest{Labels: m.labels, Query: query, Header: r.Header, Body: body}
	if b, ok := in.(awsapi.HTTPInput); ok {
		b.BindHTTP(req)
		if err := req.Err(); err != nil {
			h.writeRESTError(ctx, w, awserr.New(svc.ValidationErrorCode, err.Error()))
			return
		}
	}
	if !req.BodyConsumed {
		target := any(in)
		if req.PayloadTarget != nil {
			target = req.PayloadTarget
		}
		if err := decodeJSON(body, target); err != nil {
			if e, ok := awserr.As(err); ok && e.Code == "SerializationException" {
				// rest-json services report unreadable bodies with their own
				// client error (BadRequestException for API Gateway).
				err = awserr.New(svc.ValidationErrorCode, e.Message)
			}
			h.writeRESTError(ctx, w, err)
			return
		}
	}
	out, err := h.call(ctx, r, body, svc, op, in)
	if err != nil {
		h.writeRESTError(ctx, w, err)
		return
	}
	h.writeRESTOutput(ctx, w, op, out)
}

// writeRESTOutput writes a successful answer: header-bound members as
// headers, the payload member or the JSON of the other members as the body,
// and the status of the model's responseCode (or a statusCode member).
func (h *Handler) writeRESTOutput(ctx context.Context, w http.ResponseWriter, op *awsapi.Operation, out any) {
	status := op.HTTP.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	resp := &awsapi.HTTPResponse{Header: http.Header{}}
	if o, ok := out.(awsapi.HTTPOutput); ok {
		o.EncodeHTTP(resp)
	}
	if resp.Status != 0 {
		status = resp.Status
	}
	contentType := restJSONContentType
	var buf []byte
	switch p := resp.Payload; {
	case !resp.HasPayload:
		b, err := json.Marshal(out)
		if err != nil {
			h.writeRESTError(ctx, w, err)
			return
		}
		if string(b) == "null" {
			b = []byte("{}")
		}
		buf = b
	case isNil(p):
		contentType = ""
	default:
		switch v := p.(type) {
		case []byte:
			buf, contentType = v, "application/octet-stream"
		case *string:
			buf, contentType = []byte(*v), "text/plain"
		default:
			b, err := json.Marshal(v)
			if err != nil {
				h.writeRESTError(ctx, w, err)
				return
			}
			buf = b
		}
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		buf, contentType = nil, ""
	}
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	w.Write(buf)
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// writeRESTError writes err as rest-json services do: like JSON 1.1
// services (the type in X-Amzn-ErrorType, which botocore's rest-json parser
// reads first, and in `__type`), with the rest-json content type.
func (h *Handler) writeRESTError(ctx context.Context, w http.ResponseWriter, err error) {
	h.writeErrorJSON(ctx, w, restJSONContentType, err)
}
