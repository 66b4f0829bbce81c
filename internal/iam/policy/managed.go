package policy

import (
	"sort"
	"sync"
	"time"
)

// ManagedPolicy is an AWS managed policy built into the server: the default
// version of the document AWS publishes, with AWS's ids and dates.
// Values returned by AWSManaged and AWSManagedPolicies are shared and must
// not be modified.
type ManagedPolicy struct {
	Name             string
	ARN              string // arn:aws:iam::aws:policy/<Name>
	PolicyID         string // AWS's ANPA... id
	Path             string
	Description      string
	DefaultVersionID string
	Document         string // the JSON document of the default version
	Parsed           *Document
	CreateDate       time.Time // when the policy was created
	UpdateDate       time.Time // when the default version was created
}

// awsManagedPrefix is the ARN prefix of AWS managed policies at path "/".
const awsManagedPrefix = "arn:aws:iam::aws:policy/"

// The documents, ids, versions and dates are those AWS publishes in the
// AWS Managed Policy Reference and returns from iam:GetPolicy (dates AWS
// shows only to the minute are given to the minute).
var managedSources = []ManagedPolicy{
	{
		Name:             "AdministratorAccess",
		PolicyID:         "ANPAIWMBCKSKIEE64ZLYK",
		Description:      "Provides full access to AWS services and resources.",
		DefaultVersionID: "v1",
		CreateDate:       date("2015-02-06T18:39:46Z"),
		UpdateDate:       date("2015-02-06T18:39:46Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name:             "AmazonAPIGatewayInvokeFullAccess",
		PolicyID:         "ANPAIIWAX2NOOQJ4AIEQ6",
		Description:      "Provides full access to invoke APIs in Amazon API Gateway.",
		DefaultVersionID: "v2",
		CreateDate:       date("2015-07-09T17:36:12Z"),
		UpdateDate:       date("2018-12-18T18:25:00Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "execute-api:Invoke",
                "execute-api:ManageConnections"
            ],
            "Resource": "arn:aws:execute-api:*:*:*"
        }
    ]
}`,
	},
	{
		Name:             "AmazonCognitoDeveloperAuthenticatedIdentities",
		PolicyID:         "ANPAIQOKZ5BGKLCMTXH4W",
		Description:      "Provides access to Amazon Cognito APIs to support developer authenticated identities from your authentication backend.",
		DefaultVersionID: "v1",
		CreateDate:       date("2015-03-24T17:22:23Z"),
		UpdateDate:       date("2015-03-24T17:22:23Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
                "cognito-identity:LookupDeveloperIdentity",
                "cognito-identity:MergeDeveloperIdentities",
                "cognito-identity:UnlinkDeveloperIdentity"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name:             "AmazonCognitoPowerUser",
		PolicyID:         "ANPAJKW5H2HNCPGCYGR6Y",
		Description:      "Provides administrative access to existing Amazon Cognito resources. You will need AWS account admin privileges to create new Cognito resources.",
		DefaultVersionID: "v9",
		CreateDate:       date("2015-03-24T17:14:56Z"),
		UpdateDate:       date("2026-02-12T18:00:09Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "cognito-identity:*",
                "cognito-idp:*",
                "cognito-sync:*",
                "iam:ListRoles",
                "iam:ListOpenIdConnectProviders",
                "iam:GetRole",
                "iam:ListSAMLProviders",
                "iam:GetSAMLProvider",
                "kinesis:ListStreams",
                "lambda:GetPolicy",
                "lambda:ListFunctions",
                "sns:GetSMSSandboxAccountStatus",
                "sns:ListPlatformApplications",
                "ses:ListIdentities",
                "ses:GetIdentityVerificationAttributes",
                "mobiletargeting:GetApps",
                "acm:ListCertificates",
                "sms-voice:DescribeAccountAttributes"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": [
                        "cognito-idp.amazonaws.com",
                        "email.cognito-idp.amazonaws.com"
                    ]
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:DeleteServiceLinkedRole",
                "iam:GetServiceLinkedRoleDeletionStatus"
            ],
            "Resource": [
                "arn:aws:iam::*:role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp*",
                "arn:aws:iam::*:role/aws-service-role/email.cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdpEmail*"
            ]
        }
    ]
}`,
	},
	{
		Name:             "AmazonCognitoReadOnly",
		PolicyID:         "ANPAJBFTRZD2GQGJHSVQK",
		Description:      "Provides read only access to Amazon Cognito resources.",
		DefaultVersionID: "v4",
		CreateDate:       date("2015-03-24T17:06:46Z"),
		UpdateDate:       date("2019-08-01T19:21:00Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "cognito-identity:Describe*",
                "cognito-identity:Get*",
                "cognito-identity:List*",
                "cognito-idp:Describe*",
                "cognito-idp:AdminGet*",
                "cognito-idp:AdminList*",
                "cognito-idp:List*",
                "cognito-idp:Get*",
                "cognito-sync:Describe*",
                "cognito-sync:Get*",
                "cognito-sync:List*",
                "iam:ListOpenIdConnectProviders",
                "iam:ListRoles",
                "sns:ListPlatformApplications"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name:             "IAMFullAccess",
		PolicyID:         "ANPAI7XKCFMBPM3QQRRVQ",
		Description:      "Provides full access to IAM via the AWS Management Console.",
		DefaultVersionID: "v2",
		CreateDate:       date("2015-02-06T18:40:00Z"),
		UpdateDate:       date("2019-06-21T19:40:00Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name:             "IAMReadOnlyAccess",
		PolicyID:         "ANPAJKSO7NDY4T57MWDSQ",
		Description:      "Provides read only access to IAM via the AWS Management Console.",
		DefaultVersionID: "v4",
		CreateDate:       date("2015-02-06T18:40:00Z"),
		UpdateDate:       date("2018-01-25T19:11:00Z"),
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("policy: bad built-in date " + s)
	}
	return t
}

type managedTable struct {
	list  []*ManagedPolicy
	byARN map[string]*ManagedPolicy
}

var managed = sync.OnceValue(func() managedTable {
	t := managedTable{byARN: make(map[string]*ManagedPolicy, len(managedSources))}
	for i := range managedSources {
		p := managedSources[i] // copy
		p.Path = "/"
		p.ARN = awsManagedPrefix + p.Name
		d, err := ParseWith(p.Document, Options{Kind: KindIdentity})
		if err != nil {
			panic("policy: built-in managed policy " + p.Name + ": " + err.Error())
		}
		p.Parsed = d
		t.list = append(t.list, &p)
		t.byARN[p.ARN] = &p
	}
	sort.Slice(t.list, func(i, j int) bool { return t.list[i].Name < t.list[j].Name })
	return t
})

// AWSManaged returns the built-in AWS managed policy with the given ARN
// (arn:aws:iam::aws:policy/<Name>).
func AWSManaged(arn string) (*ManagedPolicy, bool) {
	p, ok := managed().byARN[arn]
	return p, ok
}

// AWSManagedPolicies returns the built-in AWS managed policies sorted by
// name. The slice is a fresh copy; the policies are shared.
func AWSManagedPolicies() []*ManagedPolicy {
	return append([]*ManagedPolicy(nil), managed().list...)
}
