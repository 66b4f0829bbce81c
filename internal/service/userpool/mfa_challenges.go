package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
)

// maxMFAAttempts is how many wrong codes one MFA challenge session takes;
// the last one ends the session, and the user signs in again.
const maxMFAAttempts = 3

// Default MFA message templates, used when the pool sets none.
const (
	defaultSMSAuthMessage  = "Your authentication code is {####}. "
	defaultEmailMFAMessage = "Your authentication code is {####}."
	defaultEmailMFASubject = "Your authentication code"
	codePlaceholder        = "{####}"
	challengeMFASetup      = "MFA_SETUP"
	challengeSelectMFAType = "SELECT_MFA_TYPE"
	errInvalidCodeForUser  = "Invalid code received for user"
)

// mfaDecision is what follows a proved password for a user in a pool: no
// second factor (tokens), one challenge, a choice, or setting one up.
type mfaDecision struct {
	challenge string   // "" for tokens
	choices   []string // SELECT_MFA_TYPE: MFAS_CAN_CHOOSE; MFA_SETUP: MFAS_CAN_SETUP
}

// decideMFA picks the second factor as Cognito does. The user's factors are
// those the user turned on that the pool offers. With none, an OPTIONAL pool
// issues tokens and an ON pool sends the code by SMS or email when it offers
// that and the user has the number or address, else asks the user to set a
// factor up. With one, or with a preferred one, that is the challenge;
// with several and none preferred, the user chooses.
func decideMFA(mode string, pm poolMFA, um userMFA, attrs map[string]string) mfaDecision {
	if mode != "ON" && mode != "OPTIONAL" {
		return mfaDecision{}
	}
	var mine []string
	for _, f := range mfaOrder {
		if um.enabled(f) && pm.enabled(f) {
			mine = append(mine, f)
		}
	}
	switch {
	case len(mine) == 1:
		return mfaDecision{challenge: mine[0]}
	case len(mine) > 1:
		if slices.Contains(mine, um.Preferred) {
			return mfaDecision{challenge: um.Preferred}
		}
		return mfaDecision{challenge: challengeSelectMFAType, choices: mine}
	case mode == "OPTIONAL":
		return mfaDecision{}
	case pm.SMS && attrs["phone_number"] != "":
		return mfaDecision{challenge: mfaSMS}
	case pm.Email && attrs["email"] != "":
		return mfaDecision{challenge: mfaEmail}
	}
	var can []string
	for _, f := range mfaOrder {
		if pm.enabled(f) {
			can = append(can, f)
		}
	}
	return mfaDecision{challenge: challengeMFASetup, choices: can}
}

// secondFactor follows every proved first factor (password, SRP, a new
// password): tokens when no MFA applies, else the MFA challenge.
//
// deviceKey is the DEVICE_KEY the client sent: a confirmed device of the
// user is proved by device SRP when no MFA applies, or instead of MFA when
// the device is remembered and the pool says so (see devices.go).
func (s *Service) secondFactor(ctx context.Context, p *pool, c *client, u store.User, deviceKey string) (*authResult, error) {
	dev, known, err := s.presentedDevice(ctx, p, u, deviceKey)
	if err != nil {
		return nil, err
	}
	if !known {
		deviceKey = ""
	}
	if p.mfaMode() == "OFF" {
		if known {
			return s.openDeviceSRP(ctx, p, c, u, dev)
		}
		return s.signedIn(ctx, p, c, u, "")
	}
	pm, err := s.loadPoolMFA(ctx, p)
	if err != nil {
		return nil, err
	}
	um, err := s.userMFAOf(u)
	if err != nil {
		return nil, err
	}
	d := decideMFA(p.mfaMode(), pm, um, u.Attributes)
	if known && (d.challenge == "" || p.skipsMFA(dev)) {
		return s.openDeviceSRP(ctx, p, c, u, dev)
	}
	switch d.challenge {
	case "":
		return s.signedIn(ctx, p, c, u, "")
	case challengeSelectMFAType, challengeMFASetup:
		session, err := s.openMFASession(ctx, p, c, u, d.challenge, mfaSessionData{Choices: d.choices, DeviceKey: deviceKey})
		if err != nil {
			return nil, err
		}
		name := "MFAS_CAN_CHOOSE"
		if d.challenge == challengeMFASetup {
			name = "MFAS_CAN_SETUP"
		}
		list, _ := json.Marshal(d.choices)
		return &authResult{challenge: d.challenge, session: session, params: map[string]string{name: string(list)}}, nil
	}
	return s.openFactorChallenge(ctx, p, c, u, d.challenge, pm, deviceKey)
}

func (s *Service) openMFASession(ctx context.Context, p *pool, c *client, u store.User, challenge string, d mfaSessionData) (string, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return s.openSession(ctx, p, c, u, challenge, raw)
}

// openFactorChallenge opens SOFTWARE_TOKEN_MFA, or sends a code and opens
// SMS_MFA or EMAIL_OTP.
func (s *Service) openFactorChallenge(ctx context.Context, p *pool, c *client, u store.User, factor string, pm poolMFA, deviceKey string) (*authResult, error) {
	if factor == mfaTOTP {
		session, err := s.openMFASession(ctx, p, c, u, factor, mfaSessionData{DeviceKey: deviceKey})
		if err != nil {
			return nil, err
		}
		return &authResult{challenge: factor, session: session, params: map[string]string{}}, nil
	}
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	session, err := s.openMFASession(ctx, p, c, u, factor, mfaSessionData{Salt: salt, CodeHash: codeHash(salt, purposeMFA, code), DeviceKey: deviceKey})
	if err != nil {
		return nil, err
	}
	msg := notify.Message{PoolID: p.rec.ID, Username: u.Username, Kind: notify.KindMFA, Code: code}
	var dest string
	if factor == mfaSMS {
		msg.Medium, msg.To = notify.SMS, u.Attributes["phone_number"]
		msg.Body = fillCode(awsapi.ToString(p.cfg.SmsAuthenticationMessage), defaultSMSAuthMessage, code)
		dest = maskPhone(msg.To)
	} else {
		msg.Medium, msg.To = notify.Email, u.Attributes["email"]
		msg.Body = fillCode(pm.EmailMessage, defaultEmailMFAMessage, code)
		msg.Subject = pm.EmailSubject
		if msg.Subject == "" {
			msg.Subject = defaultEmailMFASubject
		}
		dest = maskEmail(msg.To)
	}
	if s.Notify != nil {
		if err := s.Notify.Send(ctx, msg); err != nil {
			return nil, err
		}
	}
	return &authResult{challenge: factor, session: session, params: map[string]string{
		"CODE_DELIVERY_DELIVERY_MEDIUM": msg.Medium,
		"CODE_DELIVERY_DESTINATION":     dest,
	}}, nil
}

func fillCode(template, fallback, code string) string {
	if template == "" {
		template = fallback
	}
	return strings.ReplaceAll(template, codePlaceholder, code)
}

// maskPhone shows the last four digits, as Cognito's
// CODE_DELIVERY_DESTINATION does: +*******1234.
func maskPhone(phone string) string {
	if len(phone) <= 5 {
		return strings.Repeat("*", len(phone))
	}
	return "+" + strings.Repeat("*", len(phone)-5) + phone[len(phone)-4:]
}

// maskEmail shows the first letter of the local part and of the domain:
// j***@e***.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// wrongCode counts a wrong answer on the session: the session stays for
// another try until maxMFAAttempts, then it is gone.
func (s *Service) wrongCode(ctx context.Context, sess store.AuthSession, d mfaSessionData) error {
	if err := s.consumeSession(ctx, sess.Hash); err != nil {
		return err
	}
	d.Attempts++
	if d.Attempts < maxMFAAttempts {
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		sess.Data = raw
		if err := s.Store.CreateAuthSession(ctx, sess); err != nil {
			return err
		}
	}
	return cip.NewCodeMismatchException(errInvalidCodeForUser)
}

func sessionData(sess store.AuthSession) (mfaSessionData, error) {
	var d mfaSessionData
	if len(sess.Data) == 0 {
		return d, nil
	}
	return d, json.Unmarshal(sess.Data, &d)
}

// softwareTokenChallenge answers SOFTWARE_TOKEN_MFA with
// SOFTWARE_TOKEN_MFA_CODE, a code of the user's verified token not used
// before.
func softwareTokenChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	code, ok := r.responses["SOFTWARE_TOKEN_MFA_CODE"]
	if !ok || code == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
	}
	d, err := sessionData(r.session)
	if err != nil {
		return nil, err
	}
	now := s.now()
	_, err = s.Store.UpdateUser(ctx, r.pool.rec.ID, r.user.Key, func(u store.User) (store.User, error) {
		m, err := s.userMFAOf(u)
		if err != nil {
			return u, err
		}
		if m.Secret == "" {
			return u, cip.NewSoftwareTokenMFANotFoundException("Software Token MFA does not exist for the user.")
		}
		step, ok := totpStep(m.Secret, code, now, m.LastStep)
		if !ok {
			return u, errTOTPMismatch
		}
		m.LastStep = step
		return u, s.putMFA(&u, m)
	})
	if errors.Is(err, errTOTPMismatch) {
		return nil, s.wrongCode(ctx, r.session, d)
	}
	if err != nil {
		return nil, err
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	return s.signedIn(ctx, r.pool, r.client, r.user, d.DeviceKey)
}

var errTOTPMismatch = errors.New("code mismatch")

// codeChallenge answers SMS_MFA (SMS_MFA_CODE) and EMAIL_OTP
// (EMAIL_OTP_CODE) with the code sent, compared by hash in constant time.
func codeChallenge(param string) challengeHandler {
	return func(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
		code, ok := r.responses[param]
		if !ok || code == "" {
			return nil, cip.NewInvalidParameterExceptionf("Missing required parameter %s", param)
		}
		d, err := sessionData(r.session)
		if err != nil {
			return nil, err
		}
		if len(d.CodeHash) == 0 || !hmac.Equal(codeHash(d.Salt, purposeMFA, code), d.CodeHash) {
			return nil, s.wrongCode(ctx, r.session, d)
		}
		if err := s.consumeSession(ctx, r.session.Hash); err != nil {
			return nil, err
		}
		return s.signedIn(ctx, r.pool, r.client, r.user, d.DeviceKey)
	}
}

// selectMFATypeChallenge answers SELECT_MFA_TYPE: ANSWER names one of
// MFAS_CAN_CHOOSE, whose challenge follows.
func selectMFATypeChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	answer, ok := r.responses["ANSWER"]
	if !ok || answer == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter ANSWER")
	}
	d, err := sessionData(r.session)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(d.Choices, answer) {
		return nil, cip.NewInvalidParameterExceptionf("Invalid value for ANSWER: %s", answer)
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	pm, err := s.loadPoolMFA(ctx, r.pool)
	if err != nil {
		return nil, err
	}
	return s.openFactorChallenge(ctx, r.pool, r.client, r.user, answer, pm, d.DeviceKey)
}

// mfaSetupChallenge answers MFA_SETUP once VerifySoftwareToken has verified
// a software token with the session: software token MFA is on for the user
// from now, and the user is signed in.
func mfaSetupChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	d, err := sessionData(r.session)
	if err != nil {
		return nil, err
	}
	if !d.Verified {
		return nil, cip.NewInvalidParameterException("Software token MFA has not been verified for the user: call AssociateSoftwareToken and VerifySoftwareToken with the session first.")
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	now := s.now()
	u, err := s.Store.UpdateUser(ctx, r.pool.rec.ID, r.user.Key, func(u store.User) (store.User, error) {
		m, err := s.userMFAOf(u)
		if err != nil {
			return u, err
		}
		if m.Secret == "" {
			return u, cip.NewSoftwareTokenMFANotFoundException("Software Token MFA does not exist for the user.")
		}
		m.TOTP = true
		u.UpdatedAt = now
		return u, s.putMFA(&u, m)
	})
	if err != nil {
		return nil, err
	}
	return s.signedIn(ctx, r.pool, r.client, u, d.DeviceKey)
}
