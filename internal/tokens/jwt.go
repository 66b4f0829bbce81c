package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Errors of Verify (and ErrNoKey of Sign). Callers test with errors.Is and
// map them to the wire (for Cognito: NotAuthorizedException "Invalid Access
// Token", "Access Token has expired", ...).
var (
	// ErrMalformed: not a JWS compact token, bad base64 or JSON, no kid, or
	// a required claim (exp) missing or of the wrong type.
	ErrMalformed = errors.New("tokens: malformed token")
	// ErrSignature: the signature does not verify, or the token uses an
	// algorithm other than RS256 (alg "none", HS256, ...).
	ErrSignature = errors.New("tokens: invalid signature")
	// ErrExpired: exp is not after the verification time (less Skew).
	ErrExpired = errors.New("tokens: token expired")
	// ErrNotYetValid: nbf is after the verification time (plus Skew).
	ErrNotYetValid = errors.New("tokens: token not valid yet")
	// ErrUnknownKey: the kid is not a key of the scope (signed for another
	// user pool, or by a pruned key), or the key signs tokens of another
	// token_use than the token claims.
	ErrUnknownKey = errors.New("tokens: unknown signing key")
	// ErrNoKey: Sign found no key for the use; call Ensure first.
	ErrNoKey = errors.New("tokens: no signing key")
)

var validMethods = []string{Algorithm}

// Sign returns claims (marshalled with encoding/json, so maps come out with
// sorted keys) as an RS256 JWT signed with scope's active key for use, with
// Cognito's header {"kid":"…","alg":"RS256"}. It neither adds nor checks any
// claim. While the cached key list is fresh it makes no store round trip.
func (k *Keys) Sign(ctx context.Context, scope, use string, claims any) (string, error) {
	v, err := k.view(ctx, scope, false)
	if err != nil {
		return "", err
	}
	s := v.signers[use]
	if !s.usable(k.now()) {
		// The key may have been created (or rotated) by another instance
		// since the list was cached.
		if v, err = k.view(ctx, scope, true); err != nil {
			return "", err
		}
		if s = v.signers[use]; !s.usable(k.now()) {
			return "", fmt.Errorf("%w for %q tokens of %s", ErrNoKey, use, scope)
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: encode claims: %w", err)
	}
	enc := base64.RawURLEncoding
	n := len(s.prefix) + enc.EncodedLen(len(payload))
	buf := make([]byte, n, n+1+enc.EncodedLen(s.key.Size()))
	copy(buf, s.prefix)
	enc.Encode(buf[len(s.prefix):], payload)
	digest := sha256.Sum256(buf)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

func (s *signer) usable(now time.Time) bool {
	return s != nil && (s.until.IsZero() || now.Before(s.until))
}

// Verify checks token against the keys of scope at time now (Keys.Now when
// zero) and returns its claims (numbers as float64). It accepts RS256 only,
// requires a kid naming a key of scope and an exp after now (Keys.Skew is
// allowed on exp and nbf), and refuses a token whose token_use claim differs
// from the use of the key that signed it. It checks no other claim: iss, aud
// or client_id and token_use are the caller's to check. An unknown kid makes
// it re-read the scope's keys once (see the package doc) before it fails
// with ErrUnknownKey. Token errors wrap ErrMalformed, ErrSignature,
// ErrExpired, ErrNotYetValid or ErrUnknownKey; any other error is the
// store's.
func (k *Keys) Verify(ctx context.Context, scope, token string, now time.Time) (jwt.MapClaims, error) {
	if now.IsZero() {
		now = k.now()
	}
	var (
		use      string
		storeErr error
	)
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, ErrMalformed
		}
		ver, err := k.verifier(ctx, scope, kid)
		if err != nil {
			storeErr = err
			return nil, err
		}
		if ver == nil {
			return nil, ErrUnknownKey
		}
		use = ver.use
		return &ver.key.PublicKey, nil
	}
	p := jwt.NewParser(
		jwt.WithValidMethods(validMethods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(k.Skew),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	claims := jwt.MapClaims{}
	if _, err := p.ParseWithClaims(token, claims, keyfunc); err != nil {
		if storeErr != nil {
			return nil, storeErr
		}
		return nil, classify(err)
	}
	if tu, ok := claims["token_use"].(string); ok && tu != use {
		return nil, fmt.Errorf("%w: a %q key signed a token_use %q token", ErrUnknownKey, use, tu)
	}
	return claims, nil
}

// verifier finds kid among scope's keys, re-reading them once when it is not
// in the cached list. It returns nil when kid is not a key of scope.
func (k *Keys) verifier(ctx context.Context, scope, kid string) (*verifier, error) {
	v, err := k.view(ctx, scope, false)
	if err != nil {
		return nil, err
	}
	if ver := v.verifiers[kid]; ver != nil {
		return ver, nil
	}
	if v, err = k.view(ctx, scope, true); err != nil {
		return nil, err
	}
	return v.verifiers[kid], nil
}

// classify turns a golang-jwt error into one of the package's.
func classify(err error) error {
	var sentinel error
	switch {
	case errors.Is(err, ErrMalformed):
		return ErrMalformed
	case errors.Is(err, ErrUnknownKey):
		return ErrUnknownKey
	case errors.Is(err, jwt.ErrTokenMalformed):
		sentinel = ErrMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		// Unverifiable without a store error: an alg golang-jwt does not
		// know.
		sentinel = ErrSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		sentinel = ErrExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		sentinel = ErrNotYetValid
	default: // exp missing or not a number, ...
		sentinel = ErrMalformed
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

// JWKS returns the JSON Web Key Set of scope: every key that still verifies,
// newest first, as {"keys":[{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA",
// "n":"…","use":"sig"},…]} ({"keys":[]} for a scope without keys). The slice
// is shared: do not modify it. While the cached key list is fresh it makes no
// store round trip, so it may be served on every request.
func (k *Keys) JWKS(ctx context.Context, scope string) ([]byte, error) {
	v, err := k.view(ctx, scope, false)
	if err != nil {
		return nil, err
	}
	return v.jwks, nil
}

// NewJTI returns a new token id (jti, origin_jti): a random UUID, as Cognito
// uses.
func NewJTI() string {
	return uuid.NewString()
}
