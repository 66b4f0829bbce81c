package sigv4

import (
	"context"
	"testing"
)

// The AWS SigV4 test suite (as shipped with awslabs/aws-c-auth,
// tests/aws-signing-test-suite/v4): AKIDEXAMPLE, 20150830T123600Z,
// us-east-1, service "service".
const (
	suiteKey    = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteToken  = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
	suiteDate   = "20150830T123600Z"
	suiteAuth   = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
)

func suiteVerifier(t *testing.T, token string) *Verifier {
	return &Verifier{
		Lookup: keys{suiteKey: {AccessKeyID: suiteKey, SecretAccessKey: suiteSecret, SessionToken: token}},
		Now:    fixedClock(mustTime(t, suiteDate)),
	}
}

func TestTheAWSTestSuiteVectorsVerify(t *testing.T) {
	tests := []struct {
		name  string
		token string
		raw   string
	}{
		{"get-vanilla", "", "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
		{"get-vanilla-query-order-key-case", "", "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n\n"},
		{"get-vanilla-query-unreserved", "", "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197\n\n"},
		{"get-vanilla-utf8-query", "", "GET /?ሴ=bar HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04\n\n"},
		{"get-utf8", "", "GET /ሴ HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85\n\n"},
		{"get-space", "", "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741\n\n"},
		{"get-relative-relative-normalized", "", "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
		{"get-relative-relative-unnormalized", "", "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b\n\n"},
		{"get-slashes-normalized", "", "GET //example// HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84\n\n"},
		{"get-header-value-trim", "", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n\n"},
		{"get-header-key-duplicate", "", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n\n"},
		{"get-vanilla-with-session-token", suiteToken, "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:" + suiteToken + "\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\n\n"},
		{"post-x-www-form-urlencoded", "", "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nContent-Length:13\n" +
			"x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\n\nParam1=value1"},
		{"presigned get-vanilla-query-order-key-case", "", "GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n"},
		{"presigned get-utf8", "", "GET /ሴ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := rawRequest(t, tt.raw)
			res, err := suiteVerifier(t, tt.token).Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.Credential.AccessKeyID != suiteKey || res.Parsed.Service != "service" || res.Parsed.Region != "us-east-1" {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestATamperedTestSuiteVectorIsRefused(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"a query parameter changed", "GET /?Param2=value2&Param1=value9 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n\n"},
		{"a signed header changed", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value2\nMy-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n\n"},
		{"the host changed", "GET / HTTP/1.1\nHost:example.amazonaws.org\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
		{"the path changed", "GET /other HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
		{"the method changed", "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
			"Authorization:" + suiteAuth + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := rawRequest(t, tt.raw)
			_, err := suiteVerifier(t, "").Verify(context.Background(), r, body)
			wantErr(t, err, KindBadSignature, CodeInvalidSignature, msgSignatureNoMatch)
		})
	}
}

func TestTheCanonicalURIFormsAreThoseOfTheSigners(t *testing.T) {
	tests := []struct {
		target string
		want   []string
	}{
		{"/", []string{"/"}},
		{"", []string{"/"}},
		{"/a%20b/c", []string{"/a%2520b/c", "/a%20b/c"}},
		{"/example1/example2/../..", []string{"/example1/example2/../..", "/"}},
		{"//example//", []string{"//example//", "/example/"}},
		{"/ሴ", []string{"/%E1%88%B4"}},
		{"/a%2Fb/./c", []string{"/a%252Fb/./c", "/a%252Fb/c", "/a/b/c", "/a/b/./c"}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r, _ := rawRequest(t, "GET "+tt.target+" HTTP/1.1\nHost:h\n\n")
			if tt.target == "" {
				r.RequestURI = ""
			}
			got := canonicalURIs(r)
			if len(got) != len(tt.want) {
				t.Fatalf("canonicalURIs = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("canonicalURIs = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestTheCanonicalQueryIsSortedAfterEncoding(t *testing.T) {
	r, _ := rawRequest(t, "GET /?b=a-b&b=a%2Fb&a=x+y&c=&%C3%BC=%7E HTTP/1.1\nHost:h\n\n")
	p := &Parsed{}
	p.query = r.URL.Query()
	got := canonicalQuery(p.query, false)
	want := "%C3%BC=~&a=x%20y&b=a%2Fb&b=a-b&c="
	if got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
}
