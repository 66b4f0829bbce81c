package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// userPoolEnv is a pool with an admin-password client, driven by
// aws-sdk-go-v2.
type userPoolEnv struct {
	ctx              context.Context
	srv              *server
	admin, public    *cip.Client
	poolID, clientID string
}

func newUserPoolEnv(t *testing.T, ctx context.Context, srv *server, pool *cip.CreateUserPoolInput) *userPoolEnv {
	t.Helper()
	e := &userPoolEnv{ctx: ctx, srv: srv, admin: cip.NewFromConfig(sdkConfig(srv, true)), public: cip.NewFromConfig(sdkConfig(srv, false))}
	pool.PoolName = aws.String("groups")
	p, err := e.admin.CreateUserPool(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	e.poolID = aws.ToString(p.UserPool.Id)
	c, err := e.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.poolID), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	e.clientID = aws.ToString(c.UserPoolClient.ClientId)
	return e
}

func (e *userPoolEnv) createUser(t *testing.T, name, password string, attrs ...types.AttributeType) {
	t.Helper()
	if _, err := e.admin.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.poolID), Username: aws.String(name),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: attrs}); err != nil {
		t.Fatal(err)
	}
	if err := e.setPassword(name, password); err != nil {
		t.Fatal(err)
	}
}

func (e *userPoolEnv) setPassword(name, password string) error {
	_, err := e.admin.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.poolID),
		Username: aws.String(name), Password: aws.String(password), Permanent: true})
	return err
}

func (e *userPoolEnv) signIn(name, password string) (*types.AuthenticationResultType, error) {
	out, err := e.public.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func (e *userPoolEnv) mustSignIn(t *testing.T, name, password string) *types.AuthenticationResultType {
	t.Helper()
	r, err := e.signIn(name, password)
	if err != nil || r == nil {
		t.Fatalf("sign in as %s: %v", name, err)
	}
	return r
}

// TestGroupsWithAWSSDKForGo: groups round trip, memberships, the group
// claims of tokens verified with the pool's JWKS, and the role of a group
// reaching an identity pool's Token role mapping.
func TestGroupsWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	e := newUserPoolEnv(t, ctx, srv, &cip.CreateUserPoolInput{})
	pool := aws.String(e.poolID)
	const password = "Perm#Pass1"
	e.createUser(t, "ann", password)
	e.createUser(t, "bob", password)
	adminRole := "arn:aws:iam::" + account + ":role/GroupAdmin"
	readerRole := "arn:aws:iam::" + account + ":role/GroupReader"

	mustStep(t, "groups are created, read, updated and listed", func(t *testing.T) {
		for _, g := range []struct {
			name string
			prec int32
			role string
		}{{"readers", 5, readerRole}, {"admins", 1, adminRole}, {"everyone", 9, ""}} {
			in := &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String(g.name), Precedence: aws.Int32(g.prec), Description: aws.String(g.name)}
			if g.role != "" {
				in.RoleArn = aws.String(g.role)
			}
			out, err := e.admin.CreateGroup(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Group.UserPoolId) != e.poolID || out.Group.CreationDate == nil || out.Group.LastModifiedDate == nil {
				t.Fatalf("CreateGroup %+v", out.Group)
			}
		}
		_, err := e.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("admins")})
		wantAPIError(t, err, new(*types.GroupExistsException), "A group with the name admins already exists.")
		_, err = e.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("bad"), RoleArn: aws.String("not-an-arn-but-long-enough")})
		if err == nil {
			t.Fatal("CreateGroup accepted a RoleArn that is not an ARN")
		}
		_, err = e.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("nobody")})
		wantAPIError(t, err, new(*types.ResourceNotFoundException), "Group not found.")
		up, err := e.admin.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("everyone"), Description: aws.String("all of us")})
		if err != nil || aws.ToString(up.Group.Description) != "all of us" || aws.ToInt32(up.Group.Precedence) != 9 {
			t.Fatalf("UpdateGroup: %v %+v", err, up)
		}
		var names []string
		var next *string
		for {
			page, err := e.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: aws.Int32(2), NextToken: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range page.Groups {
				names = append(names, aws.ToString(g.GroupName))
			}
			if next = page.NextToken; next == nil {
				break
			}
		}
		slices.Sort(names)
		if strings.Join(names, ",") != "admins,everyone,readers" {
			t.Fatalf("ListGroups pages: %v", names)
		}
	})
	mustStep(t, "users join and leave groups", func(t *testing.T) {
		for _, m := range [][2]string{{"ann", "readers"}, {"ann", "admins"}, {"ann", "everyone"}, {"bob", "everyone"}} {
			if _, err := e.admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String(m[0]), GroupName: aws.String(m[1])}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("carol"), GroupName: aws.String("admins")})
		wantAPIError(t, err, new(*types.UserNotFoundException), "User does not exist.")
		in, err := e.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("everyone")})
		if err != nil || len(in.Users) != 2 {
			t.Fatalf("ListUsersInGroup: %v %+v", err, in)
		}
		if _, err := e.admin.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String("bob"), GroupName: aws.String("everyone")}); err != nil {
			t.Fatal(err)
		}
		mine, err := e.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("bob")})
		if err != nil || len(mine.Groups) != 0 {
			t.Fatalf("bob's groups after leaving: %v %+v", err, mine)
		}
	})
	var idToken string
	mustStep(t, "tokens carry the groups, roles and preferred role", func(t *testing.T) {
		keys := fetchJWKS(t, ctx, srv.URL, e.poolID)
		r := e.mustSignIn(t, "ann", password)
		idToken = aws.ToString(r.IdToken)
		id, access := mustVerify(t, idToken, keys), mustVerify(t, aws.ToString(r.AccessToken), keys)
		for name, tok := range map[string]jwt{"ID": id, "access": access} {
			if got, _ := json.Marshal(tok.Claims["cognito:groups"]); string(got) != `["admins","readers","everyone"]` {
				t.Errorf("%s token cognito:groups %s", name, got)
			}
		}
		if got, _ := json.Marshal(id.Claims["cognito:roles"]); string(got) != `["`+adminRole+`","`+readerRole+`"]` {
			t.Errorf("cognito:roles %s", got)
		}
		if id.Claims["cognito:preferred_role"] != adminRole {
			t.Errorf("cognito:preferred_role %v, want %s", id.Claims["cognito:preferred_role"], adminRole)
		}
		bob := mustVerify(t, aws.ToString(e.mustSignIn(t, "bob", password).IdToken), keys)
		if _, ok := bob.Claims["cognito:groups"]; ok {
			t.Errorf("a user in no group has cognito:groups: %v", bob.Claims["cognito:groups"])
		}
	})
	mustStep(t, "an identity pool's Token role mapping gives the preferred role's credentials", func(t *testing.T) {
		awsPath := needAWSCLI(t)
		root := &awsCLI{path: awsPath, srv: srv}
		provider := "cognito-idp.us-east-1.amazonaws.com/" + e.poolID
		var ip struct{ IdentityPoolId string }
		root.json(t, ctx, []string{"cognito-identity", "create-identity-pool", "--identity-pool-name", "groups", "--no-allow-unauthenticated-identities",
			"--cognito-identity-providers", "ProviderName=" + provider + ",ClientId=" + e.clientID + ",ServerSideTokenCheck=false"}, &ip)
		trust := filepath.Join(t.TempDir(), "trust.json")
		os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},`+
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+ip.IdentityPoolId+`"}}}]}`), 0o600)
		for _, name := range []string{"GroupAdmin", "GroupReader", "Default"} {
			root.json(t, ctx, []string{"iam", "create-role", "--role-name", name, "--assume-role-policy-document", "file://" + trust})
		}
		mappings := filepath.Join(t.TempDir(), "mappings.json")
		os.WriteFile(mappings, []byte(`{"`+provider+`":{"Type":"Token","AmbiguousRoleResolution":"Deny"}}`), 0o600)
		root.json(t, ctx, []string{"cognito-identity", "set-identity-pool-roles", "--identity-pool-id", ip.IdentityPoolId,
			"--roles", "authenticated=arn:aws:iam::" + account + ":role/Default", "--role-mappings", "file://" + mappings})
		var id struct{ IdentityId string }
		root.json(t, ctx, []string{"cognito-identity", "get-id", "--identity-pool-id", ip.IdentityPoolId, "--logins", provider + "=" + idToken}, &id)
		var out struct {
			Credentials struct{ AccessKeyId, SecretKey, SessionToken string }
		}
		root.json(t, ctx, []string{"cognito-identity", "get-credentials-for-identity", "--identity-id", id.IdentityId, "--logins", provider + "=" + idToken}, &out)
		var who struct{ Arn string }
		root.as(out.Credentials.AccessKeyId, out.Credentials.SecretKey, out.Credentials.SessionToken).json(t, ctx, []string{"sts", "get-caller-identity"}, &who)
		if want := "arn:aws:sts::" + account + ":assumed-role/GroupAdmin/CognitoIdentityCredentials"; who.Arn != want {
			t.Fatalf("credentials of %s, want %s", who.Arn, want)
		}
	})
	mustStep(t, "deleting a group and a user removes their memberships", func(t *testing.T) {
		if _, err := e.admin.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: aws.String("admins")}); err != nil {
			t.Fatal(err)
		}
		mine, err := e.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("ann")})
		if err != nil || len(mine.Groups) != 2 {
			t.Fatalf("ann's groups after deleting admins: %v %+v", err, mine)
		}
		if _, err := e.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("ann")}); err != nil {
			t.Fatal(err)
		}
		in, err := e.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("everyone")})
		if err != nil || len(in.Users) != 0 {
			t.Fatalf("everyone after deleting ann: %v %+v", err, in)
		}
	})
}
