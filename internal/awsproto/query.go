package awsproto

import (
	"context"
	"encoding"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
)

// maxQueryListIndex bounds list and map indices in a query request
// (`Roles.member.N`), so a hostile index cannot make us allocate.
const maxQueryListIndex = 1000

// maxQueryParams bounds the parameters of one query request. Decoding runs
// before authentication, so its cost must not grow with what an anonymous
// caller sends: no AWS query operation takes nearly this many.
const maxQueryParams = 5000

// queryForm is a decoded form with its keys sorted, so that the decoder
// finds the keys under a prefix by binary search instead of scanning every
// key for every member and list element.
type queryForm struct {
	values url.Values
	keys   []string // sorted
}

func newQueryForm(values url.Values) *queryForm {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &queryForm{values: values, keys: keys}
}

// withPrefix returns the sorted keys that start with prefix.
func (f *queryForm) withPrefix(prefix string) []string {
	i := sort.SearchStrings(f.keys, prefix)
	j := i
	for j < len(f.keys) && strings.HasPrefix(f.keys[j], prefix) {
		j++
	}
	return f.keys[i:j]
}

func (f *queryForm) get(key string) (string, bool) {
	v, ok := f.values[key]
	if !ok || len(v) == 0 {
		return "", ok
	}
	return v[0], true
}

// serveQuery answers an AWS query-protocol request: Action and Version in a
// form body (or the URL query), answered in XML.
func (h *Handler) serveQuery(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		h.writeQueryError(ctx, w, nil, awserr.New("MalformedQueryString", "The request body is not a valid form."))
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := values[k]; !ok {
			values[k] = v
		}
	}
	if len(values) > maxQueryParams {
		h.writeQueryError(ctx, w, nil, awserr.Newf("MalformedQueryString", "The request has more than %d parameters.", maxQueryParams))
		return
	}
	action := values.Get("Action")
	svc := h.byVersion[values.Get("Version")]
	if svc == nil {
		svc = h.byName[scopeService(r)]
	}
	if action == "" || svc == nil {
		h.writeJSONError(ctx, w, awserr.New("UnknownOperationException", "The request names no operation (X-Amz-Target header or Action parameter)."))
		return
	}
	op := svc.Operations[action]
	if op == nil {
		h.writeQueryError(ctx, w, svc, awserr.Newf("InvalidAction", "Could not find operation %s for version %s", action, svc.APIVersion))
		return
	}
	in := op.NewInput()
	if err := decodeQuery(newQueryForm(values), reflect.ValueOf(in).Elem(), ""); err != nil {
		h.writeQueryError(ctx, w, svc, awserr.New(svc.ValidationErrorCode, err.Error()))
		return
	}
	out, err := h.call(ctx, r, body, svc, op, in)
	if err != nil {
		h.writeQueryError(ctx, w, svc, err)
		return
	}
	if err := writeQueryResult(w, svc, action, out, principal.RequestInfoFrom(ctx).ID); err != nil {
		h.writeQueryError(ctx, w, svc, err)
	}
}

// scopeService returns the service of the SigV4 credential scope of r, or "".
func scopeService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			cred = a[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// memberName is the model's member name of a generated field.
func memberName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// decodeQuery fills the struct v from values under prefix, following the
// query protocol: structures as `A.B`, lists as `A.member.N`, maps as
// `A.entry.N.key` / `A.entry.N.value`.
func decodeQuery(values *queryForm, v reflect.Value, prefix string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		key := prefix + memberName(f)
		if err := decodeQueryValue(values, v.Field(i), key); err != nil {
			return err
		}
	}
	return nil
}

func hasPrefix(values *queryForm, prefix string) bool {
	return len(values.withPrefix(prefix)) > 0
}

func decodeQueryValue(values *queryForm, fv reflect.Value, key string) error {
	ft := fv.Type()
	switch {
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Uint8: // blob
		s, ok := values.get(key)
		if !ok {
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("Value at '%s' is not valid base64", key)
		}
		fv.SetBytes(b)
	case ft.Kind() == reflect.Slice:
		idx := indices(values, key+".member.")
		if len(idx) == 0 {
			if _, ok := values.get(key); ok { // "A=" is an empty list
				fv.Set(reflect.MakeSlice(ft, 0, 0))
			}
			return nil
		}
		s := reflect.MakeSlice(ft, 0, len(idx))
		for _, n := range idx {
			ev := reflect.New(ft.Elem()).Elem()
			if err := decodeQueryValue(values, ev, fmt.Sprintf("%s.member.%d", key, n)); err != nil {
				return err
			}
			s = reflect.Append(s, ev)
		}
		fv.Set(s)
	case ft.Kind() == reflect.Map:
		idx := indices(values, key+".entry.")
		if len(idx) == 0 {
			return nil
		}
		m := reflect.MakeMapWithSize(ft, len(idx))
		for _, n := range idx {
			k, _ := values.get(fmt.Sprintf("%s.entry.%d.key", key, n))
			ev := reflect.New(ft.Elem()).Elem()
			if err := decodeQueryValue(values, ev, fmt.Sprintf("%s.entry.%d.value", key, n)); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k), ev)
		}
		fv.Set(m)
	case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !reflect.PointerTo(ft.Elem()).Implements(textUnmarshaler):
		if !hasPrefix(values, key+".") {
			return nil
		}
		nv := reflect.New(ft.Elem())
		if err := decodeQuery(values, nv.Elem(), key+"."); err != nil {
			return err
		}
		fv.Set(nv)
	case ft.Kind() == reflect.Pointer:
		s, ok := values.get(key)
		if !ok {
			return nil
		}
		nv := reflect.New(ft.Elem())
		if err := setScalar(nv, s); err != nil {
			return fmt.Errorf("Value '%s' at '%s' failed to satisfy constraint: %v", s, key, err)
		}
		fv.Set(nv)
	case ft.Kind() == reflect.String:
		if s, ok := values.get(key); ok {
			fv.SetString(s)
		}
	}
	return nil
}

// indices returns the sorted N of keys `<prefix>N...`, bounded.
func indices(values *queryForm, prefix string) []int {
	seen := map[int]bool{}
	for _, k := range values.withPrefix(prefix) {
		rest := k[len(prefix):]
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > maxQueryListIndex {
			continue
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func setScalar(p reflect.Value, s string) error {
	if u, ok := p.Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	e := p.Elem()
	switch e.Kind() {
	case reflect.String:
		e.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("Member must be a boolean")
		}
		e.SetBool(b)
	case reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, e.Type().Bits())
		if err != nil {
			return fmt.Errorf("Member must be an integer")
		}
		e.SetInt(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("Member must be a number")
		}
		e.SetFloat(n)
	default:
		return fmt.Errorf("unsupported member type %s", e.Type())
	}
	return nil
}

// writeQueryResult writes <ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>.
func writeQueryResult(w http.ResponseWriter, svc *awsapi.Service, action string, out any, reqID string) error {
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: svc.XMLNamespace}}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if out != nil && !reflect.ValueOf(out).IsNil() {
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return err
		}
	}
	meta := struct {
		XMLName   xml.Name `xml:"ResponseMetadata"`
		RequestID string   `xml:"RequestId"`
	}{RequestID: reqID}
	if err := enc.Encode(meta); err != nil {
		return err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte(b.String()))
	return err
}

// queryErrorCodes renames the authentication errors that the SigV4 layer
// words for JSON services into the codes and statuses query services use.
var queryErrorCodes = map[string]struct {
	code   string
	status int
}{
	"MissingAuthenticationTokenException": {"MissingAuthenticationToken", http.StatusForbidden},
	"UnrecognizedClientException":         {"InvalidClientTokenId", http.StatusForbidden},
	"InvalidSignatureException":           {"SignatureDoesNotMatch", http.StatusForbidden},
	"IncompleteSignatureException":        {"IncompleteSignature", http.StatusBadRequest},
	"ExpiredTokenException":               {"ExpiredToken", http.StatusForbidden},
	"AccessDeniedException":               {"AccessDenied", http.StatusForbidden},
	"InternalErrorException":              {"InternalFailure", http.StatusInternalServerError},
}

// writeQueryError writes err as query services do.
func (h *Handler) writeQueryError(ctx context.Context, w http.ResponseWriter, svc *awsapi.Service, err error) {
	e := h.internalError(ctx, err)
	code, status := e.Code, e.HTTPStatus()
	if m, ok := queryErrorCodes[code]; ok {
		code, status = m.code, m.status
	}
	typ := "Sender"
	if e.Server || status >= 500 {
		typ = "Receiver"
	}
	ns := ""
	if svc != nil {
		ns = svc.XMLNamespace
	}
	type xmlError struct {
		Type    string
		Code    string
		Message string
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr,omitempty"`
		Error     xmlError
		RequestID string `xml:"RequestId"`
	}{Xmlns: ns, Error: xmlError{typ, code, e.Message}, RequestID: principal.RequestInfoFrom(ctx).ID}
	buf, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(buf)
}
