package iamsvc

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
)

func TestInlinePolicies(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture) error
		code string
		msg  string
	}{
		{
			name: "a role's inline policy comes back percent-encoded as given, white space kept",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "Role")
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("role"), PolicyName: s("sqs"), PolicyDocument: s(allowSQS)}))
				out := must(f.GetRolePolicy(f.ctx, &iamapi.GetRolePolicyInput{RoleName: s("ROLE"), PolicyName: s("sqs")}))
				if *out.RoleName != "Role" || *out.PolicyName != "sqs" {
					t.Errorf("names %s %s", *out.RoleName, *out.PolicyName)
				}
				if strings.Contains(*out.PolicyDocument, " ") || unescape(t, out.PolicyDocument) != allowSQS {
					t.Errorf("document %s", *out.PolicyDocument)
				}
				return nil
			},
		},
		{
			name: "putting a policy again replaces it, and ListRolePolicies pages through names",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				for _, n := range []string{"c", "a", "b"} {
					must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s(n), PolicyDocument: s(allowS3)}))
				}
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("a"), PolicyDocument: s(denyS3)}))
				if got := unescape(t, must(f.GetRolePolicy(f.ctx, &iamapi.GetRolePolicyInput{RoleName: s("r"), PolicyName: s("a")})).PolicyDocument); got != denyS3 {
					t.Errorf("after replace: %s", got)
				}
				p1 := must(f.ListRolePolicies(f.ctx, &iamapi.ListRolePoliciesInput{RoleName: s("r"), MaxItems: i32(2)}))
				p2 := must(f.ListRolePolicies(f.ctx, &iamapi.ListRolePoliciesInput{RoleName: s("r"), Marker: p1.Marker}))
				if strings.Join(p1.PolicyNames, ",") != "a,b" || !*p1.IsTruncated || strings.Join(p2.PolicyNames, ",") != "c" || *p2.IsTruncated {
					t.Errorf("pages %v %v", p1.PolicyNames, p2.PolicyNames)
				}
				return nil
			},
		},
		{
			name: "an inline policy with a principal is malformed",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("p"), PolicyDocument: s(trustDoc)})
				return err
			},
			code: "MalformedPolicyDocument", msg: "Policy document should not specify a principal.",
		},
		{
			name: "an inline policy that is not JSON is malformed",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				_, err := f.PutUserPolicy(f.ctx, &iamapi.PutUserPolicyInput{UserName: s("u"), PolicyName: s("p"), PolicyDocument: s("nope")})
				return err
			},
			code: "MalformedPolicyDocument",
		},
		{
			name: "a role's inline policies together may not exceed 10240 characters",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				big := bigPolicy(6000)
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("one"), PolicyDocument: s(big)}))
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("one"), PolicyDocument: s(big)})) // replacing does not count twice
				_, err := f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("two"), PolicyDocument: s(big)})
				return err
			},
			code: "LimitExceeded", msg: "Maximum policy size of 10240 bytes exceeded for role r",
		},
		{
			name: "putting a policy on an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("x"), PolicyName: s("p"), PolicyDocument: s(allowS3)})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name x cannot be found.",
		},
		{
			name: "getting an unknown role policy is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.GetRolePolicy(f.ctx, &iamapi.GetRolePolicyInput{RoleName: s("r"), PolicyName: s("p")})
				return err
			},
			code: "NoSuchEntity", msg: "The role policy with name p cannot be found.",
		},
		{
			name: "deleting an unknown role policy is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.DeleteRolePolicy(f.ctx, &iamapi.DeleteRolePolicyInput{RoleName: s("r"), PolicyName: s("p")})
				return err
			},
			code: "NoSuchEntity", msg: "The role policy with name p cannot be found.",
		},
		{
			name: "listing the policies of an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.ListRolePolicies(f.ctx, &iamapi.ListRolePoliciesInput{RoleName: s("x")})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name x cannot be found.",
		},
		{
			name: "a user's inline policies are put, read, listed and deleted",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "Alice")
				must(f.PutUserPolicy(f.ctx, &iamapi.PutUserPolicyInput{UserName: s("alice"), PolicyName: s("s3"), PolicyDocument: s(allowS3)}))
				out := must(f.GetUserPolicy(f.ctx, &iamapi.GetUserPolicyInput{UserName: s("ALICE"), PolicyName: s("s3")}))
				if *out.UserName != "Alice" || unescape(t, out.PolicyDocument) != allowS3 {
					t.Errorf("got %+v", out)
				}
				if names := must(f.ListUserPolicies(f.ctx, &iamapi.ListUserPoliciesInput{UserName: s("Alice")})).PolicyNames; len(names) != 1 || names[0] != "s3" {
					t.Errorf("names %v", names)
				}
				must(f.DeleteUserPolicy(f.ctx, &iamapi.DeleteUserPolicyInput{UserName: s("Alice"), PolicyName: s("s3")}))
				_, err := f.GetUserPolicy(f.ctx, &iamapi.GetUserPolicyInput{UserName: s("Alice"), PolicyName: s("s3")})
				return err
			},
			code: "NoSuchEntity", msg: "The user policy with name s3 cannot be found.",
		},
		{
			name: "a user's inline policies together may not exceed 2048 characters",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				_, err := f.PutUserPolicy(f.ctx, &iamapi.PutUserPolicyInput{UserName: s("u"), PolicyName: s("p"), PolicyDocument: s(bigPolicy(2100))})
				return err
			},
			code: "LimitExceeded", msg: "Maximum policy size of 2048 bytes exceeded for user u",
		},
	}
	runCases(t, tests)
}

// bigPolicy returns an identity policy of about n characters.
func bigPolicy(n int) string {
	var actions []string
	size := 80
	for i := 0; size < n; i++ {
		a := `"s3:GetObject` + strconv.Itoa(i) + `"`
		actions = append(actions, a)
		size += len(a) + 1
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Join(actions, ",") + `],"Resource":"*"}]}`
}

type opCase = struct {
	name string
	run  func(t *testing.T, f *fixture) error
	code string
	msg  string
}

func runCases(t *testing.T, tests []opCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			err := tt.run(t, f)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.msg)
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestManagedPolicies(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:policy/S3Read"
	tests := []opCase{
		{
			name: "a customer managed policy gets an ANPA id, an ARN with its path, version v1 and no attachments",
			run: func(t *testing.T, f *fixture) error {
				p := must(f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("S3Read"), Path: s("/app/"), PolicyDocument: s(allowS3), Description: s("read")})).Policy
				if !regexp.MustCompile(`^ANPA[A-Z0-9]{17}$`).MatchString(*p.PolicyId) || *p.Arn != "arn:aws:iam::123456789012:policy/app/S3Read" ||
					*p.DefaultVersionId != "v1" || *p.AttachmentCount != 0 || !*p.IsAttachable {
					t.Errorf("got %+v", p)
				}
				g := must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: p.Arn})).Policy
				if awsapi.ToString(g.Description) != "read" || *g.Path != "/app/" {
					t.Errorf("GetPolicy %+v", g)
				}
				return nil
			},
		},
		{
			name: "a policy name is taken whatever the case and the path",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				_, err := f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("s3read"), Path: s("/other/"), PolicyDocument: s(allowS3)})
				return err
			},
			code: "EntityAlreadyExists", msg: "A policy called s3read already exists. Duplicate names are not allowed.",
		},
		{
			name: "a managed policy with a principal is malformed",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("p"), PolicyDocument: s(trustDoc)})
				return err
			},
			code: "MalformedPolicyDocument",
		},
		{
			name: "a managed policy past 6144 characters is LimitExceeded",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("p"), PolicyDocument: s(bigPolicy(6200))})
				return err
			},
			code: "LimitExceeded",
		},
		{
			name: "GetPolicy describes an AWS managed policy",
			run: func(t *testing.T, f *fixture) error {
				p := must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(cognitoPowerUser)})).Policy
				if *p.PolicyName != "AmazonCognitoPowerUser" || !strings.HasPrefix(*p.PolicyId, "ANPA") || *p.AttachmentCount != 0 {
					t.Errorf("got %+v", p)
				}
				vs := must(f.ListPolicyVersions(f.ctx, &iamapi.ListPolicyVersionsInput{PolicyArn: s(cognitoPowerUser)})).Versions
				if len(vs) != 1 || *vs[0].VersionId != *p.DefaultVersionId || !*vs[0].IsDefaultVersion {
					t.Errorf("versions %+v", vs)
				}
				v := must(f.GetPolicyVersion(f.ctx, &iamapi.GetPolicyVersionInput{PolicyArn: s(cognitoPowerUser), VersionId: p.DefaultVersionId})).PolicyVersion
				if !strings.Contains(unescape(t, v.Document), "cognito-idp:*") || !*v.IsDefaultVersion {
					t.Errorf("version %+v", v)
				}
				return nil
			},
		},
		{
			name: "GetPolicy of an unknown ARN is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(arn)})
				return err
			},
			code: "NoSuchEntity", msg: "Policy " + arn + " was not found.",
		},
		{
			name: "versions are numbered on, listed newest first without documents, and read percent-encoded",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				v2 := must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(denyS3)})).PolicyVersion
				v3 := must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(allowSQS), SetAsDefault: awsapi.Bool(true)})).PolicyVersion
				if *v2.VersionId != "v2" || *v2.IsDefaultVersion || *v3.VersionId != "v3" || !*v3.IsDefaultVersion || v3.Document != nil {
					t.Errorf("created %+v %+v", v2, v3)
				}
				must(f.DeletePolicyVersion(f.ctx, &iamapi.DeletePolicyVersionInput{PolicyArn: s(arn), VersionId: s("v2")}))
				v4 := must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(denyS3)})).PolicyVersion
				if *v4.VersionId != "v4" {
					t.Errorf("after deleting v2 the next version is %s, want v4", *v4.VersionId)
				}
				list := must(f.ListPolicyVersions(f.ctx, &iamapi.ListPolicyVersionsInput{PolicyArn: s(arn)})).Versions
				var ids []string
				for _, v := range list {
					ids = append(ids, *v.VersionId)
					if v.Document != nil {
						t.Errorf("ListPolicyVersions returned the document of %s", *v.VersionId)
					}
				}
				if strings.Join(ids, ",") != "v4,v3,v1" {
					t.Errorf("versions %v", ids)
				}
				got := must(f.GetPolicyVersion(f.ctx, &iamapi.GetPolicyVersionInput{PolicyArn: s(arn), VersionId: s("v3")})).PolicyVersion
				if unescape(t, got.Document) != allowSQS || !*got.IsDefaultVersion {
					t.Errorf("v3 %+v", got)
				}
				if p := must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(arn)})).Policy; *p.DefaultVersionId != "v3" {
					t.Errorf("default %s", *p.DefaultVersionId)
				}
				must(f.SetDefaultPolicyVersion(f.ctx, &iamapi.SetDefaultPolicyVersionInput{PolicyArn: s(arn), VersionId: s("v1")}))
				if p := must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(arn)})).Policy; *p.DefaultVersionId != "v1" {
					t.Errorf("default after SetDefaultPolicyVersion %s", *p.DefaultVersionId)
				}
				return nil
			},
		},
		{
			name: "a sixth version is LimitExceeded",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				for range 4 {
					must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(allowS3)}))
				}
				_, err := f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(allowS3)})
				return err
			},
			code: "LimitExceeded", msg: "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
		},
		{
			name: "the default version cannot be deleted",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				_, err := f.DeletePolicyVersion(f.ctx, &iamapi.DeletePolicyVersionInput{PolicyArn: s(arn), VersionId: s("v1")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete the default version of a policy.",
		},
		{
			name: "an unknown version is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				_, err := f.SetDefaultPolicyVersion(f.ctx, &iamapi.SetDefaultPolicyVersionInput{PolicyArn: s(arn), VersionId: s("v9")})
				return err
			},
			code: "NoSuchEntity",
		},
		{
			name: "a policy with versions besides the default cannot be deleted",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				must(f.CreatePolicyVersion(f.ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: s(arn), PolicyDocument: s(allowS3)}))
				_, err := f.DeletePolicy(f.ctx, &iamapi.DeletePolicyInput{PolicyArn: s(arn)})
				return err
			},
			code: "DeleteConflict", msg: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
		},
		{
			name: "an attached policy cannot be deleted",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				f.user(t, "u")
				must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("u"), PolicyArn: s(arn)}))
				_, err := f.DeletePolicy(f.ctx, &iamapi.DeletePolicyInput{PolicyArn: s(arn)})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete a policy attached to entities.",
		},
		{
			name: "a detached policy is deleted and its name is free again",
			run: func(t *testing.T, f *fixture) error {
				f.policy(t, "S3Read", allowS3)
				f.role(t, "r")
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s(arn)}))
				must(f.DetachRolePolicy(f.ctx, &iamapi.DetachRolePolicyInput{RoleName: s("r"), PolicyArn: s(arn)}))
				must(f.DeletePolicy(f.ctx, &iamapi.DeletePolicyInput{PolicyArn: s(arn)}))
				if _, err := f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(arn)}); err == nil {
					t.Error("policy still there")
				}
				f.policy(t, "s3read", allowS3)
				return nil
			},
		},
	}
	runCases(t, tests)
}

func TestListPolicies(t *testing.T) {
	f := newFixture(t)
	f.policy(t, "B", allowS3)
	f.policy(t, "A", allowS3)
	must(f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("C"), Path: s("/team/"), PolicyDocument: s(allowS3)}))
	f.role(t, "r")
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s("arn:aws:iam::123456789012:policy/B")}))
	must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s(cognitoPowerUser)}))
	nAWS := 0
	for _, p := range must(f.ListPolicies(f.ctx, &iamapi.ListPoliciesInput{Scope: s("AWS"), MaxItems: i32(1000)})).Policies {
		if !strings.HasPrefix(*p.Arn, "arn:aws:iam::aws:policy/") {
			t.Fatalf("Scope AWS listed %s", *p.Arn)
		}
		nAWS++
	}
	if nAWS < 3 {
		t.Fatalf("only %d AWS managed policies", nAWS)
	}
	tests := []struct {
		name string
		in   iamapi.ListPoliciesInput
		want []string // names; "…" stands for the AWS managed ones
		n    int      // when want is nil: how many
	}{
		{name: "Local lists the account's policies by ARN", in: iamapi.ListPoliciesInput{Scope: s("Local")}, want: []string{"A", "B", "C"}},
		{name: "a path prefix narrows Local", in: iamapi.ListPoliciesInput{Scope: s("Local"), PathPrefix: s("/team/")}, want: []string{"C"}},
		{name: "OnlyAttached keeps attached policies of both scopes", in: iamapi.ListPoliciesInput{OnlyAttached: awsapi.Bool(true)}, want: []string{"B", "AmazonCognitoPowerUser"}},
		{name: "All lists local policies, then AWS managed ones", in: iamapi.ListPoliciesInput{}, n: 3 + nAWS},
		{name: "All pages one by one through every policy", in: iamapi.ListPoliciesInput{MaxItems: i32(1)}, n: 3 + nAWS},
		{name: "All pages two by two through every policy", in: iamapi.ListPoliciesInput{MaxItems: i32(2)}, n: 3 + nAWS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			seen := map[string]bool{}
			in := tt.in
			for pages := 0; ; pages++ {
				out := must(f.ListPolicies(f.ctx, &in))
				for _, p := range out.Policies {
					names = append(names, *p.PolicyName)
					if seen[*p.Arn] {
						t.Fatalf("%s listed twice", *p.Arn)
					}
					seen[*p.Arn] = true
					if *p.PolicyName == "B" && *p.AttachmentCount != 1 || p.Description != nil {
						t.Errorf("policy %+v", p)
					}
				}
				if !*out.IsTruncated {
					break
				}
				in.Marker = out.Marker
				if pages > 100 {
					t.Fatal("paging does not end")
				}
			}
			if tt.want != nil && strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", names, tt.want)
			}
			if tt.want == nil && len(names) != tt.n {
				t.Errorf("got %d policies, want %d", len(names), tt.n)
			}
			if tt.want == nil && (names[0] != "A" || names[1] != "B" || names[2] != "C") {
				t.Errorf("local policies do not come first: %v", names[:3])
			}
		})
	}
}

func TestAttachments(t *testing.T) {
	const local = "arn:aws:iam::123456789012:policy/S3Read"
	tests := []opCase{
		{
			name: "AWS and customer managed policies attach to a role, twice is no change, and are counted",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				f.policy(t, "S3Read", allowS3)
				for _, arn := range []string{cognitoPowerUser, local, local, cognitoPowerUser} {
					must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("R"), PolicyArn: s(arn)}))
				}
				out := must(f.ListAttachedRolePolicies(f.ctx, &iamapi.ListAttachedRolePoliciesInput{RoleName: s("r")}))
				if len(out.AttachedPolicies) != 2 || *out.AttachedPolicies[0].PolicyArn != local || *out.AttachedPolicies[0].PolicyName != "S3Read" ||
					*out.AttachedPolicies[1].PolicyName != "AmazonCognitoPowerUser" {
					t.Errorf("attached %+v", out.AttachedPolicies)
				}
				for _, arn := range []string{cognitoPowerUser, local} {
					if n := *must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(arn)})).Policy.AttachmentCount; n != 1 {
						t.Errorf("AttachmentCount of %s = %d", arn, n)
					}
				}
				return nil
			},
		},
		{
			name: "ListAttachedUserPolicies pages and filters by the policy's path",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.CreatePolicy(f.ctx, &iamapi.CreatePolicyInput{PolicyName: s("P"), Path: s("/team/"), PolicyDocument: s(allowS3)}))
				for _, arn := range []string{cognitoPowerUser, adminAccess, "arn:aws:iam::123456789012:policy/team/P"} {
					must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("u"), PolicyArn: s(arn)}))
				}
				p1 := must(f.ListAttachedUserPolicies(f.ctx, &iamapi.ListAttachedUserPoliciesInput{UserName: s("u"), MaxItems: i32(2)}))
				p2 := must(f.ListAttachedUserPolicies(f.ctx, &iamapi.ListAttachedUserPoliciesInput{UserName: s("u"), Marker: p1.Marker}))
				if len(p1.AttachedPolicies) != 2 || !*p1.IsTruncated || len(p2.AttachedPolicies) != 1 || *p2.IsTruncated {
					t.Errorf("pages %+v %+v", p1, p2)
				}
				team := must(f.ListAttachedUserPolicies(f.ctx, &iamapi.ListAttachedUserPoliciesInput{UserName: s("u"), PathPrefix: s("/team/")}))
				if len(team.AttachedPolicies) != 1 || *team.AttachedPolicies[0].PolicyName != "P" {
					t.Errorf("under /team/: %+v", team.AttachedPolicies)
				}
				must(f.DetachUserPolicy(f.ctx, &iamapi.DetachUserPolicyInput{UserName: s("U"), PolicyArn: s(adminAccess)}))
				if n := len(must(f.ListAttachedUserPolicies(f.ctx, &iamapi.ListAttachedUserPoliciesInput{UserName: s("u")})).AttachedPolicies); n != 2 {
					t.Errorf("%d attached after detaching one", n)
				}
				if n := *must(f.GetPolicy(f.ctx, &iamapi.GetPolicyInput{PolicyArn: s(adminAccess)})).Policy.AttachmentCount; n != 0 {
					t.Errorf("AttachmentCount after detach %d", n)
				}
				return nil
			},
		},
		{
			name: "ListEntitiesForPolicy lists the roles and users a policy is attached to",
			run: func(t *testing.T, f *fixture) error {
				r := f.role(t, "Role1")
				u := f.user(t, "User1")
				f.role(t, "Other")
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("role1"), PolicyArn: s(cognitoPowerUser)}))
				must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("user1"), PolicyArn: s(cognitoPowerUser)}))
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("Other"), PolicyArn: s(adminAccess)}))
				out := must(f.ListEntitiesForPolicy(f.ctx, &iamapi.ListEntitiesForPolicyInput{PolicyArn: s(cognitoPowerUser)}))
				if len(out.PolicyRoles) != 1 || *out.PolicyRoles[0].RoleName != "Role1" || *out.PolicyRoles[0].RoleId != *r.RoleId ||
					len(out.PolicyUsers) != 1 || *out.PolicyUsers[0].UserName != "User1" || *out.PolicyUsers[0].UserId != *u.UserId || len(out.PolicyGroups) != 0 {
					t.Errorf("got %+v", out)
				}
				roles := must(f.ListEntitiesForPolicy(f.ctx, &iamapi.ListEntitiesForPolicyInput{PolicyArn: s(cognitoPowerUser), EntityFilter: s("Role")}))
				if len(roles.PolicyRoles) != 1 || len(roles.PolicyUsers) != 0 {
					t.Errorf("EntityFilter Role: %+v", roles)
				}
				p1 := must(f.ListEntitiesForPolicy(f.ctx, &iamapi.ListEntitiesForPolicyInput{PolicyArn: s(cognitoPowerUser), MaxItems: i32(1)}))
				p2 := must(f.ListEntitiesForPolicy(f.ctx, &iamapi.ListEntitiesForPolicyInput{PolicyArn: s(cognitoPowerUser), Marker: p1.Marker}))
				if len(p1.PolicyRoles)+len(p1.PolicyUsers) != 1 || !*p1.IsTruncated || len(p2.PolicyRoles)+len(p2.PolicyUsers) != 1 || *p2.IsTruncated {
					t.Errorf("pages %+v %+v", p1, p2)
				}
				return nil
			},
		},
		{
			name: "ListEntitiesForPolicy of an unknown policy is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.ListEntitiesForPolicy(f.ctx, &iamapi.ListEntitiesForPolicyInput{PolicyArn: s(local)})
				return err
			},
			code: "NoSuchEntity",
		},
		{
			name: "attaching an unknown customer policy is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s(local)})
				return err
			},
			code: "NoSuchEntity", msg: "Policy " + local + " does not exist or is not attachable.",
		},
		{
			name: "attaching an unknown AWS policy is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				_, err := f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("u"), PolicyArn: s("arn:aws:iam::aws:policy/NoSuchThing")})
				return err
			},
			code: "NoSuchEntity", msg: "Policy arn:aws:iam::aws:policy/NoSuchThing does not exist or is not attachable.",
		},
		{
			name: "attaching to an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("x"), PolicyArn: s(cognitoPowerUser)})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name x cannot be found.",
		},
		{
			name: "detaching a policy that is not attached is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.DetachRolePolicy(f.ctx, &iamapi.DetachRolePolicyInput{RoleName: s("r"), PolicyArn: s(cognitoPowerUser)})
				return err
			},
			code: "NoSuchEntity", msg: "Policy " + cognitoPowerUser + " was not found.",
		},
		{
			name: "an eleventh managed policy on a role is LimitExceeded",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				for i := range 11 {
					p := f.policy(t, "p"+strconv.Itoa(i), allowS3)
					if _, err := f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: p.Arn}); err != nil {
						return err
					}
				}
				return nil
			},
			code: "LimitExceeded", msg: "Cannot exceed quota for PoliciesPerRole: 10",
		},
	}
	runCases(t, tests)
}
