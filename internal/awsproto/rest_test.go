package awsproto

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
)

// acceptAll authenticates every request as the account root.
type acceptAll struct{ services []string }

func (a *acceptAll) Authenticate(_ context.Context, _ *http.Request, _ []byte, svc *awsapi.Service) (*principal.Principal, error) {
	a.services = append(a.services, svc.SigningName)
	return &principal.Principal{Kind: principal.Root}, nil
}

// fakeGateway implements a few API Gateway v2 operations and records the
// inputs it was called with.
type fakeGateway struct {
	apigatewayv2.UnimplementedAPI
	mu    sync.Mutex
	calls map[string]any
}

func (f *fakeGateway) record(op string, in any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]any{}
	}
	f.calls[op] = in
}

var created = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func (f *fakeGateway) CreateApi(_ context.Context, in *apigatewayv2.CreateApiInput) (*apigatewayv2.CreateApiOutput, error) {
	f.record("CreateApi", in)
	return &apigatewayv2.CreateApiOutput{ApiId: awsapi.String("a1b2c3"), Name: in.Name, ProtocolType: in.ProtocolType,
		Tags: in.Tags, CreatedDate: &awsapi.ISO8601Timestamp{Time: created},
		ApiEndpoint: awsapi.String("https://a1b2c3.execute-api.us-east-1.amazonaws.com")}, nil
}

func (f *fakeGateway) GetApi(_ context.Context, in *apigatewayv2.GetApiInput) (*apigatewayv2.GetApiOutput, error) {
	f.record("GetApi", in)
	if awsapi.ToString(in.ApiId) != "a1b2c3" {
		return nil, apigatewayv2.NewNotFoundExceptionf("Invalid API identifier specified %s", awsapi.ToString(in.ApiId))
	}
	return &apigatewayv2.GetApiOutput{ApiId: in.ApiId, Name: awsapi.String("demo"), CreatedDate: &awsapi.ISO8601Timestamp{Time: created}}, nil
}

func (f *fakeGateway) CreateRoute(_ context.Context, in *apigatewayv2.CreateRouteInput) (*apigatewayv2.CreateRouteOutput, error) {
	f.record("CreateRoute", in)
	return &apigatewayv2.CreateRouteOutput{RouteId: awsapi.String("r1"), RouteKey: in.RouteKey, Target: in.Target}, nil
}

func (f *fakeGateway) GetRoutes(_ context.Context, in *apigatewayv2.GetRoutesInput) (*apigatewayv2.GetRoutesOutput, error) {
	f.record("GetRoutes", in)
	return &apigatewayv2.GetRoutesOutput{Items: []apigatewayv2.Route{{RouteId: awsapi.String("r1"), RouteKey: awsapi.String("GET /x")}},
		NextToken: awsapi.String("tok")}, nil
}

func (f *fakeGateway) DeleteApi(_ context.Context, in *apigatewayv2.DeleteApiInput) (*awsapi.Empty, error) {
	f.record("DeleteApi", in)
	return nil, nil
}

func (f *fakeGateway) UntagResource(_ context.Context, in *apigatewayv2.UntagResourceInput) (*awsapi.Empty, error) {
	f.record("UntagResource", in)
	return nil, nil
}

func (f *fakeGateway) ExportApi(_ context.Context, in *apigatewayv2.ExportApiInput) (*apigatewayv2.ExportApiOutput, error) {
	f.record("ExportApi", in)
	return &apigatewayv2.ExportApiOutput{Body: []byte("openapi: 3.0.1\n")}, nil
}

func newRESTHandler(api apigatewayv2.API) (*Handler, *acceptAll) {
	auth := &acceptAll{}
	return NewHandler(auth, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), apigatewayv2.NewService(api)), auth
}

// botocore runs testdata/botocore_restjson.py; the test is skipped when
// python3 or botocore is missing.
func botocore(t *testing.T, mode string, cases any, out any) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore not installed")
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command("python3", "testdata/botocore_restjson.py", mode, "apigatewayv2")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("botocore %s output: %v\n%s", mode, err, stdout)
	}
}

type wireRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type wireResponse struct {
	Op      string            `json:"op"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func serve(t *testing.T, h http.Handler, req wireRequest) *httptest.ResponseRecorder {
	t.Helper()
	body, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(req.Method, "http://localhost"+req.Path, bytes.NewReader(body))
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	if !IsRESTRequest(r) {
		t.Fatalf("IsRESTRequest(%s %s) = false", req.Method, req.Path)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func toWire(op string, w *httptest.ResponseRecorder) wireResponse {
	hdr := map[string]string{}
	for k := range w.Header() {
		hdr[k] = w.Header().Get(k)
	}
	return wireResponse{Op: op, Status: w.Code, Headers: hdr, Body: base64.StdEncoding.EncodeToString(w.Body.Bytes())}
}

// TestRESTRoundTripWithBotocore serializes calls with botocore's rest-json
// serializer, serves them, and parses the answers with botocore's parser.
func TestRESTRoundTripWithBotocore(t *testing.T) {
	type call struct {
		Op     string         `json:"op"`
		Params map[string]any `json:"params"`
	}
	calls := []call{
		{"CreateApi", map[string]any{"Name": "demo", "ProtocolType": "HTTP", "Tags": map[string]string{"env": "test"}}},
		{"GetApi", map[string]any{"ApiId": "a1b2c3"}},
		{"GetApi", map[string]any{"ApiId": "missing"}},
		{"CreateRoute", map[string]any{"ApiId": "a1b2c3", "RouteKey": "GET /pets/{id}", "Target": "integrations/i1"}},
		{"GetRoutes", map[string]any{"ApiId": "a1b2c3", "MaxResults": "5", "NextToken": "n/1"}},
		{"DeleteApi", map[string]any{"ApiId": "a1b2c3"}},
		{"UntagResource", map[string]any{"ResourceArn": "arn:aws:apigateway:us-east-1::/apis/a1b2c3", "TagKeys": []string{"env", "team"}}},
		{"ExportApi", map[string]any{"ApiId": "a1b2c3", "Specification": "OAS30", "OutputType": "YAML", "IncludeExtensions": true}},
		{"GetStages", map[string]any{"ApiId": "a1b2c3"}},
	}
	var reqs []wireRequest
	botocore(t, "serialize", calls, &reqs)
	fake := &fakeGateway{}
	h, auth := newRESTHandler(fake)
	var resps []wireResponse
	for i, req := range reqs {
		w := serve(t, h, req)
		if w.Header().Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no request id", calls[i].Op)
		}
		resps = append(resps, toWire(calls[i].Op, w))
	}
	if len(auth.services) == 0 || slices.ContainsFunc(auth.services, func(s string) bool { return s != "apigateway" }) {
		t.Errorf("authenticated with signing names %v, want apigateway", auth.services)
	}

	// What the implementation saw.
	if in := fake.calls["CreateApi"].(*apigatewayv2.CreateApiInput); awsapi.ToString(in.Name) != "demo" || awsapi.ToString(in.ProtocolType) != "HTTP" || in.Tags["env"] != "test" {
		t.Errorf("CreateApi input = %+v", in)
	}
	if in := fake.calls["CreateRoute"].(*apigatewayv2.CreateRouteInput); awsapi.ToString(in.ApiId) != "a1b2c3" || awsapi.ToString(in.RouteKey) != "GET /pets/{id}" || awsapi.ToString(in.Target) != "integrations/i1" {
		t.Errorf("CreateRoute input = %+v", in)
	}
	if in := fake.calls["GetRoutes"].(*apigatewayv2.GetRoutesInput); awsapi.ToString(in.ApiId) != "a1b2c3" || awsapi.ToString(in.MaxResults) != "5" || awsapi.ToString(in.NextToken) != "n/1" {
		t.Errorf("GetRoutes input = %+v", in)
	}
	if in := fake.calls["UntagResource"].(*apigatewayv2.UntagResourceInput); awsapi.ToString(in.ResourceArn) != "arn:aws:apigateway:us-east-1::/apis/a1b2c3" || !reflect.DeepEqual(in.TagKeys, []string{"env", "team"}) {
		t.Errorf("UntagResource input = %+v", in)
	}
	if in := fake.calls["ExportApi"].(*apigatewayv2.ExportApiInput); in.IncludeExtensions == nil || !*in.IncludeExtensions || awsapi.ToString(in.Specification) != "OAS30" || awsapi.ToString(in.OutputType) != "YAML" {
		t.Errorf("ExportApi input = %+v", in)
	}

	// Statuses and raw bodies.
	for i, want := range []int{201, 200, 404, 201, 200, 204, 204, 200, 501} {
		if resps[i].Status != want {
			body, _ := base64.StdEncoding.DecodeString(resps[i].Body)
			t.Errorf("%s: status %d, want %d (%s)", calls[i].Op, resps[i].Status, want, body)
		}
	}
	if raw, _ := base64.StdEncoding.DecodeString(resps[0].Body); !strings.Contains(string(raw), `"apiId":"a1b2c3"`) || !strings.Contains(string(raw), `"createdDate":"2024-05-01T12:00:00Z"`) {
		t.Errorf("CreateApi body = %s, want lowerCamel keys and an ISO 8601 createdDate", raw)
	}
	if resps[2].Headers["X-Amzn-Errortype"] != "NotFoundException" {
		t.Errorf("error headers = %v", resps[2].Headers)
	}
	if resps[5].Body != "" {
		t.Errorf("204 with a body: %q", resps[5].Body)
	}

	// What botocore makes of the answers.
	var parsed []map[string]any
	botocore(t, "parse", resps, &parsed)
	get := func(i int, path ...string) any {
		var v any = parsed[i]
		for _, p := range path {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return v
	}
	checks := []struct {
		i    int
		path []string
		want any
	}{
		{0, []string{"ApiId"}, "a1b2c3"},
		{0, []string{"Name"}, "demo"},
		{0, []string{"ProtocolType"}, "HTTP"},
		{0, []string{"Tags", "env"}, "test"},
		{0, []string{"CreatedDate"}, "2024-05-01T12:00:00+00:00"},
		{1, []string{"Name"}, "demo"},
		{2, []string{"Error", "Code"}, "NotFoundException"},
		{2, []string{"Error", "Message"}, "Invalid API identifier specified missing"},
		{3, []string{"RouteId"}, "r1"},
		{3, []string{"RouteKey"}, "GET /pets/{id}"},
		{4, []string{"NextToken"}, "tok"},
		{7, []string{"body"}, "openapi: 3.0.1\n"},
		{8, []string{"Error", "Code"}, "NotImplementedException"},
	}
	for _, c := range checks {
		if got := get(c.i, c.path...); got != c.want {
			t.Errorf("%s %v = %#v, want %#v (parsed %v)", calls[c.i].Op, c.path, got, c.want, parsed[c.i])
		}
	}
	if items, _ := parsed[4]["Items"].([]any); len(items) != 1 || items[0].(map[string]any)["RouteKey"] != "GET /x" {
		t.Errorf("GetRoutes items = %v", parsed[4]["Items"])
	}
}

// TestRESTErrorsParseInBotocore: routing, binding and validation failures
// are rest-json errors botocore reads the code of.
func TestRESTErrorsParseInBotocore(t *testing.T) {
	h, _ := newRESTHandler(&fakeGateway{})
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown path", "GET", "/v2/nothing/here", "", 404, "NotFoundException"},
		{"unknown nested path", "GET", "/v2/apis/a/routes/r/nope/x", "", 404, "NotFoundException"},
		{"empty label", "GET", "/v2/apis//routes", "", 404, "NotFoundException"},
		{"wrong method", "PUT", "/v2/apis/a/routes", "", 405, "MethodNotAllowedException"},
		{"missing required member", "POST", "/v2/apis/a/routes", "{}", 400, "BadRequestException"},
		{"wrong JSON type", "POST", "/v2/apis", `{"name":5}`, 400, "BadRequestException"},
		{"not JSON", "POST", "/v2/apis", `name=x`, 400, "BadRequestException"},
		{"bad integer query", "GET", "/v2/domainnames/d/routingrules?maxResults=ten", "", 400, "BadRequestException"},
		{"bad boolean query", "PUT", "/v2/apis?failOnWarnings=maybe", `{"body":"x"}`, 400, "BadRequestException"},
		{"bad query escape", "GET", "/v2/apis?nextToken=%zz", "", 400, "BadRequestException"},
		{"enum violation", "POST", "/v2/apis", `{"name":"n","protocolType":"FTP"}`, 400, "BadRequestException"},
	}
	var resps []wireResponse
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "http://localhost/", strings.NewReader(c.body))
		r.URL.Path, r.URL.RawPath, r.URL.RawQuery, _ = splitPath(c.path)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.status || w.Header().Get("X-Amzn-ErrorType") != c.code {
			t.Errorf("%s: %d %s %s, want %d %s", c.name, w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Body, c.status, c.code)
		}
		var body struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message == "" || body.Type != c.code {
			t.Errorf("%s: body %s", c.name, w.Body)
		}
		resps = append(resps, toWire("GetApi", w))
	}
	var parsed []map[string]any
	botocore(t, "parse", resps, &parsed)
	for i, c := range cases {
		e, _ := parsed[i]["Error"].(map[string]any)
		if e["Code"] != c.code || e["Message"] == "" {
			t.Errorf("%s: botocore parsed %v", c.name, parsed[i])
		}
	}
}

func splitPath(p string) (path, rawPath, rawQuery string, err error) {
	u, err := http.NewRequest("GET", "http://x"+p, nil)
	if err != nil {
		return "", "", "", err
	}
	return u.URL.Path, u.URL.RawPath, u.URL.RawQuery, nil
}

// TestRESTEveryOperationRejectsBadInput: every API Gateway v2 operation is
// routable from its own request URI, and answers an empty body and a body
// of wrongly typed members with a 4xx AWS error — or, for what ninsho does
// not implement, 501 NotImplementedException — never another 5xx.
func TestRESTEveryOperationRejectsBadInput(t *testing.T) {
	svc := apigatewayv2.NewService(apigatewayv2.UnimplementedAPI{})
	h := NewHandler(&acceptAll{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), svc)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range svc.Operations {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) != len(apigatewayv2.OperationNames) {
		t.Fatalf("%d operations, want %d", len(names), len(apigatewayv2.OperationNames))
	}
	check := func(t *testing.T, op *awsapi.Operation, method, path, body string) {
		t.Helper()
		r := httptest.NewRequest(method, "http://localhost/", strings.NewReader(body))
		r.URL.Path, r.URL.RawPath, r.URL.RawQuery, _ = splitPath(path)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		code := w.Header().Get("X-Amzn-ErrorType")
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Type != code || e.Message == "" {
			t.Errorf("%s %s: not a rest-json error: %d %s", method, path, w.Code, w.Body)
		}
		switch {
		case w.Code == 501 && code == "NotImplementedException":
		case w.Code >= 400 && w.Code < 500 && code != "NotFoundException" && code != "MethodNotAllowedException":
		default:
			t.Errorf("%s %s (%s) body %s: %d %s", method, path, op.Name, body, w.Code, w.Body)
		}
	}
	for _, name := range names {
		op := svc.Operations[name]
		path := fillTemplate(op.HTTP.RequestURI)
		t.Run(name+"/empty body", func(t *testing.T) { check(t, op, op.HTTP.Method, path, "") })
		if b := wrongTypes(op.NewInput()); b != "" {
			t.Run(name+"/wrong types", func(t *testing.T) { check(t, op, op.HTTP.Method, path, b) })
		}
		t.Run(name+"/array body", func(t *testing.T) { check(t, op, op.HTTP.Method, path, "[1]") })
	}
}

// fillTemplate replaces every {label} and {label+} of a request URI.
func fillTemplate(uri string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(uri, '{')
		if i < 0 {
			b.WriteString(uri)
			return b.String()
		}
		j := strings.IndexByte(uri[i:], '}')
		b.WriteString(uri[:i])
		b.WriteString("x1")
		uri = uri[i+j+1:]
	}
}

// wrongTypes is a JSON body giving every body member of in a value of the
// wrong JSON type, or "" when the input has no body members.
func wrongTypes(in awsapi.Input) string {
	rt := reflect.TypeOf(in).Elem()
	m := map[string]any{}
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Map, reflect.Struct:
			m[name] = 12
		default:
			m[name] = map[string]any{"x": 1}
		}
	}
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestRESTRouterCompilesEveryOperation: each request URI template routes
// back to its own operation, labels decoded.
func TestRESTRouterCompilesEveryOperation(t *testing.T) {
	svc := apigatewayv2.NewService(apigatewayv2.UnimplementedAPI{})
	rt := newRESTRouter()
	if err := rt.add(svc); err != nil {
		t.Fatal(err)
	}
	for name, op := range svc.Operations {
		path := strings.ReplaceAll(fillTemplate(op.HTTP.RequestURI), "x1", "a%2Fb")
		m := rt.match(op.HTTP.Method, path, nil)
		if m.route == nil || m.route.op != op {
			t.Errorf("%s %s does not route to %s", op.HTTP.Method, path, name)
			continue
		}
		for k, v := range m.labels {
			if v != "a/b" {
				t.Errorf("%s: label %s = %q", name, k, v)
			}
		}
	}
	if !rt.owns("/v2/apis") || rt.owns("/v3/apis") || rt.owns("/") || rt.owns("/v2") {
		t.Error("owns answers wrongly")
	}
}

// TestRESTRouterGreedyAndQueryLiterals covers template features API Gateway
// v2 lacks: greedy labels and "?k" literals.
func TestRESTRouterGreedyAndQueryLiterals(t *testing.T) {
	svc := &awsapi.Service{Name: "s3ish", Protocol: "rest-json", Operations: map[string]*awsapi.Operation{
		"GetObject":    {Name: "GetObject", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/b/{Bucket}/{Key+}"}},
		"ListUploads":  {Name: "ListUploads", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/b/{Bucket}?uploads"}},
		"ListObjects":  {Name: "ListObjects", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/b/{Bucket}"}},
		"GetVersioned": {Name: "GetVersioned", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/b/{Bucket}?list-type=2"}},
	}}
	rt := newRESTRouter()
	if err := rt.add(svc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, query, op string
		labels          map[string]string
	}{
		{"/b/bk/a/b%20c/d", "", "GetObject", map[string]string{"Bucket": "bk", "Key": "a/b c/d"}},
		{"/b/bk", "uploads", "ListUploads", map[string]string{"Bucket": "bk"}},
		{"/b/bk", "list-type=2", "GetVersioned", map[string]string{"Bucket": "bk"}},
		{"/b/bk", "list-type=1", "ListObjects", map[string]string{"Bucket": "bk"}},
		{"/b/bk/", "", "", nil},
	} {
		q, _ := parseQuery(c.query)
		m := rt.match("GET", c.path, q)
		got := ""
		if m.route != nil {
			got = m.route.op.Name
		}
		if got != c.op || (c.op != "" && !reflect.DeepEqual(m.labels, c.labels)) {
			t.Errorf("%s?%s: %s %v, want %s %v", c.path, c.query, got, m.labels, c.op, c.labels)
		}
	}
	bad := &awsapi.Service{Name: "bad", Protocol: "rest-json", Operations: map[string]*awsapi.Operation{
		"A": {Name: "A", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/x/{a}"}},
		"B": {Name: "B", HTTP: awsapi.HTTPBinding{Method: "GET", RequestURI: "/x/{b}/y"}},
	}}
	if err := newRESTRouter().add(bad); err == nil {
		t.Error("conflicting label names were accepted")
	}
}

func parseQuery(s string) (map[string][]string, error) {
	r, err := http.NewRequest("GET", "http://x/?"+s, nil)
	if err != nil {
		return nil, err
	}
	return r.URL.Query(), nil
}

// TestRESTErrorStatusFromErrorShape: generated errors keep their shape's
// status; anything else is an internal error.
func TestRESTErrorStatusFromErrorShape(t *testing.T) {
	h, _ := newRESTHandler(&fakeGateway{})
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{apigatewayv2.NewConflictException("c"), 409, "ConflictException"},
		{apigatewayv2.NewTooManyRequestsException("t"), 429, "TooManyRequestsException"},
		{awserr.New("X", "y").WithStatus(403), 403, "X"},
		{io.EOF, 500, "InternalErrorException"},
	} {
		w := httptest.NewRecorder()
		h.writeRESTError(context.Background(), w, c.err)
		if w.Code != c.status || w.Header().Get("X-Amzn-ErrorType") != c.code || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%v: %d %v", c.err, w.Code, w.Header())
		}
	}
}
