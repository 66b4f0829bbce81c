package policy

import (
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"*", "", false, true},
		{"*", "anything:at/all", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"abc", "abc", false, true},
		{"abc", "ABC", false, false},
		{"abc", "ABC", true, true},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "aéc", false, true},
		{"a*c", "ac", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"*b*d", "abcd", false, true},
		{"*b*d", "abcde", false, false},
		{"a*b*c*d", "axxbxxcxxd", false, true},
		{"a*a*a*a*b", strings.Repeat("a", 40), false, false},
		{"iam:Get*", "iam:GetRole", true, true},
		{"iam:Get*", "IAM:getrole", true, true},
		{"iam:Get*", "iam:ListRoles", true, false},
		{"home/*/file", "home/alice/file", false, true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pat, nil, tc.s, tc.fold); got != tc.want {
			t.Errorf("globMatch(%q, %q, fold=%v) = %v, want %v", tc.pat, tc.s, tc.fold, got, tc.want)
		}
	}
}

func TestARNMatch(t *testing.T) {
	tests := []struct {
		name, pat, s string
		want         bool
	}{
		{"a star matches every resource", "*", "arn:aws:s3:::b/k", true},
		{"a star matches the star resource", "*", "*", true},
		{"an ARN pattern does not match the star resource", "arn:aws:s3:::*", "*", false},
		{"an exact ARN matches itself", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/Bob", true},
		{"resource ARNs match with case", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"a path wildcard matches users on the path", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/alice", true},
		{"a path wildcard does not match other paths", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/sales/alice", false},
		{"a bucket wildcard matches keys with slashes", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", true},
		{"a trailing wildcard spans colons", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a:b", true},
		{"wildcards match within a segment", "arn:aws:cognito-idp:us-*-1:123456789012:userpool/*", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc", true},
		{"a wildcard inside a segment does not span a colon", "arn:aws:logs:us-east-1:123:log-group:a*b", "arn:aws:logs:us-east-1:123:log-group:a:b", false},
		{"a segment-final wildcard spans later segments", "arn:aws:logs:us-east-1:123:log-group:*", "arn:aws:logs:us-east-1:123:log-group:g:log-stream:s", true},
		{"the API Gateway invoke policy matches any execute-api ARN", "arn:aws:execute-api:*:*:*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets", true},
		{"the API Gateway invoke policy does not match another service", "arn:aws:execute-api:*:*:*", "arn:aws:lambda:us-east-1:123456789012:function:f", false},
		{"a wildcard account matches any account", "arn:aws:iam::*:role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp*", "arn:aws:iam::123456789012:role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp", true},
		{"a question mark matches one character of a segment", "arn:aws:sqs:us-east-?:123:queue?", "arn:aws:sqs:us-east-2:123:queue1", true},
		{"a question mark does not match a colon", "arn:aws:sqs:us-east-1?123:queue1", "arn:aws:sqs:us-east-1:123:queue1", false},
		{"a short pattern needs all its segments", "arn:aws:s3:::b", "arn:aws:s3", false},
		{"extra resource segments do not match an exact pattern", "arn:aws:sqs:us-east-1:123:q", "arn:aws:sqs:us-east-1:123:q:extra", false},
		{"many colons use the slow path", "arn:aws:x:::a*", "arn:aws:x:::a" + strings.Repeat(":z", 100), true},
		{"many colons still fail when they should", "arn:aws:x:::a*b", "arn:aws:x:::a" + strings.Repeat(":z", 100), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePattern(tc.pat, true)
			if got := p.match(tc.s, modeARN, &Request{}); got != tc.want {
				t.Errorf("%q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
			}
			if got := arnMatch(tc.pat, nil, tc.s); got != tc.want {
				t.Errorf("arnMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
			}
		})
	}
}

func TestPatternsWithVariables(t *testing.T) {
	r := &Request{Context: map[string][]string{
		"aws:username":        {"alice"},
		"aws:PrincipalTag/cc": {"12345"},
		"aws:TagKeys":         {"a", "b"},
	}}
	tests := []struct {
		name, pat, s string
		want         bool
	}{
		{"a variable is substituted", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", true},
		{"a variable does not match another value", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/x", false},
		{"variable keys compare without case", "arn:aws:s3:::b/${AWS:UserName}", "arn:aws:s3:::b/alice", true},
		{"a tag variable is substituted", "arn:aws:s3:::b/${aws:PrincipalTag/cc}/*", "arn:aws:s3:::b/12345/k", true},
		{"an absent variable does not match", "arn:aws:s3:::b/${aws:userid}", "arn:aws:s3:::b/", false},
		{"a multivalued key cannot be a variable", "arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/a", false},
		{"a default replaces an absent variable", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*", "arn:aws:s3:::b/company-wide/k", true},
		{"a default is ignored when the variable resolves", "arn:aws:s3:::b/${aws:username, 'nobody'}", "arn:aws:s3:::b/alice", true},
		{"a doubled quote in a default is one quote", "arn:aws:s3:::b/${aws:nope, 'it''s'}", "arn:aws:s3:::b/it's", true},
		{"${*} is a literal star", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true},
		{"${*} is not a wildcard", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", false},
		{"${?} is a literal question mark", "arn:aws:s3:::b/what${?}", "arn:aws:s3:::b/what?", true},
		{"${$} is a literal dollar", "arn:aws:s3:::b/${$}{aws:username}", "arn:aws:s3:::b/${aws:username}", true},
		{"an unterminated variable is text", "arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${aws:username", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePattern(tc.pat, true)
			if got := p.match(tc.s, modeARN, r); got != tc.want {
				t.Errorf("%q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
			}
		})
	}
	t.Run("variables are plain text in version 2008-10-17", func(t *testing.T) {
		p := compilePattern("arn:aws:s3:::b/${aws:username}", false)
		if !p.match("arn:aws:s3:::b/${aws:username}", modeARN, r) || p.match("arn:aws:s3:::b/alice", modeARN, r) {
			t.Error("a 2008-10-17 pattern substituted a variable")
		}
	})
}
