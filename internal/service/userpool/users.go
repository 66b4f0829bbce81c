package userpool

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
)

func userNotFound() error { return cip.NewUserNotFoundException("User does not exist.") }

// userKey is the lookup key of a username in p.
func (p *pool) userKey(username string) string {
	if p.caseSensitive() {
		return username
	}
	return strings.ToLower(username)
}

// resolveUser finds the user a caller names: by username, then by the sign-in
// attributes the pool has. Email or phone given as username attributes find
// the user whatever their verification; as aliases only once verified
// (COGNITO-NOTES §3.2).
func (s *Service) resolveUser(ctx context.Context, p *pool, name string) (store.User, error) {
	u, err := s.Store.GetUser(ctx, p.rec.ID, p.userKey(name))
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		asUsername := p.usernameAttribute(attr)
		if !asUsername && !p.aliasAttribute(attr) {
			continue
		}
		users, err := s.findByAttribute(ctx, p, attr, name, 2)
		if err != nil {
			return store.User{}, err
		}
		for _, cand := range users {
			if asUsername || attr == "preferred_username" || cand.Attributes[attr+"_verified"] == "true" {
				return cand, nil
			}
		}
	}
	return store.User{}, store.ErrNotFound
}

// findByAttribute finds the users holding value of attr (one of
// store.IndexedAttributes). In case-insensitive pools email and
// preferred_username match in any capitalization, as Cognito signs them in
// and keeps them unique (UsernameConfigurationType).
func (s *Service) findByAttribute(ctx context.Context, p *pool, attr, value string, limit int) ([]store.User, error) {
	if !p.caseSensitive() && slices.Contains(store.FoldedAttributes, attr) {
		return s.Store.FindUsersByAttributeFold(ctx, p.rec.ID, attr, value, limit)
	}
	return s.Store.FindUsersByAttribute(ctx, p.rec.ID, attr, value, limit)
}

// adminUser loads the pool and the user an admin call names.
func (s *Service) adminUser(ctx context.Context, poolID, username string) (*pool, store.User, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, store.User{}, err
	}
	u, err := s.resolveUser(ctx, p, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.User{}, userNotFound()
	}
	return p, u, err
}

// setPassword stores the SRP material of password for u.
func setPassword(p *pool, u *store.User, password string) error {
	salt, err := srp.NewSalt()
	if err != nil {
		return err
	}
	u.Password = store.Password{Salt: salt, Verifier: srp.Verifier(srp.PoolName(p.rec.ID), u.Username, password, salt)}
	return nil
}

func userType(u store.User) *cip.UserType {
	return &cip.UserType{
		Username:             awsapi.String(u.Username),
		Attributes:           attributeList(u, nil),
		UserCreateDate:       awsapi.Time(u.CreatedAt),
		UserLastModifiedDate: awsapi.Time(u.UpdatedAt),
		Enabled:              awsapi.Bool(u.Enabled),
		UserStatus:           awsapi.String(u.Status),
	}
}

// AdminCreateUser creates a user with a temporary password, in
// FORCE_CHANGE_PASSWORD, or re-sends the invitation (MessageAction RESEND).
func (s *Service) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput) (*cip.AdminCreateUserOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	policy := p.passwordPolicy()
	temp := awsapi.ToString(in.TemporaryPassword)
	if temp != "" {
		if err := checkPassword(policy, temp); err != nil {
			return nil, err
		}
	} else {
		temp = generatePassword(policy)
	}
	action := awsapi.ToString(in.MessageAction)
	now := s.now()
	if action == "RESEND" {
		_, u, err := s.adminUser(ctx, p.rec.ID, *in.Username)
		if err != nil {
			return nil, err
		}
		if u.Status != "FORCE_CHANGE_PASSWORD" {
			return nil, cip.NewUnsupportedUserStateException("User is not in FORCE_CHANGE_PASSWORD state, resend is not possible.")
		}
		u, err = s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(u store.User) (store.User, error) {
			if err := setPassword(p, &u, temp); err != nil {
				return u, err
			}
			u.PasswordSetAt, u.UpdatedAt = now, now
			return u, nil
		})
		if err != nil {
			return nil, err
		}
		if err := s.sendInvitation(ctx, p, u, in.DesiredDeliveryMediums, temp); err != nil {
			return nil, err
		}
		return &cip.AdminCreateUserOutput{User: userType(u)}, nil
	}

	if err := checkAttributes(p, in.UserAttributes); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for _, a := range in.UserAttributes {
		attrs[*a.Name] = awsapi.ToString(a.Value)
	}
	sub := uuid.NewString()
	username := *in.Username
	if len(p.cfg.UsernameAttributes) > 0 {
		// Email or phone number is the sign-in name: the real username is a
		// UUID (the sub), and the given name becomes that attribute.
		switch {
		case p.usernameAttribute("email") && strings.Contains(username, "@"):
			if !emailRE.MatchString(username) {
				return nil, cip.NewInvalidParameterException("Invalid email address format.")
			}
			if e, ok := attrs["email"]; ok && e != username {
				return nil, cip.NewInvalidParameterException("Username and email attribute must be the same when email is a username attribute.")
			}
			attrs["email"] = username
		case p.usernameAttribute("phone_number") && strings.HasPrefix(username, "+"):
			if !phoneRE.MatchString(username) {
				return nil, cip.NewInvalidParameterException("Invalid phone number format.")
			}
			attrs["phone_number"] = username
		case p.usernameAttribute("email") && p.usernameAttribute("phone_number"):
			return nil, cip.NewInvalidParameterException("Username should be either an email or a phone number.")
		case p.usernameAttribute("email"):
			return nil, cip.NewInvalidParameterException("Username should be an email.")
		default:
			return nil, cip.NewInvalidParameterException("Username should be a phone number.")
		}
		username = sub
	} else if strings.Contains(username, "@") && p.aliasAttribute("email") {
		return nil, cip.NewInvalidParameterException("Username cannot be of email format, since user pool is configured for email alias.")
	}
	if name := missingRequired(p, attrs); name != "" {
		return nil, schemaError("%s: The attribute is required", name)
	}
	// Sign-in attributes are unique in the pool.
	for _, attr := range []string{"email", "phone_number"} {
		v, ok := attrs[attr]
		if !ok || !(p.usernameAttribute(attr) || (p.aliasAttribute(attr) && attrs[attr+"_verified"] == "true")) {
			continue
		}
		others, err := s.findByAttribute(ctx, p, attr, v, 2)
		if err != nil {
			return nil, err
		}
		for _, o := range others {
			if p.usernameAttribute(attr) {
				return nil, cip.NewUsernameExistsException("An account with the given " + attrLabel(attr) + " already exists.")
			}
			if o.Attributes[attr+"_verified"] == "true" && !awsapi.ToBool(in.ForceAliasCreation) {
				return nil, cip.NewAliasExistsException("An account with the given " + attrLabel(attr) + " already exists.")
			}
			if o.Attributes[attr+"_verified"] == "true" {
				// ForceAliasCreation moves the alias to the new user.
				if _, err := s.Store.UpdateUser(ctx, p.rec.ID, o.Key, func(o store.User) (store.User, error) {
					o.Attributes = maps.Clone(o.Attributes)
					o.Attributes[attr+"_verified"] = "false"
					o.UpdatedAt = now
					return o, nil
				}); err != nil {
					return nil, err
				}
			}
		}
	}
	u := store.User{
		PoolID: p.rec.ID, Username: username, Key: p.userKey(username), Sub: sub,
		Status: "FORCE_CHANGE_PASSWORD", Enabled: true, Attributes: attrs,
		PasswordSetAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := setPassword(p, &u, temp); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, cip.NewUsernameExistsException("User account already exists")
		}
		return nil, err
	}
	// The invitation carries the temporary password (never logged);
	// SUPPRESS leaves the administrator to pass it on.
	if action != "SUPPRESS" {
		if err := s.sendInvitation(ctx, p, u, in.DesiredDeliveryMediums, temp); err != nil {
			return nil, err
		}
	}
	return &cip.AdminCreateUserOutput{User: userType(u)}, nil
}

func attrLabel(attr string) string {
	if attr == "phone_number" {
		return "phone_number"
	}
	return attr
}

// AdminGetUser returns a user.
func (s *Service) AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput) (*cip.AdminGetUserOutput, error) {
	_, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	mv, err := s.mfaViewOf(u)
	if err != nil {
		return nil, err
	}
	return &cip.AdminGetUserOutput{
		MFAOptions:           mv.options,
		PreferredMfaSetting:  mv.preferred,
		UserMFASettingList:   mv.list,
		Username:             awsapi.String(u.Username),
		UserAttributes:       attributeList(u, nil),
		UserCreateDate:       awsapi.Time(u.CreatedAt),
		UserLastModifiedDate: awsapi.Time(u.UpdatedAt),
		Enabled:              awsapi.Bool(u.Enabled),
		UserStatus:           awsapi.String(u.Status),
	}, nil
}

// AdminDeleteUser deletes a user and revokes its refresh tokens.
func (s *Service) AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput) (*awsapi.Empty, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.RevokeUserRefreshTokens(ctx, p.rec.ID, u.Username); err != nil {
		return nil, err
	}
	if err := s.deleteUser(ctx, p, u); err != nil {
		return nil, err
	}
	if err := s.forgetUserDevices(ctx, p.rec.ID, u.Sub); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// deleteUser deletes a user with its group memberships.
func (s *Service) deleteUser(ctx context.Context, p *pool, u store.User) error {
	if err := s.deleteUserMemberships(ctx, p.rec.ID, u.Key); err != nil {
		return err
	}
	if err := s.Store.DeleteUser(ctx, p.rec.ID, u.Key); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return userNotFound()
		}
		return err
	}
	return nil
}

func (s *Service) updateUser(ctx context.Context, poolID, username string, update func(p *pool, u *store.User) error) (store.User, error) {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return store.User{}, err
	}
	now := s.now()
	u, err = s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(u store.User) (store.User, error) {
		if err := update(p, &u); err != nil {
			return u, err
		}
		u.UpdatedAt = now
		return u, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, userNotFound()
	}
	return u, err
}

// AdminEnableUser enables a user.
func (s *Service) AdminEnableUser(ctx context.Context, in *cip.AdminEnableUserInput) (*cip.AdminEnableUserOutput, error) {
	if _, err := s.updateUser(ctx, *in.UserPoolId, *in.Username, func(_ *pool, u *store.User) error {
		u.Enabled = true
		return nil
	}); err != nil {
		return nil, err
	}
	return &cip.AdminEnableUserOutput{}, nil
}

// AdminDisableUser disables a user: sign-in and refresh are refused.
func (s *Service) AdminDisableUser(ctx context.Context, in *cip.AdminDisableUserInput) (*cip.AdminDisableUserOutput, error) {
	u, err := s.updateUser(ctx, *in.UserPoolId, *in.Username, func(_ *pool, u *store.User) error {
		u.Enabled = false
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.RevokeUserRefreshTokens(ctx, u.PoolID, u.Username); err != nil {
		return nil, err
	}
	return &cip.AdminDisableUserOutput{}, nil
}

// AdminSetUserPassword sets a permanent password (CONFIRMED) or a temporary
// one (FORCE_CHANGE_PASSWORD).
func (s *Service) AdminSetUserPassword(ctx context.Context, in *cip.AdminSetUserPasswordInput) (*cip.AdminSetUserPasswordOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	now := s.now()
	if _, err := s.updateUser(ctx, *in.UserPoolId, *in.Username, func(p *pool, u *store.User) error {
		if err := s.setNewPassword(p, u, *in.Password); err != nil {
			return err
		}
		u.PasswordSetAt = now
		if awsapi.ToBool(in.Permanent) {
			u.Status = "CONFIRMED"
		} else {
			u.Status = "FORCE_CHANGE_PASSWORD"
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return &cip.AdminSetUserPasswordOutput{}, nil
}

// ListUsers pages through users, optionally filtered.
func (s *Service) ListUsers(ctx context.Context, in *cip.ListUsersInput) (*cip.ListUsersOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	filter, err := parseFilter(awsapi.ToString(in.Filter))
	if err != nil {
		return nil, err
	}
	if filter.Attribute == "cognito:user_status" {
		// "cognito:user_status (called Status in the Console)
		// (case-insensitive)" (ListUsers API reference); statuses are
		// stored in upper case.
		filter.Value = strings.ToUpper(filter.Value)
	}
	after, err := decodePageToken(in.PaginationToken)
	if err != nil {
		return nil, err
	}
	limit := int(awsapi.ToInt32(in.Limit))
	if limit == 0 {
		limit = 60
	}
	users, err := s.Store.ListUsers(ctx, p.rec.ID, filter, store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &cip.ListUsersOutput{Users: make([]cip.UserType, 0, len(users))}
	if len(users) > limit {
		users = users[:limit]
		out.PaginationToken = encodePageToken(users[len(users)-1].Key)
	}
	for _, u := range users {
		ut := userType(u)
		if in.AttributesToGet != nil {
			ut.Attributes = attributeList(u, in.AttributesToGet)
		}
		out.Users = append(out.Users, *ut)
	}
	return out, nil
}
