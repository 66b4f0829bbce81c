package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateLayout = "20060102T150405Z"

	unsignedPayload = "UNSIGNED-PAYLOAD"

	headerAuthorization = "Authorization"
	headerAmzDate       = "X-Amz-Date"
	headerDate          = "Date"
	headerSecurityToken = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	queryExpires       = "X-Amz-Expires"
	querySecurityToken = "X-Amz-Security-Token"

	// MaxSignedHeaders bounds the SignedHeaders list.
	MaxSignedHeaders = 64
	// MaxAuthorizationLen bounds the Authorization header.
	MaxAuthorizationLen = 16 << 10
	// MaxPresignExpires is the longest X-Amz-Expires, one week.
	MaxPresignExpires = 7 * 24 * time.Hour

	maxHeaderNameLen = 256
	maxEchoLen       = 1024
)

// Parsed is what a request claims, parsed without any secret.
type Parsed struct {
	AccessKeyID string
	// Date is the credential scope's date, yyyymmdd.
	Date    string
	Region  string
	Service string
	// SignedHeaders is the signed header list as sent (lower-case names).
	SignedHeaders []string
	Signature     string
	// Time is the request time (X-Amz-Date, else the Date header).
	Time      time.Time
	Presigned bool
	// Expires is X-Amz-Expires of a presigned request; zero when absent.
	Expires      time.Duration
	SessionToken string

	amzDate       string     // request time as it enters the string to sign
	signedHeaders string     // SignedHeaders exactly as sent
	query         url.Values // parsed query, reused for the canonical query
}

// Scope is the credential scope, date/region/service/aws4_request.
func (p *Parsed) Scope() string {
	return p.Date + "/" + p.Region + "/" + p.Service + "/" + terminator
}

// HasSignature reports whether r carries SigV4 authentication: an
// Authorization header of the AWS4-HMAC-SHA256 scheme, or X-Amz-Algorithm in
// the query.
func HasSignature(r *http.Request) bool {
	if r == nil {
		return false
	}
	if a := strings.TrimLeft(r.Header.Get(headerAuthorization), " \t"); strings.HasPrefix(a, algorithm) {
		return true
	}
	if r.URL == nil {
		return false
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	return q.Has(queryAlgorithm)
}

// Parse reads the SigV4 claims of r, from its Authorization header or its
// presigned query. Errors are *Error (wrapping an *awserr.Error) of kind
// KindMissing, KindMalformed or KindScope.
func Parse(r *http.Request) (*Parsed, error) {
	p, err := parse(r)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func parse(r *http.Request) (*Parsed, *Error) {
	if r == nil {
		return nil, errMissing()
	}
	var q url.Values
	if r.URL != nil {
		q, _ = url.ParseQuery(r.URL.RawQuery)
	}
	if q == nil {
		q = url.Values{}
	}
	auth := r.Header.Values(headerAuthorization)
	presign := q.Has(queryAlgorithm) || q.Has(queryCredential) || q.Has(querySignature)
	switch {
	case len(auth) > 0 && presign:
		return nil, errMalformed("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case len(auth) > 1:
		return nil, errMalformed("Only one Authorization header may be specified.")
	case len(auth) == 1:
		p, err := parseHeaderAuth(r, q, auth[0])
		if err != nil {
			return nil, err
		}
		p.query = q
		return p, nil
	case presign:
		p, err := parseQueryAuth(q)
		if err != nil {
			return nil, err
		}
		p.query = q
		return p, nil
	}
	return nil, errMissing()
}

func echo(s string) string {
	if len(s) > maxEchoLen {
		return s[:maxEchoLen] + "..."
	}
	return s
}

func parseHeaderAuth(r *http.Request, q url.Values, auth string) (*Parsed, *Error) {
	if len(auth) > MaxAuthorizationLen {
		return nil, errMalformedf("Authorization header is longer than %d bytes.", MaxAuthorizationLen)
	}
	auth = strings.TrimSpace(auth)
	alg, rest, _ := strings.Cut(auth, " ")
	var credential, signedHeaders, signature string
	var haveCred, haveSH, haveSig bool
	if alg == algorithm {
		for part := range strings.SplitSeq(rest, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return nil, errMalformedf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", echo(part), echo(auth))
			}
			switch strings.TrimSpace(k) {
			case "Credential":
				credential, haveCred = strings.TrimSpace(v), true
			case "SignedHeaders":
				signedHeaders, haveSH = strings.TrimSpace(v), true
			case "Signature":
				signature, haveSig = strings.TrimSpace(v), true
			}
		}
	} else if strings.HasPrefix(alg, "AWS4-") {
		return nil, errMalformedf("Unsupported AWS 'algorithm': '%s'.", echo(alg))
	}

	amzDate := strings.TrimSpace(r.Header.Get(headerAmzDate))
	date := strings.TrimSpace(r.Header.Get(headerDate))
	if !haveCred || !haveSH || !haveSig || (amzDate == "" && date == "") {
		var b strings.Builder
		if !haveCred {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if !haveSig {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if !haveSH {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		if amzDate == "" && date == "" {
			b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(echo(auth))
		return nil, errMalformed(b.String())
	}

	p := &Parsed{Signature: signature}
	if err := p.setCredential(credential); err != nil {
		return nil, err
	}
	if err := p.setSignedHeaders(signedHeaders); err != nil {
		return nil, err
	}
	dateHeader := "x-amz-date"
	if amzDate != "" {
		t, err := parseAmzDate(amzDate)
		if err != nil {
			return nil, err
		}
		p.Time, p.amzDate = t, amzDate
	} else {
		t, ok := parseHTTPDate(date)
		if !ok {
			return nil, errMalformedf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", echo(date))
		}
		p.Time, p.amzDate = t, fmtTime(t)
		dateHeader = "date"
	}
	if !p.signs(dateHeader) {
		if dateHeader == "date" {
			return nil, errMalformed("'Date' must be a 'SignedHeader' in the AWS Authorization.")
		}
		return nil, errMalformed("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if err := p.checkScopeDate(); err != nil {
		return nil, err
	}
	p.SessionToken = r.Header.Get(headerSecurityToken)
	if p.SessionToken == "" {
		p.SessionToken = q.Get(querySecurityToken)
	}
	return p, nil
}

func parseQueryAuth(q url.Values) (*Parsed, *Error) {
	var b strings.Builder
	for _, k := range []string{queryAlgorithm, queryCredential, querySignature, querySignedHeaders, queryDate} {
		if q.Get(k) == "" {
			b.WriteString("AWS query-string parameters must include '" + k + "'. ")
		}
	}
	if b.Len() > 0 {
		b.WriteString("Re-examine the query-string parameters.")
		return nil, errMalformed(b.String())
	}
	if alg := q.Get(queryAlgorithm); alg != algorithm {
		return nil, errMalformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	p := &Parsed{Presigned: true, Signature: q.Get(querySignature), SessionToken: q.Get(querySecurityToken)}
	if err := p.setCredential(q.Get(queryCredential)); err != nil {
		return nil, err
	}
	if err := p.setSignedHeaders(q.Get(querySignedHeaders)); err != nil {
		return nil, err
	}
	amzDate := q.Get(queryDate)
	t, err := parseAmzDate(amzDate)
	if err != nil {
		return nil, err
	}
	p.Time, p.amzDate = t, amzDate
	if q.Has(queryExpires) {
		s := q.Get(queryExpires)
		n, perr := strconv.ParseInt(s, 10, 64)
		switch {
		case perr != nil && !allDigits(s):
			return nil, errMalformed("X-Amz-Expires should be a number")
		case perr != nil || n > int64(MaxPresignExpires/time.Second):
			return nil, errMalformed("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		case n < 1:
			return nil, errMalformed("X-Amz-Expires must be greater than 0")
		}
		p.Expires = time.Duration(n) * time.Second
	}
	if err := p.checkScopeDate(); err != nil {
		return nil, err
	}
	return p, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// setCredential parses "AKID/yyyymmdd/region/service/aws4_request".
func (p *Parsed) setCredential(c string) *Error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[0] == "" {
		return errMalformedf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", echo(c))
	}
	p.AccessKeyID, p.Date, p.Region, p.Service = parts[0], parts[1], parts[2], parts[3]
	if _, err := time.Parse("20060102", p.Date); err != nil || len(p.Date) != 8 || !allDigits(p.Date) {
		return errMalformedf("Invalid credential date '%s'. Date is not the required format: yyyyMMdd.", echo(p.Date))
	}
	if !validRegion(p.Region) {
		return errScope("Credential should be scoped to a valid region, not '" + echo(p.Region) + "'. ")
	}
	if !validService(p.Service) {
		return errScope("Credential should be scoped to correct service. ")
	}
	if parts[4] != terminator {
		return errScope("Credential should be scoped with a valid terminator: 'aws4_request', not '" + echo(parts[4]) + "'. ")
	}
	return nil
}

func validRegion(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validService(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func (p *Parsed) setSignedHeaders(s string) *Error {
	if s == "" {
		return errMalformed(msgHostNotSigned)
	}
	if n := strings.Count(s, ";") + 1; n > MaxSignedHeaders {
		return errMalformedf("SignedHeaders lists %d headers; at most %d are allowed.", n, MaxSignedHeaders)
	}
	names := strings.Split(s, ";")
	for _, n := range names {
		if n == "" || len(n) > maxHeaderNameLen || !validHeaderName(n) {
			return errMalformedf("Invalid header name '%s' in SignedHeaders.", echo(n))
		}
	}
	p.SignedHeaders, p.signedHeaders = names, s
	if !p.signs("host") {
		return errMalformed(msgHostNotSigned)
	}
	return nil
}

// validHeaderName accepts an HTTP token (RFC 9110) in lower case.
func validHeaderName(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (p *Parsed) signs(name string) bool {
	for _, n := range p.SignedHeaders {
		if n == name {
			return true
		}
	}
	return false
}

// checkScopeDate requires the scope's date to be the request time's date.
func (p *Parsed) checkScopeDate() *Error {
	if d := p.amzDate[:8]; d != p.Date {
		return errScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			p.Date + "' != '" + d + "', from '" + p.amzDate + "'.")
	}
	return nil
}

// parseAmzDate parses the ISO 8601 basic format, 20060102T150405Z, strictly.
func parseAmzDate(s string) (time.Time, *Error) {
	if len(s) == len(amzDateLayout) && s[8] == 'T' && s[15] == 'Z' && allDigits(s[:8]) && allDigits(s[9:15]) {
		if t, err := time.Parse(amzDateLayout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errMalformedf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", echo(s))
}

// parseHTTPDate parses a Date header: an HTTP date or the ISO 8601 basic
// format.
func parseHTTPDate(s string) (time.Time, bool) {
	if t, err := parseAmzDate(s); err == nil {
		return t, true
	}
	t, err := http.ParseTime(s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
