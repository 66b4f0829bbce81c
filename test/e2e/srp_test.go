package e2e

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ninsho/ninsho/internal/srp"
)

// TestSRPWithAWSSDKForGo signs in with USER_SRP_AUTH → PASSWORD_VERIFIER
// through the unsigned public API of aws-sdk-go-v2, computing the claim
// with ninsho's Go port of the amazon-cognito-identity-js client, for an
// email-username pool and a client with a secret.
func TestSRPWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	admin := cip.NewFromConfig(sdkConfig(srv, true))
	public := cip.NewFromConfig(sdkConfig(srv, false))

	const (
		email    = "srp.user@example.com"
		password = "Srp#Passw0rd"
	)
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:           aws.String("srp"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
	})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("app"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	secret := aws.ToString(client.UserPoolClient.ClientSecret)
	user, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(email),
		TemporaryPassword: aws.String("Temp#Pass1"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	username := aws.ToString(user.User.Username)
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String(email), Password: aws.String(password), Permanent: true,
	}); err != nil {
		t.Fatal(err)
	}

	// signIn runs both calls with the given password.
	signIn := func(t *testing.T, pw string) (*cip.RespondToAuthChallengeOutput, error) {
		t.Helper()
		c, err := srp.NewClient(srp.PoolName(poolID))
		if err != nil {
			t.Fatal(err)
		}
		ch, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": email, "SRP_A": c.AHex(), "SECRET_HASH": secretHash(secret, email, clientID)},
		})
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		p := ch.ChallengeParameters
		if ch.ChallengeName != types.ChallengeNameTypePasswordVerifier || ch.AuthenticationResult != nil {
			t.Fatalf("InitiateAuth: challenge %q", ch.ChallengeName)
		}
		if p["USER_ID_FOR_SRP"] != username || p["USERNAME"] != username {
			t.Fatalf("ChallengeParameters %v, want USER_ID_FOR_SRP %s", p, username)
		}
		key, err := c.Key(p["USER_ID_FOR_SRP"], pw, p["SALT"], p["SRP_B"])
		if err != nil {
			t.Fatal(err)
		}
		block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
		if err != nil {
			t.Fatalf("SECRET_BLOCK: %v", err)
		}
		ts := srp.FormatTimestamp(time.Now())
		return public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: ch.Session,
			ChallengeResponses: map[string]string{
				"USERNAME":                    p["USER_ID_FOR_SRP"],
				"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, srp.PoolName(poolID), p["USER_ID_FOR_SRP"], block, ts)),
				"TIMESTAMP":                   ts,
				"SECRET_HASH":                 secretHash(secret, p["USER_ID_FOR_SRP"], clientID),
			},
		})
	}

	t.Run("the right password gets tokens", func(t *testing.T) {
		out, err := signIn(t, password)
		if err != nil {
			t.Fatal(err)
		}
		keys := fetchJWKS(t, ctx, srv.URL, poolID)
		sdkTokens(t, out.AuthenticationResult, true, keys,
			tokenExpect{issuer: srv.URL + "/" + poolID, clientID: clientID, username: username, email: email})
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		_, err := signIn(t, "Wr0ng#Passw0rd")
		var na *types.NotAuthorizedException
		wantAPIError(t, err, &na, "Incorrect username or password.")
	})
}
