package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestChangesTakeEffectOnEveryInstance runs two ninsho processes on one
// PostgreSQL database and checks, with no wait between the change on one
// and the request to the other, that nothing cached in memory lets the
// other instance act on the old state: a disabled user is refused sign-in,
// refresh and GetUser; a re-enabled one is accepted; a role's changed
// policy governs requests signed with the role's existing session; a
// deactivated access key is refused. (internal/store's package doc lists
// every cache and its rule.)
func TestChangesTakeEffectOnEveryInstance(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	const issuerBase = "http://ninsho.test"
	a := newInstance("A", startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase))
	b := newInstance("B", startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase))
	cliA := &awsCLI{path: awsPath, srv: a.srv}
	cliB := &awsCLI{path: awsPath, srv: b.srv}

	pool, err := a.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	client, err := a.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := client.UserPoolClient.ClientId
	if _, err := a.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("kai"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("kai"), Password: aws.String("Kai#Pass12"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	signIn := func(in *instance) (*types.AuthenticationResultType, error) {
		out, err := in.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "kai", "PASSWORD": "Kai#Pass12"}})
		if err != nil {
			return nil, err
		}
		return out.AuthenticationResult, nil
	}
	refresh := func(in *instance, token *string) error {
		_, err := in.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(token)}})
		return err
	}
	getUser := func(in *instance, access *string) error {
		_, err := in.public.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
		return err
	}

	mustStep(t, "a user disabled through A is refused by B at once: sign-in, refresh, GetUser", func(t *testing.T) {
		// B has just used every cache it has for this user.
		tok, err := signIn(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := refresh(b, tok.RefreshToken); err != nil {
			t.Fatal(err)
		}
		if err := getUser(b, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		if _, err := a.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: poolID, Username: aws.String("kai")}); err != nil {
			t.Fatal(err)
		}
		var na *types.NotAuthorizedException
		_, err = signIn(b)
		wantAPIError(t, err, &na, "User is disabled.")
		// AdminDisableUser also revokes the user's tokens, as Cognito does.
		wantAPIError(t, refresh(b, tok.RefreshToken), &na, "")
		wantAPIError(t, getUser(b, tok.AccessToken), &na, "")
		// ... and enabled again through B, A accepts the user at once.
		if _, err := b.admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: poolID, Username: aws.String("kai")}); err != nil {
			t.Fatal(err)
		}
		again, err := signIn(a)
		if err != nil {
			t.Fatalf("sign-in through A after B enabled the user: %v", err)
		}
		if err := refresh(a, again.RefreshToken); err != nil {
			t.Errorf("refresh through A after B enabled the user: %v", err)
		}
		wantAPIError(t, refresh(a, tok.RefreshToken), &na, "Refresh Token has been revoked")
	})
	mustStep(t, "a global sign-out through B revokes on A at once; a user deleted through A is unknown to B", func(t *testing.T) {
		tok, err := signIn(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := getUser(a, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		if _, err := b.admin.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: poolID, Username: aws.String("kai")}); err != nil {
			t.Fatal(err)
		}
		var na *types.NotAuthorizedException
		wantAPIError(t, refresh(a, tok.RefreshToken), &na, "Refresh Token has been revoked")
		wantAPIError(t, getUser(a, tok.AccessToken), &na, "Access Token has been revoked")

		tok, err = signIn(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: poolID, Username: aws.String("kai")}); err != nil {
			t.Fatal(err)
		}
		if err := refresh(b, tok.RefreshToken); err == nil {
			t.Error("B refreshed the token of a user deleted through A")
		}
		if err := getUser(b, tok.AccessToken); err == nil {
			t.Error("B answered GetUser for a user deleted through A")
		}
		var unf *types.UserNotFoundException
		_, err = signIn(b)
		if !errors.As(err, &unf) && !errors.As(err, &na) {
			t.Errorf("sign-in through B of a user deleted through A: %v", err)
		}
	})
	mustStep(t, "a role's policy changed through A governs B's next request signed with the role's session", func(t *testing.T) {
		trust := filepath.Join(t.TempDir(), "trust.json")
		if err := os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		var role struct{ Role struct{ Arn string } }
		cliA.json(t, ctx, []string{"iam", "create-role", "--role-name", "reader", "--assume-role-policy-document", "file://" + trust}, &role)
		cliA.json(t, ctx, []string{"iam", "put-role-policy", "--role-name", "reader", "--policy-name", "read",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:DescribeUserPool","Resource":"*"}]}`})
		var creds struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		}
		cliB.json(t, ctx, []string{"sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "s1"}, &creds)
		c := creds.Credentials
		onB := cliB.as(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
		describe := []string{"cognito-idp", "describe-user-pool", "--user-pool-id", aws.ToString(poolID)}
		onB.json(t, ctx, describe)

		cliA.json(t, ctx, []string{"iam", "put-role-policy", "--role-name", "reader", "--policy-name", "read",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:ListUserPools","Resource":"*"}]}`})
		onB.fail(t, ctx, "AccessDeniedException", "User: arn:aws:sts::000000000000:assumed-role/reader/s1 is not authorized to perform: cognito-idp:DescribeUserPool", describe...)
		onB.json(t, ctx, []string{"cognito-idp", "list-user-pools", "--max-results", "5"})

		cliA.json(t, ctx, []string{"iam", "delete-role-policy", "--role-name", "reader", "--policy-name", "read"})
		onB.fail(t, ctx, "AccessDeniedException", "User: arn:aws:sts::000000000000:assumed-role/reader/s1 is not authorized to perform: cognito-idp:ListUserPools", "cognito-idp", "list-user-pools", "--max-results", "5")
	})
	mustStep(t, "an access key deactivated through A is refused by B at once", func(t *testing.T) {
		cliA.json(t, ctx, []string{"iam", "create-user", "--user-name", "ci"})
		var key struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		}
		cliA.json(t, ctx, []string{"iam", "create-access-key", "--user-name", "ci"}, &key)
		onB := cliB.as(key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, "")
		onB.json(t, ctx, []string{"sts", "get-caller-identity"})
		cliA.json(t, ctx, []string{"iam", "update-access-key", "--user-name", "ci", "--access-key-id", key.AccessKey.AccessKeyId, "--status", "Inactive"})
		res := onB.run(t, ctx, "sts", "get-caller-identity")
		if res.exit == 0 {
			t.Errorf("B accepted an access key deactivated through A: %s", res.stdout)
		}
	})
}
