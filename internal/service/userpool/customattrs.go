package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// AddCustomAttributes adds custom attributes to a pool's schema. Names get
// the "custom:" prefix ("dev:custom:" for developer-only ones); a name the
// schema has already is refused, and a pool has at most 50.
func (s *Service) AddCustomAttributes(ctx context.Context, in *cip.AddCustomAttributesInput) (*cip.AddCustomAttributesOutput, error) {
	if _, err := s.loadPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	added := make([]cip.SchemaAttributeType, 0, len(in.CustomAttributes))
	for _, a := range in.CustomAttributes {
		c, err := customSchemaAttribute(a)
		if err != nil {
			return nil, err
		}
		added = append(added, c)
	}
	now := s.now()
	_, err := s.Store.UpdateUserPool(ctx, *in.UserPoolId, func(rec store.UserPool) (store.UserPool, error) {
		var cfg cip.UserPoolType
		if err := json.Unmarshal(rec.Settings, &cfg); err != nil {
			return rec, err
		}
		for _, c := range added {
			if _, dup := schemaAttribute(cfg.SchemaAttributes, strings.TrimPrefix(*c.Name, "dev:")); dup {
				return rec, cip.NewInvalidParameterExceptionf("Existing attribute already has name %s.", *c.Name)
			}
			cfg.SchemaAttributes = append(cfg.SchemaAttributes, c)
		}
		if countCustom(cfg.SchemaAttributes) > maxCustomAttributes {
			return rec, tooManyCustom()
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			return rec, err
		}
		rec.Settings, rec.UpdatedAt = b, now
		return rec, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(*in.UserPoolId)
	}
	if err != nil {
		return nil, err
	}
	return &cip.AddCustomAttributesOutput{}, nil
}

// developerOnly reports whether name is a developer-only attribute, which
// only the admin API reads and writes ("dev:custom:x", also written
// "custom:x").
func developerOnly(p *pool, name string) bool {
	if strings.HasPrefix(name, "dev:") {
		return true
	}
	sa, ok := schemaAttribute(p.cfg.SchemaAttributes, name)
	return ok && awsapi.ToBool(sa.DeveloperOnlyAttribute)
}

// userAttributeList is attributeList without the developer-only attributes:
// what the user's own access token may read.
func userAttributeList(p *pool, u store.User) []cip.AttributeType {
	all := attributeList(u, nil)
	out := all[:0]
	for _, a := range all {
		if !developerOnly(p, *a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// deleteAttributes removes names from u's attributes: required and
// immutable attributes are refused, and deleting email or phone_number
// deletes its *_verified as well.
func deleteAttributes(p *pool, u *store.User, names []string, byUser bool) error {
	attrs := maps.Clone(u.Attributes)
	for _, name := range names {
		if byUser && developerOnly(p, name) {
			return cip.NewNotAuthorizedException("A client attempted to write unauthorized attribute")
		}
		sa, ok := schemaAttribute(p.cfg.SchemaAttributes, name)
		if !ok {
			return schemaError("Type for attribute {%s} could not be determined", name)
		}
		if awsapi.ToBool(sa.Required) {
			return schemaError("%s: The attribute is required", name)
		}
		if !awsapi.ToBool(sa.Mutable) {
			return cip.NewInvalidParameterExceptionf("Cannot modify the non-mutable attribute %s", name)
		}
		if p.usernameAttribute(name) {
			return cip.NewInvalidParameterExceptionf("Cannot delete %s: it is a username attribute of the pool.", name)
		}
		delete(attrs, name)
		delete(attrs, strings.TrimPrefix(name, "dev:"))
		if name == "email" || name == "phone_number" {
			delete(attrs, name+"_verified")
		}
	}
	u.Attributes = attrs
	return nil
}

// AdminDeleteUserAttributes deletes attributes of a user.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, in *cip.AdminDeleteUserAttributesInput) (*cip.AdminDeleteUserAttributesOutput, error) {
	if _, err := s.updateUser(ctx, *in.UserPoolId, *in.Username, func(p *pool, u *store.User) error {
		return deleteAttributes(p, u, in.UserAttributeNames, false)
	}); err != nil {
		return nil, err
	}
	return &cip.AdminDeleteUserAttributesOutput{}, nil
}

// DeleteUserAttributes deletes attributes of the access token's user.
func (s *Service) DeleteUserAttributes(ctx context.Context, in *cip.DeleteUserAttributesInput) (*cip.DeleteUserAttributesOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	now := s.now()
	_, err = s.Store.UpdateUser(ctx, p.rec.ID, u.Key, func(u store.User) (store.User, error) {
		if err := deleteAttributes(p, &u, in.UserAttributeNames, true); err != nil {
			return u, err
		}
		u.UpdatedAt = now
		return u, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &cip.DeleteUserAttributesOutput{}, nil
}

// DeleteUser deletes the access token's user: its refresh tokens (and the
// access tokens issued from them) are revoked and its memberships removed.
func (s *Service) DeleteUser(ctx context.Context, in *cip.DeleteUserInput) (*awsapi.Empty, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.RevokeUserRefreshTokens(ctx, p.rec.ID, u.Username); err != nil {
		return nil, err
	}
	if err := s.deleteUser(ctx, p, u); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// checkConstraints checks a value against its schema entry's string length
// or number range.
func checkConstraints(sa cip.SchemaAttributeType, name, value string) error {
	switch awsapi.ToString(sa.AttributeDataType) {
	case "String":
		if sc := sa.StringAttributeConstraints; sc != nil {
			n := len([]rune(value))
			if lo, err := strconv.Atoi(awsapi.ToString(sc.MinLength)); err == nil && n < lo {
				return schemaError("%s: String must be no shorter than %d characters", name, lo)
			}
			if hi, err := strconv.Atoi(awsapi.ToString(sc.MaxLength)); err == nil && n > hi {
				return schemaError("%s: String must be no longer than %d characters", name, hi)
			}
		}
	case "Number":
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return schemaError("%s: Number must be a valid number", name)
		}
		if nc := sa.NumberAttributeConstraints; nc != nil {
			if lo, err := strconv.ParseFloat(awsapi.ToString(nc.MinValue), 64); err == nil && v < lo {
				return schemaError("%s: Number must be no less than %s", name, *nc.MinValue)
			}
			if hi, err := strconv.ParseFloat(awsapi.ToString(nc.MaxValue), 64); err == nil && v > hi {
				return schemaError("%s: Number must be no greater than %s", name, *nc.MaxValue)
			}
		}
	}
	return nil
}
