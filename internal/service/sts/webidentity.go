package sts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// CognitoIdentityProvider is the federated principal of the OpenID tokens of
// identity pools, and the prefix of their condition keys
// (cognito-identity.amazonaws.com:aud, :amr, :sub).
const CognitoIdentityProvider = "cognito-identity.amazonaws.com"

// IdentityPoolIssuerPath ends the issuer of identity-pool OpenID tokens:
// ninsho's is IssuerBase + "/cognito-identity", and the tokens are signed
// with the keys of the tokens scope of the same name.
const IdentityPoolIssuerPath = "/cognito-identity"

// Errors of a WebIdentityVerifier; AssumeRoleWithWebIdentity turns them into
// AWS's errors. The errors of tokens.Keys.Verify (tokens.ErrMalformed,
// ErrSignature, ErrExpired, ErrNotYetValid, ErrUnknownKey) are understood
// too, so a verifier may return them as they are.
var (
	// ErrTokenMalformed: the token is not a JWT.
	ErrTokenMalformed = errors.New("sts: web identity token is not a valid JWT")
	// ErrTokenExpired: the token's exp is past.
	ErrTokenExpired = errors.New("sts: web identity token expired")
	// ErrTokenUnverified: a bad signature, an unknown key, a token not valid
	// yet.
	ErrTokenUnverified = errors.New("sts: web identity token could not be verified")
	// ErrUnknownIssuer: the verifier knows no keys for the token's issuer
	// (not a token ninsho issued).
	ErrUnknownIssuer = errors.New("sts: unknown web identity token issuer")
)

// WebIdentityVerifier verifies the web identity tokens ninsho issues:
// identity-pool OpenID tokens (iss = <IssuerBase>/cognito-identity) and
// user-pool ID and access tokens (iss = <IssuerBase>/<user pool id>).
type WebIdentityVerifier interface {
	// Verify checks the token's signature and validity at now and returns
	// its issuer and claims. Token errors wrap one of ErrTokenMalformed,
	// ErrTokenExpired, ErrTokenUnverified, ErrUnknownIssuer (or the
	// equivalent tokens.Err*); any other error is an internal failure.
	Verify(ctx context.Context, token string, now time.Time) (issuer string, claims map[string]any, err error)
}

// OIDCProvider is what STS needs of an IAM OpenID Connect provider.
type OIDCProvider struct {
	ARN string // arn:aws:iam::<account>:oidc-provider/<url>
	// URL is the provider's URL without its scheme, as IAM stores it
	// ("127.0.0.1:9229/us-east-1_abc").
	URL       string
	ClientIDs []string // the audiences the provider accepts
}

// OIDCProviders finds the IAM OpenID Connect providers of the account.
type OIDCProviders interface {
	// OIDCProviderByURL returns the provider whose URL (without scheme)
	// is url; an error wrapping store.ErrNotFound, or IAM's NoSuchEntity
	// error, when there is none.
	OIDCProviderByURL(ctx context.Context, url string) (*OIDCProvider, error)
}

// AWS's wording of the refusals of AssumeRoleWithWebIdentity.
const (
	msgNotAJWT        = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgNoVerification = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	msgAudience       = "Incorrect token audience"
	msgNotAuthorized  = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	webIdentityAction = "sts:AssumeRoleWithWebIdentity"
	tagsClaim         = "https://aws.amazon.com/tags"
)

// webIdentity is a verified token and who it makes the caller.
type webIdentity struct {
	principal *policy.Principal
	provider  string // the Provider of the answer
	subject   string
	audience  string
	context   map[string][]string // the session's condition keys
}

// AssumeRoleWithWebIdentity issues credentials for a session of a role to
// the holder of a web identity token ninsho issued (an identity-pool OpenID
// token, or a user-pool token of an IAM OIDC provider), when the role's
// trust policy allows sts:AssumeRoleWithWebIdentity to the token's
// federated principal. The call is unsigned.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
//
// ProviderId (OAuth 2.0 providers) and PolicyArns are accepted and ignored.
// Session tags come from the token's "https://aws.amazon.com/tags" claim
// (principal_tags, transitive_tag_keys) and need sts:TagSession.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityInput) (*stsapi.AssumeRoleWithWebIdentityOutput, error) {
	roleARN := awsapi.ToString(in.RoleArn)
	if !wellFormedARN(roleARN) {
		return nil, validationError(roleARN + " is invalid")
	}
	who, claims, err := s.webIdentity(ctx, awsapi.ToString(in.WebIdentityToken))
	if err != nil {
		return nil, err
	}

	denied := accessDenied(msgNotAuthorized)
	role, err := s.Roles.RoleByARN(ctx, roleARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil, denied
	}
	if err != nil {
		return nil, fmt.Errorf("sts: find role %s: %w", roleARN, err)
	}

	tags, transitive := tokenTags(claims)
	trust := newFederatedTrustCheck(role, who.principal, s.webIdentityConditions(who, tags, awsapi.ToString(in.RoleSessionName)))
	if !trust(webIdentityAction) {
		return nil, denied
	}
	if len(tags) > 0 && !trust("sts:TagSession") {
		return nil, accessDenied("Not authorized to perform sts:TagSession")
	}

	d, err := roleSessionDuration(in.DurationSeconds, role, false)
	if err != nil {
		return nil, err
	}
	sessionPolicy, packed, err := sessionPolicyAndSize(in.Policy, tags)
	if err != nil {
		return nil, err
	}

	creds, user, err := s.IssueRoleSession(ctx, RoleSession{
		Role:              role,
		SessionName:       awsapi.ToString(in.RoleSessionName),
		Duration:          d,
		SessionPolicy:     sessionPolicy,
		Tags:              tags,
		TransitiveTagKeys: transitive,
		Context:           who.context,
	})
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithWebIdentityOutput{
		Credentials:                 creds,
		AssumedRoleUser:             user,
		SubjectFromWebIdentityToken: awsapi.String(who.subject),
		Provider:                    awsapi.String(who.provider),
		Audience:                    awsapi.String(who.audience),
		PackedPolicySize:            packed,
	}
	return out, nil
}

// webIdentity verifies the token and finds the federated principal it
// stands for, with AWS's errors.
func (s *Service) webIdentity(ctx context.Context, token string) (*webIdentity, map[string]any, error) {
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, unverified); err != nil {
		return nil, nil, stsapi.NewInvalidIdentityTokenException(msgNotAJWT)
	}
	if s.WebIdentity == nil {
		return nil, nil, stsapi.NewInvalidIdentityTokenException(msgNoVerification)
	}
	now := s.now()
	issuer, claims, err := s.WebIdentity.Verify(ctx, token, now)
	if err != nil {
		return nil, nil, s.tokenError(ctx, err, unverified, now)
	}

	if strings.HasSuffix(issuer, IdentityPoolIssuerPath) || issuerURL(issuer) == CognitoIdentityProvider {
		aud := audiences(claims)
		sub, _ := claims["sub"].(string)
		c := map[string][]string{
			CognitoIdentityProvider + ":aud": aud,
			CognitoIdentityProvider + ":sub": {sub},
		}
		if amr := stringList(claims["amr"]); len(amr) > 0 {
			c[CognitoIdentityProvider+":amr"] = amr
		}
		return &webIdentity{
			principal: &policy.Principal{Type: "Federated", ID: CognitoIdentityProvider},
			provider:  CognitoIdentityProvider,
			subject:   sub,
			audience:  strings.Join(aud, ","),
			context:   c,
		}, claims, nil
	}

	p, err := s.oidcProvider(ctx, issuer)
	if err != nil {
		return nil, nil, err
	}
	auds := audiences(claims)
	if len(auds) == 0 {
		// Cognito's access tokens name their client in client_id.
		if cid, ok := claims["client_id"].(string); ok && cid != "" {
			auds = []string{cid}
		}
	}
	i := slices.IndexFunc(auds, func(a string) bool { return slices.Contains(p.ClientIDs, a) })
	if i < 0 {
		return nil, nil, stsapi.NewInvalidIdentityTokenException(msgAudience)
	}
	sub, _ := claims["sub"].(string)
	c := map[string][]string{
		p.URL + ":aud": {auds[i]},
		p.URL + ":sub": {sub},
	}
	if amr := stringList(claims["amr"]); len(amr) > 0 {
		c[p.URL+":amr"] = amr
	}
	return &webIdentity{
		principal: &policy.Principal{Type: "Federated", ID: p.ARN},
		provider:  p.URL,
		subject:   sub,
		audience:  auds[i],
		context:   c,
	}, claims, nil
}

// oidcProvider finds the IAM OIDC provider of an issuer; none is AWS's
// InvalidIdentityToken "No OpenIDConnect provider found in your account for
// <issuer>".
func (s *Service) oidcProvider(ctx context.Context, issuer string) (*OIDCProvider, error) {
	none := stsapi.NewInvalidIdentityTokenException("No OpenIDConnect provider found in your account for " + issuer)
	if s.OIDCProviders == nil {
		return nil, none
	}
	url := issuerURL(issuer)
	if url == "" {
		return nil, none
	}
	p, err := s.OIDCProviders.OIDCProviderByURL(ctx, url)
	if err != nil {
		if notFound(err) {
			return nil, none
		}
		return nil, fmt.Errorf("sts: find OIDC provider %s: %w", url, err)
	}
	if p.URL == "" {
		p.URL = url
	}
	return p, nil
}

// tokenError turns a verifier's error into AWS's.
func (s *Service) tokenError(ctx context.Context, err error, unverified jwt.MapClaims, now time.Time) error {
	switch {
	case errors.Is(err, ErrTokenExpired), errors.Is(err, tokens.ErrExpired):
		exp, _ := unverified.GetExpirationTime()
		var expUnix int64
		if exp != nil {
			expUnix = exp.Unix()
		}
		return stsapi.NewExpiredTokenException("Token expired: current date/time " + strconv.FormatInt(now.Unix(), 10) +
			" must be before the expiration date/time " + strconv.FormatInt(expUnix, 10))
	case errors.Is(err, ErrTokenMalformed), errors.Is(err, tokens.ErrMalformed):
		return stsapi.NewInvalidIdentityTokenException(msgNotAJWT)
	case errors.Is(err, ErrUnknownIssuer):
		// Not one of ninsho's tokens: without an OIDC provider for its
		// issuer AWS says so; with one, it could not fetch its keys.
		iss, _ := unverified["iss"].(string)
		if _, perr := s.oidcProvider(ctx, iss); perr != nil {
			return perr
		}
		return stsapi.NewInvalidIdentityTokenException(msgNoVerification)
	case errors.Is(err, ErrTokenUnverified), errors.Is(err, tokens.ErrSignature), errors.Is(err, tokens.ErrUnknownKey),
		errors.Is(err, tokens.ErrNotYetValid):
		return stsapi.NewInvalidIdentityTokenException(msgNoVerification)
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	return fmt.Errorf("sts: verify web identity token: %w", err)
}

// webIdentityConditions are the condition keys a trust policy may test
// during AssumeRoleWithWebIdentity: the provider's keys (aud, sub, amr),
// the request's tags and the STS keys.
func (s *Service) webIdentityConditions(who *webIdentity, tags map[string]string, sessionName string) map[string][]string {
	c := make(map[string][]string, len(who.context)+8)
	for k, v := range who.context {
		c[k] = v
	}
	now := s.now().UTC()
	c["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
	c["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	c["aws:FederatedProvider"] = []string{who.principal.ID}
	c["sts:RoleSessionName"] = []string{sessionName}
	if len(tags) > 0 {
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			c["aws:RequestTag/"+k] = []string{v}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c["aws:TagKeys"] = keys
	}
	return c
}

// newFederatedTrustCheck is newTrustCheck for a federated principal.
func newFederatedTrustCheck(role *Role, who *policy.Principal, conditions map[string][]string) trustCheck {
	doc, err := policy.Parse(role.TrustPolicy)
	if err != nil {
		return func(string) bool { return false }
	}
	return func(action string) bool {
		return doc.Evaluate(&policy.Request{
			Action:    action,
			Resource:  role.ARN,
			Principal: who,
			Context:   conditions,
		}) == policy.Allow
	}
}

// tokenTags reads session tags from the token's
// {"https://aws.amazon.com/tags": {"principal_tags": {"k": ["v"]},
// "transitive_tag_keys": ["k"]}} claim.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp
func tokenTags(claims map[string]any) (map[string]string, []string) {
	m, _ := claims[tagsClaim].(map[string]any)
	if m == nil {
		return nil, nil
	}
	pt, _ := m["principal_tags"].(map[string]any)
	var tags map[string]string
	for k, v := range pt {
		vals := stringList(v)
		if len(vals) == 0 {
			continue
		}
		if tags == nil {
			tags = make(map[string]string, len(pt))
		}
		tags[k] = vals[0]
	}
	var transitive []string
	for _, k := range stringList(m["transitive_tag_keys"]) {
		if _, ok := tags[k]; ok {
			transitive = append(transitive, k)
		}
	}
	return tags, transitive
}

// audiences is the token's aud claim, a string or an array of strings.
func audiences(claims map[string]any) []string { return stringList(claims["aud"]) }

// stringList reads a claim that is a string or an array of strings.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []string:
		return slices.Clone(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// issuerURL is an issuer without its scheme and trailing slash, as IAM
// stores provider URLs.
func issuerURL(issuer string) string {
	u := issuer
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	return strings.TrimSuffix(u, "/")
}

// notFound tells a missing provider: store.ErrNotFound or IAM's
// NoSuchEntity.
func notFound(err error) bool {
	if errors.Is(err, store.ErrNotFound) {
		return true
	}
	e, ok := awserr.As(err)
	return ok && e.Code == "NoSuchEntity"
}

// TokensVerifier is a WebIdentityVerifier over ninsho's signing keys:
// identity-pool OpenID tokens (iss IssuerBase + "/cognito-identity", keys
// of scope "cognito-identity") and user-pool tokens (iss IssuerBase +
// "/<pool id>", keys of scope <pool id>).
type TokensVerifier struct {
	Keys *tokens.Keys
	// IssuerBase is the issuer prefix in force (e.g.
	// "http://127.0.0.1:9229").
	IssuerBase string
}

// identityPoolScope is the tokens scope of identity-pool OpenID tokens
// (identitypool.OpenIDScope).
const identityPoolScope = "cognito-identity"

// Verify implements WebIdentityVerifier.
func (v *TokensVerifier) Verify(ctx context.Context, token string, now time.Time) (string, map[string]any, error) {
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, unverified); err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrTokenMalformed, err)
	}
	iss, _ := unverified["iss"].(string)
	base := strings.TrimRight(v.IssuerBase, "/")
	rest, ok := strings.CutPrefix(iss, base+"/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", nil, fmt.Errorf("%w: %q", ErrUnknownIssuer, iss)
	}
	scope := rest // a user pool id
	if rest == strings.TrimPrefix(IdentityPoolIssuerPath, "/") {
		scope = identityPoolScope
	}
	claims, err := v.Keys.Verify(ctx, scope, token, now)
	if err != nil {
		if errors.Is(err, tokens.ErrExpired) {
			return "", nil, fmt.Errorf("%w: %w", ErrTokenExpired, err)
		}
		if errors.Is(err, tokens.ErrMalformed) || errors.Is(err, tokens.ErrSignature) ||
			errors.Is(err, tokens.ErrUnknownKey) || errors.Is(err, tokens.ErrNotYetValid) {
			return "", nil, fmt.Errorf("%w: %w", ErrTokenUnverified, err)
		}
		return "", nil, err
	}
	return iss, claims, nil
}
