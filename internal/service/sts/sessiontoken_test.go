package sts

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
)

func TestGetSessionToken(t *testing.T) {
	tests := []struct {
		name     string
		caller   func(f *fixture) *principal.Principal
		duration *int32
		want     time.Duration
	}{
		{name: "gives an IAM user 12 hours by default", caller: func(*fixture) *principal.Principal { return userPrincipal("alice") }, want: 12 * time.Hour},
		{name: "gives an IAM user up to 36 hours", caller: func(*fixture) *principal.Principal { return userPrincipal("alice") },
			duration: awsapi.Int32(129600), want: 36 * time.Hour},
		{name: "gives an IAM user as little as 15 minutes", caller: func(*fixture) *principal.Principal { return userPrincipal("alice") },
			duration: awsapi.Int32(900), want: 15 * time.Minute},
		{name: "caps the root at one hour", caller: func(*fixture) *principal.Principal { return rootPrincipal() }, want: time.Hour},
		{name: "gives the root less than an hour when asked", caller: func(*fixture) *principal.Principal { return rootPrincipal() },
			duration: awsapi.Int32(1800), want: 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			caller := tt.caller(f)
			out, err := f.svc.GetSessionToken(as(caller), &stsapi.GetSessionTokenInput{DurationSeconds: tt.duration})
			if err != nil {
				t.Fatal(err)
			}
			if got := awsapi.ToTime(out.Credentials.Expiration).Sub(testEpoch); got != tt.want {
				t.Errorf("session lasts %v, want %v", got, tt.want)
			}

			// The session keeps the caller's identity.
			p := f.sessionPrincipal(t, *out.Credentials.AccessKeyId)
			if p.Kind != caller.Kind || p.ARN != caller.ARN || p.UserID != caller.UserID || p.UserName != caller.UserName ||
				p.Account != caller.Account || p.AccessKeyID != *out.Credentials.AccessKeyId {
				t.Errorf("session principal = %+v, caller %+v", p, caller)
			}
			id, err := f.svc.GetCallerIdentity(as(p), nil)
			if err != nil {
				t.Fatal(err)
			}
			if *id.Arn != caller.ARN || *id.UserId != caller.UserID {
				t.Errorf("GetCallerIdentity = %s %s, want %s %s", *id.Arn, *id.UserId, caller.ARN, caller.UserID)
			}
		})
	}
}

func TestGetSessionTokenRefusesSessionCredentials(t *testing.T) {
	f := newFixture(t, nil)
	f.addRole("Target", trustPolicy("arn:aws:iam::123456789012:root"), 0)
	assumed, err := f.svc.AssumeRole(as(userPrincipal("alice")), assumeInput("Target", "s"))
	if err != nil {
		t.Fatal(err)
	}
	session, err := f.svc.GetSessionToken(as(userPrincipal("alice")), &stsapi.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		caller *principal.Principal
	}{
		{"refuses a role session", f.sessionPrincipal(t, *assumed.Credentials.AccessKeyId)},
		{"refuses a user's own session", f.sessionPrincipal(t, *session.Credentials.AccessKeyId)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.GetSessionToken(as(tt.caller), &stsapi.GetSessionTokenInput{})
			wantError(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
		})
	}
}
