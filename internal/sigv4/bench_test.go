package sigv4

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkVerify verifies a header-signed JSON POST with a 300-byte body;
// the signing key is cached after the first iteration.
func BenchmarkVerify(b *testing.B) {
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + strings.Repeat("c", 26) + `","AuthParameters":{"USERNAME":"alice","PASSWORD":"` + strings.Repeat("p", 300-125) + `"}}`
	if len(body) != 300 {
		b.Fatalf("body is %d bytes", len(body))
	}
	r, raw := sdkSign(b, sdkReq{"POST", "https://cognito-idp.us-east-1.amazonaws.com/", body, jsonHeader}, defaultSign(), false)
	v := testVerifier()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyService(ctx, r, raw, testService); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUncachedKey is BenchmarkVerify deriving the signing key
// every time, for comparison.
func BenchmarkVerifyUncachedKey(b *testing.B) {
	body := strings.Repeat("x", 300)
	r, raw := sdkSign(b, sdkReq{"POST", "https://cognito-idp.us-east-1.amazonaws.com/", body, jsonHeader}, defaultSign(), false)
	v := testVerifier()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v.keys = keyCache{}
		if _, err := v.VerifyService(ctx, r, raw, testService); err != nil {
			b.Fatal(err)
		}
	}
}
