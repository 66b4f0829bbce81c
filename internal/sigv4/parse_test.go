package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const goodCred = "AKIDEXAMPLE/20240101/us-east-1/cognito-idp/aws4_request"

func headerReq(auth string, hdr ...string) *http.Request {
	r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Host: "localhost", Header: http.Header{}}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func queryReq(rawQuery string) *http.Request {
	return &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Host: "localhost", Header: http.Header{}}
}

func TestParseReadsAHeaderSignature(t *testing.T) {
	r := headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+",SignedHeaders=content-type;host;x-amz-date,  Signature=abcd",
		"X-Amz-Date", "20240101T003000Z", "X-Amz-Security-Token", "tok")
	p, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Parsed{AccessKeyID: "AKIDEXAMPLE", Date: "20240101", Region: "us-east-1", Service: "cognito-idp",
		Signature: "abcd", Time: testNow, SessionToken: "tok"}
	if p.AccessKeyID != want.AccessKeyID || p.Date != want.Date || p.Region != want.Region || p.Service != want.Service ||
		p.Signature != want.Signature || !p.Time.Equal(want.Time) || p.SessionToken != want.SessionToken || p.Presigned ||
		strings.Join(p.SignedHeaders, ";") != "content-type;host;x-amz-date" {
		t.Errorf("Parse = %+v", p)
	}
	if p.Scope() != "20240101/us-east-1/cognito-idp/aws4_request" {
		t.Errorf("Scope = %s", p.Scope())
	}
}

func TestParseReadsADateHeaderWhenXAmzDateIsAbsent(t *testing.T) {
	r := headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+", SignedHeaders=date;host, Signature=abcd",
		"Date", "Mon, 01 Jan 2024 00:30:00 GMT")
	p, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Time.Equal(testNow) || p.amzDate != "20240101T003000Z" {
		t.Errorf("Time = %v, amzDate = %s", p.Time, p.amzDate)
	}
}

func TestParseReadsAPresignedQuery(t *testing.T) {
	r := queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url.QueryEscape(goodCred) +
		"&X-Amz-Date=20240101T003000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=ff&X-Amz-Security-Token=t%2Bk")
	p, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Presigned || p.Expires != 15*time.Minute || p.SessionToken != "t+k" || p.Signature != "ff" || !p.Time.Equal(testNow) {
		t.Errorf("Parse = %+v", p)
	}
}

func TestParseRefusesMalformedAuthentication(t *testing.T) {
	long := "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;" + strings.Repeat("x-a;", MaxSignedHeaders) + "x-amz-date, Signature=ab"
	tests := []struct {
		name string
		r    *http.Request
		kind Kind
		code string
		msg  string
	}{
		{"nothing at all", headerReq(""), KindMissing, CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"a bearer token", headerReq("Bearer abc"), KindMalformed, CodeIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=Bearer abc"},
		{"only a credential", headerReq("AWS4-HMAC-SHA256 Credential="+goodCred, "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature,
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=" + goodCred},
		{"no date header", headerReq("AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=ab"), KindMalformed, CodeIncompleteSignature,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=ab"},
		{"a pair without an equal sign", headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+", SignedHeaders", "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature,
			"'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders'."},
		{"SigV4a", headerReq("AWS4-ECDSA-P256-SHA256 Credential=x"), KindMalformed, CodeIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."},
		{"a short credential", headerReq("AWS4-HMAC-SHA256 Credential=AKID/20240101, SignedHeaders=host;x-amz-date, Signature=ab", "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20240101'"},
		{"a bad credential date", headerReq("AWS4-HMAC-SHA256 Credential=AKID/2024-1-1/us-east-1/s/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab", "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature, ""},
		{"a bad X-Amz-Date", headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+", SignedHeaders=host;x-amz-date, Signature=ab", "X-Amz-Date", "2024-01-01T00:30:00Z"), KindMalformed, CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"a date header not signed", headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+", SignedHeaders=host, Signature=ab", "Date", "Mon, 01 Jan 2024 00:30:00 GMT"), KindMalformed, CodeIncompleteSignature,
			"'Date' must be a 'SignedHeader' in the AWS Authorization."},
		{"an upper-case signed header", headerReq("AWS4-HMAC-SHA256 Credential="+goodCred+", SignedHeaders=Host;x-amz-date, Signature=ab", "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature, ""},
		{"too many signed headers", headerReq(long, "X-Amz-Date", "20240101T003000Z"), KindMalformed, CodeIncompleteSignature, ""},
		{"an oversized header", headerReq("AWS4-HMAC-SHA256 " + strings.Repeat("a", MaxAuthorizationLen)), KindMalformed, CodeIncompleteSignature, ""},
		{"two Authorization headers", headerReq("AWS4-HMAC-SHA256 a=b", "Authorization", "AWS4-HMAC-SHA256 c=d"), KindMalformed, CodeIncompleteSignature, ""},
		{"both a header and a presigned query", func() *http.Request {
			r := headerReq("AWS4-HMAC-SHA256 Credential=" + goodCred)
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			return r
		}(), KindMalformed, CodeIncompleteSignature, ""},
		{"a presigned query missing parameters", queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T003000Z"), KindMalformed, CodeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."},
		{"a presigned query with another algorithm", queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=" + url.QueryEscape(goodCred) +
			"&X-Amz-Date=20240101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ff"), KindMalformed, CodeIncompleteSignature, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""},
		{"X-Amz-Expires of zero", presignedWithExpires("0"), KindMalformed, CodeIncompleteSignature, "X-Amz-Expires must be greater than 0"},
		{"X-Amz-Expires over a week", presignedWithExpires("604801"), KindMalformed, CodeIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"X-Amz-Expires not a number", presignedWithExpires("soon"), KindMalformed, CodeIncompleteSignature, "X-Amz-Expires should be a number"},
		{"a presigned scope date other than X-Amz-Date's", queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url.QueryEscape(goodCred) +
			"&X-Amz-Date=20240102T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ff"), KindScope, CodeInvalidSignature, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.r)
			if p != nil {
				t.Errorf("Parse returned %+v with the error", p)
			}
			wantErr(t, err, tt.kind, tt.code, tt.msg)
		})
	}
}

func presignedWithExpires(e string) *http.Request {
	return queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url.QueryEscape(goodCred) +
		"&X-Amz-Date=20240101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ff&X-Amz-Expires=" + e)
}

func TestHasSignatureRecognizesBothForms(t *testing.T) {
	tests := []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"a SigV4 Authorization header", headerReq("AWS4-HMAC-SHA256 Credential=x"), true},
		{"a bearer token", headerReq("Bearer x"), false},
		{"a presigned query", queryReq("X-Amz-Algorithm=AWS4-HMAC-SHA256"), true},
		{"an ordinary query", queryReq("Action=ListUsers"), false},
		{"nothing", headerReq(""), false},
		{"a nil request", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasSignature(tt.r); got != tt.want {
				t.Errorf("HasSignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKindsHaveNames(t *testing.T) {
	for k := KindNone; k <= KindExpiredCredential; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if KindOf(nil) != KindNone {
		t.Error("KindOf(nil) != KindNone")
	}
}
