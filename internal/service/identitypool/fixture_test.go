package identitypool

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/service/sts"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/tokens"
)

const (
	testRegion  = "us-east-1"
	testAccount = "000000000000"
	testIssuer  = "http://ninsho.test"
	userPoolA   = "us-east-1_AAAAAAAAA"
	userPoolB   = "us-east-1_BBBBBBBBB"
	clientA     = "clientaaaaaaaaaaaaaaaaaaaa"
)

var providerA = "cognito-idp.us-east-1.amazonaws.com/" + userPoolA

// fakeUserPools verifies ID tokens signed with the user pools' keys, as the
// app's adapter does.
type fakeUserPools struct{ keys *tokens.Keys }

func (f fakeUserPools) VerifyIDToken(ctx context.Context, pool, token string, now time.Time) (map[string]any, error) {
	claims, err := f.keys.Verify(ctx, pool, token, now)
	if errors.Is(err, tokens.ErrExpired) {
		return nil, &TokenError{Reason: "Token expired: 1 >= 0"}
	}
	if err != nil {
		return nil, &TokenError{Reason: msgCouldNotVerify}
	}
	if claims["iss"] != testIssuer+"/"+pool {
		return nil, &TokenError{Reason: msgIssuerMismatch}
	}
	return claims, nil
}

type fakeRoles map[string]*sts.Role

func (f fakeRoles) RoleByARN(_ context.Context, arn string) (*sts.Role, error) {
	if r, ok := f[arn]; ok {
		return r, nil
	}
	return nil, store.ErrNotFound
}

type fakeSessions struct {
	mu     sync.Mutex
	issued []sts.RoleSession
}

func (f *fakeSessions) IssueRoleSession(_ context.Context, spec sts.RoleSession) (*stsapi.Credentials, *stsapi.AssumedRoleUser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = append(f.issued, spec)
	return &stsapi.Credentials{AccessKeyId: awsapi.String("ASIAEXAMPLEEXAMPLE00"), SecretAccessKey: awsapi.String("secret"),
			SessionToken: awsapi.String("token"), Expiration: &awsapi.Timestamp{Time: time.Now().Add(time.Hour)}},
		&stsapi.AssumedRoleUser{Arn: awsapi.String("arn:aws:sts::" + testAccount + ":assumed-role/" + spec.Role.Name + "/" + spec.SessionName)}, nil
}

type fixture struct {
	t        *testing.T
	ctx      context.Context
	svc      *Service
	keys     *tokens.Keys
	roles    fakeRoles
	sessions *fakeSessions
}

// shared keys: RSA key generation is the slow part, so every test uses the
// same key store for the user pools' keys.
var (
	sharedOnce sync.Once
	sharedKeys *tokens.Keys
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "identitypool-keys-")
		if err != nil {
			t.Fatal(err)
		}
		ks, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		sharedKeys = &tokens.Keys{Store: ks}
		for _, p := range []string{userPoolA, userPoolB, OpenIDScope} {
			if err := sharedKeys.Ensure(ctx, p, "id", "openid"); err != nil {
				t.Fatal(err)
			}
		}
	})
	f := &fixture{t: t, ctx: ctx, keys: sharedKeys, roles: fakeRoles{}, sessions: &fakeSessions{}}
	f.svc = &Service{Store: st, Keys: sharedKeys, UserPools: fakeUserPools{sharedKeys}, Roles: f.roles, Sessions: f.sessions,
		Region: testRegion, Account: testAccount, IssuerBase: testIssuer}
	return f
}

// idToken signs an ID token of pool for client and sub; extra claims are
// added (a nil value removes one).
func (f *fixture) idToken(pool, client, sub string, extra map[string]any) string {
	f.t.Helper()
	claims := map[string]any{"iss": testIssuer + "/" + pool, "aud": client, "sub": sub, "token_use": "id",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	tok, err := f.keys.Sign(f.ctx, pool, "id", claims)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// pool creates an identity pool trusting user pool A's client.
func (f *fixture) pool(allowUnauth bool, mutate ...func(*ci.CreateIdentityPoolInput)) string {
	f.t.Helper()
	in := &ci.CreateIdentityPoolInput{IdentityPoolName: awsapi.String("test"), AllowUnauthenticatedIdentities: awsapi.Bool(allowUnauth),
		CognitoIdentityProviders: []ci.CognitoIdentityProvider{{ProviderName: awsapi.String(providerA), ClientId: awsapi.String(clientA)}}}
	for _, m := range mutate {
		m(in)
	}
	out, err := f.svc.CreateIdentityPool(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.IdentityPoolId
}

// role registers a role whose trust policy has the given statement
// condition (JSON) for the Cognito federated principal.
func (f *fixture) role(name, condition string) string {
	arn := "arn:aws:iam::" + testAccount + ":role/" + name
	stmt := `{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`
	if condition != "" {
		stmt += `,"Condition":` + condition
	}
	f.roles[arn] = &sts.Role{Name: name, ID: "AROA" + strings.ToUpper(name), ARN: arn,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[` + stmt + `}]}`}
	return arn
}

func (f *fixture) getID(poolID string, logins map[string]string) (string, error) {
	out, err := f.svc.GetId(f.ctx, &ci.GetIdInput{IdentityPoolId: awsapi.String(poolID), Logins: logins})
	if err != nil {
		return "", err
	}
	return *out.IdentityId, nil
}

func (f *fixture) mustGetID(poolID string, logins map[string]string) string {
	f.t.Helper()
	id, err := f.getID(poolID, logins)
	if err != nil {
		f.t.Fatalf("GetId: %v", err)
	}
	return id
}

// wantErr requires an AWS error of code whose message starts with prefix.
func wantErr(t *testing.T, err error, code, prefix string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v, want %s %q", err, code, prefix)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, prefix) {
		t.Fatalf("error %s %q, want %s %q", e.Code, e.Message, code, prefix)
	}
}
