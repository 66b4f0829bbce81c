package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
	iamsvc "github.com/ninsho/ninsho/internal/service/iam"
	"github.com/ninsho/ninsho/internal/service/identitypool"
	"github.com/ninsho/ninsho/internal/service/sts"
	"github.com/ninsho/ninsho/internal/service/userpool"
	"github.com/ninsho/ninsho/internal/sigv4"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// rootCredentials knows the account root's access key. More credentials (IAM
// users, STS and identity-pool sessions) join with the IAM issue.
type rootCredentials struct {
	accessKeyID, secret, account string
}

func (c *rootCredentials) LookupCredential(_ context.Context, id string) (sigv4.Credential, error) {
	if subtle.ConstantTimeCompare([]byte(id), []byte(c.accessKeyID)) != 1 {
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	return sigv4.Credential{
		AccessKeyID: c.accessKeyID, SecretAccessKey: c.secret,
		Principal: &principal.Principal{Kind: principal.Root, Account: c.account,
			ARN: "arn:aws:iam::" + c.account + ":root", UserID: c.account, AccessKeyID: c.accessKeyID},
	}, nil
}

// credentialChain finds the secret of any access key ninsho knows: the
// root's, temporary credentials from STS and identity pools (ASIA…), and
// IAM users' keys (AKIA…).
type credentialChain struct {
	root    *rootCredentials
	sts     *sts.Service
	iam     *iamsvc.Service
	account string
}

func (c *credentialChain) LookupCredential(ctx context.Context, id string) (sigv4.Credential, error) {
	if cred, err := c.root.LookupCredential(ctx, id); err == nil {
		return cred, nil
	}
	if strings.HasPrefix(id, sts.TemporaryKeyPrefix) {
		return c.sts.LookupCredential(ctx, id)
	}
	key, err := c.iam.AccessKeyByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	if err != nil {
		return sigv4.Credential{}, err
	}
	if key.Status != "Active" {
		// AWS answers an inactive key like an unknown one.
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	return sigv4.Credential{
		AccessKeyID: key.ID, SecretAccessKey: key.Secret,
		Principal: &principal.Principal{Kind: principal.User, Account: c.account, ARN: key.UserARN,
			UserID: key.UserID, UserName: key.UserName, AccessKeyID: key.ID},
	}, nil
}

// roleFinder adapts the IAM service to what STS needs of roles.
type roleFinder struct{ iam *iamsvc.Service }

func (f roleFinder) RoleByARN(ctx context.Context, arn string) (*sts.Role, error) {
	r, err := f.iam.RoleByARN(ctx, arn)
	if err != nil {
		return nil, err
	}
	return &sts.Role{Name: r.Name, ID: r.ID, ARN: r.ARN, TrustPolicy: r.TrustPolicy, MaxSessionDuration: r.MaxSessionDuration}, nil
}

// oidcProviders adapts the IAM service to what STS needs of OpenID Connect
// providers (AssumeRoleWithWebIdentity with user-pool tokens).
type oidcProviders struct {
	iam     *iamsvc.Service
	account string
}

func (p oidcProviders) OIDCProviderByURL(ctx context.Context, url string) (*sts.OIDCProvider, error) {
	arn := "arn:aws:iam::" + p.account + ":oidc-provider/" + url
	out, err := p.iam.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	if err != nil {
		return nil, err // NoSuchEntity: STS reads it as "no provider"
	}
	return &sts.OIDCProvider{ARN: arn, URL: awsapi.ToString(out.Url), ClientIDs: out.ClientIDList}, nil
}

// authenticator verifies SigV4 for the protocol layer.
type authenticator struct {
	verifier *sigv4.Verifier
	account  string
	// keyUsed records an IAM user's key use for GetAccessKeyLastUsed.
	keyUsed func(ctx context.Context, id, service, region string)
}

func (a *authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, svc *awsapi.Service) (*principal.Principal, error) {
	res, err := a.verifier.VerifyService(ctx, r, body, svc.SigningName)
	if err != nil {
		if e, ok := awserr.As(err); ok {
			return nil, e
		}
		return nil, err
	}
	if p, ok := res.Credential.Principal.(*principal.Principal); ok && p != nil {
		if p.Kind == principal.User && a.keyUsed != nil {
			a.keyUsed(ctx, p.AccessKeyID, svc.SigningName, res.Parsed.Region)
		}
		return p, nil
	}
	// --iam off: any well-formed signature is the account root.
	return &principal.Principal{Kind: principal.Root, Account: a.account,
		ARN: "arn:aws:iam::" + a.account + ":root", UserID: a.account, AccessKeyID: res.Parsed.AccessKeyID}, nil
}

// userPoolTokens verifies the ID tokens of local user pools for identity
// pools, with Cognito's wording of each refusal.
type userPoolTokens struct {
	userPool *userpool.Service
	keys     *tokens.Keys
}

func (v userPoolTokens) VerifyIDToken(ctx context.Context, poolID, token string, now time.Time) (map[string]any, error) {
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, unverified); err != nil {
		return nil, &identitypool.TokenError{Reason: "Couldn't verify signed token."}
	}
	if iss, _ := unverified["iss"].(string); iss != v.userPool.Issuer(poolID) {
		return nil, &identitypool.TokenError{Reason: "Issuer doesn't match providerName"}
	}
	claims, err := v.keys.Verify(ctx, poolID, token, now)
	switch {
	case errors.Is(err, tokens.ErrExpired):
		exp, _ := unverified["exp"].(float64)
		return nil, &identitypool.TokenError{Reason: fmt.Sprintf("Token expired: %d >= %d", now.Unix(), int64(exp))}
	case errors.Is(err, tokens.ErrMalformed), errors.Is(err, tokens.ErrSignature), errors.Is(err, tokens.ErrUnknownKey),
		errors.Is(err, tokens.ErrNotYetValid):
		return nil, &identitypool.TokenError{Reason: "Couldn't verify signed token."}
	case err != nil:
		return nil, err
	}
	if claims["token_use"] != "id" {
		return nil, &identitypool.TokenError{Reason: "Not a valid OpenId Connect identity token."}
	}
	return claims, nil
}
