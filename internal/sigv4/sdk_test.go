package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testKey     = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempKey     = "ASIAIOSFODNN7EXAMPLE"
	tempSecret  = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	tempToken   = "FwoGZXIvYXdzEBYaDExampleSessionToken+/=="
	testService = "cognito-idp"
	testRegion  = "us-east-1"
)

var testNow = time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC)

func testKeys() keys {
	return keys{
		testKey: {AccessKeyID: testKey, SecretAccessKey: testSecret, Principal: "user/alice"},
		tempKey: {AccessKeyID: tempKey, SecretAccessKey: tempSecret, SessionToken: tempToken, Expires: testNow.Add(time.Hour), Principal: "role/r"},
	}
}

func testVerifier() *Verifier {
	return &Verifier{Lookup: testKeys(), Now: fixedClock(testNow)}
}

type sdkReq struct {
	method, url, body string
	header            http.Header
}

func (s sdkReq) build(t testing.TB) *http.Request {
	t.Helper()
	var body *bytes.Reader
	if s.body != "" {
		body = bytes.NewReader([]byte(s.body))
	}
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequest(s.method, s.url, body)
	} else {
		r, err = http.NewRequest(s.method, s.url, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range s.header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}

func hashHex(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

type signOpts struct {
	key, secret, token string
	service, region    string
	at                 time.Time
}

func defaultSign() signOpts {
	return signOpts{key: testKey, secret: testSecret, service: testService, region: testRegion, at: testNow}
}

// sdkSign signs s with aws-sdk-go-v2 (header or presigned) and returns what a
// server receives.
func sdkSign(t testing.TB, s sdkReq, o signOpts, presign bool) (*http.Request, []byte) {
	t.Helper()
	r := s.build(t)
	creds := aws.Credentials{AccessKeyID: o.key, SecretAccessKey: o.secret, SessionToken: o.token}
	signer := v4.NewSigner()
	if presign {
		if !r.URL.Query().Has("X-Amz-Expires") {
			if r.URL.RawQuery != "" {
				r.URL.RawQuery += "&"
			}
			r.URL.RawQuery += "X-Amz-Expires=900"
		}
		u, hdr, err := signer.PresignHTTP(context.Background(), creds, r, hashHex(s.body), o.service, o.region, o.at)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := http.NewRequest(s.method, u, strings.NewReader(s.body))
		if err != nil {
			t.Fatal(err)
		}
		if s.body == "" {
			pr.Body, pr.ContentLength = nil, 0
		}
		pr.Header = hdr.Clone()
		return serverSide(t, pr)
	}
	if err := signer.SignHTTP(context.Background(), creds, r, hashHex(s.body), o.service, o.region, o.at); err != nil {
		t.Fatal(err)
	}
	return serverSide(t, r)
}

var jsonHeader = http.Header{
	"Content-Type": {"application/x-amz-json-1.1"},
	"X-Amz-Target": {"AWSCognitoIdentityProviderService.InitiateAuth"},
}

func TestRequestsSignedByTheGoSDKVerify(t *testing.T) {
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"alice","PASSWORD":"p"}}`
	tests := []struct {
		name string
		req  sdkReq
	}{
		{"a JSON POST to /", sdkReq{"POST", "https://cognito-idp.us-east-1.amazonaws.com/", body, jsonHeader}},
		{"a GET with no body", sdkReq{"GET", "https://cognito-idp.us-east-1.amazonaws.com/", "", nil}},
		{"a host with a port", sdkReq{"POST", "http://localhost:9229/", body, jsonHeader}},
		{"an escaped and odd path", sdkReq{"GET", "http://localhost:9229/a%20b/c%2Fd/%C3%BC/./x/../y//z", "", nil}},
		{"a path with sub-delimiters", sdkReq{"GET", "http://localhost:9229/a:b@c!d$e&f'g(h)i*j+k,l;m=n", "", nil}},
		{"an odd query", sdkReq{"GET", "http://localhost:9229/?b=a-b&b=a%2Fb&a=x+y&c=&%C3%BC=%7E&d=%20%2B&Action=ListUsers", "", nil}},
		{"a query key without value", sdkReq{"GET", "http://localhost:9229/?flag&x=1", "", nil}},
		{"headers with runs of spaces", sdkReq{"POST", "http://localhost:9229/", body, http.Header{
			"Content-Type": {"application/x-amz-json-1.1"}, "X-Custom": {"a   b    c", "  second "},
		}}},
	}
	for _, tt := range tests {
		for _, presign := range []bool{false, true} {
			for _, temp := range []bool{false, true} {
				name := tt.name
				if presign {
					name += ", presigned"
				}
				o := defaultSign()
				if temp {
					name += ", with a session token"
					o.key, o.secret, o.token = tempKey, tempSecret, tempToken
				}
				t.Run(name, func(t *testing.T) {
					r, b := sdkSign(t, tt.req, o, presign)
					res, err := testVerifier().VerifyService(context.Background(), r, b, testService)
					if err != nil {
						t.Fatalf("Verify: %v\n%s %s %v", err, r.Method, r.RequestURI, r.Header)
					}
					if res.Credential.AccessKeyID != o.key || res.Parsed.AccessKeyID != o.key {
						t.Errorf("access key = %q / %q", res.Credential.AccessKeyID, res.Parsed.AccessKeyID)
					}
					if res.Parsed.Presigned != presign || res.Parsed.SessionToken != o.token {
						t.Errorf("parsed = %+v", res.Parsed)
					}
					if (res.Credential.Principal == "role/r") != temp {
						t.Errorf("principal = %v", res.Credential.Principal)
					}
				})
			}
		}
	}
}

func TestRequestsSignedByTheGoSDKAreRefusedWhenWrong(t *testing.T) {
	body := `{"ClientId":"abc"}`
	post := sdkReq{"POST", "https://cognito-idp.us-east-1.amazonaws.com/", body, jsonHeader}
	signed := func(t *testing.T, o signOpts, presign bool) (*http.Request, []byte) {
		return sdkSign(t, post, o, presign)
	}
	with := func(f func(*signOpts)) signOpts {
		o := defaultSign()
		f(&o)
		return o
	}
	replaceAuth := func(r *http.Request, old, new string) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
	tests := []struct {
		name    string
		req     func(t *testing.T) (*http.Request, []byte)
		v       func(v *Verifier)
		service string
		kind    Kind
		code    string
		msg     string
	}{
		{name: "a flipped byte in the signature", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			flip := byte('0')
			if last == '0' {
				flip = '1'
			}
			r.Header.Set("Authorization", a[:len(a)-1]+string(flip))
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "a flipped byte in the body", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			b[3] ^= 1
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "a flipped byte in a presigned signature", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), true)
			q := r.URL.Query()
			sig := []byte(q.Get("X-Amz-Signature"))
			sig[0] ^= 1
			q.Set("X-Amz-Signature", string(sig))
			r.URL.RawQuery = q.Encode()
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "an unsigned header added to a presigned query", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), true)
			r.URL.RawQuery += "&Extra=1"
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "the wrong secret", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.secret = "wrong" }), false)
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "an unknown access key", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.key = "AKIAUNKNOWN" }), false)
		}, kind: KindUnknownKey, code: CodeUnrecognizedClient, msg: msgInvalidToken},
		{name: "a nil lookup", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, defaultSign(), false)
		}, v: func(v *Verifier) { v.Lookup = nil }, kind: KindUnknownKey, code: CodeUnrecognizedClient, msg: msgInvalidToken},
		{name: "a session token that does not match", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.key, o.secret, o.token = tempKey, tempSecret, "other" }), false)
		}, kind: KindUnknownKey, code: CodeUnrecognizedClient, msg: msgInvalidToken},
		{name: "a missing session token", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.key, o.secret = tempKey, tempSecret }), false)
		}, kind: KindUnknownKey, code: CodeUnrecognizedClient, msg: msgInvalidToken},
		{name: "a session token with a long-term key", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.token = tempToken }), true)
		}, kind: KindUnknownKey, code: CodeUnrecognizedClient, msg: msgInvalidToken},
		{name: "an expired credential", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.key, o.secret, o.token = tempKey, tempSecret, tempToken }), false)
		}, v: func(v *Verifier) {
			k := testKeys()
			c := k[tempKey]
			c.Expires = testNow.Add(-time.Second)
			k[tempKey] = c
			v.Lookup = k
		}, kind: KindExpiredCredential, code: CodeExpiredToken, msg: msgExpiredToken},
		{name: "a request too old", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.at = testNow.Add(-30 * time.Minute) }), false)
		}, kind: KindSignatureExpired, code: CodeInvalidSignature,
			msg: "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)"},
		{name: "a request too new", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.at = testNow.Add(30 * time.Minute) }), false)
		}, kind: KindSignatureExpired, code: CodeInvalidSignature,
			msg: "Signature not yet current: 20240101T010000Z is still later than 20240101T004500Z (20240101T003000Z + 15 min.)"},
		{name: "a presigned request past X-Amz-Expires", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.at = testNow.Add(-2 * time.Hour) }), true)
		}, kind: KindRequestExpired, code: CodeAccessDenied, msg: msgRequestExpired},
		{name: "a presigned request from the future", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.at = testNow.Add(time.Hour) }), true)
		}, kind: KindSignatureExpired, code: CodeInvalidSignature},
		{name: "a scope date other than X-Amz-Date's", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			replaceAuth(r, "/20240101/", "/20231231/")
			return r, b
		}, kind: KindScope, code: CodeInvalidSignature,
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T003000Z'."},
		{name: "a scope for another service", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.service = "sts" }), false)
		}, service: testService, kind: KindScope, code: CodeInvalidSignature,
			msg: "Credential should be scoped to correct service: 'cognito-idp'. "},
		{name: "a scope for another region", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, with(func(o *signOpts) { o.region = "eu-west-1" }), false)
		}, v: func(v *Verifier) { v.Region = "us-east-1" }, kind: KindScope, code: CodeInvalidSignature,
			msg: "Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{name: "a scope with an invalid region", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			replaceAuth(r, "/us-east-1/", "/US EAST/")
			return r, b
		}, kind: KindScope, code: CodeInvalidSignature, msg: "Credential should be scoped to a valid region, not 'US EAST'. "},
		{name: "a scope with the wrong terminator", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			replaceAuth(r, "/aws4_request", "/aws5_request")
			return r, b
		}, kind: KindScope, code: CodeInvalidSignature,
			msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "host missing from the signed headers", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			replaceAuth(r, "host;", "")
			return r, b
		}, kind: KindMalformed, code: CodeIncompleteSignature, msg: msgHostNotSigned},
		{name: "host missing from presigned signed headers", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), true)
			q := r.URL.Query()
			q.Set("X-Amz-SignedHeaders", "content-type")
			r.URL.RawQuery = q.Encode()
			return r, b
		}, kind: KindMalformed, code: CodeIncompleteSignature, msg: msgHostNotSigned},
		{name: "x-amz-date missing from the signed headers", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			replaceAuth(r, ";x-amz-date", "")
			return r, b
		}, kind: KindMalformed, code: CodeIncompleteSignature, msg: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "a declared payload hash that does not match the body", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			r.Header.Set("X-Amz-Content-Sha256", hashHex("other"))
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature,
			msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "a malformed declared payload hash", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
			return r, b
		}, kind: KindMalformed, code: CodeIncompleteSignature},
		{name: "UNSIGNED-PAYLOAD added after signing", req: func(t *testing.T) (*http.Request, []byte) {
			r, b := signed(t, defaultSign(), false)
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			return r, b
		}, kind: KindBadSignature, code: CodeInvalidSignature, msg: msgSignatureNoMatch},
		{name: "no authentication at all", req: func(t *testing.T) (*http.Request, []byte) {
			return serverSide(t, post.build(t))
		}, kind: KindMissing, code: CodeMissingAuthenticationToken, msg: msgMissingToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := tt.req(t)
			v := testVerifier()
			if tt.v != nil {
				tt.v(v)
			}
			_, err := v.VerifyService(context.Background(), r, b, tt.service)
			wantErr(t, err, tt.kind, tt.code, tt.msg)
		})
	}
}

func TestALookupFailureIsPassedThroughAsAServerError(t *testing.T) {
	r, b := sdkSign(t, sdkReq{"GET", "http://localhost/", "", nil}, defaultSign(), false)
	boom := context.DeadlineExceeded
	v := testVerifier()
	v.Lookup = CredentialLookupFunc(func(context.Context, string) (Credential, error) { return Credential{}, boom })
	_, err := v.Verify(context.Background(), r, b)
	if err == nil || KindOf(err) != KindNone || !strings.Contains(err.Error(), boom.Error()) {
		t.Fatalf("err = %v (kind %v), want the lookup error", err, KindOf(err))
	}
}

func TestAcceptAnyPassesAWellFormedRequestWithoutTheSecret(t *testing.T) {
	r, b := sdkSign(t, sdkReq{"POST", "http://localhost/", "{}", jsonHeader},
		signOpts{key: "AKIAANYTHING", secret: "whatever", token: "tok", service: testService, region: testRegion, at: testNow.Add(-48 * time.Hour)}, false)
	v := &Verifier{AcceptAny: true, Lookup: CredentialLookupFunc(func(context.Context, string) (Credential, error) {
		t.Fatal("lookup consulted")
		return Credential{}, nil
	})}
	res, err := v.VerifyService(context.Background(), r, b, testService)
	if err != nil {
		t.Fatal(err)
	}
	if res.Credential.AccessKeyID != "AKIAANYTHING" || res.Credential.SessionToken != "tok" {
		t.Errorf("credential = %+v", res.Credential)
	}

	// Still refused: malformed, or scoped to another service.
	_, err = v.VerifyService(context.Background(), r, b, "sts")
	wantErr(t, err, KindScope, CodeInvalidSignature, "")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAANYTHING")
	_, err = v.Verify(context.Background(), r, b)
	wantErr(t, err, KindMalformed, CodeIncompleteSignature, "")
}

func TestTheSigningKeyCacheIsReusedAndBounded(t *testing.T) {
	v := testVerifier()
	for i := 0; i < 3; i++ {
		r, b := sdkSign(t, sdkReq{"GET", "http://localhost/", "", nil}, defaultSign(), false)
		if _, err := v.Verify(context.Background(), r, b); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.keys.len(); n != 1 {
		t.Errorf("cache holds %d keys, want 1", n)
	}
	for i := 0; i < keyCacheSize+50; i++ {
		v.keys.get("secret", "20240101", "us-east-1", "svc"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+url.QueryEscape(string(rune(i))))
	}
	if n := v.keys.len(); n > keyCacheSize {
		t.Errorf("cache holds %d keys, bound is %d", n, keyCacheSize)
	}
	// A derived key is the documented HMAC chain (the AWS example of the
	// signing-key derivation).
	got := hex.EncodeToString(deriveKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Errorf("deriveKey = %s, want %s", got, want)
	}
}

func TestVerifyIsSafeForConcurrentUse(t *testing.T) {
	v := testVerifier()
	r, b := sdkSign(t, sdkReq{"POST", "http://localhost/", "{}", jsonHeader}, defaultSign(), false)
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			var err error
			for j := 0; j < 50 && err == nil; j++ {
				_, err = v.Verify(context.Background(), r, b)
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
