package iamsvc

import (
	"errors"
	"net/url"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
)

func TestEscapeDocument(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unreserved characters stay", "AZaz09-._~", "AZaz09-._~"},
		{"JSON punctuation, spaces and slashes are escaped", `{"a": "b/c:*"}`, "%7B%22a%22%3A%20%22b%2Fc%3A%2A%22%7D"},
		{"plus and percent are escaped", "+%", "%2B%25"},
		{"UTF-8 is escaped byte by byte", "é", "%C3%A9"},
		{"new lines are escaped", "\n", "%0A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := escapeDocument(tt.in)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if back, err := url.PathUnescape(got); err != nil || back != tt.in {
				t.Errorf("does not decode back: %q %v", back, err)
			}
		})
	}
}

func TestRolePolicies(t *testing.T) {
	get := &policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	send := &policy.Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:q/a"}
	signUp := &policy.Request{Action: "cognito-idp:AdminCreateUser", Resource: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"}
	const local = "arn:aws:iam::123456789012:policy/Send"
	tests := []opCase{
		{
			name: "a role's policies are its inline ones and the default versions of its attached ones",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "App")
				f.policy(t, "Send", allowSQS)
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("s3"), PolicyDocument: s(allowS3)}))
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s(local)}))
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s(cognitoPowerUser)}))
				docs := must(f.RolePolicies(f.ctx, "app"))
				if len(docs) != 3 {
					t.Fatalf("%d documents", len(docs))
				}
				for _, r := range []*policy.Request{get, send, signUp} {
					if d := policy.Evaluate(r, docs...); d != policy.Allow {
						t.Errorf("%s: %v", r.Action, d)
					}
				}
				// A new default version is seen at once.
				must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(local), PolicyDocument: s(denyS3), SetAsDefault: awsapi.Bool(true)}))
				docs = must(f.RolePolicies(f.ctx, "App"))
				if d := policy.Evaluate(get, docs...); d != policy.ExplicitDeny {
					t.Errorf("after the new version: %v", d)
				}
				if d := policy.Evaluate(send, docs...); d != policy.ImplicitDeny {
					t.Errorf("after the new version, sqs: %v", d)
				}
				// So is a replaced inline policy, and a detached one.
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("s3"), PolicyDocument: s(allowSQS)}))
				must(f.DetachRolePolicy(f.ctx, &iamapi.DetachRolePolicyInput{RoleName: s("App"), PolicyArn: s(local)}))
				docs = must(f.RolePolicies(f.ctx, "App"))
				if policy.Evaluate(get, docs...) != policy.ImplicitDeny || policy.Evaluate(send, docs...) != policy.Allow {
					t.Errorf("after replacing and detaching: %d documents", len(docs))
				}
				return nil
			},
		},
		{
			name: "a role without policies has none",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				if docs := must(f.RolePolicies(f.ctx, "r")); len(docs) != 0 {
					t.Errorf("%d documents", len(docs))
				}
				return nil
			},
		},
		{
			name: "an unknown role is store.ErrNotFound",
			run: func(t *testing.T, f *fixture) error {
				if _, err := f.RolePolicies(f.ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("got %v", err)
				}
				if _, err := f.UserPolicies(f.ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("users: got %v", err)
				}
				return nil
			},
		},
		{
			name: "a user's policies are its inline and attached ones, not another's",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "Alice")
				f.user(t, "alicia")
				must(f.PutUserPolicy(f.ctx, &iamapi.PutUserPolicyInput{UserName: s("Alice"), PolicyName: s("deny"), PolicyDocument: s(denyS3)}))
				must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("Alice"), PolicyArn: s(adminAccess)}))
				must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("alicia"), PolicyArn: s(cognitoPowerUser)}))
				docs := must(f.UserPolicies(f.ctx, "ALICE"))
				if len(docs) != 2 || policy.Evaluate(get, docs...) != policy.ExplicitDeny || policy.Evaluate(send, docs...) != policy.Allow {
					t.Errorf("%d documents", len(docs))
				}
				return nil
			},
		},
	}
	runCases(t, tests)
}

// BenchmarkRolePolicies reads the policies of a role with two inline and
// two attached (one AWS, one customer managed) policies, as the authorizer
// does on every request signed with the role's credentials.
func BenchmarkRolePolicies(b *testing.B) {
	f := newFixture(b)
	f.role(b, "App")
	f.policy(b, "Send", allowSQS)
	must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("s3"), PolicyDocument: s(allowS3)}))
	must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("deny"), PolicyDocument: s(denyS3)}))
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s("arn:aws:iam::123456789012:policy/Send")}))
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s(cognitoPowerUser)}))
	b.ReportAllocs()
	for b.Loop() {
		docs, err := f.RolePolicies(f.ctx, "App")
		if err != nil || len(docs) != 4 {
			b.Fatal(len(docs), err)
		}
	}
}

// BenchmarkRolePoliciesUncached is the same without the document cache:
// what every request would pay parsing JSON.
func BenchmarkRolePoliciesUncached(b *testing.B) {
	f := newFixture(b)
	f.role(b, "App")
	f.policy(b, "Send", allowSQS)
	must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("s3"), PolicyDocument: s(allowS3)}))
	must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("App"), PolicyName: s("deny"), PolicyDocument: s(denyS3)}))
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s("arn:aws:iam::123456789012:policy/Send")}))
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("App"), PolicyArn: s(cognitoPowerUser)}))
	b.ReportAllocs()
	for b.Loop() {
		f.docs.mu.Lock()
		clear(f.docs.inline)
		clear(f.docs.managed)
		f.docs.mu.Unlock()
		if _, err := f.RolePolicies(f.ctx, "App"); err != nil {
			b.Fatal(err)
		}
	}
}
