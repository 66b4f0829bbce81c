package sts

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

const (
	testIssuerBase   = "http://127.0.0.1:9229"
	testUserPool     = "us-east-1_TestPool1"
	testClientID     = "client0000000000000000000a"
	testIdentityPool = "us-east-1:11111111-2222-3333-4444-555555555555"
	testIdentityID   = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	testProviderURL  = "127.0.0.1:9229/" + testUserPool
	testProviderARN  = "arn:aws:iam::" + testAccount + ":oidc-provider/" + testProviderURL
)

// memKeys is an in-memory store.SigningKeyStore.
type memKeys struct {
	mu   sync.Mutex
	keys []store.SigningKey
}

func (m *memKeys) CreateSigningKey(_ context.Context, k store.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, have := range m.keys {
		if have.KID == k.KID {
			return store.ErrExists
		}
	}
	m.keys = append([]store.SigningKey{k}, m.keys...)
	return nil
}

func (m *memKeys) ListSigningKeys(_ context.Context, scope string) ([]store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.SigningKey
	for _, k := range m.keys {
		if k.Scope == scope {
			out = append(out, k)
		}
	}
	return out, nil
}

func (m *memKeys) UpdateSigningKey(_ context.Context, kid string, update func(store.SigningKey) (store.SigningKey, error)) (store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range m.keys {
		if k.KID == kid {
			n, err := update(k)
			if err != nil {
				return store.SigningKey{}, err
			}
			m.keys[i] = n
			return n, nil
		}
	}
	return store.SigningKey{}, store.ErrNotFound
}

func (m *memKeys) DeleteSigningKey(_ context.Context, kid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range m.keys {
		if k.KID == kid {
			m.keys = slices.Delete(m.keys, i, i+1)
			return nil
		}
	}
	return store.ErrNotFound
}

// testKeys are shared by the tests (RSA keys take a while to make): the
// identity pools' scope and one user pool's.
var testKeys = sync.OnceValue(func() *tokens.Keys {
	k := &tokens.Keys{Store: &memKeys{}, Now: func() time.Time { return testEpoch }}
	ctx := context.Background()
	if err := k.Ensure(ctx, identityPoolScope, "openid"); err != nil {
		panic(err)
	}
	if err := k.Ensure(ctx, testUserPool); err != nil {
		panic(err)
	}
	return k
})

func sign(t testing.TB, scope, use string, claims map[string]any) string {
	t.Helper()
	tok, err := testKeys().Sign(context.Background(), scope, use, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// openIDToken is an identity pool's OpenID token, valid for ten minutes
// from testEpoch; change edits its claims.
func openIDToken(t testing.TB, change func(map[string]any)) string {
	c := map[string]any{
		"iss": testIssuerBase + "/cognito-identity", "sub": testIdentityID, "aud": testIdentityPool,
		"amr": []string{"authenticated", "cognito-idp.us-east-1.amazonaws.com/" + testUserPool},
		"iat": testEpoch.Unix(), "exp": testEpoch.Add(10 * time.Minute).Unix(),
	}
	if change != nil {
		change(c)
	}
	return sign(t, identityPoolScope, "openid", c)
}

// userPoolToken is a user pool's ID token ("id") or access token
// ("access"), valid for an hour from testEpoch.
func userPoolToken(t testing.TB, use string, change func(map[string]any)) string {
	c := map[string]any{
		"iss": testIssuerBase + "/" + testUserPool, "sub": "5f1e0d2c-user", "token_use": use,
		"iat": testEpoch.Unix(), "exp": testEpoch.Add(time.Hour).Unix(),
	}
	if use == "id" {
		c["aud"] = testClientID
	} else {
		c["client_id"] = testClientID
	}
	if change != nil {
		change(c)
	}
	return sign(t, testUserPool, use, c)
}

// fakeOIDC is an OIDCProviders over a map keyed by URL.
type fakeOIDC map[string]*OIDCProvider

func (f fakeOIDC) OIDCProviderByURL(_ context.Context, url string) (*OIDCProvider, error) {
	p, ok := f[url]
	if !ok {
		return nil, fmt.Errorf("provider %s: %w", url, store.ErrNotFound)
	}
	c := *p
	return &c, nil
}

func newWebFixture(t testing.TB) (*fixture, fakeOIDC) {
	f := newFixture(t, nil)
	oidc := fakeOIDC{testProviderURL: {ARN: testProviderARN, URL: testProviderURL, ClientIDs: []string{testClientID}}}
	f.svc.WebIdentity = &TokensVerifier{Keys: testKeys(), IssuerBase: testIssuerBase}
	f.svc.OIDCProviders = oidc
	return f, oidc
}

func webInput(role, token string) *stsapi.AssumeRoleWithWebIdentityInput {
	return &stsapi.AssumeRoleWithWebIdentityInput{RoleArn: awsapi.String(roleARNPrefix + role),
		RoleSessionName: awsapi.String("web"), WebIdentityToken: awsapi.String(token)}
}

func federatedTrust(provider string, condition string) string {
	cond := ""
	if condition != "" {
		cond = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
		`"},"Action":"sts:AssumeRoleWithWebIdentity"` + cond + `}]}`
}

var (
	cognitoTrust = federatedTrust(CognitoIdentityProvider,
		`{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+testIdentityPool+`"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`)
	oidcTrust = federatedTrust(testProviderARN,
		`{"StringEquals":{"`+testProviderURL+`:aud":"`+testClientID+`"}}`)
)

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	notAuthorized := "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	tests := []struct {
		name  string
		trust string
		token func(t testing.TB) string
		// mutate edits the request; setup the fixture.
		mutate func(*stsapi.AssumeRoleWithWebIdentityInput)
		setup  func(*fixture, fakeOIDC)
		// code and msg are the expected error ("" means success).
		code, msg string
		// provider, audience, subject are the expected answer.
		provider, audience, subject string
	}{
		{name: "accepts an identity pool's OpenID token for a role trusting cognito-identity.amazonaws.com with the pool as aud",
			trust: cognitoTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			provider: CognitoIdentityProvider, audience: testIdentityPool, subject: testIdentityID},
		{name: "refuses an OpenID token of another identity pool",
			trust: cognitoTrust,
			token: func(t testing.TB) string {
				return openIDToken(t, func(c map[string]any) { c["aud"] = "us-east-1:99999999-2222-3333-4444-555555555555" })
			},
			code: "AccessDenied", msg: notAuthorized},
		{name: "refuses an unauthenticated identity when the trust policy requires authenticated",
			trust: cognitoTrust,
			token: func(t testing.TB) string {
				return openIDToken(t, func(c map[string]any) { c["amr"] = []string{"unauthenticated"} })
			},
			code: "AccessDenied", msg: notAuthorized},
		{name: "refuses an OpenID token for a role trusting only an OIDC provider",
			trust: oidcTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			code: "AccessDenied", msg: notAuthorized},
		{name: "refuses a role that does not exist with the same words",
			trust: cognitoTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			mutate: func(in *stsapi.AssumeRoleWithWebIdentityInput) { in.RoleArn = awsapi.String(roleARNPrefix + "Missing") },
			code:   "AccessDenied", msg: notAuthorized},
		{name: "accepts a user pool's ID token through the IAM OIDC provider of its issuer",
			trust: oidcTrust, token: func(t testing.TB) string { return userPoolToken(t, "id", nil) },
			provider: testProviderURL, audience: testClientID, subject: "5f1e0d2c-user"},
		{name: "accepts a user pool's access token, whose client_id is its audience",
			trust: oidcTrust, token: func(t testing.TB) string { return userPoolToken(t, "access", nil) },
			provider: testProviderURL, audience: testClientID, subject: "5f1e0d2c-user"},
		{name: "refuses a user pool token for a role trusting only cognito-identity.amazonaws.com",
			trust: cognitoTrust, token: func(t testing.TB) string { return userPoolToken(t, "id", nil) },
			code: "AccessDenied", msg: notAuthorized},
		{name: "refuses a user pool token whose audience is not in the provider's client ids",
			trust: oidcTrust,
			token: func(t testing.TB) string {
				return userPoolToken(t, "id", func(c map[string]any) { c["aud"] = "someotherclient" })
			},
			code: "InvalidIdentityToken", msg: "Incorrect token audience"},
		{name: "refuses a user pool token when no OIDC provider has its issuer",
			trust: oidcTrust, token: func(t testing.TB) string { return userPoolToken(t, "id", nil) },
			setup: func(_ *fixture, o fakeOIDC) { delete(o, testProviderURL) },
			code:  "InvalidIdentityToken", msg: "No OpenIDConnect provider found in your account for " + testIssuerBase + "/" + testUserPool},
		{name: "refuses an expired token with the times in seconds",
			trust: cognitoTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			setup: func(f *fixture, _ fakeOIDC) { f.clock.Advance(11 * time.Minute) },
			code:  "ExpiredTokenException",
			msg: fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d",
				testEpoch.Add(11*time.Minute).Unix(), testEpoch.Add(10*time.Minute).Unix())},
		{name: "refuses a token that is not a JWT",
			trust: cognitoTrust, token: func(testing.TB) string { return "not-a-jwt" },
			code: "InvalidIdentityToken", msg: msgNotAJWT},
		{name: "refuses a token with a tampered signature",
			trust: cognitoTrust,
			token: func(t testing.TB) string {
				tok := openIDToken(t, nil)
				i := strings.LastIndexByte(tok, '.') + 5
				c := byte('A')
				if tok[i] == 'A' {
					c = 'B'
				}
				return tok[:i] + string(c) + tok[i+1:]
			},
			code: "InvalidIdentityToken", msg: msgNoVerification},
		{name: "refuses a token of a foreign issuer without an OIDC provider",
			trust: oidcTrust,
			token: func(t testing.TB) string {
				return userPoolToken(t, "id", func(c map[string]any) { c["iss"] = "https://accounts.example.com" })
			},
			code: "InvalidIdentityToken", msg: "No OpenIDConnect provider found in your account for https://accounts.example.com"},
		{name: "cannot verify a token of a foreign issuer that has an OIDC provider",
			trust: oidcTrust,
			token: func(t testing.TB) string {
				return userPoolToken(t, "id", func(c map[string]any) { c["iss"] = "https://accounts.example.com" })
			},
			setup: func(_ *fixture, o fakeOIDC) {
				o["accounts.example.com"] = &OIDCProvider{ARN: "arn:aws:iam::123456789012:oidc-provider/accounts.example.com", URL: "accounts.example.com"}
			},
			code: "InvalidIdentityToken", msg: msgNoVerification},
		{name: "refuses a token claiming a user pool issuer but signed by another scope",
			trust: oidcTrust,
			token: func(t testing.TB) string {
				return openIDToken(t, func(c map[string]any) { c["iss"] = testIssuerBase + "/" + testUserPool })
			},
			code: "InvalidIdentityToken", msg: msgNoVerification},
		{name: "refuses a malformed role ARN",
			trust: cognitoTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			mutate: func(in *stsapi.AssumeRoleWithWebIdentityInput) {
				in.RoleArn = awsapi.String("arn:aws:iam::123456789012")
			},
			code: "ValidationError", msg: "arn:aws:iam::123456789012 is invalid"},
		{name: "refuses a malformed session policy",
			trust: cognitoTrust, token: func(t testing.TB) string { return openIDToken(t, nil) },
			mutate: func(in *stsapi.AssumeRoleWithWebIdentityInput) { in.Policy = awsapi.String(`{"Version":"2012-10-17"}`) },
			code:   "MalformedPolicyDocument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, oidc := newWebFixture(t)
			f.addRole("Target", tt.trust, 0)
			if tt.setup != nil {
				tt.setup(f, oidc)
			}
			in := webInput("Target", tt.token(t))
			if tt.mutate != nil {
				tt.mutate(in)
			}
			out, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), in)
			if tt.code != "" {
				status := http.StatusBadRequest
				if tt.code == "AccessDenied" {
					status = http.StatusForbidden
				}
				wantError(t, err, tt.code, status, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := awsapi.ToString(out.Provider); got != tt.provider {
				t.Errorf("Provider = %q, want %q", got, tt.provider)
			}
			if got := awsapi.ToString(out.Audience); got != tt.audience {
				t.Errorf("Audience = %q, want %q", got, tt.audience)
			}
			if got := awsapi.ToString(out.SubjectFromWebIdentityToken); got != tt.subject {
				t.Errorf("SubjectFromWebIdentityToken = %q, want %q", got, tt.subject)
			}
			if got := awsapi.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+testAccount+":assumed-role/Target/web" {
				t.Errorf("AssumedRoleUser.Arn = %q", got)
			}
			if out.PackedPolicySize != nil {
				t.Errorf("PackedPolicySize = %d without a policy", *out.PackedPolicySize)
			}
			if !strings.HasPrefix(awsapi.ToString(out.Credentials.AccessKeyId), TemporaryKeyPrefix) ||
				!out.Credentials.Expiration.Equal(testEpoch.Add(time.Hour)) {
				t.Errorf("Credentials = %+v", out.Credentials)
			}
		})
	}
}

func TestAssumeRoleWithWebIdentityDuration(t *testing.T) {
	tests := []struct {
		name       string
		maxSession int32
		requested  *int32
		want       time.Duration
		wantErr    string
	}{
		{name: "defaults to one hour", want: time.Hour},
		{name: "accepts the 900-second minimum", requested: awsapi.Int32(900), want: 15 * time.Minute},
		{name: "accepts up to the role's MaxSessionDuration", maxSession: 7200, requested: awsapi.Int32(7200), want: 2 * time.Hour},
		{name: "refuses more than the role's MaxSessionDuration", maxSession: 7200, requested: awsapi.Int32(7201),
			wantErr: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{name: "refuses more than an hour when the role sets no MaxSessionDuration", requested: awsapi.Int32(3601),
			wantErr: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newWebFixture(t)
			f.addRole("Target", cognitoTrust, tt.maxSession)
			in := webInput("Target", openIDToken(t, nil))
			in.DurationSeconds = tt.requested
			out, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), in)
			if tt.wantErr != "" {
				wantError(t, err, "ValidationError", http.StatusBadRequest, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Credentials.Expiration.Sub(testEpoch); got != tt.want {
				t.Errorf("duration = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWebIdentitySessionCarriesTheProviderConditionKeys(t *testing.T) {
	f, _ := newWebFixture(t)
	f.addRole("Target", cognitoTrust, 0)
	out, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Target", openIDToken(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	p := f.sessionPrincipal(t, awsapi.ToString(out.Credentials.AccessKeyId))
	want := map[string][]string{
		"cognito-identity.amazonaws.com:aud": {testIdentityPool},
		"cognito-identity.amazonaws.com:sub": {testIdentityID},
		"cognito-identity.amazonaws.com:amr": {"authenticated", "cognito-idp.us-east-1.amazonaws.com/" + testUserPool},
	}
	if !maps.EqualFunc(p.Context, want, slices.Equal) {
		t.Errorf("session context = %v, want %v", p.Context, want)
	}
	if p.ARN != "arn:aws:sts::"+testAccount+":assumed-role/Target/web" || p.RoleARN != roleARNPrefix+"Target" {
		t.Errorf("session principal = %+v", p)
	}

	f.addRole("OIDC", oidcTrust, 0)
	out, err = f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("OIDC", userPoolToken(t, "id", nil)))
	if err != nil {
		t.Fatal(err)
	}
	p = f.sessionPrincipal(t, awsapi.ToString(out.Credentials.AccessKeyId))
	want = map[string][]string{testProviderURL + ":aud": {testClientID}, testProviderURL + ":sub": {"5f1e0d2c-user"}}
	if !maps.EqualFunc(p.Context, want, slices.Equal) {
		t.Errorf("session context = %v, want %v", p.Context, want)
	}
}

func TestAssumeRoleWithWebIdentityTrustPolicyConditionsSeeTheSubject(t *testing.T) {
	f, _ := newWebFixture(t)
	f.addRole("OnlyMe", federatedTrust(testProviderARN, `{"StringEquals":{"`+testProviderURL+`:sub":"someone-else"}}`), 0)
	_, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("OnlyMe", userPoolToken(t, "id", nil)))
	wantError(t, err, "AccessDenied", http.StatusForbidden, "Not authorized to perform sts:AssumeRoleWithWebIdentity")

	f.addRole("Me", federatedTrust(testProviderARN, `{"StringEquals":{"`+testProviderURL+`:sub":"5f1e0d2c-user"}}`), 0)
	if _, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Me", userPoolToken(t, "id", nil))); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleWithWebIdentityTagsFromTheToken(t *testing.T) {
	tagged := func(t testing.TB) string {
		return openIDToken(t, func(c map[string]any) {
			c[tagsClaim] = map[string]any{"principal_tags": map[string][]string{"team": {"red"}}}
		})
	}
	withTagSession := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
		`"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]}]}`
	f, _ := newWebFixture(t)
	f.addRole("NoTags", federatedTrust(CognitoIdentityProvider, ""), 0)
	_, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("NoTags", tagged(t)))
	wantError(t, err, "AccessDenied", http.StatusForbidden, "Not authorized to perform sts:TagSession")

	f.addRole("Tags", withTagSession, 0)
	out, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Tags", tagged(t)))
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil {
		t.Error("PackedPolicySize missing with session tags")
	}
	p := f.sessionPrincipal(t, awsapi.ToString(out.Credentials.AccessKeyId))
	if p.Tags["team"] != "red" {
		t.Errorf("session tags = %v", p.Tags)
	}
}

func TestAssumeRoleWithWebIdentityWithoutAVerifierRefusesEveryToken(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("Target", cognitoTrust, 0)
	_, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Target", openIDToken(t, nil)))
	wantError(t, err, "InvalidIdentityToken", http.StatusBadRequest, msgNoVerification)
}

// failingVerifier returns err for every token.
type failingVerifier struct{ err error }

func (v failingVerifier) Verify(context.Context, string, time.Time) (string, map[string]any, error) {
	return "", nil, v.err
}

func TestAssumeRoleWithWebIdentityPassesStoreFailuresOn(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("Target", cognitoTrust, 0)
	boom := errors.New("disk on fire")
	f.svc.WebIdentity = failingVerifier{err: boom}
	_, err := f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Target", openIDToken(t, nil)))
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v, want the verifier's", err)
	}
	// A verifier may return the tokens package's errors as they are.
	f.svc.WebIdentity = failingVerifier{err: fmt.Errorf("x: %w", tokens.ErrExpired)}
	_, err = f.svc.AssumeRoleWithWebIdentity(context.Background(), webInput("Target", openIDToken(t, nil)))
	wantError(t, err, "ExpiredTokenException", http.StatusBadRequest, "")
}
