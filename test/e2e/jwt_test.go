package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// jwks is a JSON Web Key Set as GET /{poolId}/.well-known/jwks.json serves it.
type jwks struct {
	Keys []jwk `json:"keys"`
}

type jwk struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (k jwk) publicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("kid %s: kty %q, want RSA", k.Kid, k.Kty)
	}
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("kid %s: n: %v", k.Kid, err)
	}
	e, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil {
		return nil, fmt.Errorf("kid %s: e: %v", k.Kid, err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("kid %s: %d-bit modulus, want at least 2048", k.Kid, pub.N.BitLen())
	}
	return pub, nil
}

// fetchJWKS GETs the pool's JWKS and checks each key's shape.
func fetchJWKS(t *testing.T, ctx context.Context, baseURL, poolID string) jwks {
	t.Helper()
	var set jwks
	getJSON(t, ctx, baseURL+"/"+poolID+"/.well-known/jwks.json", &set)
	if len(set.Keys) < 2 {
		t.Fatalf("JWKS of %s has %d keys, want at least 2 (ID and access tokens use different keys)", poolID, len(set.Keys))
	}
	for _, k := range set.Keys {
		if k.Kid == "" || k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("JWKS key %+v: want a kid, alg RS256, use sig", k)
		}
		if _, err := k.publicKey(); err != nil {
			t.Error(err)
		}
	}
	return set
}

// kids returns the key ids of set, in order.
func (set jwks) kids() []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// jwt is a verified token: its header and claims.
type jwt struct {
	Header map[string]any
	Claims map[string]any
}

// verifyJWT checks token's RS256 signature with the key of set its header's
// kid names, and returns the decoded token. It does not check claims.
func verifyJWT(token string, set jwks) (jwt, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return jwt{}, fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	var tok jwt
	if err := decodeSegment(parts[0], &tok.Header); err != nil {
		return jwt{}, fmt.Errorf("header: %v", err)
	}
	if err := decodeSegment(parts[1], &tok.Claims); err != nil {
		return jwt{}, fmt.Errorf("claims: %v", err)
	}
	if tok.Header["alg"] != "RS256" {
		return jwt{}, fmt.Errorf("alg %v, want RS256", tok.Header["alg"])
	}
	kid, _ := tok.Header["kid"].(string)
	var key *rsa.PublicKey
	for _, k := range set.Keys {
		if k.Kid == kid {
			pub, err := k.publicKey()
			if err != nil {
				return jwt{}, err
			}
			key = pub
		}
	}
	if key == nil {
		return jwt{}, fmt.Errorf("kid %q is not in the JWKS %v", kid, set.kids())
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return jwt{}, fmt.Errorf("signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return jwt{}, fmt.Errorf("RS256 signature with kid %s: %v", kid, err)
	}
	return tok, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// mustVerify is verifyJWT that fails the test.
func mustVerify(t *testing.T, token string, set jwks) jwt {
	t.Helper()
	tok, err := verifyJWT(token, set)
	if err != nil {
		t.Fatalf("verify token: %v", err)
	}
	return tok
}

// intClaim returns a numeric claim as an int64; it fails the test when the
// claim is missing or not an integer.
func (tok jwt) intClaim(t *testing.T, name string) int64 {
	t.Helper()
	n, ok := tok.Claims[name].(json.Number)
	if !ok {
		t.Fatalf("claim %s = %#v, want a JSON number", name, tok.Claims[name])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("claim %s = %s, want an integer", name, n)
	}
	return v
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// tokenExpect is what checkTokens verifies about a pair of tokens.
type tokenExpect struct {
	issuer   string // http://127.0.0.1:PORT/<poolId>
	clientID string
	username string // the UUID username
	email    string
}

// checkTokens verifies an ID and an access token against set and checks
// their claims as Cognito writes them (COGNITO-NOTES §3.1). It returns the
// decoded tokens.
func checkTokens(t *testing.T, idToken, accessToken string, set jwks, want tokenExpect) (id, access jwt) {
	t.Helper()
	id = mustVerify(t, idToken, set)
	access = mustVerify(t, accessToken, set)
	if id.Header["kid"] == access.Header["kid"] {
		t.Errorf("ID and access tokens share kid %v; Cognito signs them with different keys", id.Header["kid"])
	}
	if id.Header["typ"] != nil && id.Header["typ"] != "JWT" {
		t.Errorf("ID token typ %v", id.Header["typ"])
	}

	for _, c := range []struct {
		claim string
		want  any
	}{
		{"token_use", "id"},
		{"aud", want.clientID},
		{"iss", want.issuer},
		{"cognito:username", want.username},
		{"sub", want.username},
		{"email", want.email},
		{"email_verified", true}, // a JSON boolean, not the stored "true"
	} {
		if got := id.Claims[c.claim]; got != c.want {
			t.Errorf("ID token %s = %#v, want %#v", c.claim, got, c.want)
		}
	}
	for _, c := range []string{"origin_jti", "event_id", "jti"} {
		if s, _ := id.Claims[c].(string); !uuidRE.MatchString(s) {
			t.Errorf("ID token %s = %#v, want a UUID", c, id.Claims[c])
		}
	}
	if got := id.intClaim(t, "exp") - id.intClaim(t, "iat"); got != 3600 {
		t.Errorf("ID token exp-iat = %d, want 3600", got)
	}
	if at, iat := id.intClaim(t, "auth_time"), id.intClaim(t, "iat"); at > iat || at <= 0 {
		t.Errorf("ID token auth_time %d, iat %d: want 0 < auth_time <= iat", at, iat)
	}

	for _, c := range []struct {
		claim string
		want  any
	}{
		{"token_use", "access"},
		{"client_id", want.clientID},
		{"iss", want.issuer},
		{"scope", "aws.cognito.signin.user.admin"},
		{"username", want.username},
		{"sub", want.username},
		{"origin_jti", id.Claims["origin_jti"]},
		{"event_id", id.Claims["event_id"]},
	} {
		if got := access.Claims[c.claim]; got != c.want {
			t.Errorf("access token %s = %#v, want %#v", c.claim, got, c.want)
		}
	}
	if _, ok := access.Claims["aud"]; ok {
		t.Errorf("access token has aud %v; Cognito access tokens have none", access.Claims["aud"])
	}
	if s, _ := access.Claims["jti"].(string); !uuidRE.MatchString(s) || s == id.Claims["jti"] {
		t.Errorf("access token jti = %#v, want a UUID of its own", access.Claims["jti"])
	}
	if got := access.intClaim(t, "exp") - access.intClaim(t, "iat"); got != 3600 {
		t.Errorf("access token exp-iat = %d, want 3600", got)
	}
	if a, b := access.intClaim(t, "auth_time"), id.intClaim(t, "auth_time"); a != b {
		t.Errorf("access token auth_time %d, ID token %d", a, b)
	}
	return id, access
}
