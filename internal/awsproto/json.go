package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ninsho/ninsho/internal/awserr"
)

const jsonContentType = "application/x-amz-json-1.1"

// serveJSON answers an AWS JSON 1.1 request: POST with
// X-Amz-Target: <TargetPrefix>.<Operation> and a JSON object body.
func (h *Handler) serveJSON(ctx context.Context, w http.ResponseWriter, r *http.Request, target string, body []byte) {
	prefix, opName, ok := strings.Cut(target, ".")
	svc := h.byTarget[prefix]
	if !ok || svc == nil {
		h.writeJSONError(ctx, w, awserr.Newf("UnknownOperationException", "Unknown operation %s", target))
		return
	}
	op := svc.Operations[opName]
	if op == nil {
		h.writeJSONError(ctx, w, awserr.Newf("UnknownOperationException", "Unknown operation %s", target))
		return
	}
	if r.Method != http.MethodPost {
		h.writeJSONError(ctx, w, awserr.New("UnknownOperationException", "AWS JSON operations are called with POST.").WithStatus(http.StatusMethodNotAllowed))
		return
	}
	in := op.NewInput()
	if err := decodeJSON(body, in); err != nil {
		h.writeJSONError(ctx, w, err)
		return
	}
	out, err := h.call(ctx, r, body, svc, op, in)
	if err != nil {
		h.writeJSONError(ctx, w, err)
		return
	}
	buf, err := json.Marshal(out)
	if err != nil {
		h.writeJSONError(ctx, w, err)
		return
	}
	if string(buf) == "null" {
		buf = []byte("{}")
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
}

// decodeJSON decodes an AWS JSON body into in. An empty body is an empty
// object, as the SDKs send for operations without input members.
func decodeJSON(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return awserr.New("SerializationException", "Expected a JSON object as the request body.")
	}
	if err := json.Unmarshal(body, in); err != nil {
		return awserr.New("SerializationException", serializationMessage(err))
	}
	return nil
}

func serializationMessage(err error) string {
	switch e := err.(type) {
	case *json.UnmarshalTypeError:
		if e.Field != "" {
			return "Unexpected type for member '" + e.Field + "': expected " + jsonKind(e.Type.Kind().String()) + ", found " + e.Value + "."
		}
		return "Unexpected " + e.Value + " in the request body."
	case *json.SyntaxError:
		return "The request body is not valid JSON."
	}
	if strings.Contains(err.Error(), "Timestamp") || strings.Contains(err.Error(), "timestamp") {
		return "A timestamp member could not be read."
	}
	return "The request body could not be read: " + err.Error()
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int32", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return k
}

// writeJSONError writes err as AWS JSON services do: the error type in
// `__type` and in the X-Amzn-ErrorType header, the text in `message`.
func (h *Handler) writeJSONError(ctx context.Context, w http.ResponseWriter, err error) {
	h.writeErrorJSON(ctx, w, jsonContentType, err)
}

// writeErrorJSON is the one writer of JSON error bodies: `__type` and
// `message`, the type again in X-Amzn-ErrorType, the error's status.
func (h *Handler) writeErrorJSON(ctx context.Context, w http.ResponseWriter, contentType string, err error) {
	e := h.internalError(ctx, err)
	buf, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.HTTPStatus())
	w.Write(buf)
}
