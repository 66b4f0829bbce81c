package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// iatSkew is the leeway on nbf and iat for clocks a little ahead of ours.
// exp gets none: a token is never accepted at or after its exp.
const iatSkew = 5 * time.Second

// compiledAuthorizer is an Authorizer ready for requests.
type compiledAuthorizer struct {
	a      Authorizer
	header string // identity-source header
	pools  []poolRef
}

type poolRef struct{ id, region string }

func compileAuthorizer(a Authorizer) *compiledAuthorizer {
	ca := &compiledAuthorizer{a: a, header: "Authorization"}
	if len(a.IdentitySource) > 0 {
		src := a.IdentitySource[0]
		for _, p := range []string{"$request.header.", "method.request.header."} {
			if strings.HasPrefix(src, p) {
				ca.header = src[len(p):]
			}
		}
	}
	for _, arn := range a.ProviderARNs {
		// arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) == 6 && strings.HasPrefix(parts[5], "userpool/") {
			ca.pools = append(ca.pools, poolRef{id: parts[5][len("userpool/"):], region: parts[3]})
		}
	}
	return ca
}

// issuerAllowed reports whether an authorizer trusts iss; checked before any
// key is fetched, so tokens cannot make the gateway fetch arbitrary URLs.
func (g *Gateway) issuerAllowed(ca *compiledAuthorizer, iss string) bool {
	if iss == "" {
		return false
	}
	if ca.a.Type != AuthCognito {
		return iss == ca.a.Issuer
	}
	last := iss[strings.LastIndexByte(iss, '/')+1:]
	for _, p := range ca.pools {
		if last != p.id {
			continue
		}
		if g.Local != nil {
			if _, ok := g.Local.IssuerScope(iss); ok {
				return true
			}
		}
		if iss == "https://cognito-idp."+p.region+".amazonaws.com/"+p.id {
			return true
		}
	}
	return false
}

// authResult is the outcome of an authorizer.
type authResult struct {
	status int    // 0 when allowed
	msg    string // body message when refused
	desc   string // www-authenticate error_description
	claims map[string]any
}

var (
	resUnauthorized = func(desc string) authResult {
		return authResult{status: http.StatusUnauthorized, msg: "Unauthorized", desc: desc}
	}
)

// authorizeToken runs a JWT or COGNITO_USER_POOLS authorizer.
func (g *Gateway) authorizeToken(ctx context.Context, ca *compiledAuthorizer, scopes []string, r *http.Request) authResult {
	raw := r.Header.Get(ca.header)
	token := raw
	if ca.a.Type != AuthCognito {
		token = bearer(raw)
	} else {
		token = strings.TrimSpace(raw)
	}
	if token == "" {
		return resUnauthorized("")
	}
	v, err := g.verifyToken(ctx, ca, token)
	if err != nil {
		return resUnauthorized(err.Error())
	}
	c := v.claims
	if ca.a.Type == AuthCognito {
		use, _ := c["token_use"].(string)
		if len(scopes) == 0 {
			if use != "id" && use != "access" {
				return resUnauthorized(errTokenUse.Error())
			}
		} else if use != "access" || !hasScope(c, scopes) {
			return resUnauthorized(errInsufficient.Error())
		}
		return authResult{claims: c}
	}
	if len(ca.a.Audience) > 0 && !audienceOK(c, ca.a.Audience) {
		return resUnauthorized("the token does not have a valid audience")
	}
	if len(scopes) > 0 && !hasScope(c, scopes) {
		return authResult{status: http.StatusForbidden, msg: "Forbidden", desc: errInsufficient.Error()}
	}
	return authResult{claims: c}
}

// audienceOK: aud when present must name an audience; client_id is
// consulted only when aud is absent (HTTP API JWT authorizers).
func audienceOK(c map[string]any, want []string) bool {
	if aud, ok := c["aud"]; ok {
		switch a := aud.(type) {
		case string:
			return slices.Contains(want, a)
		case []any:
			for _, x := range a {
				if s, ok := x.(string); ok && slices.Contains(want, s) {
					return true
				}
			}
		}
		return false
	}
	id, _ := c["client_id"].(string)
	return id != "" && slices.Contains(want, id)
}

// hasScope: the token's scope (space-separated) or scp claim names one of
// the route's scopes.
func hasScope(c map[string]any, want []string) bool {
	check := func(v any) bool {
		switch s := v.(type) {
		case string:
			for f := range strings.FieldsSeq(s) {
				if slices.Contains(want, f) {
					return true
				}
			}
		case []any:
			for _, x := range s {
				if t, ok := x.(string); ok && slices.Contains(want, t) {
					return true
				}
			}
		}
		return false
	}
	return check(c["scope"]) || check(c["scp"])
}

// verifyToken checks a token's signature and times, answering from the
// verified-token cache when it can.
func (g *Gateway) verifyToken(ctx context.Context, ca *compiledAuthorizer, token string) (*verified, error) {
	now := g.now()
	h := tokenHash(token)
	if v := g.cache.get(h, now); v != nil {
		if !g.issuerAllowed(ca, v.iss) {
			return nil, errIssuer
		}
		if !g.keyStillPublished(ctx, v) {
			g.cache.remove(h)
			return nil, errUnknownKid
		}
		return v, nil
	}
	hdr, err := parseHeader(token)
	if err != nil {
		return nil, err
	}
	iss, err := unverifiedIssuer(token)
	if err != nil {
		return nil, err
	}
	if !g.issuerAllowed(ca, iss) {
		return nil, errIssuer
	}
	var (
		claims map[string]any
		scope  string
		local  bool
	)
	if g.Local != nil {
		scope, local = g.Local.IssuerScope(iss)
	}
	if local {
		claims, err = g.Local.Verify(ctx, scope, token, now)
		if err != nil {
			return nil, errSignature
		}
	} else {
		set, err := g.remote().keys(ctx, iss, false)
		if err != nil {
			return nil, errUnknownKid
		}
		key := set.keys[hdr.Kid]
		if key == nil {
			if set, err = g.remote().keys(ctx, iss, true); err != nil || set.keys[hdr.Kid] == nil {
				return nil, errUnknownKid
			}
			key = set.keys[hdr.Kid]
		}
		if claims, err = verifyRSA(token, key); err != nil {
			return nil, err
		}
	}
	if s, _ := claims["iss"].(string); s != iss {
		return nil, errIssuer
	}
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return nil, errMalformed
	}
	if !now.Before(exp) {
		return nil, errExpired
	}
	if v, present := claims["nbf"]; present {
		nbf, ok := numericDate(v)
		if !ok || now.Add(iatSkew).Before(nbf) {
			return nil, errNotYetValid
		}
	}
	if v, present := claims["iat"]; present {
		iat, ok := numericDate(v)
		if !ok || now.Add(iatSkew).Before(iat) {
			return nil, errNotYetValid
		}
	}
	v := &verified{claims: claims, exp: exp, iss: iss, kid: hdr.Kid, scope: scope}
	g.cache.put(h, v, now)
	return v, nil
}

func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok {
		if n, isNum := v.(json.Number); isNum {
			var err error
			if f, err = n.Float64(); err != nil {
				return time.Time{}, false
			}
		} else {
			return time.Time{}, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// unverifiedIssuer reads iss from the payload before the signature is
// checked, to pick the keys (and to refuse issuers nobody trusts).
func unverifiedIssuer(token string) (string, error) {
	_, _, payload, _, err := splitJWT(token)
	if err != nil {
		return "", err
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", errMalformed
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", errMalformed
	}
	return c.Iss, nil
}

// keyStillPublished tells whether the key that signed a cached token is
// still in its issuer's key set, so removing a key revokes what it signed
// (for local pools within the key list's cache time, for remote issuers when
// their JWKS is next fetched).
func (g *Gateway) keyStillPublished(ctx context.Context, v *verified) bool {
	if v.scope == "" {
		set := g.remote().current(v.iss)
		if set == nil {
			var err error
			if set, err = g.remote().keys(ctx, v.iss, false); err != nil {
				return false
			}
		} else if s2, err := g.remote().keys(ctx, v.iss, false); err == nil {
			set = s2 // refreshes a set older than two hours
		}
		return set.keys[v.kid] != nil
	}
	if g.Local == nil {
		return false
	}
	b, err := g.Local.JWKS(ctx, v.scope)
	if err != nil {
		return false
	}
	return g.localKids.has(v.scope, b, v.kid)
}

// localKidSets caches the kids of each local scope's JWKS, parsed again only
// when the JWKS bytes change (tokens.Keys returns the same slice while its
// key list is unchanged).
type localKidSets struct {
	mu sync.RWMutex
	m  map[string]localKids
}

type localKids struct {
	raw  []byte
	kids map[string]bool
}

func sameBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return &a[0] == &b[0] || string(a) == string(b)
}

func (l *localKidSets) has(scope string, raw []byte, kid string) bool {
	l.mu.RLock()
	e, ok := l.m[scope]
	l.mu.RUnlock()
	if !ok || !sameBytes(e.raw, raw) {
		var doc struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		if json.Unmarshal(raw, &doc) != nil {
			return false
		}
		e = localKids{raw: raw, kids: make(map[string]bool, len(doc.Keys))}
		for _, k := range doc.Keys {
			e.kids[k.Kid] = true
		}
		l.mu.Lock()
		if l.m == nil {
			l.m = map[string]localKids{}
		}
		l.m[scope] = e
		l.mu.Unlock()
	}
	return e.kids[kid]
}
