package sts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/randid"
)

const roleARNPrefix = "arn:aws:iam::123456789012:role/"

func assumeInput(role, session string) *stsapi.AssumeRoleInput {
	return &stsapi.AssumeRoleInput{RoleArn: awsapi.String(roleARNPrefix + role), RoleSessionName: awsapi.String(session)}
}

func tag(k, v string) stsapi.Tag { return stsapi.Tag{Key: awsapi.String(k), Value: awsapi.String(v)} }

// wantError checks that err is an *awserr.Error with code, status and,
// unless msg is empty, message.
func wantError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || e.HTTPStatus() != status || (msg != "" && e.Message != msg) {
		t.Fatalf("error = %s (%d) %q\nwant %s (%d) %q", e.Code, e.HTTPStatus(), e.Message, code, status, msg)
	}
}

func TestAssumeRoleTrust(t *testing.T) {
	alice, bob := userPrincipal("alice"), userPrincipal("bob")
	denyAlice := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}`
	withExternalID := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},
		"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyzzy"}}}]}`
	tests := []struct {
		name    string
		trust   string
		caller  *principal.Principal
		role    string // defaults to "Target"
		mutate  func(*stsapi.AssumeRoleInput)
		wantErr string // "" means allowed; else the AccessDenied message
	}{
		{name: "allows any principal of the account when the trust policy names the account root",
			trust: trustPolicy("arn:aws:iam::123456789012:root"), caller: alice},
		{name: "allows the user the trust policy names",
			trust: trustPolicy("arn:aws:iam::123456789012:user/alice"), caller: alice},
		{name: "allows the root when the trust policy names the account",
			trust: trustPolicy("arn:aws:iam::123456789012:root"), caller: rootPrincipal()},
		{name: "denies a user the trust policy does not name",
			trust: trustPolicy("arn:aws:iam::123456789012:user/alice"), caller: bob,
			wantErr: "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "denies a user an explicit Deny names",
			trust: denyAlice, caller: alice,
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "denies a missing role with the same words",
			trust: trustPolicy("arn:aws:iam::123456789012:root"), caller: alice, role: "Missing",
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Missing"},
		{name: "denies another account's principals",
			trust: trustPolicy("arn:aws:iam::210987654321:root"), caller: alice,
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "allows when the external id condition holds",
			trust: withExternalID, caller: alice,
			mutate: func(in *stsapi.AssumeRoleInput) { in.ExternalId = awsapi.String("xyzzy") }},
		{name: "denies when the external id is missing",
			trust: withExternalID, caller: alice,
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "denies session tags unless the trust policy allows sts:TagSession",
			trust: trustPolicy("arn:aws:iam::123456789012:root"), caller: alice,
			mutate:  func(in *stsapi.AssumeRoleInput) { in.Tags = []stsapi.Tag{tag("team", "a")} },
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "allows session tags when the trust policy allows sts:TagSession",
			trust: trustPolicy("arn:aws:iam::123456789012:root", "sts:AssumeRole", "sts:TagSession"), caller: alice,
			mutate: func(in *stsapi.AssumeRoleInput) { in.Tags = []stsapi.Tag{tag("team", "a")} }},
		{name: "denies a source identity unless the trust policy allows sts:SetSourceIdentity",
			trust: trustPolicy("arn:aws:iam::123456789012:root"), caller: alice,
			mutate:  func(in *stsapi.AssumeRoleInput) { in.SourceIdentity = awsapi.String("alice") },
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::123456789012:role/Target"},
		{name: "denies when the trust policy is not valid",
			trust: `{"Statement":`, caller: alice,
			wantErr: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addRole("Target", tt.trust, 0)
			role := tt.role
			if role == "" {
				role = "Target"
			}
			in := assumeInput(role, "session1")
			if tt.mutate != nil {
				tt.mutate(in)
			}
			out, err := f.svc.AssumeRole(as(tt.caller), in)
			if tt.wantErr != "" {
				wantError(t, err, "AccessDenied", 403, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *out.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/Target/session1" {
				t.Errorf("Arn = %s", *out.AssumedRoleUser.Arn)
			}
		})
	}
}

func TestAssumeRoleDuration(t *testing.T) {
	trust := trustPolicy("arn:aws:iam::123456789012:root")
	tests := []struct {
		name       string
		maxSession int32
		chained    bool
		duration   *int32
		want       time.Duration
		wantErr    string
	}{
		{name: "defaults to one hour", want: time.Hour},
		{name: "defaults to one hour whatever the role's maximum", maxSession: 43200, want: time.Hour},
		{name: "allows the minimum of 15 minutes", duration: awsapi.Int32(900), want: 15 * time.Minute},
		{name: "allows up to the role's MaxSessionDuration", maxSession: 43200, duration: awsapi.Int32(43200), want: 12 * time.Hour},
		{name: "refuses more than the role's MaxSessionDuration", maxSession: 7200, duration: awsapi.Int32(7201),
			wantErr: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{name: "refuses more than the default maximum of one hour", duration: awsapi.Int32(3601),
			wantErr: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{name: "allows one hour when chaining roles", chained: true, maxSession: 43200, duration: awsapi.Int32(3600), want: time.Hour},
		{name: "refuses more than one hour when chaining roles", chained: true, maxSession: 43200, duration: awsapi.Int32(3601),
			wantErr: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addRole("Target", trust, tt.maxSession)
			caller := userPrincipal("alice")
			if tt.chained {
				f.addRole("First", trust, 0)
				out, err := f.svc.AssumeRole(as(caller), assumeInput("First", "one"))
				if err != nil {
					t.Fatal(err)
				}
				caller = f.sessionPrincipal(t, *out.Credentials.AccessKeyId)
			}
			in := assumeInput("Target", "two")
			in.DurationSeconds = tt.duration
			out, err := f.svc.AssumeRole(as(caller), in)
			if tt.wantErr != "" {
				wantError(t, err, "ValidationError", 400, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := awsapi.ToTime(out.Credentials.Expiration).Sub(testEpoch); got != tt.want {
				t.Errorf("session lasts %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAssumeRoleRequestChecks(t *testing.T) {
	trust := trustPolicy("arn:aws:iam::123456789012:root", "sts:AssumeRole", "sts:TagSession")
	tests := []struct {
		name    string
		in      func() *stsapi.AssumeRoleInput
		code    string
		msg     string
		checker func(t *testing.T, out *stsapi.AssumeRoleOutput)
	}{
		{name: "refuses a role ARN that is not an ARN",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("x", "s")
				in.RoleArn = awsapi.String("not-an-arn-but-long-enough")
				return in
			},
			code: "ValidationError", msg: "not-an-arn-but-long-enough is invalid"},
		{name: "refuses a session policy that does not parse",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				in.Policy = awsapi.String(`{"Version":`)
				return in
			},
			code: "MalformedPolicyDocument"},
		{name: "refuses a session policy with a Principal",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				in.Policy = awsapi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)
				return in
			},
			code: "MalformedPolicyDocument"},
		{name: "refuses duplicate tag keys, whatever their case",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				in.Tags = []stsapi.Tag{tag("Team", "a"), tag("team", "b")}
				return in
			},
			code: "InvalidParameterValue", msg: "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{name: "refuses a transitive tag key that is not a requested tag",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				in.Tags = []stsapi.Tag{tag("team", "a")}
				in.TransitiveTagKeys = []string{"project"}
				return in
			},
			code: "InvalidParameterValue", msg: "The specified transitive tag key must be included in the requested tags."},
		{name: "refuses a session policy and tags too large to pack",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				for range 50 {
					in.Tags = append(in.Tags, tag(randid.String(128, upperAlnum), randid.String(256, secretAlphabet)))
				}
				return in
			},
			code: "PackedPolicyTooLarge"},
		{name: "answers PackedPolicySize with a session policy",
			in: func() *stsapi.AssumeRoleInput {
				in := assumeInput("Target", "s")
				in.Policy = awsapi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
				return in
			},
			checker: func(t *testing.T, out *stsapi.AssumeRoleOutput) {
				if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 10 {
					t.Errorf("PackedPolicySize = %v", out.PackedPolicySize)
				}
			}},
		{name: "leaves PackedPolicySize out without a policy or tags",
			in: func() *stsapi.AssumeRoleInput { return assumeInput("Target", "s") },
			checker: func(t *testing.T, out *stsapi.AssumeRoleOutput) {
				if out.PackedPolicySize != nil {
					t.Errorf("PackedPolicySize = %d", *out.PackedPolicySize)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addRole("Target", trust, 0)
			out, err := f.svc.AssumeRole(as(userPrincipal("alice")), tt.in())
			if tt.code != "" {
				wantError(t, err, tt.code, 400, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.checker(t, out)
		})
	}
}

func TestAssumeRoleSessionCarriesPolicyAndTags(t *testing.T) {
	f := newFixture(t, nil)
	role := f.addRole("Target", trustPolicy("arn:aws:iam::123456789012:root", "sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"), 0)
	in := assumeInput("Target", "alice-session")
	in.Policy = awsapi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	in.Tags = []stsapi.Tag{tag("Project", "ninsho")}
	in.SourceIdentity = awsapi.String("alice")
	out, err := f.svc.AssumeRole(as(userPrincipal("alice")), in)
	if err != nil {
		t.Fatal(err)
	}
	if awsapi.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("SourceIdentity = %v", out.SourceIdentity)
	}
	p := f.sessionPrincipal(t, *out.Credentials.AccessKeyId)
	if p.Kind != principal.AssumedRole || p.RoleARN != role.ARN || p.RoleName != "Target" || p.SessionName != "alice-session" ||
		p.UserID != role.ID+":alice-session" || p.SessionPolicy != *in.Policy || p.Tags["Project"] != "ninsho" {
		t.Errorf("principal = %+v", p)
	}
}

func TestRoleChainingPassesTransitiveTags(t *testing.T) {
	trust := trustPolicy("arn:aws:iam::123456789012:root", "sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")
	f := newFixture(t, nil)
	f.addRole("First", trust, 0)
	f.addRole("Second", trust, 0)
	f.addRole("Third", trust, 0)

	in := assumeInput("First", "one")
	in.Tags = []stsapi.Tag{tag("Project", "ninsho"), tag("Team", "iam")}
	in.TransitiveTagKeys = []string{"Project"}
	in.SourceIdentity = awsapi.String("alice")
	out, err := f.svc.AssumeRole(as(userPrincipal("alice")), in)
	if err != nil {
		t.Fatal(err)
	}
	first := f.sessionPrincipal(t, *out.Credentials.AccessKeyId)

	out, err = f.svc.AssumeRole(as(first), assumeInput("Second", "two"))
	if err != nil {
		t.Fatal(err)
	}
	if awsapi.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("source identity not kept through chaining: %v", out.SourceIdentity)
	}
	second := f.sessionPrincipal(t, *out.Credentials.AccessKeyId)
	if second.Tags["Project"] != "ninsho" || second.Tags["Team"] != "" {
		t.Errorf("chained session tags = %v, want only the transitive Project", second.Tags)
	}

	t.Run("and the transitive tags pass on again", func(t *testing.T) {
		out, err := f.svc.AssumeRole(as(second), assumeInput("Third", "three"))
		if err != nil {
			t.Fatal(err)
		}
		if third := f.sessionPrincipal(t, *out.Credentials.AccessKeyId); third.Tags["Project"] != "ninsho" {
			t.Errorf("third session tags = %v", third.Tags)
		}
	})
	t.Run("refuses to set an inherited transitive tag again", func(t *testing.T) {
		in := assumeInput("Third", "three")
		in.Tags = []stsapi.Tag{tag("project", "other")}
		_, err := f.svc.AssumeRole(as(second), in)
		wantError(t, err, "InvalidParameterValue", 400,
			"One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
	})
	t.Run("refuses to change the source identity", func(t *testing.T) {
		in := assumeInput("Third", "three")
		in.SourceIdentity = awsapi.String("mallory")
		_, err := f.svc.AssumeRole(as(second), in)
		wantError(t, err, "AccessDenied", 403, "")
	})
}

func TestAssumeRoleFromAGetSessionTokenSessionIsNotChaining(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("Target", trustPolicy("arn:aws:iam::123456789012:user/alice"), 43200)
	st, err := f.svc.GetSessionToken(as(userPrincipal("alice")), &stsapi.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	caller := f.sessionPrincipal(t, *st.Credentials.AccessKeyId)
	in := assumeInput("Target", "s")
	in.DurationSeconds = awsapi.Int32(7200)
	if _, err := f.svc.AssumeRole(as(caller), in); err != nil {
		t.Fatalf("AssumeRole with a user's session credentials: %v", err)
	}
}

func TestAssumeRoleByAnAssumedRoleNamesTheSessionWhenDenied(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("First", trustPolicy("arn:aws:iam::123456789012:root"), 0)
	f.addRole("Second", trustPolicy("arn:aws:iam::123456789012:user/alice"), 0)
	out, err := f.svc.AssumeRole(as(userPrincipal("alice")), assumeInput("First", "one"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AssumeRole(as(f.sessionPrincipal(t, *out.Credentials.AccessKeyId)), assumeInput("Second", "two"))
	wantError(t, err, "AccessDenied", 403,
		"User: arn:aws:sts::123456789012:assumed-role/First/one is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Second")
}

func TestTrustPolicyNamingARoleTrustsItsSessions(t *testing.T) {
	f := newFixture(t, nil)
	first := f.addRole("First", trustPolicy("arn:aws:iam::123456789012:root"), 0)
	f.addRole("Second", trustPolicy(first.ARN), 0)
	out, err := f.svc.AssumeRole(as(userPrincipal("alice")), assumeInput("First", "one"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AssumeRole(as(f.sessionPrincipal(t, *out.Credentials.AccessKeyId)), assumeInput("Second", "two")); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleConditionsSeeTheCaller(t *testing.T) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue","sts:RoleSessionName":"${aws:username}","aws:PrincipalType":"User"}}}]}`
	tests := []struct {
		name    string
		team    string
		session string
		allowed bool
	}{
		{"allows when every condition holds", "blue", "alice", true},
		{"denies when a principal tag differs", "red", "alice", false},
		{"denies when the session name is not the user name", "blue", "bob", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addRole("Target", trust, 0)
			caller := userPrincipal("alice")
			caller.Tags = map[string]string{"team": tt.team}
			_, err := f.svc.AssumeRole(as(caller), assumeInput("Target", tt.session))
			if tt.allowed != (err == nil) {
				t.Fatalf("allowed = %v (err %v), want %v", err == nil, err, tt.allowed)
			}
		})
	}
}

func TestAssumeRoleRefusesAnonymousCallers(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("Target", trustPolicy("*"), 0)
	_, err := f.svc.AssumeRole(context.Background(), assumeInput("Target", "s"))
	if err == nil || !strings.Contains(err.Error(), "MissingAuthenticationToken") {
		t.Fatalf("err = %v", err)
	}
}
