package iamsvc

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/store"
)

func TestCreateRole(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture)
		in    iamapi.CreateRoleInput
		code  string
		msg   string
		check func(t *testing.T, r *iamapi.Role)
	}{
		{
			name: "a role gets an AROA id, an ARN and the default path and session length",
			in:   iamapi.CreateRoleInput{RoleName: s("App"), AssumeRolePolicyDocument: s(trustDoc)},
			check: func(t *testing.T, r *iamapi.Role) {
				if !regexp.MustCompile(`^AROA[A-Z0-9]{17}$`).MatchString(*r.RoleId) {
					t.Errorf("RoleId = %q", *r.RoleId)
				}
				if *r.Arn != "arn:aws:iam::123456789012:role/App" || *r.Path != "/" || *r.MaxSessionDuration != 3600 {
					t.Errorf("Arn %q Path %q MaxSessionDuration %d", *r.Arn, *r.Path, *r.MaxSessionDuration)
				}
			},
		},
		{
			name: "a role under a path has the path in its ARN and keeps description, session length and tags",
			in: iamapi.CreateRoleInput{
				RoleName: s("Svc"), Path: s("/service-role/"), AssumeRolePolicyDocument: s(trustDoc),
				Description: s("for the gateway"), MaxSessionDuration: i32(43200),
				Tags: []iamapi.Tag{{Key: s("team"), Value: s("auth")}},
			},
			check: func(t *testing.T, r *iamapi.Role) {
				if *r.Arn != "arn:aws:iam::123456789012:role/service-role/Svc" || *r.Description != "for the gateway" ||
					*r.MaxSessionDuration != 43200 || len(r.Tags) != 1 || *r.Tags[0].Key != "team" {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "the trust policy comes back percent-encoded",
			in:   iamapi.CreateRoleInput{RoleName: s("Enc"), AssumeRolePolicyDocument: s(trustDoc)},
			check: func(t *testing.T, r *iamapi.Role) {
				if strings.ContainsAny(*r.AssumeRolePolicyDocument, `{}":/ `) {
					t.Errorf("not encoded: %s", *r.AssumeRolePolicyDocument)
				}
				if got := unescape(t, r.AssumeRolePolicyDocument); got != trustDoc {
					t.Errorf("decoded %s", got)
				}
			},
		},
		{
			name: "a malformed trust policy is refused",
			in:   iamapi.CreateRoleInput{RoleName: s("Bad"), AssumeRolePolicyDocument: s(`{"Statement":`)},
			code: "MalformedPolicyDocument",
		},
		{
			name: "a trust policy without a principal is refused",
			in:   iamapi.CreateRoleInput{RoleName: s("Bad"), AssumeRolePolicyDocument: s(allowS3)},
			code: "MalformedPolicyDocument", msg: "Missing required field Principal",
		},
		{
			name:  "a name taken in another case is refused",
			setup: func(f *fixture) { f.role(t, "app") },
			in:    iamapi.CreateRoleInput{RoleName: s("APP"), AssumeRolePolicyDocument: s(trustDoc)},
			code:  "EntityAlreadyExists", msg: "Role with name APP already exists.",
		},
		{
			name: "a session shorter than an hour is refused",
			in:   iamapi.CreateRoleInput{RoleName: s("Short"), AssumeRolePolicyDocument: s(trustDoc), MaxSessionDuration: i32(600)},
			code: "ValidationError",
		},
		{
			name: "a session longer than twelve hours is refused",
			in:   iamapi.CreateRoleInput{RoleName: s("Long"), AssumeRolePolicyDocument: s(trustDoc), MaxSessionDuration: i32(43201)},
			code: "ValidationError",
		},
		{
			name: "tag keys differing only in case are duplicates",
			in: iamapi.CreateRoleInput{RoleName: s("Tags"), AssumeRolePolicyDocument: s(trustDoc),
				Tags: []iamapi.Tag{{Key: s("Team"), Value: s("a")}, {Key: s("team"), Value: s("b")}}},
			code: "InvalidInput", msg: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			out, err := f.CreateRole(f.ctx, &tt.in)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, out.Role)
		})
	}
}

func TestRoleOperations(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture) error
		code string
		msg  string
	}{
		{
			name: "GetRole finds a role by its name in any case and keeps the created case",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "MyRole")
				r := must(f.GetRole(f.ctx, &iamapi.GetRoleInput{RoleName: s("myrole")})).Role
				if *r.RoleName != "MyRole" || unescape(t, r.AssumeRolePolicyDocument) != trustDoc {
					t.Errorf("got %s %s", *r.RoleName, *r.AssumeRolePolicyDocument)
				}
				return nil
			},
		},
		{
			name: "GetRole of an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.GetRole(f.ctx, &iamapi.GetRoleInput{RoleName: s("nope")})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name nope cannot be found.",
		},
		{
			name: "UpdateRole changes the description and the session length",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				must(f.UpdateRole(f.ctx, &iamapi.UpdateRoleInput{RoleName: s("r"), Description: s("d"), MaxSessionDuration: i32(7200)}))
				r := must(f.GetRole(f.ctx, &iamapi.GetRoleInput{RoleName: s("r")})).Role
				if awsapi.ToString(r.Description) != "d" || *r.MaxSessionDuration != 7200 {
					t.Errorf("got %+v", r)
				}
				return nil
			},
		},
		{
			name: "UpdateRoleDescription changes the description and returns the role",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				r := must(f.UpdateRoleDescription(f.ctx, &iamapi.UpdateRoleDescriptionInput{RoleName: s("r"), Description: s("new")})).Role
				if awsapi.ToString(r.Description) != "new" {
					t.Errorf("got %+v", r)
				}
				return nil
			},
		},
		{
			name: "UpdateRole refuses a session length out of range",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.UpdateRole(f.ctx, &iamapi.UpdateRoleInput{RoleName: s("r"), MaxSessionDuration: i32(50000)})
				return err
			},
			code: "ValidationError",
		},
		{
			name: "UpdateRole of an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.UpdateRole(f.ctx, &iamapi.UpdateRoleInput{RoleName: s("x"), Description: s("d")})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name x cannot be found.",
		},
		{
			name: "UpdateAssumeRolePolicy replaces the trust policy",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
				must(f.UpdateAssumeRolePolicy(f.ctx, &iamapi.UpdateAssumeRolePolicyInput{RoleName: s("r"), PolicyDocument: s(doc)}))
				r := must(f.GetRole(f.ctx, &iamapi.GetRoleInput{RoleName: s("r")})).Role
				if unescape(t, r.AssumeRolePolicyDocument) != doc {
					t.Errorf("got %s", unescape(t, r.AssumeRolePolicyDocument))
				}
				return nil
			},
		},
		{
			name: "UpdateAssumeRolePolicy refuses a policy without a principal",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				_, err := f.UpdateAssumeRolePolicy(f.ctx, &iamapi.UpdateAssumeRolePolicyInput{RoleName: s("r"), PolicyDocument: s(allowS3)})
				return err
			},
			code: "MalformedPolicyDocument",
		},
		{
			name: "TagRole adds and replaces without case, UntagRole removes, ListRoleTags pages",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				must(f.TagRole(f.ctx, &iamapi.TagRoleInput{RoleName: s("r"), Tags: []iamapi.Tag{{Key: s("a"), Value: s("1")}, {Key: s("b"), Value: s("2")}, {Key: s("c"), Value: s("3")}}}))
				must(f.TagRole(f.ctx, &iamapi.TagRoleInput{RoleName: s("r"), Tags: []iamapi.Tag{{Key: s("A"), Value: s("one")}}}))
				must(f.UntagRole(f.ctx, &iamapi.UntagRoleInput{RoleName: s("r"), TagKeys: []string{"B", "missing"}}))
				p1 := must(f.ListRoleTags(f.ctx, &iamapi.ListRoleTagsInput{RoleName: s("r"), MaxItems: i32(1)}))
				if len(p1.Tags) != 1 || *p1.Tags[0].Key != "A" || *p1.Tags[0].Value != "one" || !*p1.IsTruncated {
					t.Fatalf("page 1: %+v", p1)
				}
				p2 := must(f.ListRoleTags(f.ctx, &iamapi.ListRoleTagsInput{RoleName: s("r"), Marker: p1.Marker}))
				if len(p2.Tags) != 1 || *p2.Tags[0].Key != "c" || *p2.IsTruncated {
					t.Fatalf("page 2: %+v", p2)
				}
				r := must(f.RoleByARN(f.ctx, "arn:aws:iam::123456789012:role/r"))
				if len(r.Tags) != 2 || r.Tags["A"] != "one" || r.Tags["c"] != "3" {
					t.Errorf("RoleByARN tags %v", r.Tags)
				}
				return nil
			},
		},
		{
			name: "TagRole past 50 tags is LimitExceeded",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				var tags []iamapi.Tag
				for i := range 51 {
					tags = append(tags, iamapi.Tag{Key: s("k" + string(rune('a'+i%26)) + string(rune('a'+i/26))), Value: s("v")})
				}
				_, err := f.TagRole(f.ctx, &iamapi.TagRoleInput{RoleName: s("r"), Tags: tags})
				return err
			},
			code: "LimitExceeded",
		},
		{
			name: "DeleteRole with an inline policy left is a DeleteConflict",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("p"), PolicyDocument: s(allowS3)}))
				_, err := f.DeleteRole(f.ctx, &iamapi.DeleteRoleInput{RoleName: s("r")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete entity, must delete policies first.",
		},
		{
			name: "DeleteRole with an attached policy left is a DeleteConflict",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s(cognitoPowerUser)}))
				_, err := f.DeleteRole(f.ctx, &iamapi.DeleteRoleInput{RoleName: s("r")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete entity, must detach all policies first.",
		},
		{
			name: "DeleteRole deletes a role once its policies are gone, and the name is free again",
			run: func(t *testing.T, f *fixture) error {
				f.role(t, "r")
				must(f.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyInput{RoleName: s("r"), PolicyName: s("p"), PolicyDocument: s(allowS3)}))
				must(f.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyInput{RoleName: s("r"), PolicyArn: s(cognitoPowerUser)}))
				must(f.DeleteRolePolicy(f.ctx, &iamapi.DeleteRolePolicyInput{RoleName: s("r"), PolicyName: s("p")}))
				must(f.DetachRolePolicy(f.ctx, &iamapi.DetachRolePolicyInput{RoleName: s("r"), PolicyArn: s(cognitoPowerUser)}))
				must(f.DeleteRole(f.ctx, &iamapi.DeleteRoleInput{RoleName: s("R")}))
				if _, err := f.RoleByARN(f.ctx, "arn:aws:iam::123456789012:role/r"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("RoleByARN after delete: %v", err)
				}
				f.role(t, "r")
				return nil
			},
		},
		{
			name: "DeleteRole of an unknown role is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.DeleteRole(f.ctx, &iamapi.DeleteRoleInput{RoleName: s("gone")})
				return err
			},
			code: "NoSuchEntity", msg: "The role with name gone cannot be found.",
		},
		{
			name: "RoleByARN needs the right account and path",
			run: func(t *testing.T, f *fixture) error {
				must(f.CreateRole(f.ctx, &iamapi.CreateRoleInput{RoleName: s("r"), Path: s("/p/"), AssumeRolePolicyDocument: s(trustDoc), Description: s("d")}))
				r := must(f.RoleByARN(f.ctx, "arn:aws:iam::123456789012:role/p/r"))
				if r.Name != "r" || r.Path != "/p/" || r.TrustPolicy != trustDoc || r.MaxSessionDuration != 3600 || r.Description != "d" || !strings.HasPrefix(r.ID, "AROA") {
					t.Errorf("got %+v", r)
				}
				for _, arn := range []string{"arn:aws:iam::123456789012:role/r", "arn:aws:iam::999999999999:role/p/r", "arn:aws:iam::123456789012:user/p/r", "garbage"} {
					if _, err := f.RoleByARN(f.ctx, arn); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("RoleByARN(%s) = %v, want ErrNotFound", arn, err)
					}
				}
				return nil
			},
		},
	}
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

func TestListRoles(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"e", "D", "c", "b", "a"} {
		f.role(t, n)
	}
	must(f.CreateRole(f.ctx, &iamapi.CreateRoleInput{RoleName: s("svc"), Path: s("/service-role/"), AssumeRolePolicyDocument: s(trustDoc),
		Tags: []iamapi.Tag{{Key: s("k"), Value: s("v")}}}))
	tests := []struct {
		name   string
		prefix string
		max    int32
		want   []string
	}{
		{"all roles come in name order, case ignored", "", 100, []string{"a", "b", "c", "D", "e", "svc"}},
		{"pages of two join up to every role", "", 2, []string{"a", "b", "c", "D", "e", "svc"}},
		{"a path prefix keeps roles under it", "/service-role/", 1, []string{"svc"}},
		{"a path prefix matching nothing lists nothing", "/nothing/", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var marker *string
			for pages := 0; ; pages++ {
				in := &iamapi.ListRolesInput{MaxItems: i32(tt.max), Marker: marker}
				if tt.prefix != "" {
					in.PathPrefix = s(tt.prefix)
				}
				out := must(f.ListRoles(f.ctx, in))
				if len(out.Roles) > int(tt.max) {
					t.Fatalf("page of %d roles, MaxItems %d", len(out.Roles), tt.max)
				}
				for _, r := range out.Roles {
					got = append(got, *r.RoleName)
					if r.Tags != nil {
						t.Errorf("ListRoles returned tags of %s", *r.RoleName)
					}
					if r.AssumeRolePolicyDocument == nil {
						t.Errorf("ListRoles left out the trust policy of %s", *r.RoleName)
					}
				}
				if !*out.IsTruncated {
					if out.Marker != nil {
						t.Error("marker on the last page")
					}
					break
				}
				marker = out.Marker
				if pages > 10 {
					t.Fatal("paging does not end")
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
