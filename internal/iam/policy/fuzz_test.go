package policy

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awserr"
)

func FuzzParse(f *testing.F) {
	f.Add(cognitoTrust)
	for _, p := range AWSManagedPolicies() {
		f.Add(p.Document)
	}
	f.Add(`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b/${aws:username}/${*}", "Condition": {"ForAllValues:StringNotLikeIfExists": {"aws:TagKeys": ["a*", 1, true]}, "Null": {"x:y": "true"}}}}`)
	f.Add(`{"Statement": [{"Sid": "1", "Effect": "Allow", "NotPrincipal": {"AWS": ["*", "123456789012"]}, "Action": ["s3:*"], "Resource": "arn:aws:s3:::${aws:x, 'd''e'}"}]}`)
	f.Add(`{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "::ffff:1.2.3.4/120"}, "DateLessThan": {"aws:CurrentTime": "20200101"}}}}`)
	f.Add(`[[[[[[[[[[[[[[[[`)
	f.Add(`{"Statement": {}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []Kind{KindAny, KindIdentity, KindResource, KindTrust} {
			d, err := ParseWith(doc, Options{Kind: kind})
			if err != nil {
				if _, ok := awserr.As(err); !ok {
					t.Fatalf("error %T %v is not an *awserr.Error", err, err)
				}
				if d != nil {
					t.Fatal("a document and an error")
				}
				continue
			}
			// A parsed document evaluates without panicking and its
			// String form parses to an equivalent document.
			req := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k:x", Principal: &Principal{Type: "AWS", ID: "arn:aws:iam::123456789012:user/a"},
				Context: map[string][]string{"aws:username": {"a"}, "aws:TagKeys": {"a", "b"}, "aws:SourceIp": {"1.2.3.4"}}}
			d.Evaluate(req)
			again, err := ParseWith(d.String(), Options{Kind: kind})
			if err != nil {
				t.Fatalf("String() does not parse: %v\n%s", err, d.String())
			}
			if got, want := again.Evaluate(req), d.Evaluate(req); got != want {
				t.Fatalf("String() changed the decision %v -> %v", want, got)
			}
		}
	})
}
