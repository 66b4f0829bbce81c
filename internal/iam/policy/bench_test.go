package policy

import "testing"

func BenchmarkEvaluate(b *testing.B) {
	p, _ := AWSManaged("arn:aws:iam::aws:policy/AmazonCognitoPowerUser")
	req := &Request{
		Action:   "cognito-idp:AdminInitiateAuth",
		Resource: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123",
		Context:  map[string][]string{"aws:SourceIp": {"203.0.113.7"}, "aws:SecureTransport": {"true"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Parsed.Evaluate(req) != Allow {
			b.Fatal("not allowed")
		}
	}
}

// BenchmarkEvaluateImplicitDeny walks every statement of the policy and
// fails each action pattern.
func BenchmarkEvaluateImplicitDeny(b *testing.B) {
	p, _ := AWSManaged("arn:aws:iam::aws:policy/AmazonCognitoPowerUser")
	req := &Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/alice"}
	b.ReportAllocs()
	for b.Loop() {
		if p.Parsed.Evaluate(req) != ImplicitDeny {
			b.Fatal("allowed")
		}
	}
}

// BenchmarkEvaluateConditionsAndVariables is an identity-pool role policy
// with a variable in the resource and conditions on the request.
func BenchmarkEvaluateConditionsAndVariables(b *testing.B) {
	d := mustParse(b, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}},
	    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/cognito/myapp/${cognito-identity.amazonaws.com:sub}/*",
	     "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}, "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}
	  ]
	}`)
	req := &Request{
		Action:   "s3:GetObject",
		Resource: "arn:aws:s3:::amzn-s3-demo-bucket/cognito/myapp/us-east-1:aaaa-bbbb/photo.jpg",
		Context: map[string][]string{
			"aws:SourceIp":                       {"192.0.2.44"},
			"cognito-identity.amazonaws.com:sub": {"us-east-1:aaaa-bbbb"},
			"cognito-identity.amazonaws.com:aud": {"us-east-1:pool"},
			"cognito-identity.amazonaws.com:amr": {"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		if d.Evaluate(req) != Allow {
			b.Fatal("not allowed")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	p, _ := AWSManaged("arn:aws:iam::aws:policy/AmazonCognitoPowerUser")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(p.Document); err != nil {
			b.Fatal(err)
		}
	}
}
