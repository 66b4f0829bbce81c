package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// MFA factor names, as Cognito spells them in UserMFASettingList,
// PreferredMfaSetting and the challenge names.
const (
	mfaSMS   = "SMS_MFA"
	mfaTOTP  = "SOFTWARE_TOKEN_MFA"
	mfaEmail = "EMAIL_OTP"
)

// mfaOrder is the order Cognito lists factors in.
var mfaOrder = []string{mfaSMS, mfaTOTP, mfaEmail}

// poolMFAKind is the object kind of a pool's MFA factors (key: pool id).
// MfaConfiguration, SmsAuthenticationMessage and SmsConfiguration live in the
// pool's settings, since Create/UpdateUserPool and DescribeUserPool show
// them; which factors are on, and the email template, have no place there.
const poolMFAKind = "userpool.mfa"

// poolMFA is what SetUserPoolMfaConfig sets beyond the pool's settings.
type poolMFA struct {
	// Set is true once SetUserPoolMfaConfig has run; before that SMS MFA
	// is on when the pool was created with MFA and an SMS configuration.
	Set          bool   `json:"set"`
	SMS          bool   `json:"sms"`
	TOTP         bool   `json:"totp"`
	Email        bool   `json:"email"`
	EmailMessage string `json:"emailMessage,omitempty"`
	EmailSubject string `json:"emailSubject,omitempty"`
}

func (s *Service) loadPoolMFA(ctx context.Context, p *pool) (poolMFA, error) {
	var m poolMFA
	o, err := s.Store.GetObject(ctx, poolMFAKind, p.rec.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return m, err
	default:
		if err := json.Unmarshal(o.Value, &m); err != nil {
			return m, err
		}
	}
	if !m.Set {
		m.SMS = p.cfg.SmsConfiguration != nil && p.mfaMode() != "OFF"
	}
	return m, nil
}

// mfaMode is the pool's MfaConfiguration: OFF, ON or OPTIONAL.
func (p *pool) mfaMode() string {
	if m := awsapi.ToString(p.cfg.MfaConfiguration); m != "" {
		return m
	}
	return "OFF"
}

// enabled reports whether the pool offers factor f.
func (m poolMFA) enabled(f string) bool {
	switch f {
	case mfaSMS:
		return m.SMS
	case mfaTOTP:
		return m.TOTP
	case mfaEmail:
		return m.Email
	}
	return false
}

// checkPoolMfaMode applies CreateUserPool's and UpdateUserPool's rule: MFA
// ON or OPTIONAL needs a factor, and the only factor those calls configure
// is SMS (others come from SetUserPoolMfaConfig, which has already run when
// cur says so).
func checkPoolMfaMode(mode *string, sms *cip.SmsConfigurationType, cur poolMFA) error {
	m := awsapi.ToString(mode)
	if m == "" || m == "OFF" || sms != nil || cur.TOTP || cur.Email {
		return nil
	}
	return cip.NewInvalidParameterException("SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
}

// SetUserPoolMfaConfig sets the pool's MFA mode and factors.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *cip.SetUserPoolMfaConfigInput) (*cip.SetUserPoolMfaConfigOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	mode := p.mfaMode()
	if in.MfaConfiguration != nil {
		mode = *in.MfaConfiguration
	}
	m := poolMFA{
		Set:   true,
		SMS:   in.SmsMfaConfiguration != nil,
		TOTP:  in.SoftwareTokenMfaConfiguration != nil && awsapi.ToBool(in.SoftwareTokenMfaConfiguration.Enabled),
		Email: in.EmailMfaConfiguration != nil,
	}
	if in.EmailMfaConfiguration != nil {
		m.EmailMessage = awsapi.ToString(in.EmailMfaConfiguration.Message)
		m.EmailSubject = awsapi.ToString(in.EmailMfaConfiguration.Subject)
	}
	anyFactor := m.SMS || m.TOTP || m.Email
	if mode == "OFF" && anyFactor {
		return nil, cip.NewInvalidParameterException("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")
	}
	if mode != "OFF" && !anyFactor {
		return nil, cip.NewInvalidParameterException("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
	}
	if m.Email && awsapi.ToString(p.cfg.UserPoolTier) == "LITE" {
		return nil, cip.NewFeatureUnavailableInTierException("Email MFA is not available in the LITE tier.")
	}
	now := s.now()
	_, err = s.Store.UpdateUserPool(ctx, p.rec.ID, func(rec store.UserPool) (store.UserPool, error) {
		var cfg cip.UserPoolType
		if err := json.Unmarshal(rec.Settings, &cfg); err != nil {
			return rec, err
		}
		cfg.MfaConfiguration = awsapi.String(mode)
		if sc := in.SmsMfaConfiguration; sc != nil {
			if sc.SmsAuthenticationMessage != nil {
				cfg.SmsAuthenticationMessage = sc.SmsAuthenticationMessage
			}
			if sc.SmsConfiguration != nil {
				cfg.SmsConfiguration = sc.SmsConfiguration
			}
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			return rec, err
		}
		rec.Settings, rec.UpdatedAt = b, now
		return rec, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(p.rec.ID)
	}
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := s.Store.PutObject(ctx, store.Object{Kind: poolMFAKind, Key: p.rec.ID, Value: raw, UpdatedAt: now, CreatedAt: now}); err != nil {
		return nil, err
	}
	out, err := s.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: in.UserPoolId})
	if err != nil {
		return nil, err
	}
	return &cip.SetUserPoolMfaConfigOutput{MfaConfiguration: out.MfaConfiguration, SmsMfaConfiguration: out.SmsMfaConfiguration,
		SoftwareTokenMfaConfiguration: out.SoftwareTokenMfaConfiguration, EmailMfaConfiguration: out.EmailMfaConfiguration}, nil
}

// GetUserPoolMfaConfig returns the pool's MFA mode and factors.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *cip.GetUserPoolMfaConfigInput) (*cip.GetUserPoolMfaConfigOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	m, err := s.loadPoolMFA(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &cip.GetUserPoolMfaConfigOutput{
		MfaConfiguration:              awsapi.String(p.mfaMode()),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(m.TOTP)},
	}
	if m.SMS {
		out.SmsMfaConfiguration = &cip.SmsMfaConfigType{SmsAuthenticationMessage: p.cfg.SmsAuthenticationMessage, SmsConfiguration: p.cfg.SmsConfiguration}
	}
	if m.Email {
		out.EmailMfaConfiguration = &cip.EmailMfaConfigType{Message: optional(m.EmailMessage), Subject: optional(m.EmailSubject)}
	}
	return out, nil
}

// userMFA is the "mfa" section of a user's Extra. With a master key
// (Service.Secrets), the TOTP secrets are stored sealed (SealedSecret,
// SealedPending) and Secret/Pending are filled in only in memory; without
// one they are stored as they are (base32).
type userMFA struct {
	SMS       bool   `json:"sms,omitempty"`
	TOTP      bool   `json:"totp,omitempty"`
	Email     bool   `json:"email,omitempty"`
	Preferred string `json:"preferred,omitempty"`
	// Secret is the verified software token; Pending the one
	// AssociateSoftwareToken handed out, until VerifySoftwareToken.
	Secret        string `json:"secret,omitempty"`
	Pending       string `json:"pending,omitempty"`
	SealedSecret  []byte `json:"sealedSecret,omitempty"`
	SealedPending []byte `json:"sealedPending,omitempty"`
	DeviceName    string `json:"deviceName,omitempty"`
	// LastStep is the TOTP time step of the last accepted code: a code of
	// that step or an earlier one is not accepted again.
	LastStep int64 `json:"lastStep,omitempty"`
}

const mfaSection = "mfa"

// userMFAOf reads u's MFA section, opening sealed TOTP secrets.
func (s *Service) userMFAOf(u store.User) (userMFA, error) {
	var m userMFA
	if _, err := getExtra(u, mfaSection, &m); err != nil {
		return m, err
	}
	for _, f := range []struct {
		sealed []byte
		plain  *string
		name   string
	}{{m.SealedSecret, &m.Secret, "secret"}, {m.SealedPending, &m.Pending, "pending"}} {
		if f.sealed == nil {
			continue
		}
		plain, err := s.Secrets.Open(f.sealed, totpAAD(u, f.name))
		if err != nil {
			return m, fmt.Errorf("userpool: TOTP %s of %s/%s: %w", f.name, u.PoolID, u.Sub, err)
		}
		*f.plain = string(plain)
	}
	m.SealedSecret, m.SealedPending = nil, nil
	return m, nil
}

// putMFA writes m as u's MFA section, sealing the TOTP secrets when there
// is a master key.
func (s *Service) putMFA(u *store.User, m userMFA) error {
	m.SealedSecret, m.SealedPending = nil, nil
	if s.Secrets != nil {
		if m.Secret != "" {
			m.SealedSecret, m.Secret = s.Secrets.Seal([]byte(m.Secret), totpAAD(*u, "secret")), ""
		}
		if m.Pending != "" {
			m.SealedPending, m.Pending = s.Secrets.Seal([]byte(m.Pending), totpAAD(*u, "pending")), ""
		}
	}
	return setExtra(u, mfaSection, m)
}

// totpAAD binds a sealed secret to its user and field.
func totpAAD(u store.User, field string) []byte {
	return []byte("userpool.mfa/" + u.PoolID + "/" + u.Sub + "/" + field)
}

func (m userMFA) enabled(f string) bool {
	switch f {
	case mfaSMS:
		return m.SMS
	case mfaTOTP:
		return m.TOTP
	case mfaEmail:
		return m.Email
	}
	return false
}

func (m *userMFA) set(f string, on bool) {
	switch f {
	case mfaSMS:
		m.SMS = on
	case mfaTOTP:
		m.TOTP = on
	case mfaEmail:
		m.Email = on
	}
	if !on && m.Preferred == f {
		m.Preferred = ""
	}
}

// settingList is UserMFASettingList: the factors the user has on.
func (m userMFA) settingList() []string {
	var l []string
	for _, f := range mfaOrder {
		if m.enabled(f) {
			l = append(l, f)
		}
	}
	return l
}

// mfaView is what GetUser and AdminGetUser show of a user's MFA.
type mfaView struct {
	options   []cip.MFAOptionType
	preferred *string
	list      []string
}

func (s *Service) mfaViewOf(u store.User) (mfaView, error) {
	m, err := s.userMFAOf(u)
	if err != nil {
		return mfaView{}, err
	}
	v := mfaView{preferred: optional(m.Preferred), list: m.settingList()}
	if m.SMS {
		// The legacy MFAOptions show SMS MFA only.
		v.options = []cip.MFAOptionType{{DeliveryMedium: awsapi.String("SMS"), AttributeName: awsapi.String("phone_number")}}
	}
	return v, nil
}

// mfaSetting is one factor's part of a SetUserMFAPreference request.
type mfaSetting struct {
	factor             string
	enabled, preferred *bool
}

// applyMFAPreference changes the user's factors as (Admin)SetUserMFAPreference
// asks: a factor is turned on only when the user can receive it (a verified
// software token, a phone number, an email address), and at most one is
// preferred.
func (s *Service) applyMFAPreference(u *store.User, settings []mfaSetting) error {
	m, err := s.userMFAOf(*u)
	if err != nil {
		return err
	}
	preferred := 0
	for _, st := range settings {
		if awsapi.ToBool(st.preferred) {
			preferred++
		}
	}
	if preferred > 1 {
		return cip.NewInvalidParameterException("Only one MFA method can be set as preferred.")
	}
	for _, st := range settings {
		if st.enabled != nil {
			on := *st.enabled
			if on {
				if err := canReceive(*u, m, st.factor); err != nil {
					return err
				}
			}
			m.set(st.factor, on)
		}
		if st.preferred != nil {
			switch {
			case *st.preferred && !m.enabled(st.factor):
				return cip.NewInvalidParameterExceptionf("Cannot set %s as preferred MFA since it is not enabled.", st.factor)
			case *st.preferred:
				m.Preferred = st.factor
			case m.Preferred == st.factor:
				m.Preferred = ""
			}
		}
	}
	return s.putMFA(u, m)
}

// canReceive reports whether factor f can be turned on for u.
func canReceive(u store.User, m userMFA, f string) error {
	switch f {
	case mfaTOTP:
		if m.Secret == "" {
			return cip.NewInvalidParameterException("User has not set up software token mfa")
		}
	case mfaSMS:
		if u.Attributes["phone_number"] == "" {
			return cip.NewInvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
		}
	case mfaEmail:
		if u.Attributes["email"] == "" {
			return cip.NewInvalidParameterException("User does not have delivery config set to turn on EMAIL_OTP")
		}
	}
	return nil
}

func mfaSettings(sms *cip.SMSMfaSettingsType, totp *cip.SoftwareTokenMfaSettingsType, email *cip.EmailMfaSettingsType) []mfaSetting {
	var l []mfaSetting
	if sms != nil {
		l = append(l, mfaSetting{mfaSMS, sms.Enabled, sms.PreferredMfa})
	}
	if totp != nil {
		l = append(l, mfaSetting{mfaTOTP, totp.Enabled, totp.PreferredMfa})
	}
	if email != nil {
		l = append(l, mfaSetting{mfaEmail, email.Enabled, email.PreferredMfa})
	}
	return l
}

// SetUserMFAPreference sets the factors of the access token's user.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *cip.SetUserMFAPreferenceInput) (*cip.SetUserMFAPreferenceOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.setMFAPreference(ctx, p, u, mfaSettings(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings)); err != nil {
		return nil, err
	}
	return &cip.SetUserMFAPreferenceOutput{}, nil
}

// AdminSetUserMFAPreference sets a user's factors.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *cip.AdminSetUserMFAPreferenceInput) (*cip.AdminSetUserMFAPreferenceOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.setMFAPreference(ctx, p, u, mfaSettings(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings)); err != nil {
		return nil, err
	}
	return &cip.AdminSetUserMFAPreferenceOutput{}, nil
}

// setMFAPreference applies (Admin)SetUserMFAPreference's settings to u.
func (s *Service) setMFAPreference(ctx context.Context, p *pool, u store.User, settings []mfaSetting) error {
	return s.updateMFA(ctx, p, u, func(u *store.User) error { return s.applyMFAPreference(u, settings) })
}

// AdminSetUserSettings sets the legacy MFAOptions: SMS to the phone number
// turns SMS MFA on, an empty list turns it off.
func (s *Service) AdminSetUserSettings(ctx context.Context, in *cip.AdminSetUserSettingsInput) (*cip.AdminSetUserSettingsOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	on := false
	for _, o := range in.MFAOptions {
		if awsapi.ToString(o.DeliveryMedium) != "SMS" || awsapi.ToString(o.AttributeName) != "phone_number" {
			return nil, cip.NewInvalidParameterException("Only phone_number with SMS delivery is supported for MFAOptions.")
		}
		on = true
	}
	err = s.updateMFA(ctx, p, u, func(u *store.User) error {
		return s.applyMFAPreference(u, []mfaSetting{{factor: mfaSMS, enabled: awsapi.Bool(on)}})
	})
	if err != nil {
		return nil, err
	}
	return &cip.AdminSetUserSettingsOutput{}, nil
}

// updateMFA changes a user in one read-modify-write.
func (s *Service) updateMFA(ctx context.Context, p *pool, u store.User, change func(u *store.User) error) error {
	now := s.now()
	_, err := s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(cur store.User) (store.User, error) {
		if cur.Sub != u.Sub {
			return cur, store.ErrNotFound
		}
		if err := change(&cur); err != nil {
			return cur, err
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return userNotFound()
	}
	return err
}

// checkUpdateMfaMode applies checkPoolMfaMode to an UpdateUserPool request.
func (s *Service) checkUpdateMfaMode(ctx context.Context, poolID string, m mutableSettings) error {
	if mode := awsapi.ToString(m.MfaConfiguration); mode == "" || mode == "OFF" || m.SmsConfiguration != nil {
		return nil
	}
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	cur, err := s.loadPoolMFA(ctx, p)
	if err != nil {
		return err
	}
	return checkPoolMfaMode(m.MfaConfiguration, m.SmsConfiguration, cur)
}
