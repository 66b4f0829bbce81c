package userpool

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
)

// verifiable reports whether attr is one Cognito verifies.
func verifiable(attr string) bool { return attr == "email" || attr == "phone_number" }

// pendingValue is the value waiting for verification of attr, if any
// (AttributesRequireVerificationBeforeUpdate keeps the old value until
// then).
func pendingValue(u store.User, attr string) string {
	c, err := loadCodes(u)
	if err != nil {
		return ""
	}
	return c.Codes[purposeAttribute(attr)].Value
}

// GetUserAttributeVerificationCode sends a code that verifies the email
// address or phone number of the access token's user (the pending value,
// when an update waits for verification).
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *cip.GetUserAttributeVerificationCodeInput) (*cip.GetUserAttributeVerificationCodeOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, cip.NewInvalidParameterExceptionf("Invalid attribute name: %s. Only email and phone_number can be verified.", attr)
	}
	pending := pendingValue(u, attr)
	to := pending
	if to == "" {
		to = u.Attributes[attr]
	}
	if to == "" {
		return nil, cip.NewInvalidParameterExceptionf("User does not have a value for the attribute: %s", attr)
	}
	d := attributeDelivery(attr, to)
	var code string
	u, err = s.updateCounting(ctx, p, u.Key, "GetUserAttributeVerificationCode", true, func(u *store.User) error {
		var err error
		code, err = issueCode(u, purposeAttribute(attr), s.now(), attributeCodeLifetime, attr, pending)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, u, notify.KindVerifyAttribute, d, code); err != nil {
		return nil, err
	}
	return &cip.GetUserAttributeVerificationCodeOutput{CodeDeliveryDetails: d.details()}, nil
}

// VerifyUserAttribute verifies an attribute with its code: it becomes
// verified, and a pending value replaces the old one.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *cip.VerifyUserAttributeInput) (*cip.VerifyUserAttributeOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, cip.NewInvalidParameterExceptionf("Invalid attribute name: %s. Only email and phone_number can be verified.", attr)
	}
	value := pendingValue(u, attr)
	if value == "" {
		value = u.Attributes[attr]
	}
	// A verified alias belongs to one user; a username attribute too.
	holders, err := s.aliasConflicts(ctx, p, attr, value, u.Key)
	if err != nil {
		return nil, err
	}
	taken, err := s.usernameAttributeTaken(ctx, p, attr, value, u.Key)
	if err != nil {
		return nil, err
	}
	if len(holders) > 0 || taken {
		return nil, cip.NewAliasExistsException("An account with the given " + attrLabel(attr) + " already exists.")
	}
	now := s.now()
	if _, err := s.updateCounting(ctx, p, u.Key, "VerifyUserAttribute", false, func(u *store.User) error {
		sc, err := checkCode(u, purposeAttribute(attr), *in.Code, now)
		if err != nil {
			return err
		}
		if sc.Value != "" {
			u.Attributes[attr] = sc.Value
		}
		if u.Attributes[attr] == "" {
			return cip.NewInvalidParameterExceptionf("User does not have a value for the attribute: %s", attr)
		}
		u.Attributes[attr+"_verified"] = "true"
		return nil
	}); err != nil {
		return nil, err
	}
	return &cip.VerifyUserAttributeOutput{}, nil
}

// attributeUpdate is a planned UpdateUserAttributes or
// AdminUpdateUserAttributes.
type attributeUpdate struct {
	set map[string]string
	// verify are the changed email/phone values that get a code: for
	// pending ones (AttributesRequireVerificationBeforeUpdate) the code
	// stands for the new value, which is not applied until verified.
	verify  []string
	pending map[string]string
}

// planAttributeUpdate checks attrs against the schema and the user, and
// decides what changes now and what waits for verification.
func (s *Service) planAttributeUpdate(ctx context.Context, p *pool, u store.User, attrs []cip.AttributeType, admin bool) (*attributeUpdate, error) {
	if err := checkAttributes(p, attrs); err != nil {
		return nil, err
	}
	plan := &attributeUpdate{set: map[string]string{}, pending: map[string]string{}}
	for _, a := range attrs {
		name, value := *a.Name, awsapi.ToString(a.Value)
		if strings.HasSuffix(name, "_verified") && !admin {
			return nil, cip.NewNotAuthorizedException("A client attempted to write unauthorized attribute")
		}
		if sa, ok := schemaAttribute(p.cfg.SchemaAttributes, name); ok && sa.Mutable != nil && !*sa.Mutable {
			if _, had := u.Attributes[name]; had {
				return nil, cip.NewInvalidParameterExceptionf("Cannot modify the non-mutable attribute %s", name)
			}
		}
		plan.set[name] = value
	}
	for _, attr := range []string{"email", "phone_number"} {
		value, ok := plan.set[attr]
		if !ok {
			value = u.Attributes[attr]
		}
		adminVerified := admin && plan.set[attr+"_verified"] == "true"
		if adminVerified && u.Attributes[attr+"_verified"] != "true" {
			// Verifying makes the value a sign-in alias: it must be free.
			holders, err := s.aliasConflicts(ctx, p, attr, value, u.Key)
			if err != nil {
				return nil, err
			}
			if len(holders) > 0 {
				return nil, cip.NewAliasExistsException("An account with the given " + attrLabel(attr) + " already exists.")
			}
		}
		if !ok || value == u.Attributes[attr] {
			continue
		}
		taken, err := s.usernameAttributeTaken(ctx, p, attr, value, u.Key)
		if err != nil {
			return nil, err
		}
		if taken {
			return nil, cip.NewAliasExistsException("An account with the given " + attrLabel(attr) + " already exists.")
		}
		if adminVerified {
			continue
		}
		autoVerified := slices.Contains(p.cfg.AutoVerifiedAttributes, attr)
		keepOld := autoVerified && u.Attributes[attr] != "" && p.cfg.UserAttributeUpdateSettings != nil &&
			slices.Contains(p.cfg.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate, attr)
		if keepOld {
			delete(plan.set, attr)
			plan.pending[attr] = value
		} else if _, given := plan.set[attr+"_verified"]; !given {
			plan.set[attr+"_verified"] = "false"
		}
		if autoVerified {
			plan.verify = append(plan.verify, attr)
		}
	}
	return plan, nil
}

// applyAttributeUpdate writes plan to the user and sends the codes it
// calls for, returning where they went.
func (s *Service) applyAttributeUpdate(ctx context.Context, p *pool, u store.User, plan *attributeUpdate) ([]cip.CodeDeliveryDetailsType, error) {
	now := s.now()
	codes := map[string]string{}
	u, err := s.updateUser(ctx, p.rec.ID, u.Username, func(_ *pool, u *store.User) error {
		u.Attributes = maps.Clone(u.Attributes)
		if u.Attributes == nil {
			u.Attributes = map[string]string{}
		}
		maps.Copy(u.Attributes, plan.set)
		for _, attr := range []string{"email", "phone_number"} {
			if _, changed := plan.set[attr]; changed {
				// A new value drops a pending one and its code.
				if err := dropCode(u, purposeAttribute(attr)); err != nil {
					return err
				}
			}
		}
		for _, attr := range plan.verify {
			code, err := issueCode(u, purposeAttribute(attr), now, attributeCodeLifetime, attr, plan.pending[attr])
			if err != nil {
				return err
			}
			codes[attr] = code
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []cip.CodeDeliveryDetailsType{}
	for _, attr := range plan.verify {
		to := plan.pending[attr]
		if to == "" {
			to = u.Attributes[attr]
		}
		d := attributeDelivery(attr, to)
		if err := s.sendCode(ctx, p, u, notify.KindVerifyAttribute, d, codes[attr]); err != nil {
			return nil, err
		}
		out = append(out, *d.details())
	}
	return out, nil
}

// UpdateUserAttributes updates the access token's user. A new email
// address or phone number is unverified and, when the pool verifies it
// automatically, gets a code.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *cip.UpdateUserAttributesInput) (*cip.UpdateUserAttributesOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	plan, err := s.planAttributeUpdate(ctx, p, u, in.UserAttributes, false)
	if err != nil {
		return nil, err
	}
	sent, err := s.applyAttributeUpdate(ctx, p, u, plan)
	if err != nil {
		return nil, err
	}
	return &cip.UpdateUserAttributesOutput{CodeDeliveryDetailsList: sent}, nil
}

// AdminUpdateUserAttributes updates a user's attributes; setting
// email_verified or phone_number_verified to true along with a new value
// verifies it without a code.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput) (*cip.AdminUpdateUserAttributesOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	plan, err := s.planAttributeUpdate(ctx, p, u, in.UserAttributes, true)
	if err != nil {
		return nil, err
	}
	if _, err := s.applyAttributeUpdate(ctx, p, u, plan); err != nil {
		return nil, err
	}
	return &cip.AdminUpdateUserAttributesOutput{}, nil
}
