package userpool

import (
	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// Password history (PasswordPolicy.PasswordHistorySize, 0–24): "Users can't
// set a password that matches any of n previous passwords" (PasswordPolicyType
// API reference). What is kept of each is what is kept of the current one,
// the SRP salt and verifier, in the "passwordHistory" section of User.Extra,
// most recent first. Passwords set while the pool had no history are not in
// it, as in Cognito, where history starts when the setting is turned on.
const (
	historySection = "passwordHistory"
	maxHistorySize = 24
)

type passwordHistory struct {
	Passwords []store.Password `json:"passwords"`
}

// errPasswordReused is what AdminSetUserPassword, ChangePassword,
// ConfirmForgotPassword and (Admin)RespondToAuthChallenge return for a
// reused password: the botocore model lists
// PasswordHistoryPolicyViolationException for exactly these operations.
var errPasswordReused = cip.NewPasswordHistoryPolicyViolationException("The password has been used previously.")

// setNewPassword sets a password a user or an administrator chose: the
// pool's policy is checked, then the history, then the password is set and
// pushed onto the history. It only changes u; callers run it inside the
// store's UpdateUser updater (it may run more than once).
func (s *Service) setNewPassword(p *pool, u *store.User, password string) error {
	policy := p.passwordPolicy()
	if err := checkPassword(policy, password); err != nil {
		return err
	}
	n := min(int(awsapi.ToInt32(policy.PasswordHistorySize)), maxHistorySize)
	var h passwordHistory
	if _, err := getExtra(*u, historySection, &h); err != nil {
		return err
	}
	if n <= 0 {
		if err := setPassword(p, u, password); err != nil {
			return err
		}
		return setExtra(u, historySection, nil)
	}
	if len(h.Passwords) > n {
		h.Passwords = h.Passwords[:n]
	}
	for _, old := range h.Passwords {
		if s.checkUserPassword(p, store.User{Username: u.Username, Password: old}, password) {
			return errPasswordReused
		}
	}
	if err := setPassword(p, u, password); err != nil {
		return err
	}
	h.Passwords = append([]store.Password{u.Password}, h.Passwords...)
	if len(h.Passwords) > n {
		h.Passwords = h.Passwords[:n]
	}
	return setExtra(u, historySection, h)
}
