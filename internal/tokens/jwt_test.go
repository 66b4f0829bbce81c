package tokens

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ninsho/ninsho/internal/store"
)

func headerKID(t testing.TB, tok string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Kid string }
	if err := json.Unmarshal(h, &v); err != nil {
		t.Fatal(err)
	}
	return v.Kid
}

// privateKey returns the stored private key of kid.
func privateKey(t testing.TB, st *memStore, kid string) *rsa.PrivateKey {
	t.Helper()
	st.mu.Lock()
	der := st.keys[kid].Private
	st.mu.Unlock()
	k, err := parsePrivate(der)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signWith signs claims with header fields and method, outside Keys.
func signWith(t testing.TB, method jwt.SigningMethod, header map[string]any, claims jwt.MapClaims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header = header
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	k, st, c := ensured(t)
	now := c.Now()
	accessKID := activeKID(t, st, testScope, UseAccess)
	accessKey := privateKey(t, st, accessKID)
	sign := func(claims jwt.MapClaims) string {
		t.Helper()
		s, err := k.Sign(ctx, testScope, UseAccess, claims)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(accessClaims(now))

	other := newTestKeys(st, c)
	if err := other.Ensure(ctx, "us-east-1_OTHERPOOL"); err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Sign(ctx, "us-east-1_OTHERPOOL", UseAccess, accessClaims(now))
	if err != nil {
		t.Fatal(err)
	}

	pubDER, _ := x509.MarshalPKIXPublicKey(&accessKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	parts := strings.Split(good, ".")
	tamper := func(mod func(jwt.MapClaims)) string {
		p, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var c jwt.MapClaims
		_ = json.Unmarshal(p, &c)
		mod(c)
		p, _ = json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
	}
	noneHeader, _ := json.Marshal(map[string]string{"alg": "none", "kid": accessKID})
	payload := parts[1]

	tests := []struct {
		name    string
		token   string
		now     time.Time
		skew    time.Duration
		wantErr error
	}{
		{name: "accepts a token it signed", token: good},
		{name: "accepts a token until its last second", token: good, now: now.Add(time.Hour - time.Second)},
		{name: "refuses a token at its exp", token: good, now: now.Add(time.Hour), wantErr: ErrExpired},
		{name: "refuses an expired token", token: sign(jwt.MapClaims{"token_use": "access", "exp": now.Add(-time.Minute).Unix()}), wantErr: ErrExpired},
		{name: "accepts an expired token within the skew", token: good, now: now.Add(time.Hour + time.Second), skew: 2 * time.Second},
		{name: "refuses a token without exp", token: sign(jwt.MapClaims{"token_use": "access"}), wantErr: ErrMalformed},
		{name: "refuses a token whose exp is a string", token: sign(jwt.MapClaims{"token_use": "access", "exp": "tomorrow"}), wantErr: ErrMalformed},
		{name: "refuses a token not valid yet", token: sign(jwt.MapClaims{"token_use": "access", "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(time.Minute).Unix()}), wantErr: ErrNotYetValid},
		{name: "refuses a token signed for another scope", token: foreign, wantErr: ErrUnknownKey},
		{name: "refuses a tampered payload", token: tamper(func(c jwt.MapClaims) { c["sub"] = "someone-else" }), wantErr: ErrSignature},
		{name: "refuses a tampered signature", token: good[:len(good)-4] + "AAAA", wantErr: ErrSignature},
		{name: "refuses alg none", token: base64.RawURLEncoding.EncodeToString(noneHeader) + "." + payload + ".", wantErr: ErrSignature},
		{name: "refuses HS256 signed with the public key's PEM as secret", token: signWith(t, jwt.SigningMethodHS256, map[string]any{"alg": "HS256", "kid": accessKID}, accessClaims(now), pubPEM), wantErr: ErrSignature},
		{name: "refuses HS256 signed with the public key's DER as secret", token: signWith(t, jwt.SigningMethodHS256, map[string]any{"alg": "HS256", "kid": accessKID}, accessClaims(now), pubDER), wantErr: ErrSignature},
		{name: "refuses RS512 even by the right key", token: signWith(t, jwt.SigningMethodRS512, map[string]any{"alg": "RS512", "kid": accessKID}, accessClaims(now), accessKey), wantErr: ErrSignature},
		{name: "refuses PS256 even by the right key", token: signWith(t, jwt.SigningMethodPS256, map[string]any{"alg": "PS256", "kid": accessKID}, accessClaims(now), accessKey), wantErr: ErrSignature},
		{name: "refuses an algorithm nobody knows", token: base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"XX999","kid":"`+accessKID+`"}`)) + "." + payload + ".c2ln", wantErr: ErrSignature},
		{name: "refuses a token without kid", token: signWith(t, jwt.SigningMethodRS256, map[string]any{"alg": "RS256"}, accessClaims(now), accessKey), wantErr: ErrMalformed},
		{name: "refuses an unknown kid", token: signWith(t, jwt.SigningMethodRS256, map[string]any{"alg": "RS256", "kid": "bm90LWEta2lk"}, accessClaims(now), accessKey), wantErr: ErrUnknownKey},
		{name: "refuses an access token signed by the id key", token: signWith(t, jwt.SigningMethodRS256, map[string]any{"alg": "RS256", "kid": activeKID(t, st, testScope, UseID)}, accessClaims(now), privateKey(t, st, activeKID(t, st, testScope, UseID))), wantErr: ErrUnknownKey},
		{name: "refuses garbage", token: "not a token", wantErr: ErrMalformed},
		{name: "refuses an empty string", token: "", wantErr: ErrMalformed},
		{name: "refuses bad base64", token: "!!!." + payload + "." + parts[2], wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k.Skew = tt.skew
			defer func() { k.Skew = 0 }()
			at := tt.now
			if at.IsZero() {
				at = now
			}
			claims, err := k.Verify(ctx, testScope, tt.token, at)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if claims["token_use"] != "access" || claims["sub"] == nil {
					t.Fatalf("claims %v", claims)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			for _, e := range []error{ErrMalformed, ErrSignature, ErrExpired, ErrNotYetValid, ErrUnknownKey} {
				if e != tt.wantErr && errors.Is(err, e) {
					t.Fatalf("got %v, which is also %v", err, e)
				}
			}
		})
	}
}

func TestSign(t *testing.T) {
	ctx := context.Background()
	t.Run("header is Cognito's: kid then alg RS256, no typ", func(t *testing.T) {
		k, st, c := ensured(t)
		tok, err := k.Sign(ctx, testScope, UseID, jwt.MapClaims{"exp": c.Now().Unix()})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		want := `{"kid":"` + activeKID(t, st, testScope, UseID) + `","alg":"RS256"}`
		if string(h) != want {
			t.Fatalf("header %s, want %s", h, want)
		}
	})
	t.Run("id and access tokens are signed by different keys", func(t *testing.T) {
		k, _, _ := ensured(t)
		id, _ := k.Sign(ctx, testScope, UseID, jwt.MapClaims{})
		access, _ := k.Sign(ctx, testScope, UseAccess, jwt.MapClaims{})
		if headerKID(t, id) == headerKID(t, access) {
			t.Fatal("same kid")
		}
	})
	t.Run("payload is deterministic: map claims in key order", func(t *testing.T) {
		k, _, _ := ensured(t)
		tok, _ := k.Sign(ctx, testScope, UseID, map[string]any{"sub": "s", "aud": "a", "email_verified": true, "exp": 1})
		p, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if want := `{"aud":"a","email_verified":true,"exp":1,"sub":"s"}`; string(p) != want {
			t.Fatalf("payload %s, want %s", p, want)
		}
	})
	t.Run("fails with ErrNoKey for a scope without keys", func(t *testing.T) {
		k := newTestKeys(newMemStore(), &clock{t: t0})
		if _, err := k.Sign(ctx, testScope, UseID, jwt.MapClaims{}); !errors.Is(err, ErrNoKey) {
			t.Fatalf("got %v, want ErrNoKey", err)
		}
	})
	t.Run("a retired key still verifies and a pruned key no longer does", func(t *testing.T) {
		k, _, c := ensured(t)
		tok, _ := k.Sign(ctx, testScope, UseID, jwt.MapClaims{"token_use": "id", "exp": c.Now().Add(time.Hour).Unix()})
		if err := k.Rotate(ctx, testScope, UseID); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Verify(ctx, testScope, tok, c.Now()); err != nil {
			t.Fatalf("retired key: %v", err)
		}
		c.Advance(time.Minute)
		if n, err := k.Prune(ctx, testScope, 0); err != nil || n != 1 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if _, err := k.Verify(ctx, testScope, tok, c.Now()); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("pruned key: got %v, want ErrUnknownKey", err)
		}
	})
	t.Run("NewJTI returns distinct v4 UUIDs", func(t *testing.T) {
		a, b := NewJTI(), NewJTI()
		if a == b || len(a) != 36 || a[14] != '4' {
			t.Fatalf("%q %q", a, b)
		}
	})
}

func TestJWKS(t *testing.T) {
	ctx := context.Background()
	k, st, c := ensured(t)
	if err := k.Rotate(ctx, testScope, UseAccess); err != nil { // a retired key is listed too
		t.Fatal(err)
	}
	raw, err := k.JWKS(ctx, testScope)
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	var all []store.SigningKey
	for _, use := range []string{UseID, UseAccess} {
		keys, _ := st.all(testScope, use)
		all = append(all, keys...)
	}
	if len(set.Keys) != len(all) || len(all) != 3 {
		t.Fatalf("%d keys in JWKS, %d stored; want 3", len(set.Keys), len(all))
	}
	if !strings.HasPrefix(string(raw), `{"keys":[{"alg":"RS256","e":"AQAB","kid":"`) {
		t.Fatalf("JWKS %s does not follow Cognito's member order", raw)
	}
	pubs := map[string]*rsa.PublicKey{}
	for _, jk := range set.Keys {
		if jk["kty"] != "RSA" || jk["use"] != "sig" || jk["alg"] != "RS256" || jk["e"] != "AQAB" {
			t.Fatalf("key %v", jk)
		}
		n, err := base64.RawURLEncoding.DecodeString(jk["n"])
		if err != nil {
			t.Fatal(err)
		}
		e, _ := base64.RawURLEncoding.DecodeString(jk["e"])
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if kid, _ := KeyID(pub); kid != jk["kid"] {
			t.Fatalf("kid %s is not the SHA-256 of its key (%s)", jk["kid"], kid)
		}
		pubs[jk["kid"]] = pub
	}
	for _, sk := range all {
		if pubs[sk.KID] == nil {
			t.Fatalf("stored key %s missing from JWKS", sk.KID)
		}
	}
	// Verify tokens with the published keys only, without Keys.Verify.
	for _, use := range []string{UseID, UseAccess} {
		tok, err := k.Sign(ctx, testScope, use, jwt.MapClaims{"token_use": use, "exp": c.Now().Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = jwt.Parse(tok, func(t *jwt.Token) (any, error) {
			return pubs[t.Header["kid"].(string)], nil
		}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(c.Now))
		if err != nil {
			t.Fatalf("%s token does not verify with the JWKS: %v", use, err)
		}
	}
	t.Run("is empty for a scope without keys", func(t *testing.T) {
		raw, err := k.JWKS(ctx, "us-east-1_NOKEYS")
		if err != nil || string(raw) != `{"keys":[]}` {
			t.Fatalf("%s, %v", raw, err)
		}
	})
}
