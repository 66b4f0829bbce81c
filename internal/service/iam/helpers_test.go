package iamsvc

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
)

const account = "123456789012"

const (
	trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	allowS3  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	denyS3   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	allowSQS = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:*:q/*"}]}`

	cognitoPowerUser = "arn:aws:iam::aws:policy/AmazonCognitoPowerUser"
	adminAccess      = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// fixture is a service on an empty in-memory store, called as the root.
type fixture struct {
	*Service
	ctx   context.Context
	store *memStore
	clock time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := newMemStore()
	f := &fixture{store: st, clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.Service = New(st, account)
	f.Now = func() time.Time { return f.clock }
	f.ctx = principal.With(context.Background(), &principal.Principal{Kind: principal.Root, Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account})
	return f
}

func (f *fixture) as(p *principal.Principal) context.Context {
	return principal.With(context.Background(), p)
}

// must returns v, panicking (which fails the test with a stack) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// wantErr checks that err is the AWS error code with message msg ("" for
// any message).
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("got %v (%T), want awserr %s", err, err, code)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("got %s %q, want %s %q", e.Code, e.Message, code, msg)
	}
}

func (f *fixture) role(t testing.TB, name string) *iamapi.Role {
	t.Helper()
	return must(f.CreateRole(f.ctx, &iamapi.CreateRoleInput{RoleName: awsapi.String(name), AssumeRolePolicyDocument: awsapi.String(trustDoc)})).Role
}

func (f *fixture) user(t testing.TB, name string) *iamapi.User {
	t.Helper()
	return must(f.CreateUser(f.ctx, &iamapi.CreateUserInput{UserName: awsapi.String(name)})).User
}

func (f *fixture) policy(t testing.TB, name, doc string) *iamapi.Policy {
	t.Helper()
	return must(f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: awsapi.String(name), PolicyDocument: awsapi.String(doc)})).Policy
}

func unescape(t testing.TB, s *string) string {
	t.Helper()
	d, err := url.PathUnescape(awsapi.ToString(s))
	if err != nil {
		t.Fatalf("not percent-encoded: %q: %v", awsapi.ToString(s), err)
	}
	return d
}

func s(v string) *string { return awsapi.String(v) }
func i32(v int32) *int32 { return awsapi.Int32(v) }
