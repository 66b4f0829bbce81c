package userpool

import (
	"context"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
)

var errResetState = cip.NewNotAuthorizedException("User password cannot be reset in the current state.")

// ForgotPassword sends a password-reset code to the user's verified email
// address or phone number (AccountRecoverySetting decides which first).
func (s *Service) ForgotPassword(ctx context.Context, in *cip.ForgotPasswordInput) (*cip.ForgotPasswordOutput, error) {
	p, c, u, found, err := s.publicUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.preventUserExistenceErrors() {
			return &cip.ForgotPasswordOutput{CodeDeliveryDetails: s.simulatedDelivery(p, *in.Username)}, nil
		}
		return nil, errClientUserNotFound
	}
	if !u.Enabled {
		return nil, cip.NewNotAuthorizedException("User is disabled.")
	}
	if u.Status == statusForceChange {
		return nil, errResetState
	}
	d, err := p.recoveryDelivery(u)
	if err != nil {
		return nil, err
	}
	code, u, err := s.issueResetCode(ctx, p, u, "ForgotPassword", d, "")
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, u, notify.KindForgotPassword, d, code); err != nil {
		return nil, err
	}
	return &cip.ForgotPasswordOutput{CodeDeliveryDetails: d.details()}, nil
}

// issueResetCode stores a new reset code (counting the call against op's
// limit when op is set) and, when status is set, moves the user to it.
func (s *Service) issueResetCode(ctx context.Context, p *pool, u store.User, op string, d delivery, status string) (string, store.User, error) {
	var code string
	apply := func(u *store.User) error {
		var err error
		code, err = issueCode(u, purposeForgot, s.now(), forgotCodeLifetime, d.attribute, "")
		if status != "" {
			u.Status = status
		}
		return err
	}
	var err error
	if op != "" {
		u, err = s.updateCounting(ctx, p, u.Key, op, true, apply)
	} else {
		u, err = s.updateUser(ctx, p.rec.ID, u.Username, func(_ *pool, u *store.User) error { return apply(u) })
	}
	return code, u, err
}

// ConfirmForgotPassword sets a new password with a reset code; the user
// becomes CONFIRMED.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *cip.ConfirmForgotPasswordInput) (*cip.ConfirmForgotPasswordOutput, error) {
	p, c, u, found, err := s.publicUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.preventUserExistenceErrors() {
			return nil, errCodeMismatch
		}
		return nil, errClientUserNotFound
	}
	if err := checkPassword(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	now := s.now()
	if _, err := s.updateCounting(ctx, p, u.Key, "ConfirmForgotPassword", false, func(u *store.User) error {
		if !u.Enabled {
			return cip.NewNotAuthorizedException("User is disabled.")
		}
		if _, err := checkCode(u, purposeForgot, *in.ConfirmationCode, now); err != nil {
			return err
		}
		if err := s.setNewPassword(p, u, *in.Password); err != nil {
			return err
		}
		u.PasswordSetAt = now
		u.Status = statusConfirmed
		return nil
	}); err != nil {
		return nil, err
	}
	return &cip.ConfirmForgotPasswordOutput{}, nil
}

// AdminResetUserPassword requires the user to reset the password
// (RESET_REQUIRED: sign-in answers PasswordResetRequiredException) and
// sends a reset code for ConfirmForgotPassword.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *cip.AdminResetUserPasswordInput) (*cip.AdminResetUserPasswordOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if u.Status == statusForceChange {
		return nil, errResetState
	}
	d, err := p.recoveryDelivery(u)
	if err != nil {
		return nil, err
	}
	code, u, err := s.issueResetCode(ctx, p, u, "", d, statusResetRequired)
	if err != nil {
		return nil, err
	}
	// Tokens already issued stay valid, as in Cognito: only the next
	// sign-in is refused.
	if err := s.sendCode(ctx, p, u, notify.KindForgotPassword, d, code); err != nil {
		return nil, err
	}
	return &cip.AdminResetUserPasswordOutput{}, nil
}

// ChangePassword changes the password of the access token's user, who
// proves the previous one.
func (s *Service) ChangePassword(ctx context.Context, in *cip.ChangePasswordInput) (*cip.ChangePasswordOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(p.passwordPolicy(), *in.ProposedPassword); err != nil {
		return nil, err
	}
	previous := awsapi.ToString(in.PreviousPassword)
	ok := s.checkUserPassword(p, u, previous)
	now := s.now()
	if _, err := s.updateCounting(ctx, p, u.Key, "ChangePassword", false, func(u *store.User) error {
		if !ok {
			return errIncorrect
		}
		if err := s.setNewPassword(p, u, *in.ProposedPassword); err != nil {
			return err
		}
		u.PasswordSetAt = now
		return nil
	}); err != nil {
		return nil, err
	}
	return &cip.ChangePasswordOutput{}, nil
}
