package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
)

// timestampSkew is how far the TIMESTAMP of a PASSWORD_VERIFIER answer may
// be from the server's clock, either way.
const timestampSkew = 15 * time.Minute

// verifierData is the Data of a PASSWORD_VERIFIER session.
type verifierData struct {
	Server   []byte `json:"server"`         // srp.ServerSession.MarshalBinary
	A        string `json:"a"`              // SRP_A as the client sent it
	Username string `json:"username"`       // USERNAME as the caller gave it
	Fake     bool   `json:"fake,omitempty"` // a simulated challenge for an unknown user
}

// srpFlow is USER_SRP_AUTH: it answers the PASSWORD_VERIFIER challenge with
// the user's SALT and a fresh SRP_B (COGNITO-NOTES §3.2–3.4). The password
// is proved in passwordVerifierChallenge.
func srpFlow(ctx context.Context, s *Service, r *authRequest) (*authResult, error) {
	username, ok := r.params["USERNAME"]
	if !ok || username == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter USERNAME")
	}
	aHex, ok := r.params["SRP_A"]
	if !ok || aHex == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter SRP_A")
	}
	u, err := s.resolveUser(ctx, r.pool, username)
	if errors.Is(err, store.ErrNotFound) {
		if err := checkSecretHash(r.client, r.params["SECRET_HASH"], hasKey(r.params, "SECRET_HASH"), username); err != nil {
			return nil, err
		}
		if !r.client.preventUserExistenceErrors() {
			return nil, userNotFound()
		}
		// A simulated challenge, so that nothing tells an unknown user
		// apart; its answer fails as a wrong password does.
		userID := s.fakeUserID(r.pool, username)
		ss, saltHex := srp.FakeSession(r.pool.rec.ID, username, s.fakeKey)
		return s.openVerifier(ctx, r, userID, username, aHex, ss, saltHex, true)
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
	saltHex := srp.SaltHex(u.Password.Salt)
	ss, err := srp.NewServerSession(u.Password.Verifier)
	if err != nil {
		// No usable verifier (no password set): no password can match.
		ss, saltHex = srp.FakeSession(r.pool.rec.ID, u.Username, s.fakeKey)
	}
	return s.openVerifier(ctx, r, u.Username, username, aHex, ss, saltHex, false)
}

// openVerifier stores the server half of the exchange and returns the
// PASSWORD_VERIFIER challenge. The SECRET_BLOCK is the Session string
// itself, Base64-encoded: the client signs it and echoes it, and it finds the
// session when a client does not pass the Session back.
func (s *Service) openVerifier(ctx context.Context, r *authRequest, userID, given, aHex string, ss *srp.ServerSession, saltHex string, fake bool) (*authResult, error) {
	server, err := ss.MarshalBinary()
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(verifierData{Server: server, A: aHex, Username: given, Fake: fake})
	if err != nil {
		return nil, err
	}
	session, err := s.openSession(ctx, r.pool, r.client, store.User{Username: userID}, "PASSWORD_VERIFIER", data)
	if err != nil {
		return nil, err
	}
	return &authResult{
		challenge: "PASSWORD_VERIFIER",
		session:   session,
		params: map[string]string{
			"SALT":            saltHex,
			"SRP_B":           ss.BHex(),
			"SECRET_BLOCK":    base64.StdEncoding.EncodeToString([]byte(session)),
			"USER_ID_FOR_SRP": userID,
			"USERNAME":        userID,
		},
	}, nil
}

// sessionFromSecretBlock is the Session string a SECRET_BLOCK encodes, or ""
// when it is not one.
func sessionFromSecretBlock(block string) string {
	b, err := base64.StdEncoding.DecodeString(block)
	if err != nil {
		return ""
	}
	return string(b)
}

// fakeUserID is the USER_ID_FOR_SRP of a simulated challenge: in a pool
// whose users sign in with email or phone the real one is a UUID, so a
// stable UUID is derived from the name rather than echoing it.
func (s *Service) fakeUserID(p *pool, name string) string {
	if len(p.cfg.UsernameAttributes) == 0 {
		return name
	}
	if _, err := uuid.Parse(name); err == nil {
		return name
	}
	m := hmac.New(sha256.New, s.fakeKey)
	m.Write([]byte("ninsho srp user id\x00" + p.rec.ID + "\x00" + p.userKey(name)))
	b := m.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	id, _ := uuid.FromBytes(b)
	return id.String()
}

// verifierResponses returns the PASSWORD_VERIFIER answer's secret block,
// claim signature and timestamp.
func verifierResponses(responses map[string]string) (block, signature, timestamp string, err error) {
	var vals [3]string
	for i, name := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		v, ok := responses[name]
		if !ok || v == "" {
			return "", "", "", cip.NewInvalidParameterException("Missing required parameter " + name)
		}
		vals[i] = v
	}
	return vals[0], vals[1], vals[2], nil
}

// consumeSession deletes a session before its answer is judged, so that it
// answers once, right or wrong.
func (s *Service) consumeSession(ctx context.Context, hash []byte) error {
	err := s.Store.DeleteAuthSession(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return cip.NewNotAuthorizedException("Invalid session for the user, session is expired.")
	}
	return err
}

// passwordVerifierChallenge answers PASSWORD_VERIFIER: the claim signature
// proves the client derived the same SRP key, i.e. knows the password.
// Then come the steps of passwordFlow after a right password.
func passwordVerifierChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	block, signature, timestamp, err := verifierResponses(r.responses)
	if err != nil {
		return nil, err
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	secret, err := base64.StdEncoding.DecodeString(block)
	if err != nil || !hmac.Equal(hashToken(string(secret)), r.session.Hash) {
		return nil, errIncorrect
	}
	now := s.now()
	ts, err := srp.ParseTimestamp(timestamp)
	if err != nil || ts.Before(now.Add(-timestampSkew)) || ts.After(now.Add(timestampSkew)) {
		return nil, errIncorrect
	}
	var d verifierData
	var ss srp.ServerSession
	if err := json.Unmarshal(r.session.Data, &d); err != nil {
		return nil, err
	}
	if err := ss.UnmarshalBinary(d.Server); err != nil {
		return nil, err
	}
	if s.lockedOut(r.user) {
		return nil, errAttemptsExceeded
	}
	key, err := ss.Key(d.A)
	if err != nil || d.Fake || !srp.VerifyClaim(key, srp.PoolName(r.pool.rec.ID), r.user.Username, secret, timestamp, signature) {
		if err := s.recordFailure(ctx, r.pool, r.user); err != nil {
			return nil, err
		}
		return nil, errIncorrect
	}
	return s.passwordProved(ctx, &authRequest{admin: r.admin, pool: r.pool, client: r.client, flow: "USER_SRP_AUTH", params: r.responses}, r.user)
}

// unknownUserVerifier answers PASSWORD_VERIFIER for a user that does not
// exist (the simulated challenge of PreventUserExistenceErrors, or a user
// deleted since): it checks what passwordVerifierChallenge checks first,
// spends the key derivation a real answer costs, and fails as a wrong
// password does.
func (s *Service) unknownUserVerifier(ctx context.Context, p *pool, c *client, sess store.AuthSession, responses map[string]string) error {
	var d verifierData
	_ = json.Unmarshal(sess.Data, &d)
	if err := checkSecretHash(c, responses["SECRET_HASH"], hasKey(responses, "SECRET_HASH"), responses["USERNAME"], sess.Username, d.Username); err != nil {
		return err
	}
	if _, _, _, err := verifierResponses(responses); err != nil {
		return err
	}
	if err := s.consumeSession(ctx, sess.Hash); err != nil {
		return err
	}
	if d.Fake {
		// Nobody is locked out as a user would be.
		if locked, err := s.unknownLockedOut(ctx, p, d.Username); err != nil {
			return err
		} else if locked {
			return errAttemptsExceeded
		}
	}
	var ss srp.ServerSession
	if ss.UnmarshalBinary(d.Server) == nil {
		_, _ = ss.Key(d.A)
	}
	if d.Fake {
		if err := s.unknownFailure(ctx, p, d.Username); err != nil {
			return err
		}
	}
	return errIncorrect
}
