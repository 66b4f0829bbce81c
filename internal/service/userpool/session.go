package userpool

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// unverifiedIssuer reads `iss` from a JWT without verifying it, to learn
// which pool's keys verify it. Nothing read here is trusted.
func unverifiedIssuer(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	return c.Iss
}

// accessTokenUser verifies an access token as the user-pool APIs do
// (GetUser, GlobalSignOut, ...) and returns its pool and user.
func (s *Service) accessTokenUser(ctx context.Context, token string) (*pool, store.User, error) {
	invalid := cip.NewNotAuthorizedException("Invalid Access Token")
	iss := unverifiedIssuer(token)
	i := strings.LastIndexByte(iss, '/')
	if i < 0 {
		return nil, store.User{}, invalid
	}
	poolID := iss[i+1:]
	if iss != s.Issuer(poolID) {
		return nil, store.User{}, invalid
	}
	claims, err := s.Keys.Verify(ctx, poolID, token, s.now())
	switch {
	case errors.Is(err, tokens.ErrExpired):
		return nil, store.User{}, cip.NewNotAuthorizedException("Access Token has expired")
	case err != nil:
		return nil, store.User{}, invalid
	}
	if claims["token_use"] != "access" {
		return nil, store.User{}, invalid
	}
	scope, _ := claims["scope"].(string)
	if !strings.Contains(" "+scope+" ", " aws.cognito.signin.user.admin ") {
		return nil, store.User{}, cip.NewNotAuthorizedException("Access Token does not have required scopes")
	}
	if origin, _ := claims["origin_jti"].(string); origin != "" {
		rec, err := s.Store.GetRefreshTokenByOrigin(ctx, origin)
		if err == nil && rec.Revoked {
			return nil, store.User{}, cip.NewNotAuthorizedException("Access Token has been revoked")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, store.User{}, err
		}
	}
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, store.User{}, invalid
	}
	username, _ := claims["username"].(string)
	u, err := s.Store.GetUser(ctx, poolID, p.userKey(username))
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.User{}, userNotFound()
	}
	if err != nil {
		return nil, store.User{}, err
	}
	if sub, _ := claims["sub"].(string); sub != u.Sub {
		// A user deleted and created again under the same name is
		// somebody else.
		return nil, store.User{}, userNotFound()
	}
	if !u.Enabled {
		return nil, store.User{}, cip.NewNotAuthorizedException("User is disabled.")
	}
	return p, u, nil
}

// GetUser returns the user of an access token.
func (s *Service) GetUser(ctx context.Context, in *cip.GetUserInput) (*cip.GetUserOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	mv, err := s.mfaViewOf(u)
	if err != nil {
		return nil, err
	}
	return &cip.GetUserOutput{Username: awsapi.String(u.Username), UserAttributes: userAttributeList(p, u),
		MFAOptions: mv.options, PreferredMfaSetting: mv.preferred, UserMFASettingList: mv.list}, nil
}

// GlobalSignOut revokes every refresh token of the access token's user, and
// with them the access tokens issued from them.
func (s *Service) GlobalSignOut(ctx context.Context, in *cip.GlobalSignOutInput) (*cip.GlobalSignOutOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.RevokeUserRefreshTokens(ctx, p.rec.ID, u.Username); err != nil {
		return nil, err
	}
	return &cip.GlobalSignOutOutput{}, nil
}

// AdminUserGlobalSignOut signs a user out everywhere.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput) (*cip.AdminUserGlobalSignOutOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.RevokeUserRefreshTokens(ctx, p.rec.ID, u.Username); err != nil {
		return nil, err
	}
	return &cip.AdminUserGlobalSignOutOutput{}, nil
}

// RevokeToken revokes a refresh token and the access tokens issued from it.
// An unknown token is not an error (RFC 7009 §2.2).
func (s *Service) RevokeToken(ctx context.Context, in *cip.RevokeTokenInput) (*cip.RevokeTokenOutput, error) {
	c, err := s.loadClient(ctx, "", *in.ClientId)
	if err != nil {
		return nil, err
	}
	if c.secret != "" {
		given := awsapi.ToString(in.ClientSecret)
		if subtle.ConstantTimeCompare([]byte(given), []byte(c.secret)) != 1 {
			return nil, cip.NewUnauthorizedException("invalid_client")
		}
	}
	if !awsapi.ToBool(c.cfg.EnableTokenRevocation) {
		return nil, cip.NewUnsupportedOperationException("Token revocation is not enabled for this app client.")
	}
	if strings.Count(*in.Token, ".") == 2 {
		return nil, cip.NewUnsupportedTokenTypeException("Only refresh tokens can be revoked.")
	}
	rec, err := s.Store.GetRefreshToken(ctx, hashToken(*in.Token))
	if errors.Is(err, store.ErrNotFound) {
		return &cip.RevokeTokenOutput{}, nil
	}
	if err != nil {
		return nil, err
	}
	if rec.ClientID != c.rec.ID {
		return nil, cip.NewUnauthorizedException("invalid_client")
	}
	if err := s.Store.RevokeRefreshToken(ctx, rec.Hash); err != nil {
		return nil, err
	}
	return &cip.RevokeTokenOutput{}, nil
}
