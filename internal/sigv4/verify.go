package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSkew is the clock skew AWS tolerates.
const DefaultMaxSkew = 15 * time.Minute

// Credential is what a CredentialLookup knows of an access key.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must equal the request's X-Amz-Security-Token.
	SessionToken string
	// SessionTokenHash, when set, is the SHA-256 of the session token that
	// the request's X-Amz-Security-Token must carry, for stores that keep
	// only the hash; SessionToken is then ignored.
	SessionTokenHash []byte
	// Expires is when the credential stops being valid; zero means never.
	Expires time.Time
	// Principal is opaque to this package and handed back in the Result.
	Principal any
}

// CredentialLookup finds the secret for an access key id. It returns
// ErrUnknownKey (possibly wrapped) when the key is unknown; any other error is
// passed through by Verify, wrapped.
type CredentialLookup interface {
	LookupCredential(ctx context.Context, accessKeyID string) (Credential, error)
}

// CredentialLookupFunc adapts a function to CredentialLookup.
type CredentialLookupFunc func(ctx context.Context, accessKeyID string) (Credential, error)

// LookupCredential calls f.
func (f CredentialLookupFunc) LookupCredential(ctx context.Context, accessKeyID string) (Credential, error) {
	return f(ctx, accessKeyID)
}

// Verifier checks SigV4 signatures. Its zero value (with Lookup set) is ready
// to use; it must not be copied after first use.
type Verifier struct {
	// Lookup finds credentials; a nil Lookup knows no key.
	Lookup CredentialLookup
	// Now is the clock that request times are checked against; nil means
	// time.Now.
	Now func() time.Time
	// CredentialNow is the clock that credential expiry is checked against;
	// nil means Now. They differ when a test suite moves the server's clock
	// (POST /_ninsho/clock) to expire credentials: its clients still sign
	// with the real time.
	CredentialNow func() time.Time
	// MaxSkew is the tolerated distance between the request time and Now;
	// zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// Region, when non-empty, is the only region a credential scope may name.
	Region string
	// AcceptAny ("--iam off") lets any well-formed request pass without
	// consulting the clock, Lookup or the signature; the Result still
	// reports the claimed access key id and session token.
	AcceptAny bool

	keys keyCache
}

// Result is a verified request.
type Result struct {
	Parsed     *Parsed
	Credential Credential
}

// Verify checks the signature of r, whose body the caller has read (body may
// be nil for a request without one). It does not check the scope's service;
// see VerifyService. Errors are *Error, except a CredentialLookup failure
// other than ErrUnknownKey, which is returned wrapped.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	return v.VerifyService(ctx, r, body, "")
}

// VerifyService is Verify that also requires the credential scope's service
// to be expectedService (the API's signing name, e.g. "cognito-idp"), unless
// expectedService is empty.
func (v *Verifier) VerifyService(ctx context.Context, r *http.Request, body []byte, expectedService string) (*Result, error) {
	res, err := v.verify(ctx, r, body, expectedService)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (v *Verifier) verify(ctx context.Context, r *http.Request, body []byte, expectedService string) (*Result, error) {
	p, perr := parse(r)
	if perr != nil {
		return nil, perr
	}
	if expectedService != "" && p.Service != expectedService {
		return nil, errScope("Credential should be scoped to correct service: '" + expectedService + "'. ")
	}
	if v.Region != "" && p.Region != v.Region {
		return nil, errScope("Credential should be scoped to a valid region, not '" + p.Region + "'. ")
	}
	if v.AcceptAny {
		return &Result{Parsed: p, Credential: Credential{AccessKeyID: p.AccessKeyID, SessionToken: p.SessionToken}}, nil
	}

	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if err := checkTime(p, now, skew); err != nil {
		return nil, err
	}

	if v.Lookup == nil {
		return nil, errUnknownKey()
	}
	cred, err := v.Lookup.LookupCredential(ctx, p.AccessKeyID)
	if err != nil {
		if errors.Is(err, ErrUnknownKey) {
			return nil, errUnknownKey()
		}
		return nil, fmt.Errorf("sigv4: looking up access key: %w", err)
	}
	switch {
	case len(cred.SessionTokenHash) > 0:
		sum := sha256.Sum256([]byte(p.SessionToken))
		if p.SessionToken == "" || subtle.ConstantTimeCompare(cred.SessionTokenHash, sum[:]) != 1 {
			return nil, errUnknownKey()
		}
	case cred.SessionToken != "" || p.SessionToken != "":
		if subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(p.SessionToken)) != 1 {
			return nil, errUnknownKey()
		}
	}

	payloads, perr := payloadHashes(r, p, body)
	if perr != nil {
		return nil, perr
	}
	key := v.keys.get(cred.SecretAccessKey, p.Date, p.Region, p.Service)
	if !signatureMatches(r, p, payloads, key) {
		return nil, errBadSignature()
	}
	credNow := now
	if v.CredentialNow != nil {
		credNow = v.CredentialNow()
	}
	if !cred.Expires.IsZero() && !credNow.Before(cred.Expires) {
		return nil, errExpiredCredential()
	}
	if cred.AccessKeyID == "" {
		cred.AccessKeyID = p.AccessKeyID
	}
	return &Result{Parsed: p, Credential: cred}, nil
}

func checkTime(p *Parsed, now time.Time, skew time.Duration) *Error {
	if p.Time.After(now.Add(skew)) {
		return errSkew(p.Time, now, skew)
	}
	if p.Presigned && p.Expires > 0 {
		if now.After(p.Time.Add(p.Expires)) {
			return errRequestExpired()
		}
		return nil
	}
	if p.Time.Before(now.Add(-skew)) {
		return errSkew(p.Time, now, skew)
	}
	return nil
}

// payloadHashes lists the payload hashes (the canonical request's last line)
// the signer may have used: the X-Amz-Content-Sha256 header when present
// (UNSIGNED-PAYLOAD, or a SHA-256 that must match the body); else the body's
// SHA-256, and for presigned requests also UNSIGNED-PAYLOAD (botocore and the
// SDKs sign the body hash when presigning for services other than S3).
func payloadHashes(r *http.Request, p *Parsed, body []byte) ([]string, *Error) {
	if vs := r.Header.Values(headerContentSHA256); len(vs) > 0 {
		h := strings.TrimSpace(vs[0])
		if h == unsignedPayload {
			return []string{h}, nil
		}
		declared, err := hex.DecodeString(h)
		if err != nil || len(declared) != sha256.Size {
			return nil, errMalformed("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
		}
		sum := sha256.Sum256(body)
		if subtle.ConstantTimeCompare(declared, sum[:]) != 1 {
			return nil, newErr(KindBadSignature, CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		return []string{h}, nil
	}
	sum := sha256.Sum256(body)
	if p.Presigned {
		return []string{hex.EncodeToString(sum[:]), unsignedPayload}, nil
	}
	return []string{hex.EncodeToString(sum[:])}, nil
}

// signatureMatches computes the signature over each canonical URI form and
// payload hash in turn and compares it with the claimed one in constant time.
func signatureMatches(r *http.Request, p *Parsed, payloads []string, key []byte) bool {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	middle := canonicalQuery(p.query, p.Presigned) + "\n" +
		canonicalHeaders(r, p.SignedHeaders) + "\n" +
		p.signedHeaders + "\n"
	scope := p.Scope()
	claimed := []byte(p.Signature)
	matched := 0
	for _, uri := range canonicalURIs(r) {
		for _, payload := range payloads {
			sig := signature(key, p.amzDate, scope, canonicalRequestHash(method, uri, middle, payload))
			// Every form is tried, so timing does not tell which one matched.
			matched |= subtle.ConstantTimeCompare(sig, claimed)
		}
	}
	return matched == 1
}

func canonicalRequestHash(method, uri, middle, payload string) []byte {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{'\n'})
	h.Write([]byte(uri))
	h.Write([]byte{'\n'})
	h.Write([]byte(middle))
	h.Write([]byte(payload))
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], h.Sum(sum[:0]))
	return out[:]
}

func signature(key []byte, amzDate, scope string, creqHash []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(algorithm + "\n" + amzDate + "\n" + scope + "\n"))
	m.Write(creqHash)
	var sum [sha256.Size]byte
	out := make([]byte, 2*sha256.Size)
	hex.Encode(out, m.Sum(sum[:0]))
	return out
}

// canonicalURIs lists the canonical URI forms signers produce (see the
// package documentation), without duplicates.
func canonicalURIs(r *http.Request) []string {
	raw := wirePath(r)
	decoded := "/"
	if r.URL != nil && r.URL.Path != "" {
		decoded = r.URL.Path
	}
	forms := make([]string, 0, 4)
	for _, f := range [...]string{
		escapePath(raw),
		escapePath(removeDotSegments(raw)),
		escapePath(removeDotSegments(decoded)),
		escapePath(decoded),
	} {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// wirePath is the path as the client sent it: from the request line when r
// came from a server, else the URL's escaped path.
func wirePath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u != "*" {
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		if !strings.HasPrefix(u, "/") {
			// absolute-form: scheme://authority/path
			if i := strings.Index(u, "://"); i >= 0 {
				u = u[i+3:]
				if j := strings.IndexByte(u, '/'); j >= 0 {
					u = u[j:]
				} else {
					u = ""
				}
			} else {
				u = ""
			}
		}
		if u == "" {
			return "/"
		}
		return u
	}
	if r.URL == nil {
		return "/"
	}
	var p string
	if o := r.URL.Opaque; o != "" {
		// As aws-sdk-go-v2: "//host/path" or "/path" in Opaque.
		if i := strings.IndexByte(o, '?'); i >= 0 {
			o = o[:i]
		}
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			p = o[i:]
		}
	} else {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// removeDotSegments is botocore's remove_dot_segments: RFC 3986 section
// 5.2.4 plus the removal of empty segments.
func removeDotSegments(p string) string {
	if p == "" {
		return "/"
	}
	out := make([]string, 0, strings.Count(p, "/")+1)
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var b strings.Builder
	b.Grow(len(p))
	if p[0] == '/' {
		b.WriteByte('/')
	}
	for i, seg := range out {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(seg)
	}
	if p[len(p)-1] == '/' && len(out) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// uriEncode percent-encodes every byte outside RFC 3986's unreserved set
// (keeping '/' when keepSlash), with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	return uriEncode(p, true)
}

// canonicalQuery encodes every parameter per RFC 3986 and sorts by encoded
// key, then encoded value; X-Amz-Signature is left out of presigned requests.
func canonicalQuery(q url.Values, presigned bool) string {
	type pair struct{ k, v string }
	pairs := make([]pair, 0, len(q))
	for k, vs := range q {
		if presigned && k == querySignature {
			continue
		}
		ek := uriEncode(k, false)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, uriEncode(v, false)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// canonicalHeaders writes "name:value\n" for each signed header.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		for i, v := range headerValues(r, n) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// headerValues finds the values of a signed header, looking where Go's
// net/http moves some of them (Host, Content-Length, Transfer-Encoding).
func headerValues(r *http.Request, name string) []string {
	if vs, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return vs
	}
	// Keys not in canonical form (hand-built headers).
	var found string
	for k := range r.Header {
		if strings.EqualFold(k, name) && (found == "" || k < found) {
			found = k
		}
	}
	if found != "" {
		return r.Header[found]
	}
	switch name {
	case "host":
		if r.Host != "" {
			return []string{r.Host}
		}
		if r.URL != nil {
			return []string{r.URL.Host}
		}
	case "content-length":
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return nil
}

// trimAll trims a header value and collapses runs of spaces, as AWS's
// Trimall and the SDKs do.
func trimAll(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return string(b)
}

// keyCacheSize bounds the signing-key cache.
const keyCacheSize = 512

// keyCache holds derived signing keys, keyed by (secret, date, region,
// service). It is bounded: when full, an arbitrary entry makes room.
type keyCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *keyCache) get(secret, date, region, service string) []byte {
	// date, region and service are validated (no NUL), so the key is
	// unambiguous with the secret last.
	k := date + "\x00" + region + "\x00" + service + "\x00" + secret
	c.mu.Lock()
	key, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveKey(secret, date, region, service)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string][]byte)
	}
	if len(c.m) >= keyCacheSize {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = key
	c.mu.Unlock()
	return key
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveKey is HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}
