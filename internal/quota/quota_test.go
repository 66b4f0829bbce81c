package quota

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

var ctx = context.Background()

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newLimiter(t *testing.T, spec string) (*Limiter, *fakeClock) {
	t.Helper()
	cfg, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	return New(cfg, clk.now), clk
}

// allowed counts how many of n calls pass.
func allowed(l *Limiter, service, op string, n int, in func(i int) any) int {
	ok := 0
	for i := 0; i < n; i++ {
		if l.Allow(ctx, service, op, in(i)) == nil {
			ok++
		}
	}
	return ok
}

func TestParse(t *testing.T) {
	for _, spec := range []string{"", "off", " off "} {
		if c, err := Parse(spec); err != nil || c.Enabled() {
			t.Errorf("Parse(%q) = %v, %v; want off", spec, c, err)
		}
	}
	c, err := Parse("cognito,UserAuthentication=500,PerUser=20,GetId=1.5")
	if err != nil {
		t.Fatal(err)
	}
	if c.Rates[UserAuthentication] != 500 || c.Rates[PerUser] != 20 || c.Rates["GetId"] != 1.5 || c.Rates[UserCreation] != 50 {
		t.Errorf("rates = %v", c.Rates)
	}
	if c, err := Parse("UserList=60"); err != nil || c.Rates[UserList] != 60 || c.Rates[UserRead] != 120 {
		t.Errorf("overrides alone: %v, %v", c.Rates, err)
	}
	for _, bad := range []string{"on", "cognito,Nope=1", "UserList=0", "UserList=-1", "UserList=x", "UserList"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if New(Config{}, nil) != nil {
		t.Error("a limiter for quotas off")
	}
	var off *Limiter
	if off.Allow(ctx, "cognito-idp", "AdminCreateUser", &cip.AdminCreateUserInput{}) != nil {
		t.Error("a nil limiter refused")
	}
}

func TestCategoryQuota(t *testing.T) {
	l, clk := newLimiter(t, "cognito")
	create := func(i int) any {
		return &cip.AdminCreateUserInput{UserPoolId: awsapi.String("us-east-1_a"), Username: awsapi.String(fmt.Sprint("u", i))}
	}
	if got := allowed(l, "cognito-idp", "AdminCreateUser", 60, create); got != 50 {
		t.Fatalf("UserCreation: %d of 60 allowed at once, want 50", got)
	}
	// SignUp is in the same category: nothing left.
	err := l.Allow(ctx, "cognito-idp", "SignUp", &cip.SignUpInput{Username: awsapi.String("x")})
	if e, ok := awserr.As(err); !ok || e.Code != "TooManyRequestsException" || e.Message != "Rate exceeded" || e.Status != 400 {
		t.Fatalf("throttled call: %#v", err)
	}
	// Other categories are not affected.
	if err := l.Allow(ctx, "cognito-idp", "ListUsers", &cip.ListUsersInput{UserPoolId: awsapi.String("us-east-1_a")}); err != nil {
		t.Fatal(err)
	}
	clk.advance(100 * time.Millisecond)
	if got := allowed(l, "cognito-idp", "AdminCreateUser", 10, func(i int) any { return create(100 + i) }); got != 5 {
		t.Fatalf("after 100 ms: %d allowed, want 5", got)
	}
	clk.advance(time.Hour)
	if got := allowed(l, "cognito-idp", "AdminCreateUser", 60, func(i int) any { return create(200 + i) }); got != 50 {
		t.Fatalf("after an hour: %d allowed, want the 50 of a full bucket", got)
	}
	// Operations outside the categories and other services are not limited.
	if got := allowed(l, "sts", "GetCallerIdentity", 1000, func(int) any { return nil }); got != 1000 {
		t.Fatal("sts limited")
	}
	if got := allowed(l, "cognito-idp", "GetUserPoolMfaConfigX", 1000, func(int) any { return nil }); got != 1000 {
		t.Fatal("unknown operation limited")
	}
}

func TestPerUserQuota(t *testing.T) {
	l, _ := newLimiter(t, "cognito")
	get := func(user string) func(int) any {
		return func(int) any {
			return &cip.AdminGetUserInput{UserPoolId: awsapi.String("us-east-1_a"), Username: awsapi.String(user)}
		}
	}
	if got := allowed(l, "cognito-idp", "AdminGetUser", 15, get("alice")); got != 10 {
		t.Fatalf("alice reads: %d of 15, want 10", got)
	}
	if got := allowed(l, "cognito-idp", "AdminGetUser", 15, get("bob")); got != 10 {
		t.Fatalf("bob reads: %d of 15, want 10", got)
	}
	// Writes have a quota of their own.
	upd := func(int) any {
		return &cip.AdminUpdateUserAttributesInput{UserPoolId: awsapi.String("us-east-1_a"), Username: awsapi.String("alice")}
	}
	if got := allowed(l, "cognito-idp", "AdminUpdateUserAttributes", 12, upd); got != 10 {
		t.Fatalf("alice writes: %d of 12, want 10", got)
	}
	// A refused call charges nothing: the UserRead category (120) lost only
	// the 20 reads that passed.
	if got := allowed(l, "cognito-idp", "AdminGetUser", 200, func(i int) any { return get(fmt.Sprint("u", i/5))(i) }); got != 100 {
		t.Fatalf("category after refusals: %d, want 100", got)
	}
	// The user of an access token is its subject.
	tok := "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"s-1"}`)) + ".sig"
	l2, _ := newLimiter(t, "cognito")
	if got := allowed(l2, "cognito-idp", "GetUser", 12, func(int) any { return &cip.GetUserInput{AccessToken: awsapi.String(tok)} }); got != 10 {
		t.Fatalf("GetUser by token: %d, want 10", got)
	}
	// USERNAME in AuthParameters names the user of a sign-in.
	l3, _ := newLimiter(t, "cognito,PerUser=2")
	signIn := func(int) any {
		return &cip.InitiateAuthInput{AuthParameters: map[string]string{"USERNAME": "carol"}}
	}
	if got := allowed(l3, "cognito-idp", "InitiateAuth", 5, signIn); got != 2 {
		t.Fatalf("carol sign-ins with PerUser=2: %d, want 2", got)
	}
}

func TestPerPoolOperationQuota(t *testing.T) {
	l, _ := newLimiter(t, "cognito")
	getGroup := func(pool string) func(int) any {
		return func(int) any { return &cip.GetGroupInput{UserPoolId: awsapi.String(pool)} }
	}
	if got := allowed(l, "cognito-idp", "GetGroup", 8, getGroup("us-east-1_a")); got != 5 {
		t.Fatalf("GetGroup on one pool: %d of 8, want 5", got)
	}
	if got := allowed(l, "cognito-idp", "ListGroups", 8, func(int) any { return &cip.ListGroupsInput{UserPoolId: awsapi.String("us-east-1_a")} }); got != 5 {
		t.Fatalf("ListGroups on the same pool: %d of 8, want 5 (its own per-operation quota)", got)
	}
	// 10 of the category's 20 are spent; another pool gets the rest.
	if got := allowed(l, "cognito-idp", "GetGroup", 8, getGroup("us-east-1_b")); got != 5 {
		t.Fatalf("GetGroup on another pool: %d, want 5", got)
	}
	if got := allowed(l, "cognito-idp", "GetGroup", 8, getGroup("us-east-1_c")); got != 5 {
		t.Fatalf("GetGroup on a third pool: %d, want 5", got)
	}
	if got := allowed(l, "cognito-idp", "GetGroup", 8, getGroup("us-east-1_d")); got != 0 {
		t.Fatalf("the category's 20 are spent, yet %d passed", got)
	}
}

func TestChallengeAnswers(t *testing.T) {
	l, _ := newLimiter(t, "cognito,PerUser=1000")
	answer := func(name string) func(int) any {
		return func(i int) any {
			return &cip.RespondToAuthChallengeInput{ChallengeName: awsapi.String(name),
				ChallengeResponses: map[string]string{"USERNAME": fmt.Sprint("u", i%50)}}
		}
	}
	// 3 × 120 answers of their own, then the 120 of the category.
	if got := allowed(l, "cognito-idp", "RespondToAuthChallenge", 600, answer("PASSWORD_VERIFIER")); got != 480 {
		t.Fatalf("challenge answers: %d, want 360 + 120", got)
	}
	if err := l.Allow(ctx, "cognito-idp", "InitiateAuth", &cip.InitiateAuthInput{}); err == nil {
		t.Fatal("the overflow did not count against UserAuthentication")
	}
	// NEW_PASSWORD_REQUIRED answers count as account recovery (30).
	if got := allowed(l, "cognito-idp", "AdminRespondToAuthChallenge", 40, answer("NEW_PASSWORD_REQUIRED")); got != 30 {
		t.Fatalf("NEW_PASSWORD_REQUIRED answers: %d, want 30", got)
	}
}

func TestIdentityPoolQuotas(t *testing.T) {
	l, clk := newLimiter(t, "cognito,GetId=2")
	getID := func(int) any { return &ci.GetIdInput{} }
	if got := allowed(l, "cognito-identity", "GetId", 5, getID); got != 2 {
		t.Fatalf("GetId=2: %d of 5", got)
	}
	if got := allowed(l, "cognito-identity", "GetCredentialsForIdentity", 250, func(int) any { return &ci.GetCredentialsForIdentityInput{} }); got != 200 {
		t.Fatalf("GetCredentialsForIdentity: %d, want 200", got)
	}
	if got := allowed(l, "cognito-identity", "CreateIdentityPool", 100, func(int) any { return &ci.CreateIdentityPoolInput{} }); got != 100 {
		t.Fatal("an operation without a quota was limited")
	}
	clk.advance(time.Second)
	if got := allowed(l, "cognito-identity", "GetId", 5, getID); got != 2 {
		t.Fatalf("GetId after a second: %d", got)
	}
}

// Every operation in the category table exists in the user-pool model, so
// that a renamed or mistyped operation cannot silently escape its quota.
func TestCategoryTableNamesRealOperations(t *testing.T) {
	ops := cip.NewService(cip.UnimplementedAPI{}).Operations
	for op := range categoryOf {
		if _, ok := ops[op]; !ok {
			t.Errorf("%s is not a cognito-idp operation", op)
		}
	}
	iops := ci.NewService(ci.UnimplementedAPI{}).Operations
	for name := range DefaultRates {
		if _, isCategory := map[string]bool{UserAuthentication: true, UserCreation: true, UserAccountRecovery: true, UserRead: true,
			UserUpdate: true, UserToken: true, UserResourceRead: true, UserResourceUpdate: true, UserList: true, UserPoolRead: true,
			UserPoolUpdate: true, UserPoolResourceRead: true, UserPoolResourceUpdate: true, UserPoolClientRead: true,
			UserPoolClientUpdate: true, PerUser: true}[name]; isCategory {
			continue
		}
		if _, ok := iops[name]; !ok {
			t.Errorf("%s is not a cognito-identity operation", name)
		}
	}
}

// BenchmarkAllow is the cost quotas add to a sign-in when they are on.
func BenchmarkAllow(b *testing.B) {
	cfg, _ := Parse("cognito,UserAuthentication=1e6,PerUser=1e6")
	l := New(cfg, nil)
	in := &cip.AdminInitiateAuthInput{UserPoolId: awsapi.String("us-east-1_a"), AuthParameters: map[string]string{"USERNAME": "alice"}}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Allow(ctx, "cognito-idp", "AdminInitiateAuth", in); err != nil {
			b.Fatal(err)
		}
	}
}

// With Shared set, two limiters (two instances) on one store keep to one
// quota together: the buckets are in the store and each instance reserves
// tokens from them.
func TestSharedBuckets(t *testing.T) {
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &fakeClock{t: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	cfg, _ := Parse("cognito,UserCreation=10,PerUser=1000")
	a, b := New(cfg, clk.now), New(cfg, clk.now)
	a.Shared, b.Shared = st, st
	create := func(i int) any {
		return &cip.AdminCreateUserInput{UserPoolId: awsapi.String("us-east-1_a"), Username: awsapi.String(fmt.Sprint("u", i))}
	}
	got := 0
	for i := 0; i < 30; i++ {
		l := a
		if i%2 == 1 {
			l = b
		}
		if l.Allow(ctx, "cognito-idp", "AdminCreateUser", create(i)) == nil {
			got++
		}
	}
	if got != 10 {
		t.Fatalf("two instances allowed %d creations at once, want the quota's 10", got)
	}
	// A second later the bucket has refilled, for both.
	clk.advance(time.Second)
	if n := allowed(a, "cognito-idp", "AdminCreateUser", 8, create) + allowed(b, "cognito-idp", "AdminCreateUser", 8, create); n != 10 {
		t.Fatalf("after a second: %d, want 10", n)
	}
	// Per-user quotas are shared too.
	cfg2, _ := Parse("cognito,PerUser=2")
	c, d := New(cfg2, clk.now), New(cfg2, clk.now)
	c.Shared, d.Shared = st, st
	get := func(int) any {
		return &cip.AdminGetUserInput{UserPoolId: awsapi.String("us-east-1_a"), Username: awsapi.String("ann")}
	}
	if n := allowed(c, "cognito-idp", "AdminGetUser", 3, get) + allowed(d, "cognito-idp", "AdminGetUser", 3, get); n != 2 {
		t.Fatalf("ann's reads on two instances: %d, want 2", n)
	}
	// The buckets are objects the janitor can expire.
	objs, err := st.ListObjects(ctx, BucketKind, "", store.Page{})
	if err != nil || len(objs) == 0 || objs[0].ExpiresAt.IsZero() {
		t.Fatalf("shared buckets: %v, %v", objs, err)
	}
}
