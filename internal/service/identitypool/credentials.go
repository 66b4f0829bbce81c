package identitypool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/service/sts"
	"github.com/ninsho/ninsho/internal/store"
)

// SessionName is the role session name of identity-pool credentials.
const SessionName = "CognitoIdentityCredentials"

const msgInvalidConfig = "Invalid identity pool configuration. Check assigned IAM roles for this pool."

func invalidConfig() error { return ci.NewInvalidIdentityPoolConfigurationException(msgInvalidConfig) }

// GetCredentialsForIdentity returns temporary credentials of the identity's
// role (the enhanced flow).
func (s *Service) GetCredentialsForIdentity(ctx context.Context, in *ci.GetCredentialsForIdentityInput) (*ci.GetCredentialsForIdentityOutput, error) {
	ss, err := s.open(ctx, awsapi.ToString(in.IdentityId), in.Logins)
	if err != nil {
		return nil, err
	}
	roleARN, used, err := resolveRole(ss.pool, ss.logins, awsapi.ToString(in.CustomRoleArn))
	if err != nil {
		return nil, err
	}
	if roleARN == "" {
		return nil, invalidConfig()
	}
	role, err := s.Roles.RoleByARN(ctx, roleARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidConfig()
	}
	if err != nil {
		return nil, err
	}
	conditions := map[string][]string{
		"cognito-identity.amazonaws.com:aud": {ss.pool.ID},
		"cognito-identity.amazonaws.com:amr": ss.amr(),
		"cognito-identity.amazonaws.com:sub": {ss.identity.ID},
	}
	tags := principalTags(ss.pool, used)
	if tags == nil {
		tags = developerTags(ss.logins)
	}
	if !trusts(role, conditions, len(tags) > 0) {
		return nil, invalidConfig()
	}
	creds, _, err := s.Sessions.IssueRoleSession(ctx, sts.RoleSession{
		Role: role, SessionName: SessionName, Duration: time.Hour, Tags: tags, Context: conditions,
	})
	if err != nil {
		return nil, err
	}
	return &ci.GetCredentialsForIdentityOutput{IdentityId: awsapi.String(ss.identity.ID), Credentials: &ci.Credentials{
		AccessKeyId: creds.AccessKeyId, SecretKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expiration: creds.Expiration,
	}}, nil
}

// trusts evaluates the role's trust policy for the Cognito federated
// principal: sts:AssumeRoleWithWebIdentity, and sts:TagSession when the
// session gets principal tags.
func trusts(role *sts.Role, conditions map[string][]string, tagged bool) bool {
	doc, err := policy.ParseTrust(role.TrustPolicy)
	if err != nil {
		return false
	}
	who := &policy.Principal{Type: "Federated", ID: CognitoIdentityProvider}
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if tagged {
		actions = append(actions, "sts:TagSession")
	}
	for _, a := range actions {
		if doc.Evaluate(&policy.Request{Action: a, Resource: role.ARN, Principal: who, Context: conditions}) != policy.Allow {
			return false
		}
	}
	return true
}

// resolveRole picks the role of a session: the unauthenticated role, or the
// role mapping of the first login (by provider name) that has one, else the
// authenticated role. custom (CustomRoleArn) must be among the candidates.
// It returns the login whose claims decided (nil when none).
func resolveRole(pool *poolRecord, logins []login, custom string) (string, *login, error) {
	if len(logins) == 0 {
		return pick(custom, pool.Roles["unauthenticated"])
	}
	var used *login
	for i := range logins {
		if !logins[i].Direct {
			used = &logins[i]
			break
		}
	}
	for i := range logins {
		l := &logins[i]
		m, ok := pool.RoleMappings[l.Provider]
		if !ok || l.Direct {
			continue
		}
		var candidates []string
		switch awsapi.ToString(m.Type) {
		case "Token":
			candidates = claimStrings(l.Claims["cognito:roles"])
			if preferred, _ := l.Claims["cognito:preferred_role"].(string); preferred != "" && custom == "" {
				candidates = []string{preferred}
			}
		case "Rules":
			if m.RulesConfiguration != nil {
				for _, r := range m.RulesConfiguration.Rules {
					if ruleMatches(r, l.Claims) {
						candidates = []string{awsapi.ToString(r.RoleARN)}
						break
					}
				}
			}
		}
		switch {
		case custom != "" && slices.Contains(candidates, custom):
			return custom, l, nil
		case custom == "" && len(candidates) == 1:
			return candidates[0], l, nil
		}
		if awsapi.ToString(m.AmbiguousRoleResolution) == "Deny" {
			return "", nil, ci.NewNotAuthorizedException("Ambiguous role mapping rules for: " + l.Provider + " denied this request")
		}
		role, _, err := pick(custom, pool.Roles["authenticated"])
		return role, l, err
	}
	role, _, err := pick(custom, pool.Roles["authenticated"])
	return role, used, err
}

// pick returns role, refusing a CustomRoleArn that is not it.
func pick(custom, role string) (string, *login, error) {
	if custom != "" && custom != role {
		return "", nil, ci.NewNotAuthorizedExceptionf("Invalid CustomRoleArn: %s is not a role of this identity.", custom)
	}
	return role, nil, nil
}

// claimStrings reads a claim that is a string list (or a comma-less
// string, or a JSON array).
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// claimString is a claim as a rule compares it: strings as they are, lists
// joined with ",", numbers and booleans formatted.
func claimString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case []any:
		return strings.Join(claimStrings(v), ","), true
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v)), true
		}
		return fmt.Sprint(v), true
	default:
		return fmt.Sprint(v), true
	}
}

// ruleMatches applies one mapping rule to the claims.
func ruleMatches(r ci.MappingRule, claims map[string]any) bool {
	v, ok := claimString(claims[awsapi.ToString(r.Claim)])
	want := awsapi.ToString(r.Value)
	switch awsapi.ToString(r.MatchType) {
	case "Equals":
		return ok && v == want
	case "Contains":
		return ok && strings.Contains(v, want)
	case "StartsWith":
		return ok && strings.HasPrefix(v, want)
	case "NotEqual":
		return !ok || v != want
	}
	return false
}

// principalTags maps the claims of the login that decided the role to
// session tags, per the pool's principal-tag map for its provider.
func principalTags(pool *poolRecord, l *login) map[string]string {
	if l == nil {
		return nil
	}
	m, ok := pool.PrincipalTags[l.Provider]
	if !ok {
		return nil
	}
	tags := map[string]string{}
	for tag, claim := range m.Tags {
		if v, ok := claimString(l.Claims[claim]); ok && v != "" {
			tags[tag] = v
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}

// developerTags are the principal tags GetOpenIdTokenForDeveloperIdentity
// put in a cognito-identity.amazonaws.com token
// ({"https://aws.amazon.com/tags":{"principal_tags":{"k":["v"]}}}).
func developerTags(logins []login) map[string]string {
	for _, l := range logins {
		if !l.Direct {
			continue
		}
		claim, _ := l.Claims[tagsClaim].(map[string]any)
		pt, _ := claim["principal_tags"].(map[string]any)
		tags := map[string]string{}
		for k, v := range pt {
			if vs := claimStrings(v); len(vs) > 0 {
				tags[k] = vs[0]
			}
		}
		if len(tags) > 0 {
			return tags
		}
	}
	return nil
}
