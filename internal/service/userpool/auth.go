package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// authRequest is an InitiateAuth or AdminInitiateAuth call after the shared
// phases: client and pool loaded, flow allowed for the client.
type authRequest struct {
	admin  bool
	pool   *pool
	client *client
	flow   string
	params map[string]string
}

// authResult is either a challenge or tokens.
type authResult struct {
	challenge string
	session   string
	params    map[string]string
	tokens    *cip.AuthenticationResultType
}

// initFlow runs one AuthFlow.
type initFlow func(ctx context.Context, s *Service, r *authRequest) (*authResult, error)

// initFlows maps each AuthFlow to its implementation and says whether it is
// for the admin API, the public one, or both.
var initFlows = map[string]struct {
	run           initFlow
	admin, public bool
}{
	"ADMIN_USER_PASSWORD_AUTH": {passwordFlow, true, false},
	"ADMIN_NO_SRP_AUTH":        {passwordFlow, true, false},
	"USER_PASSWORD_AUTH":       {passwordFlow, false, true},
	"REFRESH_TOKEN_AUTH":       {refreshFlow, true, true},
	"REFRESH_TOKEN":            {refreshFlow, true, true},
	"USER_SRP_AUTH":            {srpFlow, true, true},
}

// challengeRequest is a (Admin)RespondToAuthChallenge call with its session.
type challengeRequest struct {
	admin     bool
	pool      *pool
	client    *client
	responses map[string]string
	session   store.AuthSession
	user      store.User
}

type challengeHandler func(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error)

var challengeHandlers = map[string]challengeHandler{
	"NEW_PASSWORD_REQUIRED": newPasswordChallenge,
	"PASSWORD_VERIFIER":     passwordVerifierChallenge,
	// MFA (mfa_challenges.go)
	mfaTOTP:                softwareTokenChallenge,
	mfaSMS:                 codeChallenge("SMS_MFA_CODE"),
	mfaEmail:               codeChallenge("EMAIL_OTP_CODE"),
	challengeSelectMFAType: selectMFATypeChallenge,
	challengeMFASetup:      mfaSetupChallenge,
	// device tracking (devices.go)
	"DEVICE_SRP_AUTH":          deviceSRPChallenge,
	"DEVICE_PASSWORD_VERIFIER": devicePasswordVerifierChallenge,
}

// AdminInitiateAuth signs a user in with the admin API.
func (s *Service) AdminInitiateAuth(ctx context.Context, in *cip.AdminInitiateAuthInput) (*cip.AdminInitiateAuthOutput, error) {
	res, err := s.initiate(ctx, true, *in.UserPoolId, *in.ClientId, *in.AuthFlow, in.AuthParameters)
	if err != nil {
		return nil, err
	}
	return &cip.AdminInitiateAuthOutput{ChallengeName: optional(res.challenge), Session: optional(res.session),
		ChallengeParameters: res.params, AuthenticationResult: res.tokens}, nil
}

// InitiateAuth signs a user in with the public API.
func (s *Service) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
	res, err := s.initiate(ctx, false, "", *in.ClientId, *in.AuthFlow, in.AuthParameters)
	if err != nil {
		return nil, err
	}
	return &cip.InitiateAuthOutput{ChallengeName: optional(res.challenge), Session: optional(res.session),
		ChallengeParameters: res.params, AuthenticationResult: res.tokens}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// initiate holds the phases every flow shares, so that no flow can skip one.
func (s *Service) initiate(ctx context.Context, admin bool, poolID, clientID, flow string, params map[string]string) (*authResult, error) {
	p, c, err := s.loadPoolAndClient(ctx, admin, poolID, clientID)
	if err != nil {
		return nil, err
	}
	f, known := initFlows[flow]
	if !known {
		switch flow {
		case "CUSTOM_AUTH", "USER_AUTH":
			return nil, awsapi.NotImplemented("cognito-idp", "InitiateAuth with AuthFlow "+flow)
		}
		return nil, cip.NewInvalidParameterException("Initiate Auth method not supported.")
	}
	if (admin && !f.admin) || (!admin && !f.public) {
		return nil, cip.NewInvalidParameterException("Initiate Auth method not supported.")
	}
	if !c.allowsFlow(flow) {
		// Cognito names the flow for the public API's flows only.
		if admin || flow == "REFRESH_TOKEN" {
			return nil, cip.NewInvalidParameterException("Auth flow not enabled for this client")
		}
		return nil, cip.NewInvalidParameterExceptionf("%s flow not enabled for this client", flow)
	}
	if params == nil {
		params = map[string]string{}
	}
	res, err := f.run(ctx, s, &authRequest{admin: admin, pool: p, client: c, flow: flow, params: params})
	if err != nil {
		return nil, err
	}
	if res.params == nil {
		res.params = map[string]string{}
	}
	return res, nil
}

// loadPoolAndClient loads what a sign-in call names: the admin API names
// the pool and the client (which must belong to it), the public API only the
// client.
func (s *Service) loadPoolAndClient(ctx context.Context, admin bool, poolID, clientID string) (*pool, *client, error) {
	if admin {
		p, err := s.loadPool(ctx, poolID)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.loadClient(ctx, poolID, clientID)
		return p, c, err
	}
	c, err := s.loadClient(ctx, "", clientID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.loadPool(ctx, c.rec.PoolID)
	return p, c, err
}

// secretHash is Base64(HMAC-SHA256(client secret, username + client id))
// (COGNITO-NOTES §3.3).
func secretHash(secret, username, clientID string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return m.Sum(nil)
}

// checkSecretHash verifies SECRET_HASH for a client with a secret against
// any of the names the caller may have used, in constant time per name.
func checkSecretHash(c *client, given string, hasGiven bool, usernames ...string) error {
	if c.secret == "" {
		return nil
	}
	if !hasGiven {
		return cip.NewNotAuthorizedExceptionf("Client %s is configured with secret but SECRET_HASH was not received", c.rec.ID)
	}
	got, err := base64.StdEncoding.DecodeString(given)
	ok := false
	for _, u := range usernames {
		if u != "" && err == nil && hmac.Equal(got, secretHash(c.secret, u, c.rec.ID)) {
			ok = true
		}
	}
	if !ok {
		return cip.NewNotAuthorizedExceptionf("Unable to verify secret hash for client %s", c.rec.ID)
	}
	return nil
}

var errIncorrect = cip.NewNotAuthorizedException("Incorrect username or password.")

// passwordFlow is ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH and
// USER_PASSWORD_AUTH: the password is checked against the stored SRP
// verifier.
func passwordFlow(ctx context.Context, s *Service, r *authRequest) (*authResult, error) {
	username, ok := r.params["USERNAME"]
	if !ok || username == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter USERNAME")
	}
	password, ok := r.params["PASSWORD"]
	if !ok {
		return nil, cip.NewInvalidParameterException("Missing required parameter PASSWORD")
	}
	u, err := s.resolveUser(ctx, r.pool, username)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the time a real check costs, so an unknown user is not
		// told apart by timing.
		if r.client.preventUserExistenceErrors() {
			// Nobody is locked out as a user would be.
			if locked, err := s.unknownLockedOut(ctx, r.pool, username); err != nil {
				return nil, err
			} else if locked {
				return nil, errAttemptsExceeded
			}
			s.fakePasswordCheck(r.pool, username, password)
			if err := s.unknownFailure(ctx, r.pool, username); err != nil {
				return nil, err
			}
			return nil, errIncorrect
		}
		s.fakePasswordCheck(r.pool, username, password)
		if err := checkSecretHash(r.client, r.params["SECRET_HASH"], hasKey(r.params, "SECRET_HASH"), username); err != nil {
			return nil, err
		}
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(r.client, r.params["SECRET_HASH"], hasKey(r.params, "SECRET_HASH"), username, u.Username); err != nil {
		return nil, err
	}
	if err := signInAllowed(u); err != nil {
		return nil, err
	}
	if s.lockedOut(u) {
		return nil, errAttemptsExceeded
	}
	if !s.checkUserPassword(r.pool, u, password) {
		if err := s.recordFailure(ctx, r.pool, u); err != nil {
			return nil, err
		}
		return nil, errIncorrect
	}
	return s.passwordProved(ctx, r, u)
}

// signInAllowed refuses disabled and unconfirmed users, before any password
// check (an unconfirmed user is told so even with a wrong password, as
// Cognito does: COGNITO-NOTES §3.2).
func signInAllowed(u store.User) error {
	if !u.Enabled {
		return cip.NewNotAuthorizedException("User is disabled.")
	}
	if u.Status == "UNCONFIRMED" {
		return cip.NewUserNotConfirmedException("User is not confirmed.")
	}
	return nil
}

// passwordProved is what every password flow (USER_PASSWORD, ADMIN_*,
// SRP) does once the password is proved: a reset or a new password may be
// required; otherwise tokens are issued.
func (s *Service) passwordProved(ctx context.Context, r *authRequest, u store.User) (*authResult, error) {
	now := s.now()
	if err := s.resetLockout(ctx, r.pool, u); err != nil {
		return nil, err
	}
	switch u.Status {
	case "UNCONFIRMED":
		return nil, cip.NewUserNotConfirmedException("User is not confirmed.")
	case "RESET_REQUIRED":
		return nil, cip.NewPasswordResetRequiredException("Password reset required for the user")
	case "FORCE_CHANGE_PASSWORD":
		days := awsapi.ToInt32(r.pool.passwordPolicy().TemporaryPasswordValidityDays)
		if days > 0 && now.After(u.PasswordSetAt.Add(time.Duration(days)*24*time.Hour)) {
			return nil, cip.NewNotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordRequired(ctx, r, u)
	}
	return s.secondFactor(ctx, r.pool, r.client, u, r.params["DEVICE_KEY"])
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// newPasswordRequired opens the NEW_PASSWORD_REQUIRED challenge.
func (s *Service) newPasswordRequired(ctx context.Context, r *authRequest, u store.User) (*authResult, error) {
	session, err := s.openSession(ctx, r.pool, r.client, u, "NEW_PASSWORD_REQUIRED", nil)
	if err != nil {
		return nil, err
	}
	attrs := make(map[string]string, len(u.Attributes))
	for k, v := range u.Attributes {
		if len(k) < 4 || k[:4] != "dev:" {
			attrs[k] = v
		}
	}
	attrJSON, _ := json.Marshal(attrs)
	required := []string{}
	for _, name := range requiredAttributes(r.pool.cfg.SchemaAttributes) {
		if u.Attributes[name] == "" {
			required = append(required, "userAttributes."+name)
		}
	}
	reqJSON, _ := json.Marshal(required)
	return &authResult{
		challenge: "NEW_PASSWORD_REQUIRED",
		session:   session,
		params: map[string]string{
			"USER_ID_FOR_SRP":    u.Username,
			"requiredAttributes": string(reqJSON),
			"userAttributes":     string(attrJSON),
		},
	}, nil
}

// openSession stores a challenge session and returns its Session string,
// valid for the client's AuthSessionValidity minutes.
func (s *Service) openSession(ctx context.Context, p *pool, c *client, u store.User, challenge string, data []byte) (string, error) {
	session := newOpaqueToken(96)
	minutes := awsapi.ToInt32(c.cfg.AuthSessionValidity)
	if minutes == 0 {
		minutes = 3
	}
	err := s.Store.CreateAuthSession(ctx, store.AuthSession{
		Hash: hashToken(session), PoolID: p.rec.ID, ClientID: c.rec.ID, Username: u.Username,
		Challenge: challenge, Data: data, ExpiresAt: s.now().Add(time.Duration(minutes) * time.Minute),
	})
	return session, err
}

// refreshFlow is REFRESH_TOKEN_AUTH: new ID and access tokens from a refresh
// token, with the original auth_time and origin_jti and no new refresh token.
func refreshFlow(ctx context.Context, s *Service, r *authRequest) (*authResult, error) {
	tok, ok := r.params["REFRESH_TOKEN"]
	if !ok || tok == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter REFRESH_TOKEN")
	}
	invalid := cip.NewNotAuthorizedException("Invalid Refresh Token")
	rec, err := s.Store.GetRefreshToken(ctx, hashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if rec.ClientID != r.client.rec.ID || rec.PoolID != r.pool.rec.ID {
		return nil, invalid
	}
	if rec.Revoked {
		return nil, cip.NewNotAuthorizedException("Refresh Token has been revoked")
	}
	now := s.now()
	if !now.Before(rec.ExpiresAt) {
		return nil, cip.NewNotAuthorizedException("Refresh Token has expired")
	}
	u, err := s.Store.GetUser(ctx, r.pool.rec.ID, r.pool.userKey(rec.Username))
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(r.client, r.params["SECRET_HASH"], hasKey(r.params, "SECRET_HASH"), r.params["USERNAME"], u.Username, u.Attributes["email"]); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, cip.NewNotAuthorizedException("User is disabled.")
	}
	ev := authEvent{originJTI: rec.OriginJTI, eventID: rec.OriginJTI, authTime: rec.AuthTime}
	if ev.deviceKey, err = s.refreshDevice(ctx, r.pool, u, r.params["DEVICE_KEY"]); err != nil {
		return nil, err
	}
	tokens, err := s.issue(ctx, r.pool, r.client, u, ev, false)
	if err != nil {
		return nil, err
	}
	return &authResult{tokens: tokens}, nil
}

// AdminRespondToAuthChallenge answers a challenge with the admin API.
func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *cip.AdminRespondToAuthChallengeInput) (*cip.AdminRespondToAuthChallengeOutput, error) {
	res, err := s.respond(ctx, true, *in.UserPoolId, *in.ClientId, *in.ChallengeName, in.Session, in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	return &cip.AdminRespondToAuthChallengeOutput{ChallengeName: optional(res.challenge), Session: optional(res.session),
		ChallengeParameters: res.params, AuthenticationResult: res.tokens}, nil
}

// RespondToAuthChallenge answers a challenge with the public API.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
	res, err := s.respond(ctx, false, "", *in.ClientId, *in.ChallengeName, in.Session, in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	return &cip.RespondToAuthChallengeOutput{ChallengeName: optional(res.challenge), Session: optional(res.session),
		ChallengeParameters: res.params, AuthenticationResult: res.tokens}, nil
}

// respond holds the phases every challenge answer shares: client, session
// (bound to pool, client, user and challenge, unexpired), USERNAME and
// SECRET_HASH.
func (s *Service) respond(ctx context.Context, admin bool, poolID, clientID, challenge string, session *string, responses map[string]string) (*authResult, error) {
	p, c, err := s.loadPoolAndClient(ctx, admin, poolID, clientID)
	if err != nil {
		return nil, err
	}
	handler, ok := challengeHandlers[challenge]
	if !ok {
		return nil, awsapi.NotImplemented("cognito-idp", "RespondToAuthChallenge with ChallengeName "+challenge)
	}
	sessionText := ""
	if session != nil {
		sessionText = *session
	}
	if sessionText == "" && challenge == "PASSWORD_VERIFIER" {
		// The SECRET_BLOCK binds the two calls of USER_SRP_AUTH, so a
		// client that does not pass the Session back is still served.
		sessionText = sessionFromSecretBlock(responses["PASSWORD_CLAIM_SECRET_BLOCK"])
	}
	if sessionText == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter Session")
	}
	expired := cip.NewNotAuthorizedException("Invalid session for the user, session is expired.")
	sess, err := s.Store.GetAuthSession(ctx, hashToken(sessionText))
	if errors.Is(err, store.ErrNotFound) {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, expired
	}
	if sess.PoolID != p.rec.ID || sess.ClientID != c.rec.ID || sess.Challenge != challenge {
		return nil, cip.NewNotAuthorizedException("Invalid session for the user.")
	}
	if responses == nil {
		responses = map[string]string{}
	}
	username := responses["USERNAME"]
	if username == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter USERNAME")
	}
	u, err := s.resolveUser(ctx, p, username)
	if errors.Is(err, store.ErrNotFound) && challenge == "PASSWORD_VERIFIER" {
		// The simulated challenge of an unknown user fails as a wrong
		// password does.
		return nil, s.unknownUserVerifier(ctx, p, c, sess, responses)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Username != sess.Username) {
		return nil, cip.NewNotAuthorizedException("Invalid session for the user.")
	}
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(c, responses["SECRET_HASH"], hasKey(responses, "SECRET_HASH"), username, u.Username); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, cip.NewNotAuthorizedException("User is disabled.")
	}
	res, err := handler(ctx, s, &challengeRequest{admin: admin, pool: p, client: c, responses: responses, session: sess, user: u})
	if err != nil {
		return nil, err
	}
	if res.params == nil {
		res.params = map[string]string{}
	}
	return res, nil
}

// newPasswordChallenge answers NEW_PASSWORD_REQUIRED: NEW_PASSWORD plus any
// `userAttributes.<name>` responses, which must supply the required
// attributes the user lacks.
func newPasswordChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	password, ok := r.responses["NEW_PASSWORD"]
	if !ok || password == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter NEW_PASSWORD")
	}
	var attrs []cip.AttributeType
	for k, v := range r.responses {
		if name, ok := cutPrefix(k, "userAttributes."); ok {
			attrs = append(attrs, cip.AttributeType{Name: awsapi.String(name), Value: awsapi.String(v)})
		}
	}
	if err := checkAttributes(r.pool, attrs); err != nil {
		return nil, err
	}
	for _, a := range attrs {
		sa, _ := schemaAttribute(r.pool.cfg.SchemaAttributes, *a.Name)
		if !awsapi.ToBool(sa.Mutable) && r.user.Attributes[*a.Name] != "" {
			return nil, cip.NewNotAuthorizedExceptionf("Cannot modify the non-mutable attribute %s", *a.Name)
		}
	}
	if err := checkPassword(r.pool.passwordPolicy(), password); err != nil {
		return nil, err
	}
	merged := make(map[string]string, len(r.user.Attributes)+len(attrs))
	for k, v := range r.user.Attributes {
		merged[k] = v
	}
	for _, a := range attrs {
		merged[*a.Name] = awsapi.ToString(a.Value)
	}
	if name := missingRequired(r.pool, merged); name != "" {
		return nil, schemaError("%s: The attribute is required", name)
	}
	now := s.now()
	u, err := s.Store.UpdateUser(ctx, r.pool.rec.ID, r.user.Key, func(u store.User) (store.User, error) {
		if u.Status != "FORCE_CHANGE_PASSWORD" {
			return u, cip.NewNotAuthorizedException("Invalid session for the user.")
		}
		if err := s.setNewPassword(r.pool, &u, password); err != nil {
			return u, err
		}
		u.Attributes = merged
		u.Status = "CONFIRMED"
		u.PasswordSetAt, u.UpdatedAt = now, now
		return u, nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteAuthSession(ctx, r.session.Hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return s.secondFactor(ctx, r.pool, r.client, u, r.responses["DEVICE_KEY"])
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
