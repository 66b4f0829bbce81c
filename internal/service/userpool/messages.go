package userpool

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
)

// Cognito's default message texts, used when the pool sets none
// (VerificationMessageTemplate, the legacy Email/SmsVerificationMessage,
// and AdminCreateUserConfig.InviteMessageTemplate).
const (
	defaultVerificationSubject = "Your verification code"
	defaultVerificationMessage = "Your verification code is {####}. "
	defaultInvitationSubject   = "Your temporary password"
	defaultInvitationMessage   = "Your username is {username} and temporary password is {####}. "
)

// fillTemplate replaces Cognito's placeholders: {####} is the code or
// temporary password, {username} the username.
func fillTemplate(tmpl, code, username string) string {
	return strings.NewReplacer("{####}", code, "{username}", username).Replace(tmpl)
}

func firstSet(vs ...*string) string {
	for _, v := range vs {
		if v != nil && *v != "" {
			return *v
		}
	}
	return ""
}

// verificationText is the subject and body of a code message for medium.
func (p *pool) verificationText(medium string) (subject, body string) {
	vt := p.cfg.VerificationMessageTemplate
	if vt == nil {
		vt = &cip.VerificationMessageTemplateType{}
	}
	if medium == notify.SMS {
		return "", or(firstSet(vt.SmsMessage, p.cfg.SmsVerificationMessage), defaultVerificationMessage)
	}
	return or(firstSet(vt.EmailSubject, p.cfg.EmailVerificationSubject), defaultVerificationSubject),
		or(firstSet(vt.EmailMessage, p.cfg.EmailVerificationMessage), defaultVerificationMessage)
}

// invitationText is the subject and body of an AdminCreateUser invitation.
func (p *pool) invitationText(medium string) (subject, body string) {
	t := &cip.MessageTemplateType{}
	if p.cfg.AdminCreateUserConfig != nil && p.cfg.AdminCreateUserConfig.InviteMessageTemplate != nil {
		t = p.cfg.AdminCreateUserConfig.InviteMessageTemplate
	}
	if medium == notify.SMS {
		return "", or(awsapi.ToString(t.SMSMessage), defaultInvitationMessage)
	}
	return or(awsapi.ToString(t.EmailSubject), defaultInvitationSubject), or(awsapi.ToString(t.EmailMessage), defaultInvitationMessage)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// delivery is where a code goes.
type delivery struct {
	medium    string // notify.Email or notify.SMS
	attribute string // "email" or "phone_number"
	to        string
}

func (d delivery) details() *cip.CodeDeliveryDetailsType {
	return &cip.CodeDeliveryDetailsType{
		Destination:    awsapi.String(maskDestination(d.medium, d.to)),
		DeliveryMedium: awsapi.String(d.medium),
		AttributeName:  awsapi.String(d.attribute),
	}
}

func attributeDelivery(attr, to string) delivery {
	if attr == "phone_number" {
		return delivery{medium: notify.SMS, attribute: attr, to: to}
	}
	return delivery{medium: notify.Email, attribute: attr, to: to}
}

// maskDestination hides most of a destination, as Cognito's
// CodeDeliveryDetails do: "j***@e***" and "+*******0100".
func maskDestination(medium, to string) string {
	if medium == notify.SMS {
		if len(to) <= 4 {
			return to
		}
		return "+" + strings.Repeat("*", max(len(to)-5, 0)) + to[len(to)-4:]
	}
	local, domain, ok := strings.Cut(to, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// signUpDelivery is where a sign-up code goes: the auto-verified
// attributes the user has, the phone number first as in Cognito when both
// are auto-verified. ok is false when the pool verifies nothing the user
// has (the user then waits for AdminConfirmSignUp).
func (p *pool) signUpDelivery(attrs map[string]string) (delivery, bool) {
	for _, attr := range []string{"phone_number", "email"} {
		if slices.Contains(p.cfg.AutoVerifiedAttributes, attr) && attrs[attr] != "" {
			return attributeDelivery(attr, attrs[attr]), true
		}
	}
	return delivery{}, false
}

// recoveryDelivery is where a password-reset code goes: the
// AccountRecoverySetting's mechanisms by priority, or, without one, a
// verified phone number and then a verified email address.
func (p *pool) recoveryDelivery(u store.User) (delivery, error) {
	order := []string{"verified_phone_number", "verified_email"}
	if rs := p.cfg.AccountRecoverySetting; rs != nil && len(rs.RecoveryMechanisms) > 0 {
		mechs := slices.Clone(rs.RecoveryMechanisms)
		slices.SortStableFunc(mechs, func(a, b cip.RecoveryOptionType) int {
			return int(awsapi.ToInt32(a.Priority)) - int(awsapi.ToInt32(b.Priority))
		})
		order = order[:0]
		for _, m := range mechs {
			order = append(order, awsapi.ToString(m.Name))
		}
	}
	for _, name := range order {
		attr := strings.TrimPrefix(name, "verified_")
		if name == "admin_only" {
			return delivery{}, cip.NewNotAuthorizedException("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		if u.Attributes[attr] != "" && u.Attributes[attr+"_verified"] == "true" {
			return attributeDelivery(attr, u.Attributes[attr]), nil
		}
	}
	return delivery{}, cip.NewInvalidParameterException("Cannot reset password for the user as there is no registered/verified email or phone_number")
}

// sendCode sends a code message of kind to d.
func (s *Service) sendCode(ctx context.Context, p *pool, u store.User, kind string, d delivery, code string) error {
	subject, body := p.verificationText(d.medium)
	return s.send(ctx, notify.Message{
		PoolID: p.rec.ID, Username: u.Username, Kind: kind, Medium: d.medium, To: d.to,
		Subject: subject, Body: fillTemplate(body, code, u.Username), Code: code,
	})
}

// sendInvitation sends AdminCreateUser's invitation, with the temporary
// password, to each medium asked for that the user has an attribute for.
func (s *Service) sendInvitation(ctx context.Context, p *pool, u store.User, mediums []string, temp string) error {
	if len(mediums) == 0 {
		mediums = []string{notify.SMS}
	}
	sent := false
	for _, m := range mediums {
		attr := "phone_number"
		if m == notify.Email {
			attr = "email"
		}
		to := u.Attributes[attr]
		if to == "" {
			continue
		}
		subject, body := p.invitationText(m)
		if err := s.send(ctx, notify.Message{
			PoolID: p.rec.ID, Username: u.Username, Kind: notify.KindInvitation, Medium: m, To: to,
			Subject: subject, Body: fillTemplate(body, temp, u.Username), Code: temp,
		}); err != nil {
			return err
		}
		sent = true
	}
	if !sent && len(mediums) == 1 && mediums[0] == notify.SMS && u.Attributes["email"] != "" {
		// Cognito's default medium is SMS; a user with only an email
		// address is invited by email.
		return s.sendInvitation(ctx, p, u, []string{notify.Email}, temp)
	}
	return nil
}

// send hands m to the Sender; without one (a service built without an
// outbox, as in unit tests) nothing is sent.
func (s *Service) send(ctx context.Context, m notify.Message) error {
	if s.Notify == nil {
		return nil
	}
	if err := s.Notify.Send(ctx, m); err != nil {
		return fmt.Errorf("send %s message: %w", m.Kind, err)
	}
	return nil
}
