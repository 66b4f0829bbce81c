package gateway

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"unsafe"
)

// Token errors. They all answer 401 {"message":"Unauthorized"}.
var (
	errNoToken      = errors.New("no token")
	errMalformed    = errors.New("malformed token")
	errAlgorithm    = errors.New("unsupported algorithm")
	errUnknownKid   = errors.New("unknown key id")
	errSignature    = errors.New("invalid signature")
	errExpired      = errors.New("token expired")
	errNotYetValid  = errors.New("token not valid yet")
	errIssuer       = errors.New("invalid issuer")
	errAudience     = errors.New("invalid audience")
	errTokenUse     = errors.New("invalid token_use")
	errInsufficient = errors.New("insufficient scopes")
)

// jwtHeader is the part of a JOSE header the authorizers read.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// rsaHashes are the algorithms accepted: RSA only, as API Gateway.
var rsaHashes = map[string]crypto.Hash{
	"RS256": crypto.SHA256,
	"RS384": crypto.SHA384,
	"RS512": crypto.SHA512,
}

// splitJWT splits a compact JWS and decodes its header. It checks the
// structure only.
func splitJWT(token string) (h jwtHeader, signed, payload, sig string, err error) {
	if len(token) > 16<<10 {
		return h, "", "", "", errMalformed
	}
	i := strings.IndexByte(token, '.')
	if i <= 0 {
		return h, "", "", "", errMalformed
	}
	j := strings.IndexByte(token[i+1:], '.')
	if j <= 0 {
		return h, "", "", "", errMalformed
	}
	j += i + 1
	if strings.IndexByte(token[j+1:], '.') >= 0 || j+1 >= len(token) {
		return h, "", "", "", errMalformed
	}
	hb, err := base64.RawURLEncoding.DecodeString(token[:i])
	if err != nil {
		return h, "", "", "", errMalformed
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, "", "", "", errMalformed
	}
	return h, token[:j], token[i+1 : j], token[j+1:], nil
}

// parseHeader returns the header of a token whose algorithm is acceptable.
func parseHeader(token string) (jwtHeader, error) {
	h, _, _, _, err := splitJWT(token)
	if err != nil {
		return h, err
	}
	if _, ok := rsaHashes[h.Alg]; !ok {
		return h, errAlgorithm
	}
	if h.Kid == "" {
		return h, errMalformed
	}
	return h, nil
}

// verifyRSA checks token's signature with key and returns its claims.
func verifyRSA(token string, key *rsa.PublicKey) (map[string]any, error) {
	h, signed, payload, sig, err := splitJWT(token)
	if err != nil {
		return nil, err
	}
	hash, ok := rsaHashes[h.Alg]
	if !ok {
		return nil, errAlgorithm
	}
	sb, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, errMalformed
	}
	hh := hash.New()
	hh.Write([]byte(signed))
	if err := rsa.VerifyPKCS1v15(key, hash, hh.Sum(nil), sb); err != nil {
		return nil, errSignature
	}
	pb, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, errMalformed
	}
	var claims map[string]any
	if err := json.Unmarshal(pb, &claims); err != nil || claims == nil {
		return nil, errMalformed
	}
	return claims, nil
}

// jwk is one key of a JWKS.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// keySet is a parsed JWKS: RSA signing keys by kid.
type keySet struct {
	keys map[string]*rsa.PublicKey
}

func parseJWKS(b []byte) (*keySet, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	ks := &keySet{keys: make(map[string]*rsa.PublicKey, len(doc.Keys))}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		var ev int
		for _, c := range e {
			ev = ev<<8 | int(c)
		}
		if ev < 3 {
			continue
		}
		ks.keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}
	}
	return ks, nil
}

// tokenHash is the verified-token cache key.
// tokenHash is the cache key of a token. It hashes the string's bytes in
// place (Sum256 neither keeps nor changes them): a token is a kilobyte or
// more, copied on every request otherwise.
func tokenHash(token string) [32]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// bearer extracts the token from an identity-source value: the token alone
// or prefixed with "Bearer " (any case), as HTTP API JWT authorizers accept.
func bearer(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		v = strings.TrimSpace(v[7:])
	}
	return v
}

func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
