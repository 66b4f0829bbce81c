package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const cognitoTarget = "AWSCognitoIdentityProviderService."

// rawCall is one hand-made AWS JSON 1.1 request.
type rawCall struct {
	target     string    // X-Amz-Target
	body       string    // request body
	keyID      string    // access key id; "" means accessKey
	secret     string    // signing secret; "" leaves the request unsigned
	signedAt   time.Time // zero means now
	status     int       // wanted status; 0 means any 4xx
	errType    string    // wanted __type; "" means a success
	msgPrefix  string    // wanted start of the error message
	wantMember string    // for a success: a member the answer must have
}

// do sends c to srv and checks the answer.
func (c rawCall) do(t *testing.T, ctx context.Context, srv *server) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/", bytes.NewReader([]byte(c.body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", c.target)
	if c.secret != "" {
		keyID := c.keyID
		if keyID == "" {
			keyID = accessKey
		}
		when := c.signedAt
		if when.IsZero() {
			when = time.Now()
		}
		sum := sha256.Sum256([]byte(c.body))
		creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: c.secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cognito-idp", region, when); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := httpDo(t, req)
	if id := resp.Header.Get("x-amzn-RequestId"); id == "" {
		t.Errorf("no x-amzn-RequestId header (headers %v)", resp.Header)
	}
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", resp.StatusCode, body, err)
	}
	if c.errType == "" {
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, body %s; want 200", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type %q, want application/x-amz-json-1.1", ct)
		}
		if _, ok := answer[c.wantMember]; c.wantMember != "" && !ok {
			t.Errorf("answer %s has no %s", body, c.wantMember)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type %q, want application/x-amz-json-1.1", ct)
	}
	// aws-sdk-go-v2 and others read the code from this header first.
	if h, _, _ := strings.Cut(resp.Header.Get("X-Amzn-ErrorType"), ":"); h != "" && h != c.errType {
		t.Errorf("X-Amzn-ErrorType %q, want %q", resp.Header.Get("X-Amzn-ErrorType"), c.errType)
	}
	switch {
	case c.status != 0 && resp.StatusCode != c.status:
		t.Errorf("status %d, want %d (body %s)", resp.StatusCode, c.status, body)
	case c.status == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499):
		t.Errorf("status %d, want a 4xx (body %s)", resp.StatusCode, body)
	}
	// __type may carry a namespace ("com.amazonaws...#Code"); SDKs use
	// what follows '#'.
	typ, _ := answer["__type"].(string)
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:]
	}
	if typ != c.errType {
		t.Errorf("__type %q, want %q (body %s)", answer["__type"], c.errType, body)
	}
	msg, _ := answer["message"].(string)
	if msg == "" {
		msg, _ = answer["Message"].(string)
	}
	if !strings.HasPrefix(msg, c.msgPrefix) {
		t.Errorf("message %q, want it to start with %q", msg, c.msgPrefix)
	}
}

// TestErrorsOverRawHTTP sends hand-made requests and checks the protocol
// errors AWS SDKs parse: status, __type, message and x-amzn-RequestId.
func TestErrorsOverRawHTTP(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())

	for _, c := range []struct {
		name string
		call rawCall
	}{
		{"a signed ListUserPools succeeds", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":10}`, secret: secretKey, wantMember: "UserPools"}},
		{"an unknown X-Amz-Target is UnknownOperationException", rawCall{
			target: cognitoTarget + "NoSuchOperation", body: `{}`, secret: secretKey,
			status: 400, errType: "UnknownOperationException"}},
		{"malformed JSON is SerializationException", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":`, secret: secretKey,
			status: 400, errType: "SerializationException"}},
		{"a missing required member is InvalidParameterException", rawCall{
			target: cognitoTarget + "DescribeUserPool", body: `{}`, secret: secretKey,
			status: 400, errType: "InvalidParameterException",
			msgPrefix: "1 validation error detected: Value null at 'userPoolId'"}},
		{"a signature made with another secret is InvalidSignatureException", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":10}`, secret: "wrong",
			status: 400, errType: "InvalidSignatureException",
			msgPrefix: "The request signature we calculated does not match the signature you provided."}},
		{"a signature from 20 minutes ago is InvalidSignatureException", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":10}`, secret: secretKey,
			signedAt: time.Now().Add(-20 * time.Minute),
			status:   400, errType: "InvalidSignatureException", msgPrefix: "Signature expired:"}},
		{"an unknown access key is UnrecognizedClientException", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":10}`, keyID: "AKIDUNKNOWN", secret: secretKey,
			errType: "UnrecognizedClientException", msgPrefix: "The security token included in the request is invalid."}},
		{"an unsigned admin call is MissingAuthenticationTokenException", rawCall{
			target: cognitoTarget + "ListUserPools", body: `{"MaxResults":10}`,
			errType: "MissingAuthenticationTokenException", msgPrefix: "Missing Authentication Token"}},
		{"an unsigned InitiateAuth is served: it is a public operation", rawCall{
			target: cognitoTarget + "InitiateAuth",
			body:   `{"ClientId":"nosuchclient0000000000000a","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"u","PASSWORD":"p"}}`,
			status: 400, errType: "ResourceNotFoundException"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.call.do(t, ctx, srv)
		})
	}

	t.Run("JWKS and discovery of an unknown pool are 404", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/us-east-1_NoSuchPool/.well-known/jwks.json", "/us-east-1_NoSuchPool/.well-known/openid-configuration"} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
			if resp, body := httpDo(t, req); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, body %s; want 404", path, resp.StatusCode, body)
			}
		}
	})
}

// TestResetEndpoint checks that POST /_ninsho/reset exists only with
// --allow-reset, and that it wipes the pools then.
func TestResetEndpoint(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)

	createPool := func(t *testing.T, srv *server) string {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/", strings.NewReader(`{"PoolName":"doomed"}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", cognitoTarget+"CreateUserPool")
		sum := sha256.Sum256([]byte(`{"PoolName":"doomed"}`))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, req,
			hex.EncodeToString(sum[:]), "cognito-idp", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, body := httpDo(t, req)
		var out struct{ UserPool struct{ Id string } }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.UserPool.Id == "" {
			t.Fatalf("CreateUserPool: status %d, body %s", resp.StatusCode, body)
		}
		return out.UserPool.Id
	}
	reset := func(t *testing.T, srv *server) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/_ninsho/reset", nil)
		resp, _ := httpDo(t, req)
		return resp.StatusCode
	}
	jwksStatus := func(t *testing.T, srv *server, pool string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/"+pool+"/.well-known/jwks.json", nil)
		resp, _ := httpDo(t, req)
		return resp.StatusCode
	}

	t.Run("without --allow-reset it is 404 and changes nothing", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, t.TempDir())
		pool := createPool(t, srv)
		if got := reset(t, srv); got != http.StatusNotFound {
			t.Errorf("POST /_ninsho/reset: status %d, want 404", got)
		}
		if got := jwksStatus(t, srv, pool); got != http.StatusOK {
			t.Errorf("JWKS of %s after the refused reset: status %d, want 200", pool, got)
		}
	})

	t.Run("with --allow-reset it wipes the pools", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, t.TempDir(), "--allow-reset")
		pool := createPool(t, srv)
		if got := reset(t, srv); got != http.StatusOK {
			t.Fatalf("POST /_ninsho/reset: status %d, want 200", got)
		}
		if got := jwksStatus(t, srv, pool); got != http.StatusNotFound {
			t.Errorf("JWKS of %s after reset: status %d, want 404", pool, got)
		}
		rawCall{target: cognitoTarget + "DescribeUserPool", body: `{"UserPoolId":"` + pool + `"}`, secret: secretKey,
			status: 400, errType: "ResourceNotFoundException"}.do(t, ctx, srv)
		// The server still works after a reset.
		createPool(t, srv)
	})
}
