package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// FuzzParse feeds arbitrary Authorization headers, query strings, dates and
// paths to Parse, HasSignature and Verify: none may panic, and every refusal
// must be an *Error with a kind (the lookup never fails here).
func FuzzParse(f *testing.F) {
	f.Add(suiteAuth+"SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "", suiteDate, "/", "")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5", "", "/", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=", "a=%zz&;&=&X-Amz-Expires=-1", "Mon, 02 Jan 2006 15:04:05 GMT", "/a/../../b//", "UNSIGNED-PAYLOAD")
	f.Add("AWS4-HMAC-SHA256 ,,,==,Credential==/=/=/=/=", "X-Amz-Algorithm=&X-Amz-Signature=", "99999999T999999Z", "/%2e%2E/%", "00")
	f.Add("Bearer x", "", "", "", "")
	f.Fuzz(func(t *testing.T, auth, rawQuery, date, path, contentSHA string) {
		r := &http.Request{
			Method: "POST",
			URL:    &url.URL{Path: path, RawQuery: rawQuery},
			Host:   "example.amazonaws.com",
			Header: http.Header{},
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("Date", date)
		}
		if contentSHA != "" {
			r.Header.Set("X-Amz-Content-Sha256", contentSHA)
		}
		HasSignature(r)
		p, err := Parse(r)
		if (p == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v", p, err)
		}
		if err != nil && KindOf(err) == KindNone {
			t.Fatalf("Parse error without a kind: %v", err)
		}
		v := suiteVerifier(t, "")
		_, err = v.Verify(context.Background(), r, []byte(auth))
		if err != nil && KindOf(err) == KindNone {
			t.Fatalf("Verify error without a kind: %v", err)
		}
		v.AcceptAny = true
		if _, err := v.VerifyService(context.Background(), r, nil, "service"); err != nil && KindOf(err) == KindNone {
			t.Fatalf("Verify error without a kind: %v", err)
		}
	})
}
