package userpool

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/json"
	"errors"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// Software tokens are RFC 6238 TOTP: HMAC-SHA1, six digits, 30-second
// steps, and a code of the step before or after the current one is
// accepted too (clock drift), as Cognito does.
const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPSecret returns a 160-bit secret in base32 without padding: the 32
// characters of Cognito's SecretCode.
func newTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// totpStep returns the time step that code matches at now (within one step
// either way) and that comes after the step last accepted, so that a code
// is accepted once only. Every candidate is compared, in constant time.
func totpStep(secret, code string, now time.Time, last int64) (int64, bool) {
	cur := now.Unix() / totpPeriod
	var found int64
	ok := false
	for st := cur - 1; st <= cur+1; st++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && st > last && !ok {
			found, ok = st, true
		}
	}
	return found, ok
}

// mfaSessionData is the Data of an MFA challenge session.
type mfaSessionData struct {
	// Salt and CodeHash: the SMS or email code sent, hashed.
	Salt     []byte `json:"salt,omitempty"`
	CodeHash []byte `json:"codeHash,omitempty"`
	// Attempts counts wrong answers (see maxMFAAttempts).
	Attempts int `json:"attempts,omitempty"`
	// Verified: a software token was verified with this MFA_SETUP session.
	Verified bool `json:"verified,omitempty"`
	// Choices are the factors a SELECT_MFA_TYPE answer may name.
	Choices []string `json:"choices,omitempty"`
	// DeviceKey is the known device the sign-in came from, for the
	// access token's device_key.
	DeviceKey string `json:"deviceKey,omitempty"`
}

// tokenCaller is whom AssociateSoftwareToken or VerifySoftwareToken acts
// for: the user of an access token, or the user of an MFA_SETUP session.
type tokenCaller struct {
	pool    *pool
	user    store.User
	session *store.AuthSession
}

func (s *Service) softwareTokenCaller(ctx context.Context, accessToken, session *string) (*tokenCaller, error) {
	hasToken, hasSession := awsapi.ToString(accessToken) != "", awsapi.ToString(session) != ""
	if hasToken == hasSession {
		return nil, cip.NewInvalidParameterException("Exactly one of AccessToken and Session must be given.")
	}
	if hasToken {
		p, u, err := s.accessTokenUser(ctx, *accessToken)
		if err != nil {
			return nil, err
		}
		return &tokenCaller{pool: p, user: u}, nil
	}
	expired := cip.NewNotAuthorizedException("Invalid session for the user, session is expired.")
	sess, err := s.Store.GetAuthSession(ctx, hashToken(*session))
	if errors.Is(err, store.ErrNotFound) {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, expired
	}
	if sess.Challenge != "MFA_SETUP" {
		return nil, cip.NewNotAuthorizedException("Invalid session for the user.")
	}
	p, err := s.loadPool(ctx, sess.PoolID)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.GetUser(ctx, p.rec.ID, p.userKey(sess.Username))
	if errors.Is(err, store.ErrNotFound) {
		return nil, cip.NewNotAuthorizedException("Invalid session for the user.")
	}
	if err != nil {
		return nil, err
	}
	return &tokenCaller{pool: p, user: u, session: &sess}, nil
}

// renewSession replaces an MFA_SETUP session by a new one with data d and
// the same expiry, and returns the new Session string.
func (s *Service) renewSession(ctx context.Context, old store.AuthSession, d mfaSessionData) (string, error) {
	if err := s.consumeSession(ctx, old.Hash); err != nil {
		return "", err
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	session := newOpaqueToken(96)
	next := old
	next.Hash, next.Data = hashToken(session), raw
	return session, s.Store.CreateAuthSession(ctx, next)
}

// AssociateSoftwareToken hands out a new TOTP secret for the user, who
// proves it with VerifySoftwareToken; until then the old one, if any, stays.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
	tc, err := s.softwareTokenCaller(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	secret, err := newTOTPSecret()
	if err != nil {
		return nil, err
	}
	err = s.updateMFA(ctx, tc.pool, tc.user, func(u *store.User) error {
		m, err := s.userMFAOf(*u)
		if err != nil {
			return err
		}
		m.Pending = secret
		return s.putMFA(u, m)
	})
	if err != nil {
		return nil, err
	}
	out := &cip.AssociateSoftwareTokenOutput{SecretCode: awsapi.String(secret)}
	if tc.session != nil {
		d, err := sessionData(*tc.session)
		if err != nil {
			return nil, err
		}
		next, err := s.renewSession(ctx, *tc.session, mfaSessionData{DeviceKey: d.DeviceKey})
		if err != nil {
			return nil, err
		}
		out.Session = awsapi.String(next)
	}
	return out, nil
}

// VerifySoftwareToken checks a code of the associated secret and makes that
// secret the user's software token. With a Session it returns the Session
// that answers MFA_SETUP.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error) {
	tc, err := s.softwareTokenCaller(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.updateMFA(ctx, tc.pool, tc.user, func(u *store.User) error {
		m, err := s.userMFAOf(*u)
		if err != nil {
			return err
		}
		if m.Pending == "" {
			return cip.NewSoftwareTokenMFANotFoundException("Software Token MFA has not been associated for the user.")
		}
		step, ok := totpStep(m.Pending, *in.UserCode, now, 0)
		if !ok {
			return cip.NewEnableSoftwareTokenMFAException("Code mismatch and fail enable Software Token MFA")
		}
		m.Secret, m.Pending, m.LastStep = m.Pending, "", step
		m.DeviceName = awsapi.ToString(in.FriendlyDeviceName)
		return s.putMFA(u, m)
	})
	if err != nil {
		return nil, err
	}
	out := &cip.VerifySoftwareTokenOutput{Status: awsapi.String("SUCCESS")}
	if tc.session != nil {
		d, err := sessionData(*tc.session)
		if err != nil {
			return nil, err
		}
		next, err := s.renewSession(ctx, *tc.session, mfaSessionData{Verified: true, DeviceKey: d.DeviceKey})
		if err != nil {
			return nil, err
		}
		out.Session = awsapi.String(next)
	}
	return out, nil
}
