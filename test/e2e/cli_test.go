package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// awsCLI runs the preinstalled `aws` command against one server.
type awsCLI struct {
	path string
	srv  *server
	// env overrides clientEnv (the last value of a key wins), e.g. other
	// credentials.
	env []string
}

// needAWSCLI returns the path of `aws`, or skips the test when it is not
// installed.
func needAWSCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed")
	}
	return path
}

// cliResult is one finished `aws` invocation.
type cliResult struct {
	args   []string
	exit   int
	stdout []byte
	stderr string
}

// run invokes `aws --endpoint-url <server> --output json args...`, bounded by
// callTimeout.
func (c *awsCLI) run(t *testing.T, ctx context.Context, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	full := append([]string{"--endpoint-url", c.srv.URL, "--output", "json",
		"--cli-connect-timeout", "5", "--cli-read-timeout", "15"}, args...)
	cmd := exec.CommandContext(ctx, c.path, full...)
	cmd.Env = append(clientEnv(), c.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{args: args, stdout: stdout.Bytes(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		t.Fatalf("aws %s: no answer within %v (%v); stderr:\n%s", strings.Join(args, " "), callTimeout, err, res.stderr)
	case errors.As(err, &exitErr):
		res.exit = exitErr.ExitCode()
	default:
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// json runs the command, requires success and decodes its output into each
// of vs (typed views and raw maps of the same document).
func (c *awsCLI) json(t *testing.T, ctx context.Context, args []string, vs ...any) {
	t.Helper()
	res := c.run(t, ctx, args...)
	if res.exit != 0 {
		t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), res.exit, res.stderr)
	}
	for _, v := range vs {
		if err := json.Unmarshal(res.stdout, v); err != nil {
			t.Fatalf("aws %s: %v in output\n%s", strings.Join(args, " "), err, res.stdout)
		}
	}
}

// fail runs the command and requires the AWS CLI's service-error exit code
// (255 in v1, 254 in v2) and the error code and message on stderr, as
// "An error occurred (<code>) when calling the <Op> operation: <message>".
func (c *awsCLI) fail(t *testing.T, ctx context.Context, code, message string, args ...string) {
	t.Helper()
	res := c.run(t, ctx, args...)
	if res.exit != 254 && res.exit != 255 {
		t.Fatalf("aws %s: exit %d, want 254 or 255; stdout %s stderr %s", strings.Join(args, " "), res.exit, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "("+code+")") || !strings.Contains(res.stderr, ": "+message) {
		t.Fatalf("aws %s: stderr %q, want error (%s) with message %q", strings.Join(args, " "), res.stderr, code, message)
	}
}

// cliAuth is the output of (admin-)initiate-auth and
// (admin-)respond-to-auth-challenge.
type cliAuth struct {
	ChallengeName        string
	Session              string
	ChallengeParameters  map[string]string
	AuthenticationResult *struct {
		AccessToken  string
		IdToken      string
		RefreshToken string
		TokenType    string
		ExpiresIn    int
	}
}

var (
	poolIDRE   = regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`)
	clientIDRE = regexp.MustCompile(`^[a-z0-9]{26}$`)
)

// TestSeedFlowWithAWSCLI replays the seed documents with the real AWS CLI:
// an email-username pool, an admin-created user with a temporary password,
// admin-initiate-auth → NEW_PASSWORD_REQUIRED → admin-respond-to-auth-challenge
// (seed 004), ADMIN_NO_SRP_AUTH (seed 000), refresh, get-user, global sign-out
// and a restart on the same data.
func TestSeedFlowWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	cli := &awsCLI{path: awsPath, srv: srv}

	const (
		email        = "seed.user@example.com"
		tempPassword = "Temp#Pass1"
		newPassword  = "New#Passw0rd"
	)
	var (
		poolID, clientID, legacyClientID string
		username                         string // the UUID Cognito gives an email-username user
		session                          string
		signIn                           cliAuth // the answer to the challenge
		signInRaw                        map[string]json.RawMessage
		keys                             jwks
		idTok                            jwt
	)

	mustStep(t, "create-user-pool answers a pool id, ARN, default password policy and schema", func(t *testing.T) {
		var out struct {
			UserPool struct {
				Id, Name, Arn      string
				UsernameAttributes []string
				Policies           struct {
					PasswordPolicy struct {
						MinimumLength                 int
						RequireUppercase              bool
						RequireLowercase              bool
						RequireNumbers                bool
						RequireSymbols                bool
						TemporaryPasswordValidityDays int
					}
				}
				SchemaAttributes []struct {
					Name, AttributeDataType string
					Mutable, Required       bool
				}
			}
		}
		cli.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "seed", "--username-attributes", "email"}, &out)
		p := out.UserPool
		poolID = p.Id
		if !poolIDRE.MatchString(p.Id) {
			t.Fatalf("UserPool.Id %q does not match %s", p.Id, poolIDRE)
		}
		if want := "arn:aws:cognito-idp:us-east-1:" + account + ":userpool/" + p.Id; p.Arn != want {
			t.Errorf("Arn %q, want %q", p.Arn, want)
		}
		if p.Name != "seed" || len(p.UsernameAttributes) != 1 || p.UsernameAttributes[0] != "email" {
			t.Errorf("Name %q, UsernameAttributes %v", p.Name, p.UsernameAttributes)
		}
		pp := p.Policies.PasswordPolicy
		if pp.MinimumLength != 8 || !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers || !pp.RequireSymbols || pp.TemporaryPasswordValidityDays != 7 {
			t.Errorf("PasswordPolicy %+v, want Cognito's default (8, all classes, 7 days)", pp)
		}
		schema := map[string]string{}
		for _, a := range p.SchemaAttributes {
			schema[a.Name] = a.AttributeDataType
			if a.Name == "sub" && (a.Mutable || !a.Required) {
				t.Errorf("sub schema attribute %+v, want immutable and required", a)
			}
		}
		for name, typ := range map[string]string{"sub": "String", "email": "String", "email_verified": "Boolean", "phone_number": "String", "updated_at": "Number"} {
			if schema[name] != typ {
				t.Errorf("SchemaAttributes %s has type %q, want %q", name, schema[name], typ)
			}
		}
	})

	mustStep(t, "create-user-pool-client answers a 26-character client id", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			flows []string
			id    *string
		}{
			{"seed-004", []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &clientID},
			{"seed-000", []string{"ADMIN_NO_SRP_AUTH"}, &legacyClientID}, // the legacy flow name
		} {
			var out struct {
				UserPoolClient struct {
					ClientId, ClientName, UserPoolId string
					ExplicitAuthFlows                []string
					ClientSecret                     *string
				}
			}
			args := append([]string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", c.name, "--explicit-auth-flows"}, c.flows...)
			cli.json(t, ctx, args, &out)
			uc := out.UserPoolClient
			*c.id = uc.ClientId
			if !clientIDRE.MatchString(uc.ClientId) {
				t.Fatalf("ClientId %q does not match %s", uc.ClientId, clientIDRE)
			}
			if uc.UserPoolId != poolID || uc.ClientName != c.name || strings.Join(uc.ExplicitAuthFlows, " ") != strings.Join(c.flows, " ") || uc.ClientSecret != nil {
				t.Errorf("UserPoolClient %+v", uc)
			}
		}
	})

	mustStep(t, "admin-create-user gives an email user a UUID username in FORCE_CHANGE_PASSWORD", func(t *testing.T) {
		var out struct {
			User struct {
				Username   string
				Attributes []struct{ Name, Value string }
				Enabled    bool
				UserStatus string
			}
		}
		cli.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", email,
			"--temporary-password", tempPassword, "--message-action", "SUPPRESS",
			"--user-attributes", "Name=email,Value=" + email, "Name=email_verified,Value=true"}, &out)
		u := out.User
		username = u.Username
		attrs := map[string]string{}
		for _, a := range u.Attributes {
			attrs[a.Name] = a.Value
		}
		if !uuidRE.MatchString(u.Username) || attrs["sub"] != u.Username {
			t.Fatalf("Username %q, sub %q: want the same UUID", u.Username, attrs["sub"])
		}
		if attrs["email"] != email || attrs["email_verified"] != "true" {
			t.Errorf("Attributes %v", attrs)
		}
		if u.UserStatus != "FORCE_CHANGE_PASSWORD" || !u.Enabled {
			t.Errorf("UserStatus %q, Enabled %v; want FORCE_CHANGE_PASSWORD, true", u.UserStatus, u.Enabled)
		}
	})

	mustStep(t, "admin-initiate-auth with the temporary password answers NEW_PASSWORD_REQUIRED as in the seed", func(t *testing.T) {
		var out cliAuth
		var raw map[string]json.RawMessage
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=" + email + ",PASSWORD=" + tempPassword}, &out, &raw)
		if out.ChallengeName != "NEW_PASSWORD_REQUIRED" || out.Session == "" || out.AuthenticationResult != nil {
			t.Fatalf("answer %s", mustJSON(raw))
		}
		session = out.Session
		cp := out.ChallengeParameters
		if len(cp) != 3 || cp["USER_ID_FOR_SRP"] != username || cp["requiredAttributes"] != "[]" {
			t.Errorf("ChallengeParameters %v, want USER_ID_FOR_SRP=%s, requiredAttributes=[], userAttributes", cp, username)
		}
		var ua map[string]string
		if err := json.Unmarshal([]byte(cp["userAttributes"]), &ua); err != nil {
			t.Fatalf("userAttributes %q is not a JSON object of strings: %v", cp["userAttributes"], err)
		}
		if len(ua) != 2 || ua["email"] != email || ua["email_verified"] != "true" {
			t.Errorf(`userAttributes %v, want {"email_verified":"true","email":%q}`, ua, email)
		}
	})

	mustStep(t, "admin-respond-to-auth-challenge sets the new password and answers tokens", func(t *testing.T) {
		cli.json(t, ctx, []string{"cognito-idp", "admin-respond-to-auth-challenge", "--user-pool-id", poolID, "--client-id", clientID,
			"--challenge-name", "NEW_PASSWORD_REQUIRED", "--challenge-responses", "NEW_PASSWORD=" + newPassword + ",USERNAME=" + email,
			"--session", session}, &signIn, &signInRaw)
		if _, ok := signInRaw["ChallengeName"]; ok {
			t.Errorf("answer has a ChallengeName: %s", mustJSON(signInRaw))
		}
		r := signIn.AuthenticationResult
		if r == nil || r.AccessToken == "" || r.IdToken == "" || r.RefreshToken == "" {
			t.Fatalf("AuthenticationResult missing tokens: %s", mustJSON(signInRaw))
		}
		if r.ExpiresIn != 3600 || r.TokenType != "Bearer" {
			t.Errorf("ExpiresIn %d, TokenType %q; want 3600, Bearer", r.ExpiresIn, r.TokenType)
		}
	})

	issuer := srv.URL + "/" + poolID
	expect := tokenExpect{issuer: issuer, clientID: clientID, username: username, email: email}

	mustStep(t, "the tokens verify against the pool's JWKS and carry Cognito's claims", func(t *testing.T) {
		keys = fetchJWKS(t, ctx, srv.URL, poolID)
		idTok, _ = checkTokens(t, signIn.AuthenticationResult.IdToken, signIn.AuthenticationResult.AccessToken, keys, expect)
	})

	t.Run("signed in", func(t *testing.T) {
		t.Run("admin-respond-to-auth-challenge answers an empty ChallengeParameters as in seed 004", func(t *testing.T) {
			t.Parallel()
			if got := string(signInRaw["ChallengeParameters"]); got != "{}" {
				t.Errorf("ChallengeParameters %q, want {} (seed 004 shows \"ChallengeParameters\": {} next to AuthenticationResult)", got)
			}
		})

		t.Run("OIDC discovery names the token issuer and the JWKS", func(t *testing.T) {
			t.Parallel()
			var disc struct {
				Issuer  string `json:"issuer"`
				JWKSURI string `json:"jwks_uri"`
			}
			getJSON(t, ctx, issuer+"/.well-known/openid-configuration", &disc)
			if disc.Issuer != issuer || disc.JWKSURI != issuer+"/.well-known/jwks.json" {
				t.Errorf("discovery issuer %q, jwks_uri %q; want %q and its /.well-known/jwks.json", disc.Issuer, disc.JWKSURI, issuer)
			}
			var again jwks
			getJSON(t, ctx, disc.JWKSURI, &again)
			if strings.Join(again.kids(), ",") != strings.Join(keys.kids(), ",") {
				t.Errorf("jwks_uri serves kids %v, the JWKS %v", again.kids(), keys.kids())
			}
		})

		t.Run("ADMIN_NO_SRP_AUTH signs in with the new password (seed 000)", func(t *testing.T) {
			t.Parallel()
			var out cliAuth
			var raw map[string]json.RawMessage
			cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", legacyClientID,
				"--auth-flow", "ADMIN_NO_SRP_AUTH", "--auth-parameters", "USERNAME=" + email + ",PASSWORD=" + newPassword}, &out, &raw)
			r := out.AuthenticationResult
			if out.ChallengeName != "" || r == nil || r.RefreshToken == "" || r.ExpiresIn != 3600 || r.TokenType != "Bearer" {
				t.Fatalf("answer %s", mustJSON(raw))
			}
			if got := string(raw["ChallengeParameters"]); got != "{}" {
				t.Errorf("ChallengeParameters %q, want {} as AWS answers a sign-in without challenge", got)
			}
			e := expect
			e.clientID = legacyClientID
			checkTokens(t, r.IdToken, r.AccessToken, keys, e)
		})

		for _, c := range []struct {
			name, client, flow, user, password string
			code, message                      string
		}{
			{"a wrong password is NotAuthorizedException", legacyClientID, "ADMIN_NO_SRP_AUTH", email, "Wrong#Passw0rd",
				"NotAuthorizedException", "Incorrect username or password."},
			{"the temporary password no longer works", clientID, "ADMIN_USER_PASSWORD_AUTH", email, tempPassword,
				"NotAuthorizedException", "Incorrect username or password."},
			{"an unknown user is UserNotFoundException", legacyClientID, "ADMIN_NO_SRP_AUTH", "nobody@example.com", newPassword,
				"UserNotFoundException", "User does not exist."},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				cli.fail(t, ctx, c.code, c.message, "cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", c.client,
					"--auth-flow", c.flow, "--auth-parameters", "USERNAME="+c.user+",PASSWORD="+c.password)
			})
		}

		t.Run("refresh keeps the original auth_time", func(t *testing.T) {
			t.Parallel()
			// Refresh at least a second after the sign-in, so that an
			// auth_time taken from the clock would differ.
			authTime := idTok.intClaim(t, "auth_time")
			time.Sleep(time.Until(time.Unix(authTime+1, 0).Add(50 * time.Millisecond)))
			var out cliAuth
			var raw struct{ AuthenticationResult map[string]json.RawMessage }
			cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
				"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + signIn.AuthenticationResult.RefreshToken}, &out, &raw)
			r := out.AuthenticationResult
			if r == nil || r.IdToken == "" || r.AccessToken == "" {
				t.Fatalf("answer %+v", out)
			}
			if _, ok := raw.AuthenticationResult["RefreshToken"]; ok {
				t.Errorf("a refresh answered a RefreshToken; Cognito answers none without rotation")
			}
			if r.ExpiresIn != 3600 || r.TokenType != "Bearer" {
				t.Errorf("ExpiresIn %d, TokenType %q", r.ExpiresIn, r.TokenType)
			}
			if r.IdToken == signIn.AuthenticationResult.IdToken || r.AccessToken == signIn.AuthenticationResult.AccessToken {
				t.Errorf("the refresh answered the sign-in's tokens again")
			}
			id, _ := checkTokens(t, r.IdToken, r.AccessToken, keys, expect)
			if got := id.intClaim(t, "auth_time"); got != authTime {
				t.Errorf("refreshed auth_time %d, want the sign-in's %d", got, authTime)
			}
			if id.intClaim(t, "iat") <= authTime {
				t.Errorf("refreshed iat %d not after auth_time %d", id.intClaim(t, "iat"), authTime)
			}
			if id.Claims["origin_jti"] != idTok.Claims["origin_jti"] {
				t.Errorf("refreshed origin_jti %v, want the sign-in's %v", id.Claims["origin_jti"], idTok.Claims["origin_jti"])
			}
		})

		t.Run("get-user answers the username and attributes", func(t *testing.T) {
			t.Parallel()
			var out struct {
				Username       string
				UserAttributes []struct{ Name, Value string }
			}
			cli.json(t, ctx, []string{"cognito-idp", "get-user", "--access-token", signIn.AuthenticationResult.AccessToken}, &out)
			attrs := map[string]string{}
			for _, a := range out.UserAttributes {
				attrs[a.Name] = a.Value
			}
			if out.Username != username || attrs["sub"] != username || attrs["email"] != email || attrs["email_verified"] != "true" {
				t.Errorf("get-user %+v", out)
			}
		})

		t.Run("list-users pages through every user with --page-size and --max-items", func(t *testing.T) {
			t.Parallel()
			// Set up with the SDK (fast); page with the CLI's paginator.
			admin := cip.NewFromConfig(sdkConfig(srv, true))
			pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("cli-paging")})
			if err != nil {
				t.Fatal(err)
			}
			pid := aws.ToString(pool.UserPool.Id)
			for i := 1; i <= 5; i++ {
				if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pid),
					Username: aws.String(fmt.Sprintf("user-%d", i)), MessageAction: types.MessageActionTypeSuppress}); err != nil {
					t.Fatal(err)
				}
			}
			type page struct {
				Users     []struct{ Username string }
				NextToken string
			}
			names := func(p page) (out []string) {
				for _, u := range p.Users {
					out = append(out, u.Username)
				}
				return out
			}
			var all, first, rest page
			cli.json(t, ctx, []string{"cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "2"}, &all)
			if got := names(all); len(got) != 5 || all.NextToken != "" {
				t.Errorf("--page-size 2: users %v, NextToken %q; want all 5", got, all.NextToken)
			}
			cli.json(t, ctx, []string{"cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "2", "--max-items", "3"}, &first)
			if len(first.Users) != 3 || first.NextToken == "" {
				t.Fatalf("--max-items 3: users %v, NextToken %q", names(first), first.NextToken)
			}
			cli.json(t, ctx, []string{"cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "2", "--max-items", "3", "--starting-token", first.NextToken}, &rest)
			got := append(names(first), names(rest)...)
			slices.Sort(got)
			if strings.Join(got, " ") != "user-1 user-2 user-3 user-4 user-5" || rest.NextToken != "" {
				t.Errorf("--max-items 3 then --starting-token: users %v, NextToken %q", got, rest.NextToken)
			}
		})

		t.Run("sts get-caller-identity is the account root", func(t *testing.T) {
			t.Parallel()
			var out struct{ UserId, Account, Arn string }
			cli.json(t, ctx, []string{"sts", "get-caller-identity"}, &out)
			if out.Account != account || out.Arn != "arn:aws:iam::"+account+":root" || out.UserId != account {
				t.Errorf("get-caller-identity %+v", out)
			}
		})
	})

	mustStep(t, "after global-sign-out the refresh and access tokens are refused", func(t *testing.T) {
		res := cli.run(t, ctx, "cognito-idp", "global-sign-out", "--access-token", signIn.AuthenticationResult.AccessToken)
		if res.exit != 0 {
			t.Fatalf("global-sign-out: exit %d\n%s", res.exit, res.stderr)
		}
		t.Run("refresh", func(t *testing.T) {
			t.Parallel()
			cli.fail(t, ctx, "NotAuthorizedException", "Refresh Token has been revoked", "cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
				"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN="+signIn.AuthenticationResult.RefreshToken)
		})
		t.Run("get-user", func(t *testing.T) {
			t.Parallel()
			cli.fail(t, ctx, "NotAuthorizedException", "Access Token has been revoked", "cognito-idp", "get-user", "--access-token", signIn.AuthenticationResult.AccessToken)
		})
	})

	mustStep(t, "a restart on the same data keeps the pool, client, user and signing keys", func(t *testing.T) {
		srv.restart(t)
		var pool struct{ UserPool struct{ Id string } }
		cli.json(t, ctx, []string{"cognito-idp", "describe-user-pool", "--user-pool-id", poolID}, &pool)
		var client struct{ UserPoolClient struct{ ClientId string } }
		cli.json(t, ctx, []string{"cognito-idp", "describe-user-pool-client", "--user-pool-id", poolID, "--client-id", clientID}, &client)
		var user struct {
			Username   string
			UserStatus string
		}
		cli.json(t, ctx, []string{"cognito-idp", "admin-get-user", "--user-pool-id", poolID, "--username", email}, &user)
		if pool.UserPool.Id != poolID || client.UserPoolClient.ClientId != clientID || user.Username != username || user.UserStatus != "CONFIRMED" {
			t.Errorf("after restart: pool %+v, client %+v, user %+v", pool, client, user)
		}

		after := fetchJWKS(t, ctx, srv.URL, poolID)
		if strings.Join(after.kids(), ",") != strings.Join(keys.kids(), ",") {
			t.Errorf("JWKS kids %v after restart, %v before", after.kids(), keys.kids())
		}
		// Tokens issued before the restart still verify.
		checkTokens(t, signIn.AuthenticationResult.IdToken, signIn.AuthenticationResult.AccessToken, after, expect)

		var out cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=" + email + ",PASSWORD=" + newPassword}, &out)
		if out.AuthenticationResult == nil {
			t.Fatalf("sign-in after restart: %+v", out)
		}
		checkTokens(t, out.AuthenticationResult.IdToken, out.AuthenticationResult.AccessToken, after, expect)
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
