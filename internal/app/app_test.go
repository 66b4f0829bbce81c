package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	"github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/config"
)

// newTestApp returns an app on a temporary data directory, served by an
// httptest server.
func newTestApp(t testing.TB) (*App, *httptest.Server) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.AllowReset = true
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewUnstartedServer(nil)
	a, err := New(context.Background(), cfg, "http://"+srv.Listener.Addr().String(), logger)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, srv
}

var signer = v4.NewSigner()

// call sends a signed AWS JSON 1.1 request and returns status and body.
func call(t testing.TB, url, service, target string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

// wrongTypeBody returns a JSON object giving the input's first member a
// value of the wrong type, or nil when the input has no members.
func wrongTypeBody(in awsapi.Input) []byte {
	t := reflect.TypeOf(in).Elem()
	if t.NumField() == 0 {
		return nil
	}
	f := t.Field(0)
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	var v any = "not-the-right-type"
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	if ft.Kind() == reflect.String {
		v = map[string]any{"nested": true}
	}
	b, _ := json.Marshal(map[string]any{name: v})
	return b
}

// TestEveryOperationAnswersBadInputWithAnAWSError sends every operation of
// every JSON service an empty body and a body with a wrongly typed member.
// Neither may get a 5xx: an empty body is a validation error when the
// operation has required members, and otherwise valid input, which only an
// operation not implemented yet may answer with 501 NotImplementedException.
func TestEveryOperationAnswersBadInputWithAnAWSError(t *testing.T) {
	_, srv := newTestApp(t)
	services := []*awsapi.Service{
		cognitoidp.NewService(cognitoidp.UnimplementedAPI{}),
		cognitoidentity.NewService(cognitoidentity.UnimplementedAPI{}),
	}
	for _, svc := range services {
		names := make([]string, 0, len(svc.Operations))
		for n := range svc.Operations {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			op := svc.Operations[name]
			target := svc.TargetPrefix + "." + name
			checkShape := func(t *testing.T, status int, body []byte, h http.Header) (code string) {
				var e struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
				}
				if status == http.StatusOK {
					return ""
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
					t.Fatalf("%s: status %d with a body that is not an AWS error: %s", target, status, body)
				}
				if h.Get("X-Amzn-ErrorType") != e.Type || h.Get("x-amzn-RequestId") == "" {
					t.Fatalf("%s: missing X-Amzn-ErrorType or x-amzn-RequestId headers: %v", target, h)
				}
				return e.Type
			}
			t.Run(svc.Name+"/"+name+"/empty body", func(t *testing.T) {
				status, body, h := call(t, srv.URL, svc.SigningName, target, nil)
				code := checkShape(t, status, body, h)
				if status >= 500 && !(status == http.StatusNotImplemented && code == "NotImplementedException") {
					t.Fatalf("%s: empty body got %d %s", target, status, body)
				}
			})
			if b := wrongTypeBody(op.NewInput()); b != nil {
				t.Run(svc.Name+"/"+name+"/wrong type", func(t *testing.T) {
					status, body, h := call(t, srv.URL, svc.SigningName, target, b)
					code := checkShape(t, status, body, h)
					if status != http.StatusBadRequest || code != "SerializationException" {
						t.Fatalf("%s: wrongly typed body %s got %d %s", target, b, status, body)
					}
				})
			}
		}
	}
}

// TestQueryOperationsAnswerInXML checks the query protocol: STS answers
// GetCallerIdentity in XML and an unknown action with an XML error.
func TestQueryOperationsAnswerInXML(t *testing.T) {
	_, srv := newTestApp(t)
	post := func(form string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(form))
		if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
			hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post("Action=GetCallerIdentity&Version=2011-06-15")
	if status != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::000000000000:root</Arn>") || !strings.Contains(body, "<GetCallerIdentityResult>") {
		t.Fatalf("GetCallerIdentity: %d %s", status, body)
	}
	status, body = post("Action=NoSuchThing&Version=2011-06-15")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Fatalf("unknown action: %d %s", status, body)
	}
	_ = stsapi.OperationNames
}

// TestResetWipesEverythingOnlyWhenAllowed covers POST /_ninsho/reset.
func TestResetWipesEverythingOnlyWhenAllowed(t *testing.T) {
	_, srv := newTestApp(t)
	status, body, _ := call(t, srv.URL, "cognito-idp", "AWSCognitoIdentityProviderService.CreateUserPool", []byte(`{"PoolName":"p"}`))
	if status != 200 {
		t.Fatalf("CreateUserPool: %d %s", status, body)
	}
	resp, err := http.Post(srv.URL+"/_ninsho/reset", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reset: %v %v", err, resp)
	}
	_, body, _ = call(t, srv.URL, "cognito-idp", "AWSCognitoIdentityProviderService.ListUserPools", []byte(`{"MaxResults":10}`))
	if !strings.Contains(string(body), `"UserPools":[]`) {
		t.Fatalf("pools left after reset: %s", body)
	}
}

// TestJSONWithoutTargetIsAnUnknownOperation: an AWS JSON body with no
// X-Amz-Target header gets UnknownOperationException, not a bare 404.
func TestJSONWithoutTargetIsAnUnknownOperation(t *testing.T) {
	_, srv := newTestApp(t)
	resp, err := http.Post(srv.URL+"/", "application/x-amz-json-1.1", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"__type":"UnknownOperationException"`) {
		t.Fatalf("got %d %s", resp.StatusCode, b)
	}
}

// postQuery sends a signed query-protocol request and returns status and body.
func postQuery(t testing.TB, url, service, form string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestEveryQueryOperationAnswersBadInputWithAnAWSError is the query-protocol
// half of the bad-input test: every STS and IAM action with no parameters,
// and with its first member given a value of the wrong kind, gets an XML
// AWS error, never a 5xx other than 501 for an action not implemented yet.
func TestEveryQueryOperationAnswersBadInputWithAnAWSError(t *testing.T) {
	_, srv := newTestApp(t)
	for _, svc := range []*awsapi.Service{stsapi.NewService(stsapi.UnimplementedAPI{}), iamapi.NewService(iamapi.UnimplementedAPI{})} {
		names := make([]string, 0, len(svc.Operations))
		for n := range svc.Operations {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			if svc.Operations[name].Unsigned {
				continue // AssumeRoleWithWebIdentity/SAML: tested where implemented
			}
			base := "Action=" + name + "&Version=" + svc.APIVersion
			check := func(t *testing.T, form string) {
				status, body := postQuery(t, srv.URL, svc.SigningName, form)
				if status == 200 {
					return
				}
				if !strings.Contains(body, "<ErrorResponse") || !strings.Contains(body, "<Code>") {
					t.Fatalf("%s: status %d with a body that is not an AWS error: %s", form, status, body)
				}
				if status >= 500 && !(status == 501 && strings.Contains(body, "<Code>NotImplementedException</Code>")) {
					t.Fatalf("%s: got %d %s", form, status, body)
				}
			}
			t.Run(svc.Name+"/"+name+"/no parameters", func(t *testing.T) { check(t, base) })
			in := svc.Operations[name].NewInput()
			rt := reflect.TypeOf(in).Elem()
			if rt.NumField() == 0 {
				continue
			}
			f := rt.Field(0)
			member, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			value := "not-a-number"
			if ft := f.Type; ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String {
				value = strings.Repeat("x", 3000) // too long for every string member
			}
			t.Run(svc.Name+"/"+name+"/wrong value", func(t *testing.T) { check(t, base+"&"+member+"="+value+"&"+member+".member.1="+value) })
		}
	}
}

// TestAQueryRequestWithTooManyParametersIsRefused: the query decoder runs
// before authentication, so its input is bounded.
func TestAQueryRequestWithTooManyParametersIsRefused(t *testing.T) {
	_, srv := newTestApp(t)
	var b strings.Builder
	b.WriteString("Action=ListRoles&Version=2010-05-08")
	for i := range 5001 {
		fmt.Fprintf(&b, "&P%d=x", i)
	}
	status, body := postQuery(t, srv.URL, "iam", b.String())
	if status != 400 || !strings.Contains(body, "<Code>MalformedQueryString</Code>") {
		t.Fatalf("got %d %s", status, body)
	}
}
