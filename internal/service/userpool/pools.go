package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// pool is a stored pool with its settings decoded.
type pool struct {
	rec store.UserPool
	cfg cip.UserPoolType
}

func (p *pool) usernameAttribute(name string) bool {
	return slices.Contains(p.cfg.UsernameAttributes, name)
}

func (p *pool) aliasAttribute(name string) bool {
	return slices.Contains(p.cfg.AliasAttributes, name)
}

// caseSensitive reports whether usernames are case sensitive. Pools created
// without a UsernameConfiguration are, as in Cognito's API.
func (p *pool) caseSensitive() bool {
	return p.cfg.UsernameConfiguration == nil || awsapi.ToBool(p.cfg.UsernameConfiguration.CaseSensitive)
}

func (p *pool) passwordPolicy() cip.PasswordPolicyType {
	if p.cfg.Policies != nil && p.cfg.Policies.PasswordPolicy != nil {
		return *p.cfg.Policies.PasswordPolicy
	}
	return defaultPasswordPolicy()
}

func defaultPasswordPolicy() cip.PasswordPolicyType {
	return cip.PasswordPolicyType{
		MinimumLength:                 awsapi.Int32(8),
		RequireUppercase:              awsapi.Bool(true),
		RequireLowercase:              awsapi.Bool(true),
		RequireNumbers:                awsapi.Bool(true),
		RequireSymbols:                awsapi.Bool(true),
		TemporaryPasswordValidityDays: awsapi.Int32(7),
	}
}

func (s *Service) poolArn(id string) string {
	return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", s.Region, s.Account, id)
}

func poolNotFound(id string) error {
	return cip.NewResourceNotFoundExceptionf("User pool %s does not exist.", id)
}

func (s *Service) loadPool(ctx context.Context, id string) (*pool, error) {
	rec, err := s.Store.GetUserPool(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := s.pools.decode(id, rec.Settings)
	if err != nil {
		return nil, fmt.Errorf("user pool %s: bad settings: %w", id, err)
	}
	return &pool{rec: rec, cfg: cfg}, nil
}

// describe returns the pool as DescribeUserPool shows it.
func (s *Service) describe(ctx context.Context, p *pool) (*cip.UserPoolType, error) {
	out := p.cfg
	out.Id = awsapi.String(p.rec.ID)
	out.Name = awsapi.String(p.rec.Name)
	out.Arn = awsapi.String(s.poolArn(p.rec.ID))
	out.CreationDate = awsapi.Time(p.rec.CreatedAt)
	out.LastModifiedDate = awsapi.Time(p.rec.UpdatedAt)
	n, err := s.Store.CountUsers(ctx, p.rec.ID)
	if err != nil {
		return nil, err
	}
	out.EstimatedNumberOfUsers = awsapi.Int32(int32(n))
	return &out, nil
}

// settingsOf applies the mutable settings of a Create/UpdateUserPool request
// to cfg. Like Cognito's UpdateUserPool, a setting left out is reset to its
// default rather than kept.
type mutableSettings struct {
	Policies                    *cip.UserPoolPolicyType
	DeletionProtection          *string
	LambdaConfig                *cip.LambdaConfigType
	AutoVerifiedAttributes      []string
	SmsVerificationMessage      *string
	EmailVerificationMessage    *string
	EmailVerificationSubject    *string
	VerificationMessageTemplate *cip.VerificationMessageTemplateType
	SmsAuthenticationMessage    *string
	UserAttributeUpdateSettings *cip.UserAttributeUpdateSettingsType
	MfaConfiguration            *string
	DeviceConfiguration         *cip.DeviceConfigurationType
	EmailConfiguration          *cip.EmailConfigurationType
	SmsConfiguration            *cip.SmsConfigurationType
	UserPoolTags                map[string]string
	AdminCreateUserConfig       *cip.AdminCreateUserConfigType
	UserPoolAddOns              *cip.UserPoolAddOnsType
	AccountRecoverySetting      *cip.AccountRecoverySettingType
	UserPoolTier                *string
}

func applySettings(cfg *cip.UserPoolType, m mutableSettings) error {
	policy := defaultPasswordPolicy()
	if m.Policies != nil && m.Policies.PasswordPolicy != nil {
		pp := m.Policies.PasswordPolicy
		if pp.MinimumLength != nil {
			policy.MinimumLength = pp.MinimumLength
		}
		policy.RequireUppercase = awsapi.Bool(awsapi.ToBool(pp.RequireUppercase))
		policy.RequireLowercase = awsapi.Bool(awsapi.ToBool(pp.RequireLowercase))
		policy.RequireNumbers = awsapi.Bool(awsapi.ToBool(pp.RequireNumbers))
		policy.RequireSymbols = awsapi.Bool(awsapi.ToBool(pp.RequireSymbols))
		policy.PasswordHistorySize = pp.PasswordHistorySize
		if pp.TemporaryPasswordValidityDays != nil {
			policy.TemporaryPasswordValidityDays = pp.TemporaryPasswordValidityDays
		}
	}
	signIn := &cip.SignInPolicyType{AllowedFirstAuthFactors: []string{"PASSWORD"}}
	if m.Policies != nil && m.Policies.SignInPolicy != nil {
		signIn = m.Policies.SignInPolicy
	}
	cfg.Policies = &cip.UserPoolPolicyType{PasswordPolicy: &policy, SignInPolicy: signIn}

	cfg.DeletionProtection = m.DeletionProtection
	if cfg.DeletionProtection == nil {
		cfg.DeletionProtection = awsapi.String("INACTIVE")
	}
	cfg.LambdaConfig = m.LambdaConfig
	if cfg.LambdaConfig == nil {
		cfg.LambdaConfig = &cip.LambdaConfigType{}
	}
	cfg.AutoVerifiedAttributes = m.AutoVerifiedAttributes
	cfg.SmsVerificationMessage = m.SmsVerificationMessage
	cfg.EmailVerificationMessage = m.EmailVerificationMessage
	cfg.EmailVerificationSubject = m.EmailVerificationSubject
	cfg.VerificationMessageTemplate = m.VerificationMessageTemplate
	if cfg.VerificationMessageTemplate == nil {
		cfg.VerificationMessageTemplate = &cip.VerificationMessageTemplateType{}
	}
	vt := cfg.VerificationMessageTemplate
	if vt.DefaultEmailOption == nil {
		vt.DefaultEmailOption = awsapi.String("CONFIRM_WITH_CODE")
	}
	if vt.SmsMessage == nil {
		vt.SmsMessage = m.SmsVerificationMessage
	}
	if vt.EmailMessage == nil {
		vt.EmailMessage = m.EmailVerificationMessage
	}
	if vt.EmailSubject == nil {
		vt.EmailSubject = m.EmailVerificationSubject
	}
	cfg.SmsAuthenticationMessage = m.SmsAuthenticationMessage
	cfg.UserAttributeUpdateSettings = m.UserAttributeUpdateSettings
	if cfg.UserAttributeUpdateSettings == nil {
		cfg.UserAttributeUpdateSettings = &cip.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []string{}}
	}
	cfg.MfaConfiguration = m.MfaConfiguration
	if cfg.MfaConfiguration == nil {
		cfg.MfaConfiguration = awsapi.String("OFF")
	}
	cfg.DeviceConfiguration = m.DeviceConfiguration
	cfg.EmailConfiguration = m.EmailConfiguration
	if cfg.EmailConfiguration == nil {
		cfg.EmailConfiguration = &cip.EmailConfigurationType{EmailSendingAccount: awsapi.String("COGNITO_DEFAULT")}
	}
	cfg.SmsConfiguration = m.SmsConfiguration
	cfg.UserPoolTags = m.UserPoolTags
	if cfg.UserPoolTags == nil {
		cfg.UserPoolTags = map[string]string{}
	}
	ac := cip.AdminCreateUserConfigType{AllowAdminCreateUserOnly: awsapi.Bool(false)}
	if m.AdminCreateUserConfig != nil {
		ac = *m.AdminCreateUserConfig
		if ac.AllowAdminCreateUserOnly == nil {
			ac.AllowAdminCreateUserOnly = awsapi.Bool(false)
		}
	}
	// UnusedAccountValidityDays is the legacy name of the temporary
	// password's validity; Cognito reports the policy's value in both.
	ac.UnusedAccountValidityDays = policy.TemporaryPasswordValidityDays
	cfg.AdminCreateUserConfig = &ac
	cfg.UserPoolAddOns = m.UserPoolAddOns
	cfg.AccountRecoverySetting = m.AccountRecoverySetting
	cfg.UserPoolTier = m.UserPoolTier
	if cfg.UserPoolTier == nil {
		cfg.UserPoolTier = awsapi.String("ESSENTIALS")
	}
	for _, a := range cfg.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return cip.NewInvalidParameterExceptionf("Invalid auto verified attribute %s.", a)
		}
	}
	return nil
}

// CreateUserPool creates a pool with Cognito's defaults.
func (s *Service) CreateUserPool(ctx context.Context, in *cip.CreateUserPoolInput) (*cip.CreateUserPoolOutput, error) {
	if len(in.UsernameAttributes) > 0 && len(in.AliasAttributes) > 0 {
		return nil, cip.NewInvalidParameterException("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	schema, err := buildSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	cfg := cip.UserPoolType{
		SchemaAttributes:      schema,
		UsernameAttributes:    in.UsernameAttributes,
		AliasAttributes:       in.AliasAttributes,
		UsernameConfiguration: in.UsernameConfiguration,
	}
	var m mutableSettings
	if err := copyMembers(in, &m); err != nil {
		return nil, err
	}
	if err := checkPoolMfaMode(m.MfaConfiguration, m.SmsConfiguration, poolMFA{}); err != nil {
		return nil, err
	}
	if err := applySettings(&cfg, m); err != nil {
		return nil, err
	}
	settings, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec := store.UserPool{ID: newPoolID(s.Region), Name: awsapi.ToString(in.PoolName), Settings: settings, CreatedAt: now, UpdatedAt: now}
	// Keys first: a pool that exists can always sign.
	if err := s.Keys.Ensure(ctx, rec.ID, "id", "access"); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUserPool(ctx, rec); err != nil {
		return nil, err
	}
	out, err := s.describe(ctx, &pool{rec: rec, cfg: cfg})
	if err != nil {
		return nil, err
	}
	return &cip.CreateUserPoolOutput{UserPool: out}, nil
}

// DescribeUserPool returns a pool's configuration.
func (s *Service) DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput) (*cip.DescribeUserPoolOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	out, err := s.describe(ctx, p)
	if err != nil {
		return nil, err
	}
	return &cip.DescribeUserPoolOutput{UserPool: out}, nil
}

// ListUserPools pages through the pools, ordered by id.
func (s *Service) ListUserPools(ctx context.Context, in *cip.ListUserPoolsInput) (*cip.ListUserPoolsOutput, error) {
	after, err := decodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(awsapi.ToInt32(in.MaxResults))
	recs, err := s.Store.ListUserPools(ctx, store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &cip.ListUserPoolsOutput{UserPools: []cip.UserPoolDescriptionType{}}
	if len(recs) > limit {
		recs = recs[:limit]
		out.NextToken = encodePageToken(recs[len(recs)-1].ID)
	}
	for _, r := range recs {
		var cfg cip.UserPoolType
		if err := json.Unmarshal(r.Settings, &cfg); err != nil {
			return nil, err
		}
		out.UserPools = append(out.UserPools, cip.UserPoolDescriptionType{
			Id: awsapi.String(r.ID), Name: awsapi.String(r.Name), LambdaConfig: cfg.LambdaConfig,
			CreationDate: awsapi.Time(r.CreatedAt), LastModifiedDate: awsapi.Time(r.UpdatedAt),
		})
	}
	return out, nil
}

// UpdateUserPool replaces a pool's mutable settings. As in Cognito, settings
// the request leaves out return to their defaults.
func (s *Service) UpdateUserPool(ctx context.Context, in *cip.UpdateUserPoolInput) (*cip.UpdateUserPoolOutput, error) {
	now := s.now()
	var m mutableSettings
	if err := copyMembers(in, &m); err != nil {
		return nil, err
	}
	if err := s.checkUpdateMfaMode(ctx, *in.UserPoolId, m); err != nil {
		return nil, err
	}
	_, err := s.Store.UpdateUserPool(ctx, *in.UserPoolId, func(rec store.UserPool) (store.UserPool, error) {
		var cfg cip.UserPoolType
		if err := json.Unmarshal(rec.Settings, &cfg); err != nil {
			return rec, err
		}
		if err := applySettings(&cfg, m); err != nil {
			return rec, err
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			return rec, err
		}
		rec.Settings = b
		if in.PoolName != nil {
			rec.Name = *in.PoolName
		}
		rec.UpdatedAt = now
		return rec, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(*in.UserPoolId)
	}
	if err != nil {
		return nil, err
	}
	return &cip.UpdateUserPoolOutput{}, nil
}

// DeleteUserPool deletes a pool and everything in it, unless deletion
// protection is on.
func (s *Service) DeleteUserPool(ctx context.Context, in *cip.DeleteUserPoolInput) (*awsapi.Empty, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if awsapi.ToString(p.cfg.DeletionProtection) == "ACTIVE" {
		return nil, cip.NewInvalidParameterException("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	if err := s.Store.DeleteUserPool(ctx, p.rec.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err := s.deletePoolGroups(ctx, p.rec.ID); err != nil {
		return nil, err
	}
	if err := s.deletePoolLockouts(ctx, p.rec.ID); err != nil {
		return nil, err
	}
	if err := s.deletePoolMFAObjects(ctx, p.rec.ID); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// copyMembers copies the members of an input into dst, a struct whose
// fields are named like those members, so that Create and Update of pools
// and clients share one list of settings instead of two copies of it.
func copyMembers(in, dst any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// Pagination tokens are the last key of the previous page, encoded so that
// callers treat them as opaque.
func encodePageToken(key string) *string {
	return awsapi.String(base64.RawURLEncoding.EncodeToString([]byte(key)))
}

func decodePageToken(tok *string) (string, error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return "", cip.NewInvalidParameterException("Invalid pagination token.")
	}
	return string(b), nil
}
