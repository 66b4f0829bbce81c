package userpool_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
)

func attr(name, value string) cip.AttributeType {
	return cip.AttributeType{Name: awsapi.String(name), Value: awsapi.String(value)}
}

func TestAddCustomAttributes(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, adminFlows)
	pool := awsapi.String(e.poolID)
	add := func(attrs ...cip.SchemaAttributeType) error {
		_, err := e.svc.AddCustomAttributes(e.ctx, &cip.AddCustomAttributesInput{UserPoolId: pool, CustomAttributes: attrs})
		return err
	}
	if err := add(
		cip.SchemaAttributeType{Name: awsapi.String("tier"), AttributeDataType: awsapi.String("String"),
			StringAttributeConstraints: &cip.StringAttributeConstraintsType{MinLength: awsapi.String("1"), MaxLength: awsapi.String("5")}},
		cip.SchemaAttributeType{Name: awsapi.String("age"), AttributeDataType: awsapi.String("Number"), Mutable: awsapi.Bool(false),
			NumberAttributeConstraints: &cip.NumberAttributeConstraintsType{MinValue: awsapi.String("0"), MaxValue: awsapi.String("150")}},
		cip.SchemaAttributeType{Name: awsapi.String("secret"), DeveloperOnlyAttribute: awsapi.Bool(true)},
	); err != nil {
		t.Fatal(err)
	}
	d, _ := e.svc.DescribeUserPool(e.ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})
	var names []string
	for _, a := range d.UserPool.SchemaAttributes {
		if n := *a.Name; strings.Contains(n, "custom:") {
			names = append(names, n)
		}
	}
	if fmt.Sprint(names) != "[custom:tier custom:age dev:custom:secret]" {
		t.Errorf("custom schema %v", names)
	}
	for _, tc := range []struct {
		name string
		attr cip.SchemaAttributeType
		msg  string
	}{
		{"a name the schema has", cip.SchemaAttributeType{Name: awsapi.String("tier")}, "Existing attribute already has name custom:tier."},
		{"a developer-only namesake", cip.SchemaAttributeType{Name: awsapi.String("tier"), DeveloperOnlyAttribute: awsapi.Bool(true)}, "Existing attribute already has name dev:custom:tier."},
		{"a required one", cip.SchemaAttributeType{Name: awsapi.String("must"), Required: awsapi.Bool(true)}, "Required custom attributes are not supported currently."},
		{"a name over 20 characters", cip.SchemaAttributeType{Name: awsapi.String("custom:abcdefghijklmnopqrstu")}, ""},
		{"min over max", cip.SchemaAttributeType{Name: awsapi.String("n"), AttributeDataType: awsapi.String("Number"),
			NumberAttributeConstraints: &cip.NumberAttributeConstraintsType{MinValue: awsapi.String("5"), MaxValue: awsapi.String("1")}}, ""},
		{"a string longer than 2048", cip.SchemaAttributeType{Name: awsapi.String("s"),
			StringAttributeConstraints: &cip.StringAttributeConstraintsType{MaxLength: awsapi.String("4096")}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, add(tc.attr), "InvalidParameterException", tc.msg) })
	}
	var many []cip.SchemaAttributeType
	for i := 0; i < 25; i++ {
		many = append(many, cip.SchemaAttributeType{Name: awsapi.String(fmt.Sprintf("m%02d", i))})
	}
	if err := add(many...); err != nil {
		t.Fatal(err)
	}
	wantErr(t, add(many[:22]...), "InvalidParameterException", "Existing attribute already has name custom:m00.")
	for i := range many {
		many[i].Name = awsapi.String(fmt.Sprintf("x%02d", i))
	}
	wantErr(t, add(many...), "InvalidParameterException", "A user pool can have at most 50 custom attributes.")

	// Values are checked against the constraints.
	create := func(attrs ...cip.AttributeType) error {
		_, err := e.svc.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: awsapi.String("u"),
			UserAttributes: attrs, MessageAction: awsapi.String("SUPPRESS")})
		return err
	}
	wantErr(t, create(attr("custom:tier", "platinum")), "InvalidParameterException", "Attributes did not conform to the schema: custom:tier: String must be no longer than 5 characters")
	wantErr(t, create(attr("custom:age", "151")), "InvalidParameterException", "Attributes did not conform to the schema: custom:age: Number must be no greater than 150")
	if err := create(attr("custom:tier", "gold"), attr("custom:age", "42"), attr("dev:custom:secret", "s3")); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteAttributesAndUser(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{Schema: []cip.SchemaAttributeType{
		{Name: awsapi.String("name"), Required: awsapi.Bool(true)},
		{Name: awsapi.String("secret"), DeveloperOnlyAttribute: awsapi.Bool(true)},
	}}, adminFlows)
	pool := awsapi.String(e.poolID)
	e.createUser(t, "ann", srpPassword, false, attr("name", "Ann"), attr("email", "ann@example.com"), attr("email_verified", "true"),
		attr("phone_number", "+15550100"), attr("given_name", "A"), attr("dev:custom:secret", "s3"))
	e.group(t, "g", 1, "")
	e.addToGroup(t, "ann", "g")
	res, err := e.adminSignIn("ann", srpPassword)
	if err != nil {
		t.Fatal(err)
	}
	token := res.AuthenticationResult.AccessToken

	u, err := e.svc.GetUser(e.ctx, &cip.GetUserInput{AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range u.UserAttributes {
		if strings.Contains(*a.Name, "secret") {
			t.Errorf("GetUser shows a developer-only attribute: %s", *a.Name)
		}
	}
	if id := payload(t, *res.AuthenticationResult.IdToken); id["dev:custom:secret"] != nil || id["custom:secret"] != nil {
		t.Errorf("the ID token shows a developer-only attribute")
	}
	del := func(names ...string) error {
		_, err := e.svc.DeleteUserAttributes(e.ctx, &cip.DeleteUserAttributesInput{AccessToken: token, UserAttributeNames: names})
		return err
	}
	wantErr(t, del("dev:custom:secret"), "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	wantErr(t, del("name"), "InvalidParameterException", "Attributes did not conform to the schema: name: The attribute is required")
	wantErr(t, del("sub"), "InvalidParameterException", "")
	if err := del("email", "given_name"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AdminDeleteUserAttributes(e.ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: awsapi.String("ann"),
		UserAttributeNames: []string{"phone_number", "dev:custom:secret"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: awsapi.String("ann")})
	var left []string
	for _, a := range got.UserAttributes {
		left = append(left, *a.Name)
	}
	if fmt.Sprint(left) != "[sub name]" {
		t.Errorf("attributes left %v, want [sub name] (email_verified goes with email)", left)
	}

	if _, err := e.svc.DeleteUser(e.ctx, &cip.DeleteUserInput{AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: awsapi.String("ann")})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.svc.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: pool, ClientId: awsapi.String(e.clientID),
		AuthFlow: awsapi.String("REFRESH_TOKEN_AUTH"), AuthParameters: map[string]string{"REFRESH_TOKEN": *res.AuthenticationResult.RefreshToken}})
	wantErr(t, err, "NotAuthorizedException", "")
	m, _ := e.svc.ListUsersInGroup(e.ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: awsapi.String("g")})
	if len(m.Users) != 0 {
		t.Errorf("the deleted user is still in its group")
	}
	_, err = e.svc.GetUser(e.ctx, &cip.GetUserInput{AccessToken: token})
	wantErr(t, err, "NotAuthorizedException", "")
}
