package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func attribute(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

// TestAttributesAndDeleteUserWithAWSSDKForGo: AddCustomAttributes, values
// checked against their constraints and carried in the ID token as strings,
// developer-only attributes hidden from the user, DeleteUserAttributes,
// AdminDeleteUserAttributes and DeleteUser.
func TestAttributesAndDeleteUserWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	e := newUserPoolEnv(t, ctx, srv, &cip.CreateUserPoolInput{})
	pool := aws.String(e.poolID)
	const password = "Perm#Pass1"

	mustStep(t, "custom attributes are added with their prefix and constraints", func(t *testing.T) {
		_, err := e.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: pool, CustomAttributes: []types.SchemaAttributeType{
			{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString,
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("8")}},
			{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber,
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
			{Name: aws.String("vip"), AttributeDataType: types.AttributeDataTypeBoolean},
			{Name: aws.String("secret"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: pool, CustomAttributes: []types.SchemaAttributeType{
			{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString}}})
		wantAPIError(t, err, new(*types.InvalidParameterException), "Existing attribute already has name custom:tier.")
		d, err := e.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})
		if err != nil {
			t.Fatal(err)
		}
		var custom []string
		for _, a := range d.UserPool.SchemaAttributes {
			if strings.Contains(aws.ToString(a.Name), "custom:") {
				custom = append(custom, aws.ToString(a.Name))
			}
		}
		if strings.Join(custom, ",") != "custom:tier,custom:level,custom:vip,dev:custom:secret" {
			t.Fatalf("schema's custom attributes %v", custom)
		}
	})
	mustStep(t, "values outside the constraints are refused", func(t *testing.T) {
		_, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("x"),
			MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{attribute("custom:level", "11")}})
		wantAPIError(t, err, new(*types.InvalidParameterException), "Attributes did not conform to the schema: custom:level: Number must be no greater than 10")
	})
	var tokens *types.AuthenticationResultType
	mustStep(t, "the ID token carries custom attributes as strings, never developer-only ones", func(t *testing.T) {
		e.createUser(t, "ann", password, attribute("email", "ann@example.com"), attribute("email_verified", "true"),
			attribute("given_name", "Ann"), attribute("custom:tier", "gold"), attribute("custom:level", "3"),
			attribute("custom:vip", "true"), attribute("dev:custom:secret", "s3cret"))
		tokens = e.mustSignIn(t, "ann", password)
		id := mustVerify(t, aws.ToString(tokens.IdToken), fetchJWKS(t, ctx, srv.URL, e.poolID))
		if id.Claims["custom:tier"] != "gold" || id.Claims["custom:level"] != "3" || id.Claims["custom:vip"] != "true" {
			t.Errorf("custom claims %v %v %v", id.Claims["custom:tier"], id.Claims["custom:level"], id.Claims["custom:vip"])
		}
		for k := range id.Claims {
			if strings.Contains(k, "secret") {
				t.Errorf("the ID token carries %s", k)
			}
		}
		u, err := e.public.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range u.UserAttributes {
			if strings.Contains(aws.ToString(a.Name), "secret") {
				t.Errorf("GetUser shows %s", aws.ToString(a.Name))
			}
		}
	})
	mustStep(t, "attributes are deleted by the user and by an administrator", func(t *testing.T) {
		_, err := e.public.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: tokens.AccessToken, UserAttributeNames: []string{"dev:custom:secret"}})
		wantAPIError(t, err, new(*types.NotAuthorizedException), "A client attempted to write unauthorized attribute")
		if _, err := e.public.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: tokens.AccessToken,
			UserAttributeNames: []string{"email", "custom:tier"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: aws.String("ann"),
			UserAttributeNames: []string{"given_name", "dev:custom:secret"}}); err != nil {
			t.Fatal(err)
		}
		u, err := e.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("ann")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range u.UserAttributes {
			names = append(names, aws.ToString(a.Name))
		}
		if strings.Join(names, ",") != "sub,custom:level,custom:vip" {
			t.Fatalf("attributes left %v (email_verified goes with email)", names)
		}
	})
	mustStep(t, "DeleteUser deletes the user and revokes its tokens", func(t *testing.T) {
		if _, err := e.public.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tokens.AccessToken}); err != nil {
			t.Fatal(err)
		}
		_, err := e.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("ann")})
		wantAPIError(t, err, new(*types.UserNotFoundException), "User does not exist.")
		_, err = e.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tokens.RefreshToken)}})
		wantAPIError(t, err, new(*types.NotAuthorizedException), "")
	})
}

// TestPasswordHistoryAndLockoutWithAWSSDKForGo: PasswordHistorySize refuses
// a recent password; five failed sign-ins lock a user out for a second,
// doubling with each further failure, the server's clock moving time on.
func TestPasswordHistoryAndLockoutWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir(), "--allow-reset")
	e := newUserPoolEnv(t, ctx, srv, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
		MinimumLength: aws.Int32(8), RequireNumbers: true, RequireLowercase: true, PasswordHistorySize: aws.Int32(2)}}})
	const password = "current1"
	e.createUser(t, "ann", "first111")

	mustStep(t, "a password among the last two is refused", func(t *testing.T) {
		if err := e.setPassword("ann", "second22"); err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, e.setPassword("ann", "first111"), new(*types.PasswordHistoryPolicyViolationException), "")
		wantAPIError(t, e.setPassword("ann", "second22"), new(*types.PasswordHistoryPolicyViolationException), "")
		if err := e.setPassword("ann", password); err != nil {
			t.Fatal(err)
		}
		if err := e.setPassword("ann", "first111"); err != nil {
			t.Fatalf("a password older than the history: %v", err)
		}
		if err := e.setPassword("ann", password); err == nil {
			t.Fatal("the previous password was accepted again")
		}
		e.createUser(t, "bob", password)
	})
	mustStep(t, "five failures lock the user out, with growing waits", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			_, err := e.signIn("bob", "wrong999")
			wantAPIError(t, err, new(*types.NotAuthorizedException), "Incorrect username or password.")
		}
		// After the n-th failure the wait is 2^(n-5) seconds: waiting
		// that long lets the next attempt be checked (and fail).
		for n := 5; n < 10; n++ {
			advanceClock(t, srv, 1<<(n-5))
			_, err := e.signIn("bob", "wrong999")
			wantAPIError(t, err, new(*types.NotAuthorizedException), "Incorrect username or password.")
		}
		// Ten failures: 32 seconds, during which even the right password is
		// refused unchecked.
		_, err := e.signIn("bob", password)
		wantAPIError(t, err, new(*types.NotAuthorizedException), "Password attempts exceeded")
		advanceClock(t, srv, 16)
		_, err = e.signIn("bob", password)
		wantAPIError(t, err, new(*types.NotAuthorizedException), "Password attempts exceeded")
		advanceClock(t, srv, 16)
		e.mustSignIn(t, "bob", password)
		// The success reset the count.
		_, err = e.signIn("bob", "wrong999")
		wantAPIError(t, err, new(*types.NotAuthorizedException), "Incorrect username or password.")
		e.mustSignIn(t, "bob", password)
	})
}
