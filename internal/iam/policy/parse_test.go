package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awserr"
)

func mustParse(t testing.TB, doc string) *Document {
	t.Helper()
	d, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return d
}

func TestParseAcceptsTheSingleValueAndArrayForms(t *testing.T) {
	d := mustParse(t, `{
		"Version": "2012-10-17",
		"Id": "doc-1",
		"Statement": {
			"Sid": "One",
			"Effect": "Allow",
			"Principal": {"AWS": "123456789012", "Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
			"Action": "s3:GetObject",
			"Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
			"Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": true}, "StringEquals": {"s3:prefix": ["a", "b"]}}
		}
	}`)
	want := Statement{
		Sid:       "One",
		Effect:    "Allow",
		Principal: &Principals{AWS: []string{"123456789012"}, Service: []string{"lambda.amazonaws.com", "ec2.amazonaws.com"}},
		Action:    []string{"s3:GetObject"},
		Resource:  []string{"arn:aws:s3:::b/*", "arn:aws:s3:::b"},
		Condition: map[string]map[string][]string{
			"NumericLessThan": {"s3:max-keys": {"10"}},
			"Bool":            {"aws:SecureTransport": {"true"}},
			"StringEquals":    {"s3:prefix": {"a", "b"}},
		},
	}
	if d.Version != Version2012 || d.ID != "doc-1" || len(d.Statements) != 1 {
		t.Fatalf("document = %+v", d)
	}
	if !reflect.DeepEqual(d.Statements[0], want) {
		t.Errorf("statement =\n%+v\nwant\n%+v", d.Statements[0], want)
	}
}

func TestParseAcceptsBothPolicyLanguageVersionsAndNone(t *testing.T) {
	for _, v := range []string{`"Version": "2012-10-17",`, `"Version": "2008-10-17",`, ``} {
		if _, err := Parse(`{` + v + `"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"}]}`); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const stmt = `"Effect": "Allow", "Action": "s3:*", "Resource": "*"`
	tests := []struct {
		name string
		kind Kind
		doc  string
		msg  string // the message, or "" for "Syntax errors in policy."
	}{
		{"invalid JSON is a syntax error", KindAny, `{"Version": "2012-10-17", "Statement": [}`, ""},
		{"an empty document is a syntax error", KindAny, ``, ""},
		{"trailing data after the document is a syntax error", KindAny, `{"Statement": {` + stmt + `}} {}`, ""},
		{"a document that is not an object is a syntax error", KindAny, `["Statement"]`, ""},
		{"an unknown top-level key is a syntax error", KindAny, `{"Statement": {` + stmt + `}, "Extra": 1}`, ""},
		{"top-level keys are case-sensitive", KindAny, `{"statement": {` + stmt + `}}`, ""},
		{"an unknown version is refused", KindAny, `{"Version": "2012-10-18", "Statement": {` + stmt + `}}`, "The policy failed legacy parsing"},
		{"a numeric version is a syntax error", KindAny, `{"Version": 2012, "Statement": {` + stmt + `}}`, ""},
		{"a missing Statement is refused", KindAny, `{"Version": "2012-10-17"}`, "Missing required field Statement"},
		{"an empty Statement array is a syntax error", KindAny, `{"Statement": []}`, ""},
		{"a Statement that is a string is a syntax error", KindAny, `{"Statement": "Allow"}`, ""},
		{"an unknown statement key is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Resources": "*"}}`, ""},
		{"a missing Effect is refused", KindAny, `{"Statement": {"Action": "s3:*", "Resource": "*"}}`, "Missing required field Effect"},
		{"a lower-case Effect fails legacy parsing", KindAny, `{"Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}`, "The policy failed legacy parsing"},
		{"an Effect other than Allow or Deny fails legacy parsing", KindAny, `{"Statement": {"Effect": "Permit", "Action": "s3:*", "Resource": "*"}}`, "The policy failed legacy parsing"},
		{"both Action and NotAction are a syntax error", KindAny, `{"Statement": {` + stmt + `, "NotAction": "s3:Get*"}}`, ""},
		{"neither Action nor NotAction is refused", KindAny, `{"Statement": {"Effect": "Allow", "Resource": "*"}}`, "Policy statement must contain actions."},
		{"an empty Action list is refused", KindAny, `{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}`, "Policy statement must contain actions."},
		{"an action without a vendor is refused", KindAny, `{"Statement": {"Effect": "Allow", "Action": "GetObject", "Resource": "*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"an action that is a number is a syntax error", KindAny, `{"Statement": {"Effect": "Allow", "Action": 3, "Resource": "*"}}`, ""},
		{"an action list holding an object is a syntax error", KindAny, `{"Statement": {"Effect": "Allow", "Action": [{"Ref": "x"}], "Resource": "*"}}`, ""},
		{"both Resource and NotResource are a syntax error", KindAny, `{"Statement": {` + stmt + `, "NotResource": "*"}}`, ""},
		{"a resource that is not an ARN is refused", KindAny, `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}}`, `Resource bucket must be in ARN format or "*".`},
		{"an empty Resource list is refused", KindAny, `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": []}}`, "Policy statement must contain resources."},
		{"duplicate Sids are refused", KindAny, `{"Statement": [{"Sid": "A", ` + stmt + `}, {"Sid": "A", ` + stmt + `}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"a Sid that is not a string is a syntax error", KindAny, `{"Statement": {"Sid": 1, ` + stmt + `}}`, ""},
		{"both Principal and NotPrincipal are a syntax error", KindAny, `{"Statement": {` + stmt + `, "Principal": "*", "NotPrincipal": "*"}}`, ""},
		{"a principal string other than * is refused", KindAny, `{"Statement": {` + stmt + `, "Principal": "alice"}}`, `Invalid principal in policy: "alice"`},
		{"an unknown principal type is refused", KindAny, `{"Statement": {` + stmt + `, "Principal": {"User": "alice"}}}`, "Invalid principal in policy"},
		{"an AWS principal that is neither an account nor an ARN is refused", KindAny, `{"Statement": {` + stmt + `, "Principal": {"AWS": "alice"}}}`, `Invalid principal in policy: "AWS":"alice"`},
		{"a partial wildcard in a principal is refused", KindAny, `{"Statement": {` + stmt + `, "Principal": {"AWS": "arn:aws:iam::123456789012:role/*"}}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/*"`},
		{"an empty principal object is refused", KindAny, `{"Statement": {` + stmt + `, "Principal": {}}}`, "Invalid principal in policy"},
		{"an unknown condition operator is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Condition": {"StringEqualz": {"aws:username": "a"}}}}`, ""},
		{"NullIfExists is not an operator", KindAny, `{"Statement": {` + stmt + `, "Condition": {"NullIfExists": {"aws:username": "true"}}}}`, ""},
		{"a condition key without a vendor is refused", KindAny, `{"Statement": {` + stmt + `, "Condition": {"StringEquals": {"username": "a"}}}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"a condition value that is an object is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}}`, ""},
		{"a condition value that is null is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Condition": {"StringEquals": {"aws:username": null}}}}`, ""},
		{"a Condition that is a list is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Condition": []}}`, ""},
		{"deep nesting is a syntax error", KindAny, `{"Statement": {` + stmt + `, "Condition": {"StringEquals": {"aws:username": [[[[[[[["a"]]]]]]]]}}}}`, ""},
		{"an identity policy must not specify a principal", KindIdentity, `{"Statement": {` + stmt + `, "Principal": "*"}}`, "Policy document should not specify a principal."},
		{"an identity policy must not specify a NotPrincipal", KindIdentity, `{"Statement": {` + stmt + `, "NotPrincipal": {"AWS": "123456789012"}}}`, "Policy document should not specify a principal."},
		{"an identity policy must have resources", KindIdentity, `{"Statement": {"Effect": "Allow", "Action": "s3:*"}}`, "Policy statement must contain resources."},
		{"an identity policy needs alphanumeric Sids", KindIdentity, `{"Statement": {"Sid": "my sid", ` + stmt + `}}`, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
		{"a trust policy needs a principal", KindTrust, `{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}`, "Missing required field Principal"},
		{"a trust policy must not have a Resource", KindTrust, `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}}`, "Has prohibited field Resource"},
		{"a trust policy allows only sts actions", KindTrust, `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}}`, "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, and sts:AssumeRoleWithWebIdentity"},
		{"a resource policy needs a principal", KindResource, `{"Statement": {` + stmt + `}}`, "Missing required field Principal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseWith(tc.doc, Options{Kind: tc.kind})
			if err == nil {
				t.Fatalf("parsed %+v, want an error", d)
			}
			e, ok := awserr.As(err)
			if !ok {
				t.Fatalf("error %T %v is not an *awserr.Error", err, err)
			}
			want := tc.msg
			if want == "" {
				want = "Syntax errors in policy."
			}
			if e.Code != "MalformedPolicyDocument" || e.Message != want || e.HTTPStatus() != 400 {
				t.Errorf("error = %s %q (%d), want MalformedPolicyDocument %q", e.Code, e.Message, e.HTTPStatus(), want)
			}
		})
	}
}

func TestParseKindsAcceptWhatAWSAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"a trust policy with sts:AssumeRole and sts:TagSession", KindTrust, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}`},
		{"a trust policy for a Cognito identity pool", KindTrust, cognitoTrust},
		{"a trust policy with a wildcard sts action", KindTrust, `{"Statement": {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:*"}}`},
		{"a resource policy with NotPrincipal", KindResource, `{"Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}}`},
		{"an identity policy whose Sid is alphanumeric", KindIdentity, `{"Statement": {"Sid": "AllowAll1", "Effect": "Allow", "Action": "*", "Resource": "*"}}`},
		{"any kind allows spaces in a Sid", KindAny, `{"Statement": {"Sid": "my sid", "Effect": "Allow", "Action": "*", "Resource": "*"}}`},
		{"operators compare without case", KindIdentity, `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"forallvalues:stringlikeifexists": {"aws:TagKeys": "a*"}}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseWith(tc.doc, Options{Kind: tc.kind}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseRefusesOversizedDocuments(t *testing.T) {
	big := `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::` + strings.Repeat("x", MaxDocumentSize) + `"}}`
	_, err := Parse(big)
	if e, ok := awserr.As(err); !ok || e.Code != ErrorCode {
		t.Fatalf("Parse(oversized) = %v, want MalformedPolicyDocument", err)
	}

	doc := `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::` + strings.Repeat("x", 100) + `"}}`
	_, err = ParseWith(doc, Options{MaxSize: 50})
	if e, ok := awserr.As(err); !ok || e.Code != "LimitExceeded" || e.Message != "Cannot exceed quota for PolicySize: 50" {
		t.Fatalf("ParseWith(MaxSize 50) = %v, want LimitExceeded", err)
	}
	if _, err := ParseWith(doc, Options{MaxSize: Size(doc)}); err != nil {
		t.Fatalf("a document exactly at the quota: %v", err)
	}
}

func TestSizeIgnoresWhiteSpace(t *testing.T) {
	if got := Size("{ \"a\" :\n\t\"b c\" }"); got != 10 {
		t.Errorf("Size = %d, want 10", got)
	}
}

func TestStringRoundTrips(t *testing.T) {
	d := mustParse(t, cognitoTrust)
	again := mustParse(t, d.String())
	if !reflect.DeepEqual(d.Statements, again.Statements) {
		t.Errorf("round trip changed the statements:\n%s", d.String())
	}
}
