package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// sdkConfig is an aws-sdk-go-v2 configuration pointed at srv, signing with
// the test credentials when signed, and without any credentials (as a
// browser or mobile app calling the public operations) when not. It makes
// one attempt per call, bounded by callTimeout, but for one client-side
// failure: now and then the SDK's transport closes a connection while a
// 200 answer's body is read ("use of closed network connection",
// aws/aws-sdk-go-v2#2737, which the SDK's default retryer retries since
// #2949); that alone is tried once more, so that every server answer still
// reaches the test as it was.
func sdkConfig(srv *server, signed bool) aws.Config {
	cfg := aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   &http.Client{Timeout: callTimeout},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 2
				o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
					return aws.BoolTernary(errors.Is(err, net.ErrClosed))
				})}
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
	if signed {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")
	}
	return cfg
}

// secretHash is Base64(HMAC-SHA256(client secret, username + client id)).
func secretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// wantAPIError requires err to be (via errors.As) the typed error target
// points to, with the given message when message is not empty.
func wantAPIError(t *testing.T, err error, target any, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded, want %T", target)
	}
	if !errors.As(err, target) {
		t.Fatalf("error %v is not a %T", err, target)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if message != "" && api.ErrorMessage() != message {
		t.Errorf("%s message %q, want %q", api.ErrorCode(), api.ErrorMessage(), message)
	}
}

// sdkTokens checks an AuthenticationResult of a sign-in (withRefresh) or a
// refresh and verifies its tokens.
func sdkTokens(t *testing.T, r *types.AuthenticationResultType, withRefresh bool, keys jwks, want tokenExpect) (id, access jwt) {
	t.Helper()
	if r == nil || r.IdToken == nil || r.AccessToken == nil {
		t.Fatalf("AuthenticationResult %+v: want ID and access tokens", r)
	}
	if r.ExpiresIn != 3600 || aws.ToString(r.TokenType) != "Bearer" {
		t.Errorf("ExpiresIn %d, TokenType %q; want 3600, Bearer", r.ExpiresIn, aws.ToString(r.TokenType))
	}
	if got := r.RefreshToken != nil; got != withRefresh {
		t.Errorf("RefreshToken present = %v, want %v", got, withRefresh)
	}
	return checkTokens(t, *r.IdToken, *r.AccessToken, keys, want)
}

// TestFlowsWithAWSSDKForGo runs the seed flow and the sign-in rules with
// aws-sdk-go-v2: NEW_PASSWORD_REQUIRED, the unsigned InitiateAuth, client
// secrets, disabled users, client flow settings, ListUsers filters and
// pagination, token revocation and STS.
func TestFlowsWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	admin := cip.NewFromConfig(sdkConfig(srv, true))
	public := cip.NewFromConfig(sdkConfig(srv, false))

	const (
		email        = "sdk.user@example.com"
		tempPassword = "Temp#Pass1"
		newPassword  = "New#Passw0rd"
	)
	var (
		poolID, clientID, username string
		keys                       jwks
		expect                     tokenExpect
		first                      *types.AuthenticationResultType
	)

	mustStep(t, "the seed flow signs in through NEW_PASSWORD_REQUIRED", func(t *testing.T) {
		pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName:           aws.String("sdk"),
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		})
		if err != nil {
			t.Fatal(err)
		}
		poolID = aws.ToString(pool.UserPool.Id)
		if !poolIDRE.MatchString(poolID) {
			t.Fatalf("pool id %q", poolID)
		}
		client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(poolID),
			ClientName: aws.String("app"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
				types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
				types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
				types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		clientID = aws.ToString(client.UserPoolClient.ClientId)
		if !clientIDRE.MatchString(clientID) || client.UserPoolClient.ClientSecret != nil {
			t.Fatalf("client %+v", client.UserPoolClient)
		}
		user, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId:        aws.String(poolID),
			Username:          aws.String(email),
			TemporaryPassword: aws.String(tempPassword),
			MessageAction:     types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String(email)},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		username = aws.ToString(user.User.Username)
		if !uuidRE.MatchString(username) || user.User.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Fatalf("user %q status %q", username, user.User.UserStatus)
		}
		expect = tokenExpect{issuer: srv.URL + "/" + poolID, clientID: clientID, username: username, email: email}

		ch, err := admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
			AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": tempPassword},
		})
		if err != nil {
			t.Fatal(err)
		}
		if ch.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || ch.Session == nil || ch.AuthenticationResult != nil {
			t.Fatalf("AdminInitiateAuth: challenge %q, session %v", ch.ChallengeName, ch.Session != nil)
		}
		if ch.ChallengeParameters["USER_ID_FOR_SRP"] != username || ch.ChallengeParameters["requiredAttributes"] != "[]" {
			t.Errorf("ChallengeParameters %v", ch.ChallengeParameters)
		}
		respond := func(session *string, password string) (*cip.AdminRespondToAuthChallengeOutput, error) {
			return admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
				UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
				ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
				ChallengeResponses: map[string]string{"USERNAME": email, "NEW_PASSWORD": password},
				Session:            session,
			})
		}
		// A new password against the policy is refused; sign in again for
		// a fresh session rather than rely on the refused one.
		_, err = respond(ch.Session, "short")
		var ipw *types.InvalidPasswordException
		wantAPIError(t, err, &ipw, "")
		ch, err = admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
			AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": tempPassword},
		})
		if err != nil || ch.Session == nil {
			t.Fatalf("AdminInitiateAuth again: %v", err)
		}
		out, err := respond(ch.Session, newPassword)
		if err != nil {
			t.Fatal(err)
		}
		keys = fetchJWKS(t, ctx, srv.URL, poolID)
		sdkTokens(t, out.AuthenticationResult, true, keys, expect)
		first = out.AuthenticationResult

		// A session answers one challenge only.
		_, err = respond(ch.Session, "Other#Passw0rd")
		var na *types.NotAuthorizedException
		wantAPIError(t, err, &na, "")
	})

	// newUser creates a confirmed user with a permanent password in pool.
	newUser := func(t *testing.T, pool, name, password string) string {
		t.Helper()
		u, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String(name)},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
			},
		})
		if err != nil {
			t.Fatalf("AdminCreateUser %s: %v", name, err)
		}
		if password != "" {
			if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(pool), Username: aws.String(name), Password: aws.String(password), Permanent: true,
			}); err != nil {
				t.Fatalf("AdminSetUserPassword %s: %v", name, err)
			}
		}
		return aws.ToString(u.User.Username)
	}
	// newClient creates an app client of the test pool.
	newClient := func(t *testing.T, secret bool, flows ...types.ExplicitAuthFlowsType) (id, clientSecret string) {
		t.Helper()
		c, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(poolID), ClientName: aws.String("client"), GenerateSecret: secret, ExplicitAuthFlows: flows,
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(c.UserPoolClient.ClientId), aws.ToString(c.UserPoolClient.ClientSecret)
	}
	adminSignIn := func(client, user, password string, extra map[string]string) (*cip.AdminInitiateAuthOutput, error) {
		params := map[string]string{"USERNAME": user, "PASSWORD": password}
		for k, v := range extra {
			params[k] = v
		}
		return admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(poolID), ClientId: aws.String(client),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params,
		})
	}

	t.Run("signed up", func(t *testing.T) {
		t.Run("the token check refuses forged tokens", func(t *testing.T) {
			t.Parallel()
			// Guards the checker itself: were it lax, every token test
			// would pass vacuously.
			id := strings.Split(aws.ToString(first.IdToken), ".")
			access := strings.Split(aws.ToString(first.AccessToken), ".")
			enc := base64.RawURLEncoding.EncodeToString
			dec := func(s string) string {
				b, err := base64.RawURLEncoding.DecodeString(s)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			for _, c := range []struct{ name, token string }{
				{"a changed claim", id[0] + "." + enc([]byte(strings.Replace(dec(id[1]), `"token_use":"id"`, `"token_use":"ID"`, 1))) + "." + id[2]},
				{"the access token's signature", id[0] + "." + id[1] + "." + access[2]},
				{"the other key's kid", access[0] + "." + id[1] + "." + id[2]},
				{"an unknown kid", enc([]byte(`{"alg":"RS256","kid":"nope"}`)) + "." + id[1] + "." + id[2]},
				{"alg none", enc([]byte(`{"alg":"none","kid":`+mustJSON(mustVerify(t, aws.ToString(first.IdToken), keys).Header["kid"])+`}`)) + "." + id[1] + "."},
			} {
				if _, err := verifyJWT(c.token, keys); err == nil {
					t.Errorf("%s: verified", c.name)
				}
			}
			if !strings.Contains(dec(id[1]), `"token_use":"id"`) {
				t.Errorf("ID token claims %s: the changed-claim case changed nothing", dec(id[1]))
			}
		})

		t.Run("InitiateAuth USER_PASSWORD_AUTH and its refresh need no AWS credentials", func(t *testing.T) {
			t.Parallel()
			out, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": newPassword},
			})
			if err != nil {
				t.Fatal(err)
			}
			id, _ := sdkTokens(t, out.AuthenticationResult, true, keys, expect)
			ref, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)},
			})
			if err != nil {
				t.Fatal(err)
			}
			rid, _ := sdkTokens(t, ref.AuthenticationResult, false, keys, expect)
			if rid.intClaim(t, "auth_time") != id.intClaim(t, "auth_time") || rid.Claims["origin_jti"] != id.Claims["origin_jti"] {
				t.Errorf("refresh changed auth_time or origin_jti: %v / %v", rid.Claims, id.Claims)
			}
		})

		t.Run("GetUser answers the user for its access token", func(t *testing.T) {
			t.Parallel()
			out, err := adminSignIn(clientID, email, newPassword, nil)
			if err != nil {
				t.Fatal(err)
			}
			u, err := public.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
			if err != nil {
				t.Fatal(err)
			}
			attrs := map[string]string{}
			for _, a := range u.UserAttributes {
				attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
			}
			if aws.ToString(u.Username) != username || attrs["email"] != email || attrs["sub"] != username {
				t.Errorf("GetUser %s %v", aws.ToString(u.Username), attrs)
			}
		})

		t.Run("wrong passwords and unknown users are typed errors", func(t *testing.T) {
			t.Parallel()
			_, err := adminSignIn(clientID, email, "Wrong#Passw0rd", nil)
			var na *types.NotAuthorizedException
			wantAPIError(t, err, &na, "Incorrect username or password.")
			_, err = public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Wrong#Passw0rd"},
			})
			wantAPIError(t, err, &na, "Incorrect username or password.")
			_, err = adminSignIn(clientID, "nobody@example.com", newPassword, nil)
			var unf *types.UserNotFoundException
			wantAPIError(t, err, &unf, "User does not exist.")
			_, err = public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String("nosuchclient0000000000000a"), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": newPassword},
			})
			var rnf *types.ResourceNotFoundException
			wantAPIError(t, err, &rnf, "")
		})

		t.Run("PreventUserExistenceErrors ENABLED answers an unknown user like a wrong password", func(t *testing.T) {
			t.Parallel()
			c, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
				UserPoolId: aws.String(poolID), ClientName: aws.String("quiet"),
				ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
			})
			if err != nil {
				t.Fatal(err)
			}
			var na *types.NotAuthorizedException
			_, err = adminSignIn(aws.ToString(c.UserPoolClient.ClientId), "nobody@example.com", newPassword, nil)
			wantAPIError(t, err, &na, "Incorrect username or password.")
		})

		t.Run("email_verified false is a JSON false in the ID token, and the UUID username signs in", func(t *testing.T) {
			t.Parallel()
			const name, password = "unverified.user@example.com", "Unverified#Pass1"
			u, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{
					{Name: aws.String("email"), Value: aws.String(name)},
					{Name: aws.String("email_verified"), Value: aws.String("false")},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			uuid := aws.ToString(u.User.Username)
			if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(poolID), Username: aws.String(uuid), Password: aws.String(password), Permanent: true,
			}); err != nil {
				t.Fatal(err)
			}
			out, err := adminSignIn(clientID, uuid, password, nil)
			if err != nil {
				t.Fatalf("sign-in with the UUID username: %v", err)
			}
			id := mustVerify(t, aws.ToString(out.AuthenticationResult.IdToken), keys)
			if v, ok := id.Claims["email_verified"]; !ok || v != false {
				t.Errorf("email_verified claim %#v, want the JSON boolean false", v)
			}
			if id.Claims["cognito:username"] != uuid || id.Claims["email"] != name {
				t.Errorf("ID token cognito:username %v, email %v", id.Claims["cognito:username"], id.Claims["email"])
			}
		})

		t.Run("a client with a secret requires SECRET_HASH", func(t *testing.T) {
			t.Parallel()
			id, secret := newClient(t, true, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
				types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
			if secret == "" {
				t.Fatal("CreateUserPoolClient with GenerateSecret answered no ClientSecret")
			}
			want := expect
			want.clientID = id
			for _, c := range []struct {
				name string
				hash map[string]string
				ok   bool
			}{
				{"without SECRET_HASH", nil, false},
				{"with a SECRET_HASH of another secret", map[string]string{"SECRET_HASH": secretHash("not-the-secret", email, id)}, false},
				{"with a SECRET_HASH of another client", map[string]string{"SECRET_HASH": secretHash(secret, email, clientID)}, false},
				{"with the right SECRET_HASH", map[string]string{"SECRET_HASH": secretHash(secret, email, id)}, true},
			} {
				t.Run(c.name, func(t *testing.T) {
					admOut, admErr := adminSignIn(id, email, newPassword, c.hash)
					params := map[string]string{"USERNAME": email, "PASSWORD": newPassword}
					for k, v := range c.hash {
						params[k] = v
					}
					pubOut, pubErr := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
						ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params,
					})
					if !c.ok {
						var na *types.NotAuthorizedException
						wantAPIError(t, admErr, &na, "")
						wantAPIError(t, pubErr, &na, "")
						return
					}
					if admErr != nil || pubErr != nil {
						t.Fatalf("AdminInitiateAuth: %v; InitiateAuth: %v", admErr, pubErr)
					}
					sdkTokens(t, admOut.AuthenticationResult, true, keys, want)
					sdkTokens(t, pubOut.AuthenticationResult, true, keys, want)

					// A refresh hashes the username Cognito knows the user by.
					refresh := map[string]string{"REFRESH_TOKEN": aws.ToString(pubOut.AuthenticationResult.RefreshToken)}
					_, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
						ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: refresh,
					})
					var na *types.NotAuthorizedException
					wantAPIError(t, err, &na, "")
					refresh["SECRET_HASH"] = secretHash(secret, username, id)
					ref, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{
						ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: refresh,
					})
					if err != nil {
						t.Fatalf("refresh with SECRET_HASH: %v", err)
					}
					sdkTokens(t, ref.AuthenticationResult, false, keys, want)
				})
			}
		})

		t.Run("a flow the client does not enable is InvalidParameterException", func(t *testing.T) {
			t.Parallel()
			userOnly, _ := newClient(t, false, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
			adminOnly, _ := newClient(t, false, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
			var ip *types.InvalidParameterException
			_, err := adminSignIn(userOnly, email, newPassword, nil)
			wantAPIError(t, err, &ip, "Auth flow not enabled for this client")
			_, err = public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(adminOnly), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": newPassword},
			})
			wantAPIError(t, err, &ip, "")
			// AWS names the flow: "USER_PASSWORD_AUTH flow not enabled for this client".
			if msg := ip.ErrorMessage(); !strings.HasSuffix(msg, "flow not enabled for this client") {
				t.Errorf("message %q, want one ending in %q", msg, "flow not enabled for this client")
			}
			// The flows the clients do enable work.
			if _, err := adminSignIn(adminOnly, email, newPassword, nil); err != nil {
				t.Errorf("ADMIN_USER_PASSWORD_AUTH on a client enabling it: %v", err)
			}
		})

		t.Run("a disabled user cannot sign in or refresh until enabled again", func(t *testing.T) {
			t.Parallel()
			const name, password = "disabled.user@example.com", "Disabled#Pass1"
			newUser(t, poolID, name, password)
			out, err := adminSignIn(clientID, name, password, nil)
			if err != nil {
				t.Fatalf("sign-in before disabling: %v", err)
			}
			if _, err := admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
			got, err := admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
			if err != nil || got.Enabled {
				t.Fatalf("AdminGetUser after AdminDisableUser: enabled %v, %v", got != nil && got.Enabled, err)
			}
			var na *types.NotAuthorizedException
			_, err = adminSignIn(clientID, name, password, nil)
			wantAPIError(t, err, &na, "User is disabled.")
			_, err = admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
				UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)},
			})
			// AdminDisableUser also revokes the user's tokens, so either
			// reason may be given.
			wantAPIError(t, err, &na, "")
			if _, err := admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
			if _, err := adminSignIn(clientID, name, password, nil); err != nil {
				t.Errorf("sign-in after AdminEnableUser: %v", err)
			}
		})

		t.Run("RevokeToken makes the refresh token unusable", func(t *testing.T) {
			t.Parallel()
			out, err := adminSignIn(clientID, email, newPassword, nil)
			if err != nil {
				t.Fatal(err)
			}
			refresh := out.AuthenticationResult.RefreshToken
			if _, err := public.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: refresh}); err != nil {
				t.Fatal(err)
			}
			_, err = public.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(refresh)},
			})
			var na *types.NotAuthorizedException
			wantAPIError(t, err, &na, "")
		})

		t.Run("ListUsers with an email filter answers exactly that user", func(t *testing.T) {
			t.Parallel()
			newUser(t, poolID, "other.user@example.com", "")
			out, err := admin.ListUsers(ctx, &cip.ListUsersInput{
				UserPoolId: aws.String(poolID), Filter: aws.String(fmt.Sprintf("email = %q", email)),
				AttributesToGet: []string{"email"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Users) != 1 || aws.ToString(out.Users[0].Username) != username {
				t.Fatalf("ListUsers answered %d users: %+v", len(out.Users), out.Users)
			}
			if a := out.Users[0].Attributes; len(a) != 1 || aws.ToString(a[0].Name) != "email" || aws.ToString(a[0].Value) != email {
				t.Errorf("AttributesToGet [email]: attributes %+v", a)
			}
		})

		t.Run("ListUsers filters match as the API reference describes", func(t *testing.T) {
			t.Parallel()
			pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("filters")})
			if err != nil {
				t.Fatal(err)
			}
			pid := pool.UserPool.Id
			subs := map[string]string{}
			for _, name := range []string{"alice", "bob", "carol"} {
				u, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
					UserPoolId: pid, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}},
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range u.User.Attributes {
					if aws.ToString(a.Name) == "sub" {
						subs[name] = aws.ToString(a.Value)
					}
				}
			}
			if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: pid, Username: aws.String("alice"), Password: aws.String("Alice#Pass1"), Permanent: true,
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pid, Username: aws.String("carol")}); err != nil {
				t.Fatal(err)
			}
			// alice: CONFIRMED; bob and carol: FORCE_CHANGE_PASSWORD; carol disabled.
			for _, c := range []struct{ filter, want string }{
				{``, "alice bob carol"},
				{`email = "alice@example.com"`, "alice"},
				{`email ^= "b"`, "bob"},
				{`username = "carol"`, "carol"},
				{`sub = "` + subs["bob"] + `"`, "bob"},
				{`cognito:user_status = "CONFIRMED"`, "alice"},
				{`status = "Disabled"`, "carol"},
				{`status = "Enabled"`, "alice bob"},
				// "cognito:user_status (called Status in the Console)
				// (case-insensitive)": ListUsers API reference.
				{`cognito:user_status = "force_change_password"`, "bob carol"},
			} {
				out, err := admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pid, Filter: aws.String(c.filter)})
				if err != nil {
					t.Errorf("Filter %s: %v", c.filter, err)
					continue
				}
				var got []string
				for _, u := range out.Users {
					got = append(got, aws.ToString(u.Username))
				}
				slices.Sort(got)
				if strings.Join(got, " ") != c.want {
					t.Errorf("Filter %s: users %v, want %s", c.filter, got, c.want)
				}
			}
			_, err = admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pid, Filter: aws.String(`custom:tier = "gold"`)})
			var ip *types.InvalidParameterException
			wantAPIError(t, err, &ip, "")
		})

		t.Run("ListUsers pages with Limit 2 over 5 users", func(t *testing.T) {
			t.Parallel()
			pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("paging")})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for i := 1; i <= 5; i++ {
				name := fmt.Sprintf("user-%d", i)
				if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
					UserPoolId: pool.UserPool.Id, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				}); err != nil {
					t.Fatal(err)
				}
				want[name] = true
			}
			seen := map[string]bool{}
			var sizes []int
			var token *string
			for page := 0; ; page++ {
				if page > 5 {
					t.Fatalf("more than 5 pages of 2 over 5 users: sizes %v", sizes)
				}
				out, err := admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool.UserPool.Id, Limit: aws.Int32(2), PaginationToken: token})
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(out.Users))
				for _, u := range out.Users {
					name := aws.ToString(u.Username)
					if seen[name] {
						t.Errorf("user %s on two pages", name)
					}
					seen[name] = true
				}
				if token = out.PaginationToken; token == nil {
					break
				}
			}
			if fmt.Sprint(sizes) != "[2 2 1]" || len(seen) != 5 {
				t.Errorf("page sizes %v, users %v; want [2 2 1] over %v", sizes, seen, want)
			}
			for name := range want {
				if !seen[name] {
					t.Errorf("user %s on no page", name)
				}
			}
		})

		t.Run("sts GetCallerIdentity is the account root", func(t *testing.T) {
			t.Parallel()
			out, err := sts.NewFromConfig(sdkConfig(srv, true)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Account) != account || aws.ToString(out.Arn) != "arn:aws:iam::"+account+":root" {
				t.Errorf("GetCallerIdentity %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
			}
		})
	})
}
