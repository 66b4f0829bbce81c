package sigv4

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

type botoInput struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Access  string            `json:"access"`
	Secret  string            `json:"secret"`
	Token   string            `json:"token,omitempty"`
	Region  string            `json:"region"`
	Service string            `json:"service"`
	Mode    string            `json:"mode"`
	Expires int               `json:"expires,omitempty"`
}

type botoOutput struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// botoSign signs the inputs with botocore (testdata/botosign.py), skipping the
// test when python3 or botocore is missing.
func botoSign(t *testing.T, in []botoInput) []botoOutput {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	if err := exec.Command(py, "-c", "import botocore.auth").Run(); err != nil {
		t.Skip("botocore not installed")
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/botosign.py")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botosign.py: %v\n%s", err, stderr.String())
	}
	var res []botoOutput
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("botosign.py output: %v\n%s", err, out)
	}
	if len(res) != len(in) {
		t.Fatalf("botosign.py answered %d requests, want %d", len(res), len(in))
	}
	return res
}

func TestRequestsSignedByBotocoreVerify(t *testing.T) {
	jsonHdr := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc"}`
	tests := []struct {
		name string
		in   botoInput
	}{
		{"a JSON POST", botoInput{Method: "POST", URL: "https://cognito-idp.us-east-1.amazonaws.com/", Headers: jsonHdr, Body: body, Service: "cognito-idp", Mode: "header"}},
		{"a JSON POST with a session token", botoInput{Method: "POST", URL: "http://localhost:9229/", Headers: jsonHdr, Body: body, Service: "cognito-idp", Mode: "header", Token: tempToken}},
		{"a GET with dot segments and double slashes", botoInput{Method: "GET", URL: "http://localhost:9229/a/./b/../c//d/", Service: "execute-api", Mode: "header"}},
		{"a GET with an escaped path", botoInput{Method: "GET", URL: "http://localhost:9229/a%20b/%C3%BC/~x", Service: "execute-api", Mode: "header"}},
		{"a GET with an encoded query", botoInput{Method: "GET", URL: "http://localhost:9229/?b=a-b&b=a%2Fb&a=x%20y&c=&Action=ListUsers", Service: "iam", Mode: "header"}},
		{"a form POST", botoInput{Method: "POST", URL: "http://localhost:9229/", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			Body: "Action=GetCallerIdentity&Version=2011-06-15", Service: "sts", Mode: "header"}},
		{"a presigned GetCallerIdentity", botoInput{Method: "GET", URL: "http://localhost:9229/?Action=GetCallerIdentity&Version=2011-06-15", Service: "sts", Mode: "query", Expires: 60}},
		{"a presigned GetCallerIdentity with a session token", botoInput{Method: "GET", URL: "http://localhost:9229/?Action=GetCallerIdentity&Version=2011-06-15", Service: "sts", Mode: "query", Expires: 900, Token: tempToken}},
		{"a presigned GET with dot segments", botoInput{Method: "GET", URL: "http://localhost:9229/a/./b/../c//d", Service: "execute-api", Mode: "query"}},
		{"a presigned POST", botoInput{Method: "POST", URL: "http://localhost:9229/?Action=ListUsers", Headers: map[string]string{"X-Amz-Target": "x"}, Service: "iam", Mode: "query"}},
	}
	in := make([]botoInput, len(tests))
	for i, tt := range tests {
		in[i] = tt.in
		in[i].Region = testRegion
		in[i].Access, in[i].Secret = testKey, testSecret
		if tt.in.Token != "" {
			in[i].Access, in[i].Secret = tempKey, tempSecret
		}
	}
	out := botoSign(t, in)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := botoRequest(t, in[i], out[i])
			k := testKeys()
			c := k[tempKey]
			c.Expires = time.Time{} // botocore signs with the real clock
			k[tempKey] = c
			v := &Verifier{Lookup: k}
			res, err := v.VerifyService(context.Background(), r, b, in[i].Service)
			if err != nil {
				t.Fatalf("Verify: %v\n%s %s\n%v", err, r.Method, r.RequestURI, r.Header)
			}
			if res.Credential.AccessKeyID != in[i].Access || res.Parsed.Presigned != (in[i].Mode == "query") {
				t.Errorf("result = %+v", res)
			}

			// The same request with its body or query altered is refused.
			if len(b) > 0 {
				b2 := bytes.Clone(b)
				b2[0] ^= 1
				_, err = v.VerifyService(context.Background(), r, b2, in[i].Service)
				wantErr(t, err, KindBadSignature, CodeInvalidSignature, msgSignatureNoMatch)
			}
			r.URL.RawQuery += "&z=1"
			_, err = v.VerifyService(context.Background(), r, b, in[i].Service)
			wantErr(t, err, KindBadSignature, CodeInvalidSignature, msgSignatureNoMatch)
		})
	}
}

func botoRequest(t *testing.T, in botoInput, out botoOutput) (*http.Request, []byte) {
	t.Helper()
	r, err := http.NewRequest(in.Method, out.URL, strings.NewReader(in.Body))
	if err != nil {
		t.Fatal(err)
	}
	if in.Body == "" {
		r.Body, r.ContentLength = nil, 0
	}
	for k, v := range out.Headers {
		r.Header.Set(k, v)
	}
	return serverSide(t, r)
}
