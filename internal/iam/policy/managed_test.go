package policy

import (
	"sort"
	"strings"
	"testing"
)

func TestManagedPoliciesAreComplete(t *testing.T) {
	want := []string{
		"AdministratorAccess",
		"AmazonAPIGatewayInvokeFullAccess",
		"AmazonCognitoDeveloperAuthenticatedIdentities",
		"AmazonCognitoPowerUser",
		"AmazonCognitoReadOnly",
		"IAMFullAccess",
		"IAMReadOnlyAccess",
	}
	list := AWSManagedPolicies()
	var names []string
	ids := map[string]bool{}
	for _, p := range list {
		names = append(names, p.Name)
		if p.ARN != "arn:aws:iam::aws:policy/"+p.Name || p.Path != "/" {
			t.Errorf("%s: ARN %q path %q", p.Name, p.ARN, p.Path)
		}
		if !strings.HasPrefix(p.PolicyID, "ANPA") || len(p.PolicyID) != 21 || ids[p.PolicyID] {
			t.Errorf("%s: policy id %q", p.Name, p.PolicyID)
		}
		ids[p.PolicyID] = true
		if p.Parsed == nil || p.Parsed.Version != Version2012 || p.Description == "" || !strings.HasPrefix(p.DefaultVersionID, "v") {
			t.Errorf("%s: incomplete %+v", p.Name, p)
		}
		if p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) {
			t.Errorf("%s: dates %v %v", p.Name, p.CreateDate, p.UpdateDate)
		}
		if _, err := ParseIdentity(p.Document); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if Size(p.Document) > ManagedPolicySizeQuota {
			t.Errorf("%s: over the managed policy quota", p.Name)
		}
		got, ok := AWSManaged(p.ARN)
		if !ok || got != p {
			t.Errorf("AWSManaged(%q) = %v, %v", p.ARN, got, ok)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("AWSManagedPolicies is not sorted: %v", names)
	}
	for _, n := range want {
		if _, ok := AWSManaged("arn:aws:iam::aws:policy/" + n); !ok {
			t.Errorf("%s is missing", n)
		}
	}
	if _, ok := AWSManaged("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("AWSManaged found an unknown policy")
	}
	list[0] = nil
	if AWSManagedPolicies()[0] == nil {
		t.Error("AWSManagedPolicies shares its slice")
	}
}

func TestManagedPolicyDecisions(t *testing.T) {
	const pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
	tests := []struct {
		name   string
		policy string
		req    Request
		want   Decision
	}{
		{"AmazonCognitoPowerUser allows AdminCreateUser on a user pool", "AmazonCognitoPowerUser", Request{Action: "cognito-idp:AdminCreateUser", Resource: pool}, Allow},
		{"AmazonCognitoPowerUser allows identity pool actions", "AmazonCognitoPowerUser", Request{Action: "cognito-identity:CreateIdentityPool", Resource: "*"}, Allow},
		{"AmazonCognitoPowerUser does not allow iam:CreateUser", "AmazonCognitoPowerUser", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/alice"}, ImplicitDeny},
		{"AmazonCognitoPowerUser allows the Cognito service-linked role", "AmazonCognitoPowerUser", Request{Action: "iam:CreateServiceLinkedRole", Resource: "*", Context: ctx("iam:AWSServiceName", "cognito-idp.amazonaws.com")}, Allow},
		{"AmazonCognitoPowerUser does not allow other service-linked roles", "AmazonCognitoPowerUser", Request{Action: "iam:CreateServiceLinkedRole", Resource: "*", Context: ctx("iam:AWSServiceName", "lambda.amazonaws.com")}, ImplicitDeny},
		{"AmazonCognitoPowerUser deletes only the Cognito service-linked role", "AmazonCognitoPowerUser", Request{Action: "iam:DeleteServiceLinkedRole", Resource: "arn:aws:iam::123456789012:role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp"}, Allow},
		{"AmazonCognitoReadOnly allows DescribeUserPool", "AmazonCognitoReadOnly", Request{Action: "cognito-idp:DescribeUserPool", Resource: pool}, Allow},
		{"AmazonCognitoReadOnly allows AdminGetUser", "AmazonCognitoReadOnly", Request{Action: "cognito-idp:AdminGetUser", Resource: pool}, Allow},
		{"AmazonCognitoReadOnly does not allow AdminCreateUser", "AmazonCognitoReadOnly", Request{Action: "cognito-idp:AdminCreateUser", Resource: pool}, ImplicitDeny},
		{"AmazonCognitoDeveloperAuthenticatedIdentities allows GetOpenIdTokenForDeveloperIdentity", "AmazonCognitoDeveloperAuthenticatedIdentities", Request{Action: "cognito-identity:GetOpenIdTokenForDeveloperIdentity", Resource: "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:x"}, Allow},
		{"AmazonCognitoDeveloperAuthenticatedIdentities does not allow DeleteIdentityPool", "AmazonCognitoDeveloperAuthenticatedIdentities", Request{Action: "cognito-identity:DeleteIdentityPool", Resource: "*"}, ImplicitDeny},
		{"AmazonAPIGatewayInvokeFullAccess allows invoking any API", "AmazonAPIGatewayInvokeFullAccess", Request{Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1"}, Allow},
		{"AmazonAPIGatewayInvokeFullAccess does not allow managing APIs", "AmazonAPIGatewayInvokeFullAccess", Request{Action: "apigateway:DELETE", Resource: "arn:aws:apigateway:us-east-1::/restapis/abc123"}, ImplicitDeny},
		{"AdministratorAccess allows anything", "AdministratorAccess", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/alice"}, Allow},
		{"IAMFullAccess allows iam:CreateUser", "IAMFullAccess", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/alice"}, Allow},
		{"IAMFullAccess does not allow Cognito", "IAMFullAccess", Request{Action: "cognito-idp:ListUserPools", Resource: "*"}, ImplicitDeny},
		{"IAMReadOnlyAccess allows iam:GetRole", "IAMReadOnlyAccess", Request{Action: "iam:GetRole", Resource: "arn:aws:iam::123456789012:role/R"}, Allow},
		{"IAMReadOnlyAccess does not allow iam:CreateRole", "IAMReadOnlyAccess", Request{Action: "iam:CreateRole", Resource: "arn:aws:iam::123456789012:role/R"}, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := AWSManaged("arn:aws:iam::aws:policy/" + tc.policy)
			if !ok {
				t.Fatalf("%s missing", tc.policy)
			}
			if got := p.Parsed.Evaluate(&tc.req); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}
