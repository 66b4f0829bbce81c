package userpool_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/service/userpool"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/tokens"
)

// srpEnv is a service on a real SQLite store with one pool and one client.
type srpEnv struct {
	ctx                      context.Context
	svc                      *userpool.Service
	poolID, clientID, secret string
}

func newSRPEnv(t *testing.T, pool cip.CreateUserPoolInput, client cip.CreateUserPoolClientInput) *srpEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := userpool.New(st, &tokens.Keys{Store: st}, "us-east-1", "000000000000", "http://localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if pool.PoolName == nil {
		pool.PoolName = awsapi.String("srp")
	}
	p, err := svc.CreateUserPool(ctx, &pool)
	if err != nil {
		t.Fatal(err)
	}
	client.UserPoolId = p.UserPool.Id
	client.ClientName = awsapi.String("app")
	c, err := svc.CreateUserPoolClient(ctx, &client)
	if err != nil {
		t.Fatal(err)
	}
	return &srpEnv{ctx: ctx, svc: svc, poolID: *p.UserPool.Id, clientID: *c.UserPoolClient.ClientId,
		secret: awsapi.ToString(c.UserPoolClient.ClientSecret)}
}

// createUser creates a user with password, permanent unless temporary,
// and returns the real username.
func (e *srpEnv) createUser(t *testing.T, name, password string, temporary bool, attrs ...cip.AttributeType) string {
	t.Helper()
	out, err := e.svc.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{
		UserPoolId: awsapi.String(e.poolID), Username: awsapi.String(name), UserAttributes: attrs,
		TemporaryPassword: awsapi.String(password), MessageAction: awsapi.String("SUPPRESS"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !temporary {
		if _, err := e.svc.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: awsapi.String(e.poolID), Username: awsapi.String(name),
			Password: awsapi.String(password), Permanent: awsapi.Bool(true),
		}); err != nil {
			t.Fatal(err)
		}
	}
	return *out.User.Username
}

func (e *srpEnv) hash(username string) string {
	m := hmac.New(sha256.New, []byte(e.secret))
	m.Write([]byte(username + e.clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// initiate starts USER_SRP_AUTH for username with a fresh client.
func (e *srpEnv) initiate(t *testing.T, username string) (*srp.Client, *cip.InitiateAuthOutput, error) {
	t.Helper()
	c, err := srp.NewClient(srp.PoolName(e.poolID))
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"USERNAME": username, "SRP_A": c.AHex()}
	if e.secret != "" {
		params["SECRET_HASH"] = e.hash(username)
	}
	out, err := e.svc.InitiateAuth(e.ctx, &cip.InitiateAuthInput{
		ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("USER_SRP_AUTH"), AuthParameters: params,
	})
	if err == nil && (awsapi.ToString(out.ChallengeName) != "PASSWORD_VERIFIER" || out.Session == nil) {
		t.Fatalf("InitiateAuth: challenge %q, session %v", awsapi.ToString(out.ChallengeName), out.Session != nil)
	}
	return c, out, err
}

// claim is the PASSWORD_VERIFIER answer of c to the challenge params.
func (e *srpEnv) claim(t *testing.T, c *srp.Client, params map[string]string, password string, now time.Time) map[string]string {
	t.Helper()
	userID := params["USER_ID_FOR_SRP"]
	key, err := c.Key(userID, password, params["SALT"], params["SRP_B"])
	if err != nil {
		t.Fatal(err)
	}
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	if err != nil {
		t.Fatal(err)
	}
	ts := srp.FormatTimestamp(now)
	r := map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, srp.PoolName(e.poolID), userID, block, ts)),
		"TIMESTAMP":                   ts,
	}
	if e.secret != "" {
		r["SECRET_HASH"] = e.hash(userID)
	}
	return r
}

func (e *srpEnv) respond(session *string, responses map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.svc.RespondToAuthChallenge(e.ctx, &cip.RespondToAuthChallengeInput{
		ClientId: awsapi.String(e.clientID), ChallengeName: awsapi.String("PASSWORD_VERIFIER"),
		Session: session, ChallengeResponses: responses,
	})
}

// signIn runs both calls of USER_SRP_AUTH.
func (e *srpEnv) signIn(t *testing.T, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	c, out, err := e.initiate(t, username)
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	return e.respond(out.Session, e.claim(t, c, out.ChallengeParameters, password, time.Now()))
}

func wantErr(t *testing.T, err error, code, message string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok || e.Code != code || (message != "" && e.Message != message) {
		t.Fatalf("error %v, want %s %q", err, code, message)
	}
}

func wantTokens(t *testing.T, r *cip.AuthenticationResultType) {
	t.Helper()
	if r == nil || r.IdToken == nil || r.AccessToken == nil || r.RefreshToken == nil {
		t.Fatalf("AuthenticationResult %+v: want ID, access and refresh tokens", r)
	}
}

const srpPassword = "Corr3ct#Horse"

func TestSRPSignIn(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{})
	e.createUser(t, "alice", srpPassword, false)

	t.Run("the right password gets tokens", func(t *testing.T) {
		c, out, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		p := out.ChallengeParameters
		if p["USER_ID_FOR_SRP"] != "alice" || p["USERNAME"] != "alice" || p["SALT"] == "" || p["SRP_B"] == "" || p["SECRET_BLOCK"] == "" {
			t.Fatalf("ChallengeParameters %v", p)
		}
		res, err := e.respond(out.Session, e.claim(t, c, p, srpPassword, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
	})

	t.Run("a wrong password is refused", func(t *testing.T) {
		_, err := e.signIn(t, "alice", "Wr0ng#Horse")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("a session answers once", func(t *testing.T) {
		c, out, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		responses := e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now())
		if _, err := e.respond(out.Session, responses); err != nil {
			t.Fatal(err)
		}
		_, err = e.respond(out.Session, responses)
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})

	t.Run("a wrong answer uses the session up", func(t *testing.T) {
		c, out, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.respond(out.Session, e.claim(t, c, out.ChallengeParameters, "Wr0ng#Horse", time.Now()))
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = e.respond(out.Session, e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now()))
		wantErr(t, err, "NotAuthorizedException", "")
	})

	t.Run("the secret block finds the session when Session is omitted", func(t *testing.T) {
		c, out, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.respond(nil, e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
	})

	t.Run("the secret block must be the one sent", func(t *testing.T) {
		c1, out1, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		_, out2, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		// Sign the other session's block, with the right key.
		params := map[string]string{}
		for k, v := range out1.ChallengeParameters {
			params[k] = v
		}
		params["SECRET_BLOCK"] = out2.ChallengeParameters["SECRET_BLOCK"]
		_, err = e.respond(out1.Session, e.claim(t, c1, params, srpPassword, time.Now()))
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("a malformed or stale timestamp is refused", func(t *testing.T) {
		c, out, err := e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		r := e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now())
		r["TIMESTAMP"] = time.Now().UTC().Format(time.RFC3339)
		_, err = e.respond(out.Session, r)
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")

		c, out, err = e.initiate(t, "alice")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.respond(out.Session, e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now().Add(-time.Hour)))
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("SRP_A is required", func(t *testing.T) {
		_, err := e.svc.InitiateAuth(e.ctx, &cip.InitiateAuthInput{
			ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("USER_SRP_AUTH"),
			AuthParameters: map[string]string{"USERNAME": "alice"},
		})
		wantErr(t, err, "InvalidParameterException", "Missing required parameter SRP_A")
	})

	t.Run("an unknown user does not exist", func(t *testing.T) {
		_, _, err := e.initiate(t, "nobody")
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
	})

	t.Run("a disabled user is refused", func(t *testing.T) {
		e.createUser(t, "bob", srpPassword, false)
		if _, err := e.svc.AdminDisableUser(e.ctx, &cip.AdminDisableUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("bob")}); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.initiate(t, "bob")
		wantErr(t, err, "NotAuthorizedException", "User is disabled.")
	})

	t.Run("a temporary password leads to NEW_PASSWORD_REQUIRED", func(t *testing.T) {
		e.createUser(t, "carol", "Temp#Pass1", true)
		res, err := e.signIn(t, "carol", "Temp#Pass1")
		if err != nil {
			t.Fatal(err)
		}
		if awsapi.ToString(res.ChallengeName) != "NEW_PASSWORD_REQUIRED" || res.Session == nil || res.AuthenticationResult != nil {
			t.Fatalf("challenge %q, session %v", awsapi.ToString(res.ChallengeName), res.Session != nil)
		}
		out, err := e.svc.RespondToAuthChallenge(e.ctx, &cip.RespondToAuthChallengeInput{
			ClientId: awsapi.String(e.clientID), ChallengeName: awsapi.String("NEW_PASSWORD_REQUIRED"),
			Session: res.Session, ChallengeResponses: map[string]string{"USERNAME": "carol", "NEW_PASSWORD": srpPassword},
		})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, out.AuthenticationResult)
		res, err = e.signIn(t, "carol", srpPassword)
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
	})

	t.Run("the admin API signs in too", func(t *testing.T) {
		c, err := srp.NewClient(srp.PoolName(e.poolID))
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.svc.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: awsapi.String(e.poolID), ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("USER_SRP_AUTH"),
			AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": c.AHex()},
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.AdminRespondToAuthChallenge(e.ctx, &cip.AdminRespondToAuthChallengeInput{
			UserPoolId: awsapi.String(e.poolID), ClientId: awsapi.String(e.clientID), ChallengeName: awsapi.String("PASSWORD_VERIFIER"),
			Session: out.Session, ChallengeResponses: e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now()),
		})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
	})
}

func TestSRPClientMustAllowFlow(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{}, cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})
	e.createUser(t, "alice", srpPassword, false)
	_, _, err := e.initiate(t, "alice")
	wantErr(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
}

func TestSRPPreventUserExistenceErrors(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{UsernameAttributes: []string{"email"}},
		cip.CreateUserPoolClientInput{PreventUserExistenceErrors: awsapi.String("ENABLED")})
	real := e.createUser(t, "dave@example.com", srpPassword, false,
		cip.AttributeType{Name: awsapi.String("email"), Value: awsapi.String("dave@example.com")})

	_, known, err := e.initiate(t, "dave@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if known.ChallengeParameters["USER_ID_FOR_SRP"] != real {
		t.Fatalf("USER_ID_FOR_SRP %q, want %q", known.ChallengeParameters["USER_ID_FOR_SRP"], real)
	}

	c, out, err := e.initiate(t, "nobody@example.com")
	if err != nil {
		t.Fatalf("unknown user: %v, want a simulated challenge", err)
	}
	p := out.ChallengeParameters
	if len(p["USER_ID_FOR_SRP"]) != len(real) || p["USER_ID_FOR_SRP"] == "nobody@example.com" || p["SALT"] == "" || p["SRP_B"] == "" {
		t.Fatalf("simulated ChallengeParameters %v", p)
	}
	_, again, err := e.initiate(t, "nobody@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if again.ChallengeParameters["SALT"] != p["SALT"] || again.ChallengeParameters["USER_ID_FOR_SRP"] != p["USER_ID_FOR_SRP"] {
		t.Errorf("a simulated user's SALT and USER_ID_FOR_SRP change between attempts")
	}
	_, err = e.respond(out.Session, e.claim(t, c, p, srpPassword, time.Now()))
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")

	res, err := e.signIn(t, "dave@example.com", srpPassword)
	if err != nil {
		t.Fatal(err)
	}
	wantTokens(t, res.AuthenticationResult)
}

func TestSRPSecretHash(t *testing.T) {
	e := newSRPEnv(t, cip.CreateUserPoolInput{UsernameAttributes: []string{"email"}},
		cip.CreateUserPoolClientInput{GenerateSecret: awsapi.Bool(true)})
	if e.secret == "" {
		t.Fatal("client has no secret")
	}
	real := e.createUser(t, "erin@example.com", srpPassword, false,
		cip.AttributeType{Name: awsapi.String("email"), Value: awsapi.String("erin@example.com")})

	// InitiateAuth hashes the email given, the answer USER_ID_FOR_SRP.
	c, out, err := e.initiate(t, "erin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeParameters["USER_ID_FOR_SRP"] != real {
		t.Fatalf("USER_ID_FOR_SRP %q, want %q", out.ChallengeParameters["USER_ID_FOR_SRP"], real)
	}
	res, err := e.respond(out.Session, e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	wantTokens(t, res.AuthenticationResult)

	// A wrong or missing SECRET_HASH is refused at both steps.
	_, err = e.svc.InitiateAuth(e.ctx, &cip.InitiateAuthInput{
		ClientId: awsapi.String(e.clientID), AuthFlow: awsapi.String("USER_SRP_AUTH"),
		AuthParameters: map[string]string{"USERNAME": "erin@example.com", "SRP_A": c.AHex(), "SECRET_HASH": e.hash("someone else")},
	})
	wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.clientID)
	c, out, err = e.initiate(t, "erin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	r := e.claim(t, c, out.ChallengeParameters, srpPassword, time.Now())
	delete(r, "SECRET_HASH")
	_, err = e.respond(out.Session, r)
	wantErr(t, err, "NotAuthorizedException", "Client "+e.clientID+" is configured with secret but SECRET_HASH was not received")
}
