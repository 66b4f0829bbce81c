package policy

import (
	"strconv"
	"testing"
	"time"
)

// cognitoTrust is the trust policy the Cognito console writes for an
// identity pool's authenticated role.
const cognitoTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "cognito-identity.amazonaws.com"},
      "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
      "Condition": {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012"},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}
      }
    }
  ]
}`

type evalCase struct {
	name string
	req  Request
	want Decision
}

func runEval(t *testing.T, doc string, cases []evalCase) {
	t.Helper()
	d := mustParse(t, doc)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Evaluate(&tc.req); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestExplicitDenyOverridesAllow(t *testing.T) {
	// The evaluation-logic example: an Allow of s3:* and a Deny of one action.
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket"}
	  ]
	}`, []evalCase{
		{"an allowed action is allowed", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k"}, Allow},
		{"the denied action on the denied bucket is explicitly denied", Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket"}, ExplicitDeny},
		{"the denied action on another bucket is allowed", Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::other"}, Allow},
		{"actions match without case", Request{Action: "S3:deletebucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket"}, ExplicitDeny},
		{"an action of another service is implicitly denied", Request{Action: "iam:GetUser", Resource: "*"}, ImplicitDeny},
	})
}

func TestEvaluateCombinesDocuments(t *testing.T) {
	allowAll := mustParse(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	denyIAM := mustParse(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}`)
	allowS3 := mustParse(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`)
	tests := []struct {
		name string
		docs []*Document
		act  string
		want Decision
	}{
		{"no documents deny implicitly", nil, "s3:GetObject", ImplicitDeny},
		{"nil documents are skipped", []*Document{nil, allowS3}, "s3:GetObject", Allow},
		{"an allow in any document allows", []*Document{allowS3, denyIAM}, "s3:GetObject", Allow},
		{"a deny in a later document overrides an allow in an earlier one", []*Document{allowAll, denyIAM}, "iam:CreateUser", ExplicitDeny},
		{"a deny in an earlier document overrides an allow in a later one", []*Document{denyIAM, allowAll}, "iam:CreateUser", ExplicitDeny},
		{"nothing allowing the action denies implicitly", []*Document{allowS3, denyIAM}, "sqs:SendMessage", ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(&Request{Action: tc.act, Resource: "*"}, tc.docs...); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
	if got := Evaluate(nil, allowAll); got != ImplicitDeny {
		t.Errorf("Evaluate(nil request) = %v", got)
	}
	if got := (&Document{Statements: []Statement{{Effect: "Allow", Action: []string{"*"}}}}).Evaluate(&Request{Action: "s3:GetObject"}); got != ImplicitDeny {
		t.Errorf("a hand-built document = %v, want ImplicitDeny", got)
	}
}

func TestNotActionWithDenyWhenNoMFA(t *testing.T) {
	// The "DenyAllExceptListedIfNoMFA" example: everything but the MFA
	// self-service actions is denied without MFA.
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
	    {
	      "Sid": "DenyAllExceptListedIfNoMFA",
	      "Effect": "Deny",
	      "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
	      "Resource": "*",
	      "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
	    }
	  ]
	}`, []evalCase{
		{"a listed action without MFA is allowed", Request{Action: "iam:EnableMFADevice", Resource: "*"}, Allow},
		{"an unlisted action without the MFA key is denied", Request{Action: "s3:ListBuckets", Resource: "*"}, ExplicitDeny},
		{"an unlisted action with MFA false is denied", Request{Action: "s3:ListBuckets", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "false")}, ExplicitDeny},
		{"an unlisted action with MFA is allowed", Request{Action: "s3:ListBuckets", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "true")}, Allow},
		{"Bool compares without case", Request{Action: "s3:ListBuckets", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "TRUE")}, Allow},
	})
}

func TestNotResource(t *testing.T) {
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	    {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}
	  ]
	}`, []evalCase{
		{"a listed resource is not denied", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Payroll/jan.csv"}, Allow},
		{"any other resource is denied", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Other"}, ExplicitDeny},
	})
}

func TestPolicyVariablesFromTheIAMDocumentation(t *testing.T) {
	// Users may list and use only their own home folder.
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Action": ["s3:ListBucket"],
	      "Effect": "Allow",
	      "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket"],
	      "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}
	    },
	    {
	      "Action": ["s3:GetObject", "s3:PutObject"],
	      "Effect": "Allow",
	      "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*"]
	    },
	    {
	      "Action": ["iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser"],
	      "Effect": "Allow",
	      "Resource": ["arn:aws:iam::*:user/${aws:username}"]
	    }
	  ]
	}`, []evalCase{
		{"a user may list their own folder", Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket", Context: ctx("aws:username", "alice", "s3:prefix", "alice/docs")}, Allow},
		{"a user may not list another user's folder", Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket", Context: ctx("aws:username", "alice", "s3:prefix", "bob/docs")}, ImplicitDeny},
		{"a user may read their own objects", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/alice/a.txt", Context: ctx("aws:username", "alice")}, Allow},
		{"a user may not read another user's objects", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/bob/a.txt", Context: ctx("aws:username", "alice")}, ImplicitDeny},
		{"a user may manage their own access keys", Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::123456789012:user/alice", Context: ctx("aws:username", "alice")}, Allow},
		{"a user may not manage another user's keys", Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::123456789012:user/bob", Context: ctx("aws:username", "alice")}, ImplicitDeny},
		{"a role session without aws:username matches nothing", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket//a.txt"}, ImplicitDeny},
	})
}

func TestUnresolvableVariablesDisableTheWholeStatement(t *testing.T) {
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	    {"Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b/secret/*"]},
	    {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEquals": {"s3:prefix": "${aws:userid}"}}}
	  ]
	}`, []evalCase{
		{"with every variable resolved both denies apply", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/secret/k", Context: ctx("aws:PrincipalTag/team", "red", "aws:userid", "AIDA1", "s3:prefix", "AIDA1")}, ExplicitDeny},
		{"a negated condition with its variable resolved can pass", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/k", Context: ctx("aws:PrincipalTag/team", "red", "aws:userid", "AIDA1", "s3:prefix", "AIDA1")}, Allow},
		{"a missing tag disables the deny naming it, even for its literal resource", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/secret/k", Context: ctx("aws:userid", "AIDA1", "s3:prefix", "AIDA1")}, Allow},
		{"a missing variable in a negated condition disables that deny", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/k", Context: ctx("aws:PrincipalTag/team", "red", "s3:prefix", "x")}, Allow},
	})
}

func TestCognitoIdentityVariables(t *testing.T) {
	// Per-identity S3 prefix and DynamoDB leading keys for identity-pool users.
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/cognito/myapp/${cognito-identity.amazonaws.com:sub}/*"]},
	    {
	      "Effect": "Allow",
	      "Action": ["dynamodb:GetItem", "dynamodb:Query"],
	      "Resource": ["arn:aws:dynamodb:us-west-2:123456789012:table/MyTable"],
	      "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}
	    }
	  ]
	}`, []evalCase{
		{"an identity reads its own prefix", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/cognito/myapp/us-east-1:aaaa/photo.jpg", Context: ctx("cognito-identity.amazonaws.com:sub", "us-east-1:aaaa")}, Allow},
		{"an identity cannot read another identity's prefix", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/cognito/myapp/us-east-1:bbbb/photo.jpg", Context: ctx("cognito-identity.amazonaws.com:sub", "us-east-1:aaaa")}, ImplicitDeny},
		{"an identity queries its own leading key", Request{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-west-2:123456789012:table/MyTable", Context: ctx("cognito-identity.amazonaws.com:sub", "us-east-1:aaaa", "dynamodb:LeadingKeys", "us-east-1:aaaa")}, Allow},
		{"an identity cannot query another leading key", Request{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-west-2:123456789012:table/MyTable", Context: ctx("cognito-identity.amazonaws.com:sub", "us-east-1:aaaa", "dynamodb:LeadingKeys", "us-east-1:bbbb")}, ImplicitDeny},
	})
}

func TestCognitoIdentityPoolTrustPolicy(t *testing.T) {
	const pool = "us-east-1:12345678-abcd-abcd-abcd-123456789012"
	cognito := &Principal{Type: "Federated", ID: "cognito-identity.amazonaws.com"}
	d, err := ParseTrust(cognitoTrust)
	if err != nil {
		t.Fatal(err)
	}
	tests := []evalCase{
		{"an authenticated identity of the pool may assume the role", Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::123456789012:role/Cognito_Auth_Role", Principal: cognito,
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:CognitoSignIn:1234"}}}, Allow},
		{"the amr key compares without case in its name", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: cognito,
			Context: map[string][]string{"COGNITO-IDENTITY.amazonaws.com:AUD": {pool}, "cognito-identity.amazonaws.com:Amr": {"authenticated"}}}, Allow},
		{"an unauthenticated identity may not", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: cognito,
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"unauthenticated"}}}, ImplicitDeny},
		{"an identity of another pool may not", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: cognito,
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {"us-east-1:other"}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}}, ImplicitDeny},
		{"a token without amr may not", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: cognito,
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}}}, ImplicitDeny},
		{"another federated provider may not", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: &Principal{Type: "Federated", ID: "accounts.google.com"},
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}}, ImplicitDeny},
		{"an AWS principal may not", Request{Action: "sts:AssumeRoleWithWebIdentity", Principal: &Principal{Type: "AWS", ID: "123456789012"},
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}}, ImplicitDeny},
		{"an anonymous caller may not", Request{Action: "sts:AssumeRoleWithWebIdentity",
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}}, ImplicitDeny},
		{"plain AssumeRole is not granted", Request{Action: "sts:AssumeRole", Principal: cognito,
			Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}}, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Evaluate(&tc.req); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTrustPolicyPrincipals(t *testing.T) {
	const acct = "123456789012"
	aws := func(id string) *Principal { return &Principal{Type: "AWS", ID: id} }
	tests := []struct {
		name      string
		principal string
		caller    *Principal
		want      Decision
	}{
		{"the account root names a user of the account", `{"AWS": "arn:aws:iam::123456789012:root"}`, aws("arn:aws:iam::123456789012:user/alice"), Allow},
		{"the account root names a session of the account", `{"AWS": "arn:aws:iam::123456789012:root"}`, aws("arn:aws:sts::123456789012:assumed-role/R/s"), Allow},
		{"the account root does not name another account", `{"AWS": "arn:aws:iam::123456789012:root"}`, aws("arn:aws:iam::210987654321:user/alice"), ImplicitDeny},
		{"an account id names the account", `{"AWS": "123456789012"}`, aws("arn:aws:iam::123456789012:role/R"), Allow},
		{"an account id names a caller given as the account id", `{"AWS": "123456789012"}`, aws(acct), Allow},
		{"a user ARN names that user", `{"AWS": "arn:aws:iam::123456789012:user/alice"}`, aws("arn:aws:iam::123456789012:user/alice"), Allow},
		{"a user ARN does not name another user", `{"AWS": "arn:aws:iam::123456789012:user/alice"}`, aws("arn:aws:iam::123456789012:user/bob"), ImplicitDeny},
		{"a role ARN names the role's sessions", `{"AWS": "arn:aws:iam::123456789012:role/path/Admin"}`, aws("arn:aws:sts::123456789012:assumed-role/Admin/alice"), Allow},
		{"a role ARN does not name another role's sessions", `{"AWS": "arn:aws:iam::123456789012:role/Admin"}`, aws("arn:aws:sts::123456789012:assumed-role/Other/alice"), ImplicitDeny},
		{"a role ARN does not name the same role in another account", `{"AWS": "arn:aws:iam::123456789012:role/Admin"}`, aws("arn:aws:sts::210987654321:assumed-role/Admin/alice"), ImplicitDeny},
		{"a service names the service", `{"Service": "lambda.amazonaws.com"}`, &Principal{Type: "Service", ID: "lambda.amazonaws.com"}, Allow},
		{"a service does not name another service", `{"Service": "lambda.amazonaws.com"}`, &Principal{Type: "Service", ID: "ec2.amazonaws.com"}, ImplicitDeny},
		{"a service does not name an AWS principal", `{"Service": "lambda.amazonaws.com"}`, aws(acct), ImplicitDeny},
		{"an OIDC provider ARN names the provider", `{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}`, &Principal{Type: "Federated", ID: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, Allow},
		{"a star names everyone", `"*"`, aws("arn:aws:iam::999999999999:user/x"), Allow},
		{"a star names anonymous callers", `"*"`, nil, Allow},
		{"AWS star names everyone", `{"AWS": "*"}`, &Principal{Type: "Service", ID: "s3.amazonaws.com"}, Allow},
		{"a named principal does not name anonymous callers", `{"AWS": "123456789012"}`, nil, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseTrust(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": ` + tc.principal + `, "Action": "sts:AssumeRole*"}}`)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Evaluate(&Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/Target", Principal: tc.caller}); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotPrincipal(t *testing.T) {
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
	    {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:root"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
	  ]
	}`, []evalCase{
		{"a principal named in NotPrincipal escapes the deny", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: &Principal{Type: "AWS", ID: "arn:aws:iam::123456789012:user/alice"}}, Allow},
		{"another account is denied", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: &Principal{Type: "AWS", ID: "arn:aws:iam::210987654321:user/alice"}}, ExplicitDeny},
		{"an anonymous caller is denied", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny},
	})
}

func TestConditionOperators(t *testing.T) {
	when := time.Date(2020, 5, 1, 12, 0, 0, 0, time.UTC)
	epoch := strconv.FormatInt(when.Unix(), 10)
	tests := []struct {
		name string
		cond string // the Condition element
		ctx  map[string][]string
		want bool
	}{
		// Strings
		{"StringEquals matches an equal value", `{"StringEquals": {"aws:username": "alice"}}`, ctx("aws:username", "alice"), true},
		{"StringEquals is case-sensitive", `{"StringEquals": {"aws:username": "alice"}}`, ctx("aws:username", "Alice"), false},
		{"StringEquals ORs its values", `{"StringEquals": {"aws:username": ["bob", "alice"]}}`, ctx("aws:username", "alice"), true},
		{"StringEquals is false for a missing key", `{"StringEquals": {"aws:username": "alice"}}`, nil, false},
		{"StringNotEquals is true for another value", `{"StringNotEquals": {"aws:username": "alice"}}`, ctx("aws:username", "bob"), true},
		{"StringNotEquals is false for a listed value", `{"StringNotEquals": {"aws:username": ["bob", "alice"]}}`, ctx("aws:username", "alice"), false},
		{"StringNotEquals is true for a missing key", `{"StringNotEquals": {"aws:username": "alice"}}`, nil, true},
		{"StringEqualsIgnoreCase ignores case", `{"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}`, ctx("aws:username", "alice"), true},
		{"StringNotEqualsIgnoreCase ignores case", `{"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}`, ctx("aws:username", "alice"), false},
		{"StringLike matches a wildcard", `{"StringLike": {"s3:prefix": "home/*/docs"}}`, ctx("s3:prefix", "home/alice/docs"), true},
		{"StringLike matches a single character", `{"StringLike": {"s3:prefix": "v?"}}`, ctx("s3:prefix", "v1"), true},
		{"StringLike is case-sensitive", `{"StringLike": {"s3:prefix": "home/*"}}`, ctx("s3:prefix", "HOME/x"), false},
		{"StringNotLike is true for a non-matching value", `{"StringNotLike": {"s3:prefix": "home/*"}}`, ctx("s3:prefix", "tmp/x"), true},
		{"StringNotLike is true for a missing key", `{"StringNotLike": {"s3:prefix": "home/*"}}`, nil, true},
		{"StringEqualsIfExists is true for a missing key", `{"StringEqualsIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]}}`, nil, true},
		{"StringLikeIfExists checks a present key", `{"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]}}`, ctx("ec2:InstanceType", "m5.large"), false},
		{"a string value may use a policy variable", `{"StringEquals": {"aws:RequestTag/owner": "${aws:username}"}}`, ctx("aws:username", "alice", "aws:RequestTag/owner", "alice"), true},
		{"a policy variable value must match", `{"StringEquals": {"aws:RequestTag/owner": "${aws:username}"}}`, ctx("aws:username", "alice", "aws:RequestTag/owner", "bob"), false},
		{"StringLike with ${*} matches a literal star", `{"StringLike": {"s3:prefix": "a${*}"}}`, ctx("s3:prefix", "a*"), true},
		{"StringLike with ${*} does not match other text", `{"StringLike": {"s3:prefix": "a${*}"}}`, ctx("s3:prefix", "ab"), false},
		{"ignore-case comparison expands variables", `{"StringEqualsIgnoreCase": {"aws:RequestTag/owner": "${aws:username}"}}`, ctx("aws:username", "alice", "aws:RequestTag/owner", "ALICE"), true},

		// Numbers
		{"NumericLessThanEquals with a smaller value", `{"NumericLessThanEquals": {"s3:max-keys": "10"}}`, ctx("s3:max-keys", "10"), true},
		{"NumericLessThanEquals with a larger value", `{"NumericLessThanEquals": {"s3:max-keys": "10"}}`, ctx("s3:max-keys", "11"), false},
		{"NumericLessThan", `{"NumericLessThan": {"s3:max-keys": 10}}`, ctx("s3:max-keys", "9.5"), true},
		{"NumericGreaterThan", `{"NumericGreaterThan": {"s3:max-keys": 10}}`, ctx("s3:max-keys", "10"), false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals": {"s3:max-keys": 10}}`, ctx("s3:max-keys", "10"), true},
		{"NumericEquals", `{"NumericEquals": {"s3:max-keys": "10"}}`, ctx("s3:max-keys", "10.0"), true},
		{"NumericNotEquals", `{"NumericNotEquals": {"s3:max-keys": "10"}}`, ctx("s3:max-keys", "11"), true},
		{"a non-numeric request value matches no numeric operator", `{"NumericLessThan": {"s3:max-keys": "10"}}`, ctx("s3:max-keys", "ten"), false},

		// Dates
		{"DateLessThan with aws:CurrentTime before the date", `{"DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}`, ctx("aws:CurrentTime", when.Format(time.RFC3339)), true},
		{"DateGreaterThan with aws:CurrentTime before the date", `{"DateGreaterThan": {"aws:CurrentTime": "2020-06-01T00:00:00Z"}}`, ctx("aws:CurrentTime", when.Format(time.RFC3339)), false},
		{"a date range holds inside it", `{"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}`, ctx("aws:CurrentTime", when.Format(time.RFC3339)), true},
		{"DateEquals compares instants across zones", `{"DateEquals": {"aws:CurrentTime": "2020-05-01T14:00:00+02:00"}}`, ctx("aws:CurrentTime", "2020-05-01T12:00:00Z"), true},
		{"DateNotEquals", `{"DateNotEquals": {"aws:CurrentTime": "2020-05-01T12:00:00Z"}}`, ctx("aws:CurrentTime", "2020-05-01T12:00:00Z"), false},
		{"a date operator accepts epoch seconds in the policy", `{"DateLessThanEquals": {"aws:CurrentTime": "` + epoch + `"}}`, ctx("aws:CurrentTime", when.Format(time.RFC3339)), true},
		{"a date operator accepts aws:EpochTime", `{"DateGreaterThanEquals": {"aws:EpochTime": "2020-05-01T12:00:00Z"}}`, ctx("aws:EpochTime", epoch), true},
		{"a date operator accepts a bare date", `{"DateGreaterThan": {"aws:CurrentTime": "2020-04-30"}}`, ctx("aws:CurrentTime", when.Format(time.RFC3339)), true},
		{"aws:CurrentTime defaults to now", `{"DateGreaterThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}}`, nil, true},
		{"aws:EpochTime defaults to now for numbers", `{"NumericGreaterThan": {"aws:EpochTime": "978307200"}}`, nil, true},

		// Bool, binary
		{"Bool true", `{"Bool": {"aws:SecureTransport": "true"}}`, ctx("aws:SecureTransport", "true"), true},
		{"Bool false", `{"Bool": {"aws:SecureTransport": false}}`, ctx("aws:SecureTransport", "true"), false},
		{"Bool on a missing key is false", `{"Bool": {"aws:SecureTransport": "false"}}`, nil, false},
		{"BinaryEquals compares the base64 text", `{"BinaryEquals": {"aws:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctx("aws:key", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true},

		// IP addresses
		{"IpAddress matches an address in a block", `{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}`, ctx("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress does not match an address outside", `{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}`, ctx("aws:SourceIp", "198.51.100.1"), false},
		{"IpAddress matches a single address", `{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}`, ctx("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress matches IPv6", `{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}`, ctx("aws:SourceIp", "2001:db8:1234:5678::1"), true},
		{"IpAddress unmaps IPv4-mapped addresses", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ctx("aws:SourceIp", "::ffff:203.0.113.9"), true},
		{"IpAddress on a missing key is false", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, nil, false},
		{"NotIpAddress matches an address outside", `{"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}`, ctx("aws:SourceIp", "198.51.100.1"), true},
		{"NotIpAddress does not match an address inside", `{"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}}`, ctx("aws:SourceIp", "192.0.2.1"), false},

		// ARNs
		{"ArnLike matches segment wildcards", `{"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}`, ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-2:111122223333:trail/t"), true},
		{"ArnLike checks the account", `{"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}`, ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-2:444455556666:trail/t"), false},
		{"ArnEquals behaves as ArnLike", `{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/Admin"), true},
		{"ArnNotEquals", `{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/Other"), true},
		{"ArnNotLike on a missing key is true", `{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}`, nil, true},

		// Null
		{"Null true holds for a missing key", `{"Null": {"aws:TokenIssueTime": "true"}}`, nil, true},
		{"Null true fails for a present key", `{"Null": {"aws:TokenIssueTime": "true"}}`, ctx("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), false},
		{"Null false holds for a present key", `{"Null": {"aws:TokenIssueTime": "false"}}`, ctx("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), true},
		{"a key with no values counts as missing", `{"Null": {"aws:TagKeys": "true"}}`, map[string][]string{"aws:TagKeys": {}}, true},

		// Sets
		{"ForAllValues holds when every value is listed", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}`, ctx("aws:TagKeys", "environment", "aws:TagKeys", "cost-center"), true},
		{"ForAllValues fails when a value is not listed", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}`, ctx("aws:TagKeys", "environment", "aws:TagKeys", "owner"), false},
		{"ForAllValues holds for a missing key", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]}}`, nil, true},
		{"ForAnyValue holds when one value is listed", `{"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}`, ctx("aws:TagKeys", "owner", "aws:TagKeys", "cost-center"), true},
		{"ForAnyValue fails when no value is listed", `{"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment"]}}`, ctx("aws:TagKeys", "owner"), false},
		{"ForAnyValue fails for a missing key", `{"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment"]}}`, nil, false},
		{"ForAllValues:StringNotLike fails when a value matches", `{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}`, ctx("aws:TagKeys", "key1:legal"), false},
		{"ForAllValues:StringNotLike holds when no value matches", `{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}`, ctx("aws:TagKeys", "key2:audit"), true},
		{"ForAllValues:StringNotLike holds for a missing key", `{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}`, nil, true},
		{"ForAnyValue:StringNotEquals holds when one value is unlisted", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "c"), true},
		{"ForAnyValue:StringNotEquals fails when all values are listed", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), false},

		// Combination
		{"keys of one operator are ANDed", `{"StringEquals": {"aws:username": "alice", "aws:PrincipalTag/team": "red"}}`, ctx("aws:username", "alice", "aws:PrincipalTag/team", "blue"), false},
		{"operators are ANDed", `{"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}}`, ctx("aws:username", "alice", "aws:SecureTransport", "true"), true},
		{"condition keys compare without case", `{"StringEquals": {"AWS:PrincipalTag/Team": "red"}}`, ctx("aws:principaltag/team", "red"), true},
		{"an empty Condition holds", `{}`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": `+tc.cond+`}}`)
			want := ImplicitDeny
			if tc.want {
				want = Allow
			}
			if got := d.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: tc.ctx}); got != want {
				t.Errorf("Evaluate = %v, want %v", got, want)
			}
		})
	}
}

func TestDenyOutsideIPRange(t *testing.T) {
	// "AWS: Denies access to AWS based on the source IP".
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "*", "Resource": "*"},
	    {
	      "Effect": "Deny",
	      "Action": "*",
	      "Resource": "*",
	      "Condition": {
	        "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
	        "Bool": {"aws:ViaAWSService": "false"}
	      }
	    }
	  ]
	}`, []evalCase{
		{"a caller inside the range is allowed", Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:SourceIp", "192.0.2.10", "aws:ViaAWSService", "false")}, Allow},
		{"a caller outside the range is denied", Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:SourceIp", "198.51.100.10", "aws:ViaAWSService", "false")}, ExplicitDeny},
		{"a service acting for the caller is not denied", Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:SourceIp", "198.51.100.10", "aws:ViaAWSService", "true")}, Allow},
	})
}

func TestDenyWhenTokenIssueTimeIsMissing(t *testing.T) {
	// A Null condition denying requests made with long-term credentials.
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "*", "Resource": "*"},
	    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:TokenIssueTime": "true"}}}
	  ]
	}`, []evalCase{
		{"temporary credentials are allowed", Request{Action: "s3:GetObject", Resource: "*", Context: ctx("aws:TokenIssueTime", "2024-01-01T00:00:00Z")}, Allow},
		{"long-term credentials are denied", Request{Action: "s3:GetObject", Resource: "*"}, ExplicitDeny},
	})
}

func TestVariablesInVersion2008AreLiteral(t *testing.T) {
	runEval(t, `{
	  "Version": "2008-10-17",
	  "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}
	}`, []evalCase{
		{"the variable is not substituted", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k", Context: ctx("aws:username", "alice")}, ImplicitDeny},
		{"the text matches literally", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:username}/k"}, Allow},
	})
}

func TestAPIGatewayInvokePolicies(t *testing.T) {
	runEval(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": ["arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/*"]},
	    {"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": ["arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets"]}
	  ]
	}`, []evalCase{
		{"a POST below the resource in the test stage is allowed", Request{Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:a123456789/test/POST/mydemoresource/child"}, Allow},
		{"a GET there is not", Request{Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:a123456789/test/GET/mydemoresource/child"}, ImplicitDeny},
		{"any method on pets in any stage and region is allowed", Request{Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:eu-west-1:123456789012:a123456789/prod/DELETE/petstorewalkthrough/pets"}, Allow},
		{"another API is not", Request{Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:eu-west-1:123456789012:b987654321/prod/GET/petstorewalkthrough/pets"}, ImplicitDeny},
	})
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	d := mustParse(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
	    {"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": "arn:aws:cognito-idp:*:123456789012:userpool/${aws:PrincipalTag/pool}",
	     "Condition": {"StringLike": {"aws:username": "admin-*"}, "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}, "DateLessThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}}}
	  ]
	}`)
	req := &Request{
		Action:   "cognito-idp:AdminCreateUser",
		Resource: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
		Context: map[string][]string{
			"aws:SourceIp": {"10.1.2.3"}, "aws:PrincipalTag/pool": {"us-east-1_abc"}, "aws:username": {"admin-alice"},
			"aws:TagKeys": {"b"}, "aws:CurrentTime": {"2024-01-01T00:00:00Z"},
		},
	}
	if got := d.Evaluate(req); got != Allow {
		t.Fatalf("Evaluate = %v, want Allow", got)
	}
	if n := testing.AllocsPerRun(100, func() { d.Evaluate(req) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call", n)
	}
}
