package userpool_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

var adminFlows = cip.CreateUserPoolClientInput{ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}

func (e *srpEnv) adminSignIn(username, password string) (*cip.AdminInitiateAuthOutput, error) {
	return e.svc.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: awsapi.String(e.poolID), ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("ADMIN_USER_PASSWORD_AUTH"),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
}

// payload decodes a JWT's claims without verifying it (the e2e tests verify
// signatures against the JWKS).
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *srpEnv) group(t *testing.T, name string, precedence int32, role string) {
	t.Helper()
	in := &cip.CreateGroupInput{UserPoolId: awsapi.String(e.poolID), GroupName: awsapi.String(name), Precedence: awsapi.Int32(precedence)}
	if role != "" {
		in.RoleArn = awsapi.String(role)
	}
	if _, err := e.svc.CreateGroup(e.ctx, in); err != nil {
		t.Fatal(err)
	}
}

func (e *srpEnv) addToGroup(t *testing.T, user, group string) {
	t.Helper()
	if _, err := e.svc.AdminAddUserToGroup(e.ctx, &cip.AdminAddUserToGroupInput{UserPoolId: awsapi.String(e.poolID),
		Username: awsapi.String(user), GroupName: awsapi.String(group)}); err != nil {
		t.Fatal(err)
	}
}

func TestGroups(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	pool := awsapi.String(e.poolID)
	e.createUser(t, "ann", srpPassword, false)
	e.createUser(t, "bob", srpPassword, false)

	e.group(t, "readers", 5, "arn:aws:iam::000000000000:role/reader")
	e.group(t, "admins", 1, "arn:aws:iam::000000000000:role/admin")
	e.group(t, "a/b", 9, "")
	_, err := e.svc.CreateGroup(e.ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: awsapi.String("admins")})
	wantErr(t, err, "GroupExistsException", "A group with the name admins already exists.")
	_, err = e.svc.GetGroup(e.ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: awsapi.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Group not found.")
	_, err = e.svc.AdminAddUserToGroup(e.ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: awsapi.String("nobody"), GroupName: awsapi.String("admins")})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.svc.AdminAddUserToGroup(e.ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: awsapi.String("ann"), GroupName: awsapi.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Group not found.")

	before, _ := e.svc.GetGroup(e.ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: awsapi.String("readers")})
	e.svc.Now = func() time.Time { return time.Now().Add(time.Hour) }
	up, err := e.svc.UpdateGroup(e.ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: awsapi.String("readers"), Description: awsapi.String("read only")})
	if err != nil {
		t.Fatal(err)
	}
	g := up.Group
	if awsapi.ToString(g.Description) != "read only" || awsapi.ToString(g.RoleArn) != "arn:aws:iam::000000000000:role/reader" ||
		awsapi.ToInt32(g.Precedence) != 5 || !g.LastModifiedDate.After(before.Group.CreationDate.Time) {
		t.Errorf("UpdateGroup changed what it was not given, or not LastModifiedDate: %+v", g)
	}

	for _, gr := range []string{"readers", "admins", "a/b", "admins"} {
		e.addToGroup(t, "ann", gr)
	}
	e.addToGroup(t, "bob", "a/b")

	list, err := e.svc.ListGroups(e.ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: awsapi.Int32(2)})
	if err != nil || len(list.Groups) != 2 || list.NextToken == nil {
		t.Fatalf("ListGroups page 1: %v %+v", err, list)
	}
	rest, err := e.svc.ListGroups(e.ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: awsapi.Int32(2), NextToken: list.NextToken})
	if err != nil || len(rest.Groups) != 1 || rest.NextToken != nil {
		t.Fatalf("ListGroups page 2: %v %+v", err, rest)
	}
	mine, err := e.svc.AdminListGroupsForUser(e.ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: awsapi.String("ann")})
	if err != nil || len(mine.Groups) != 3 {
		t.Fatalf("AdminListGroupsForUser: %v %+v", err, mine)
	}
	members, err := e.svc.ListUsersInGroup(e.ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: awsapi.String("a/b")})
	if err != nil || len(members.Users) != 2 {
		t.Fatalf("ListUsersInGroup a/b: %v %+v", err, members)
	}
	if m, _ := e.svc.ListUsersInGroup(e.ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: awsapi.String("admins")}); len(m.Users) != 1 {
		t.Errorf("ListUsersInGroup admins: %+v, want ann only", m.Users)
	}

	res, err := e.adminSignIn("ann", srpPassword)
	if err != nil {
		t.Fatal(err)
	}
	id, access := payload(t, *res.AuthenticationResult.IdToken), payload(t, *res.AuthenticationResult.AccessToken)
	want := `["admins","readers","a/b"]`
	if got, _ := json.Marshal(id["cognito:groups"]); string(got) != want {
		t.Errorf("ID token cognito:groups %s, want %s", got, want)
	}
	if got, _ := json.Marshal(access["cognito:groups"]); string(got) != want {
		t.Errorf("access token cognito:groups %s, want %s", got, want)
	}
	if id["cognito:preferred_role"] != "arn:aws:iam::000000000000:role/admin" || fmt.Sprint(id["cognito:roles"]) != "[arn:aws:iam::000000000000:role/admin arn:aws:iam::000000000000:role/reader]" {
		t.Errorf("ID token roles %v, preferred %v", id["cognito:roles"], id["cognito:preferred_role"])
	}
	if _, ok := access["cognito:roles"]; ok {
		t.Errorf("access token has cognito:roles")
	}

	if _, err := e.svc.AdminRemoveUserFromGroup(e.ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: awsapi.String("ann"), GroupName: awsapi.String("admins")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DeleteGroup(e.ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: awsapi.String("readers")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DeleteGroup(e.ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: awsapi.String("readers")})
	wantErr(t, err, "ResourceNotFoundException", "Group not found.")
	mine, _ = e.svc.AdminListGroupsForUser(e.ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: awsapi.String("ann")})
	if len(mine.Groups) != 1 || *mine.Groups[0].GroupName != "a/b" {
		t.Errorf("after removal and deletion ann is in %+v, want a/b only", mine.Groups)
	}
	res, _ = e.adminSignIn("ann", srpPassword)
	id = payload(t, *res.AuthenticationResult.IdToken)
	if _, ok := id["cognito:roles"]; ok || id["cognito:preferred_role"] != nil {
		t.Errorf("roles remain after their groups went: %v", id)
	}

	// A deleted user leaves no membership behind, even when a namesake is
	// created.
	if _, err := e.svc.AdminDeleteUser(e.ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: awsapi.String("ann")}); err != nil {
		t.Fatal(err)
	}
	e.createUser(t, "ann", srpPassword, false)
	res, _ = e.adminSignIn("ann", srpPassword)
	if id := payload(t, *res.AuthenticationResult.IdToken); id["cognito:groups"] != nil {
		t.Errorf("a new user inherited the groups of a deleted namesake: %v", id["cognito:groups"])
	}
	members, _ = e.svc.ListUsersInGroup(e.ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: awsapi.String("a/b")})
	if len(members.Users) != 1 || *members.Users[0].Username != "bob" {
		t.Errorf("a/b members after deleting ann: %+v", members.Users)
	}
}

func TestGroupsPerUserLimit(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	e.createUser(t, "ann", srpPassword, false)
	for i := 0; i <= 100; i++ {
		e.group(t, fmt.Sprintf("g%03d", i), int32(i), "")
	}
	for i := 0; i < 100; i++ {
		e.addToGroup(t, "ann", fmt.Sprintf("g%03d", i))
	}
	_, err := e.svc.AdminAddUserToGroup(e.ctx, &cip.AdminAddUserToGroupInput{UserPoolId: awsapi.String(e.poolID),
		Username: awsapi.String("ann"), GroupName: awsapi.String("g100")})
	wantErr(t, err, "LimitExceededException", "")
	e.addToGroup(t, "ann", "g000") // already a member: no error
}

func TestGroupsPerPoolLimit(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	e.group(t, "first", 0, "")
	// Stand in for 9,999 more groups: the count is what CreateGroup checks.
	if err := e.svc.Store.PutObject(e.ctx, store.Object{Kind: "userpool.group-count", Key: e.poolID + "/", Value: []byte(`{"n":10000}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CreateGroup(e.ctx, &cip.CreateGroupInput{UserPoolId: awsapi.String(e.poolID), GroupName: awsapi.String("one-too-many")})
	wantErr(t, err, "LimitExceededException", "")
	if _, err := e.svc.DeleteGroup(e.ctx, &cip.DeleteGroupInput{UserPoolId: awsapi.String(e.poolID), GroupName: awsapi.String("first")}); err != nil {
		t.Fatal(err)
	}
	e.group(t, "room-again", 0, "")
}

func TestDeleteUserPoolRemovesGroups(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: adminFlows.ExplicitAuthFlows, PreventUserExistenceErrors: awsapi.String("ENABLED")})
	e.createUser(t, "ann", srpPassword, false)
	e.group(t, "g", 0, "")
	e.addToGroup(t, "ann", "g")
	e.adminSignIn("nobody", "Wrong#Pass1") // a count for an unknown name
	if _, err := e.svc.DeleteUserPool(e.ctx, &cip.DeleteUserPoolInput{UserPoolId: awsapi.String(e.poolID)}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"userpool.group", "userpool.group-count", "userpool.group-member", "userpool.user-group", "userpool.lockout"} {
		left, err := e.svc.Store.ListObjects(e.ctx, kind, e.poolID+"/", store.Page{Limit: 10})
		if err != nil || len(left) != 0 {
			t.Errorf("%s objects left after DeleteUserPool: %v %d", kind, err, len(left))
		}
	}
}
