package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
)

// The user statuses this file moves users between.
const (
	statusUnconfirmed   = "UNCONFIRMED"
	statusConfirmed     = "CONFIRMED"
	statusResetRequired = "RESET_REQUIRED"
	statusForceChange   = "FORCE_CHANGE_PASSWORD"
)

var errClientUserNotFound = cip.NewUserNotFoundException("Username/client id combination not found.")

// publicUser resolves the user a public (client-id) call names, after the
// SECRET_HASH check. found is false for an unknown user; the caller decides
// what PreventUserExistenceErrors makes of it.
func (s *Service) publicUser(ctx context.Context, clientID, username string, secret *string) (*pool, *client, store.User, bool, error) {
	c, err := s.loadClient(ctx, "", clientID)
	if err != nil {
		return nil, nil, store.User{}, false, err
	}
	p, err := s.loadPool(ctx, c.rec.PoolID)
	if err != nil {
		return nil, nil, store.User{}, false, err
	}
	u, err := s.resolveUser(ctx, p, username)
	if errors.Is(err, store.ErrNotFound) {
		if err := checkSecretHash(c, awsapi.ToString(secret), secret != nil, username); err != nil {
			return nil, nil, store.User{}, false, err
		}
		return p, c, store.User{}, false, nil
	}
	if err != nil {
		return nil, nil, store.User{}, false, err
	}
	if err := checkSecretHash(c, awsapi.ToString(secret), secret != nil, username, u.Username); err != nil {
		return nil, nil, store.User{}, false, err
	}
	return p, c, u, true, nil
}

// simulatedDelivery is the CodeDeliveryDetails answered for an unknown
// user under PreventUserExistenceErrors: plausible, and the same for the
// same name every time, so that it tells nothing.
func (s *Service) simulatedDelivery(p *pool, username string) *cip.CodeDeliveryDetailsType {
	if emailRE.MatchString(username) {
		return attributeDelivery("email", username).details()
	}
	if phoneRE.MatchString(username) {
		return attributeDelivery("phone_number", username).details()
	}
	m := hmac.New(sha256.New, s.fakeKey)
	m.Write([]byte(p.rec.ID + "\x00" + username))
	h := m.Sum(nil)
	if slices.Contains(p.cfg.AutoVerifiedAttributes, "phone_number") && !slices.Contains(p.cfg.AutoVerifiedAttributes, "email") {
		return attributeDelivery("phone_number", fmt.Sprintf("+1555555%04d", binary.BigEndian.Uint16(h)%10000)).details()
	}
	letters := "abcdefghijklmnopqrstuvwxyz"
	fake := string(letters[int(h[0])%26]) + "@" + string(letters[int(h[1])%26]) + ".com"
	return attributeDelivery("email", fake).details()
}

// signInName returns the username a new user gets, and fills attrs with
// the sign-in attribute the caller gave as username: with username
// attributes the given name is an email address or phone number and the
// username is the sub.
func signInName(p *pool, username, sub string, attrs map[string]string) (string, error) {
	if len(p.cfg.UsernameAttributes) == 0 {
		if strings.Contains(username, "@") && p.aliasAttribute("email") {
			return "", cip.NewInvalidParameterException("Username cannot be of email format, since user pool is configured for email alias.")
		}
		if phoneRE.MatchString(username) && p.aliasAttribute("phone_number") {
			return "", cip.NewInvalidParameterException("Username cannot be of phone number format, since user pool is configured for phone_number alias.")
		}
		return username, nil
	}
	switch {
	case p.usernameAttribute("email") && strings.Contains(username, "@"):
		if !emailRE.MatchString(username) {
			return "", cip.NewInvalidParameterException("Invalid email address format.")
		}
		if e, ok := attrs["email"]; ok && e != username {
			return "", cip.NewInvalidParameterException("Username and email attribute must be the same when email is a username attribute.")
		}
		attrs["email"] = username
	case p.usernameAttribute("phone_number") && strings.HasPrefix(username, "+"):
		if !phoneRE.MatchString(username) {
			return "", cip.NewInvalidParameterException("Invalid phone number format.")
		}
		attrs["phone_number"] = username
	case p.usernameAttribute("email") && p.usernameAttribute("phone_number"):
		return "", cip.NewInvalidParameterException("Username should be either an email or a phone number.")
	case p.usernameAttribute("email"):
		return "", cip.NewInvalidParameterException("Username should be an email.")
	default:
		return "", cip.NewInvalidParameterException("Username should be a phone number.")
	}
	return sub, nil
}

// usernameAttributeTaken reports whether another user signs in with the
// value of a username attribute (email or phone number as username).
func (s *Service) usernameAttributeTaken(ctx context.Context, p *pool, attr, value, exceptKey string) (bool, error) {
	if !p.usernameAttribute(attr) || value == "" {
		return false, nil
	}
	others, err := s.findByAttribute(ctx, p, attr, value, 2)
	if err != nil {
		return false, err
	}
	for _, o := range others {
		if o.Key != exceptKey {
			return true, nil
		}
	}
	return false, nil
}

// SignUp registers a user, UNCONFIRMED, and sends a confirmation code to
// the first auto-verified attribute the user has.
func (s *Service) SignUp(ctx context.Context, in *cip.SignUpInput) (*cip.SignUpOutput, error) {
	c, err := s.loadClient(ctx, "", *in.ClientId)
	if err != nil {
		return nil, err
	}
	p, err := s.loadPool(ctx, c.rec.PoolID)
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(c, awsapi.ToString(in.SecretHash), in.SecretHash != nil, *in.Username); err != nil {
		return nil, err
	}
	if p.cfg.AdminCreateUserConfig != nil && awsapi.ToBool(p.cfg.AdminCreateUserConfig.AllowAdminCreateUserOnly) {
		return nil, cip.NewNotAuthorizedException("SignUp is not permitted for this user pool")
	}
	if in.Password == nil {
		return nil, cip.NewInvalidParameterException("Password is required for sign-up in this user pool.")
	}
	if err := checkPassword(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	if err := checkAttributes(p, in.UserAttributes); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for _, a := range in.UserAttributes {
		name := *a.Name
		if strings.HasSuffix(name, "_verified") {
			// Only an administrator (or a pre sign-up trigger) marks an
			// attribute verified.
			return nil, cip.NewNotAuthorizedException("A client attempted to write unauthorized attribute")
		}
		attrs[name] = awsapi.ToString(a.Value)
	}
	sub := uuid.NewString()
	username, err := signInName(p, *in.Username, sub, attrs)
	if err != nil {
		return nil, err
	}
	if name := missingRequired(p, attrs); name != "" {
		return nil, schemaError("%s: The attribute is required", name)
	}
	for _, attr := range []string{"email", "phone_number"} {
		taken, err := s.usernameAttributeTaken(ctx, p, attr, attrs[attr], "")
		if err != nil {
			return nil, err
		}
		if taken {
			return nil, cip.NewUsernameExistsException("An account with the given " + attrLabel(attr) + " already exists.")
		}
	}
	now := s.now()
	u := store.User{
		PoolID: p.rec.ID, Username: username, Key: p.userKey(username), Sub: sub,
		Status: statusUnconfirmed, Enabled: true, Attributes: attrs,
		PasswordSetAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.setNewPassword(p, &u, *in.Password); err != nil {
		return nil, err
	}
	d, deliver := p.signUpDelivery(attrs)
	var code string
	if deliver {
		if code, err = issueCode(&u, purposeSignUp, now, signUpCodeLifetime, d.attribute, ""); err != nil {
			return nil, err
		}
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, cip.NewUsernameExistsException("User already exists")
		}
		return nil, err
	}
	out := &cip.SignUpOutput{UserConfirmed: awsapi.Bool(false), UserSub: awsapi.String(sub)}
	if deliver {
		if err := s.sendCode(ctx, p, u, notify.KindSignUp, d, code); err != nil {
			return nil, err
		}
		out.CodeDeliveryDetails = d.details()
	}
	return out, nil
}

// countedFailure reports whether err is a wrong answer that counts
// against the user's hourly attempts (an expired or missing code tells
// nothing, and does not count).
func countedFailure(err error) bool {
	return err == errCodeMismatch || err == errIncorrect
}

// updateCounting applies apply to the user at key in one update. A wrong
// code or password is counted (the count is written) and then returned;
// once op's hourly limit is reached, LimitExceededException answers
// without calling apply. When countCalls is set every call counts.
func (s *Service) updateCounting(ctx context.Context, p *pool, key, op string, countCalls bool, apply func(u *store.User) error) (store.User, error) {
	now := s.now()
	var failed error
	u, err := s.Store.UpdateUser(ctx, p.rec.ID, key, func(u store.User) (store.User, error) {
		failed = nil
		over, err := attemptsExceeded(u, op, now)
		if err != nil {
			return u, err
		}
		if over {
			return u, errAttempts
		}
		orig := u
		u.Attributes = maps.Clone(u.Attributes)
		if err := apply(&u); countedFailure(err) {
			failed = err
			u = orig
			return u, noteAttempt(&u, op, now)
		} else if err != nil {
			return u, err
		}
		if countCalls {
			if err := noteAttempt(&u, op, now); err != nil {
				return u, err
			}
		}
		u.UpdatedAt = now
		return u, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, userNotFound()
	}
	if err != nil {
		return u, err
	}
	return u, failed
}

// aliasConflicts returns the other users who hold value of attr as a
// verified alias.
func (s *Service) aliasConflicts(ctx context.Context, p *pool, attr, value, exceptKey string) ([]store.User, error) {
	if !p.aliasAttribute(attr) || value == "" {
		return nil, nil
	}
	others, err := s.findByAttribute(ctx, p, attr, value, 10)
	if err != nil {
		return nil, err
	}
	var out []store.User
	for _, o := range others {
		if o.Key != exceptKey && o.Attributes[attr+"_verified"] == "true" {
			out = append(out, o)
		}
	}
	return out, nil
}

// takeAlias clears the verified flag of attr on the users that held it as
// an alias (ForceAliasCreation), so that it signs in only the new holder.
func (s *Service) takeAlias(ctx context.Context, p *pool, attr string, holders []store.User, now time.Time) error {
	for _, o := range holders {
		if _, err := s.Store.UpdateUser(ctx, p.rec.ID, o.Key, func(o store.User) (store.User, error) {
			o.Attributes = maps.Clone(o.Attributes)
			o.Attributes[attr+"_verified"] = "false"
			o.UpdatedAt = now
			return o, nil
		}); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// ConfirmSignUp confirms a user with the code sent at sign-up: the user
// becomes CONFIRMED and the attribute the code went to verified.
func (s *Service) ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput) (*cip.ConfirmSignUpOutput, error) {
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
	if u.Status != statusUnconfirmed {
		return nil, cip.NewNotAuthorizedExceptionf("User cannot be confirmed. Current status is %s", u.Status)
	}
	// The alias the code verifies must be free, or taken over.
	var holders []store.User
	var attr string
	if cs, err := loadCodes(u); err == nil {
		attr = cs.Codes[purposeSignUp].Attribute
	}
	if attr != "" {
		if holders, err = s.aliasConflicts(ctx, p, attr, u.Attributes[attr], u.Key); err != nil {
			return nil, err
		}
		if len(holders) > 0 && !awsapi.ToBool(in.ForceAliasCreation) {
			return nil, cip.NewAliasExistsException("An account with the given " + attrLabel(attr) + " already exists.")
		}
	}
	now := s.now()
	if _, err := s.updateCounting(ctx, p, u.Key, "ConfirmSignUp", false, func(u *store.User) error {
		if u.Status != statusUnconfirmed {
			return cip.NewNotAuthorizedExceptionf("User cannot be confirmed. Current status is %s", u.Status)
		}
		sc, err := checkCode(u, purposeSignUp, *in.ConfirmationCode, now)
		if err != nil {
			return err
		}
		u.Status = statusConfirmed
		if sc.Attribute != "" && u.Attributes[sc.Attribute] != "" {
			u.Attributes[sc.Attribute+"_verified"] = "true"
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.takeAlias(ctx, p, attr, holders, now); err != nil {
		return nil, err
	}
	return &cip.ConfirmSignUpOutput{}, nil
}

// ResendConfirmationCode sends a new sign-up code, replacing the old one.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *cip.ResendConfirmationCodeInput) (*cip.ResendConfirmationCodeOutput, error) {
	p, c, u, found, err := s.publicUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.preventUserExistenceErrors() {
			return &cip.ResendConfirmationCodeOutput{CodeDeliveryDetails: s.simulatedDelivery(p, *in.Username)}, nil
		}
		return nil, errClientUserNotFound
	}
	if u.Status != statusUnconfirmed {
		return nil, cip.NewInvalidParameterException("User is already confirmed.")
	}
	d, ok := p.signUpDelivery(u.Attributes)
	if !ok {
		return nil, cip.NewInvalidParameterException("Auto verification not turned on.")
	}
	var code string
	u, err = s.updateCounting(ctx, p, u.Key, "ResendConfirmationCode", true, func(u *store.User) error {
		var err error
		code, err = issueCode(u, purposeSignUp, s.now(), signUpCodeLifetime, d.attribute, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, u, notify.KindSignUp, d, code); err != nil {
		return nil, err
	}
	return &cip.ResendConfirmationCodeOutput{CodeDeliveryDetails: d.details()}, nil
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code; no
// attribute becomes verified.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *cip.AdminConfirmSignUpInput) (*cip.AdminConfirmSignUpOutput, error) {
	if _, err := s.updateUser(ctx, *in.UserPoolId, *in.Username, func(_ *pool, u *store.User) error {
		if u.Status != statusUnconfirmed {
			return cip.NewNotAuthorizedExceptionf("User cannot be confirmed. Current status is %s", u.Status)
		}
		u.Status = statusConfirmed
		return dropCode(u, purposeSignUp)
	}); err != nil {
		return nil, err
	}
	return &cip.AdminConfirmSignUpOutput{}, nil
}
