package userpool

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// authEvent is one authentication: the tokens issued at sign-in and every
// refresh from them share its origin_jti and auth_time (COGNITO-NOTES §3.1).
type authEvent struct {
	originJTI string
	eventID   string
	authTime  time.Time
	deviceKey string // the tracked device signed in from, if any (devices.go)
}

func newAuthEvent(now time.Time) authEvent {
	return authEvent{originJTI: uuid.NewString(), eventID: uuid.NewString(), authTime: now}
}

// idTokenClaims returns the claims of an ID token as Cognito writes them:
// the user's readable attributes (custom ones as strings, *_verified as
// booleans, updated_at as a number) and Cognito's own claims.
func (s *Service) idTokenClaims(p *pool, c *client, u store.User, ev authEvent, now time.Time, ttl time.Duration) map[string]any {
	claims := make(map[string]any, len(u.Attributes)+12)
	readable := func(string) bool { return true }
	if ra := c.cfg.ReadAttributes; len(ra) > 0 {
		set := make(map[string]bool, len(ra))
		for _, a := range ra {
			set[a] = true
		}
		readable = func(n string) bool { return set[n] }
	}
	for name, value := range u.Attributes {
		if !readable(name) || developerOnly(p, name) {
			continue
		}
		switch name {
		case "email_verified", "phone_number_verified":
			claims[name] = value == "true"
		case "updated_at":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				claims[name] = n
			} else {
				claims[name] = value
			}
		default:
			claims[name] = value
		}
	}
	claims["sub"] = u.Sub
	claims["iss"] = s.Issuer(p.rec.ID)
	claims["cognito:username"] = u.Username
	claims["origin_jti"] = ev.originJTI
	claims["aud"] = c.rec.ID
	claims["event_id"] = ev.eventID
	claims["token_use"] = "id"
	claims["auth_time"] = ev.authTime.Unix()
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(ttl).Unix()
	claims["jti"] = uuid.NewString()
	return claims
}

func (s *Service) accessTokenClaims(p *pool, c *client, u store.User, ev authEvent, now time.Time, ttl time.Duration) map[string]any {
	claims := map[string]any{
		"sub":        u.Sub,
		"iss":        s.Issuer(p.rec.ID),
		"client_id":  c.rec.ID,
		"origin_jti": ev.originJTI,
		"event_id":   ev.eventID,
		"token_use":  "access",
		"scope":      "aws.cognito.signin.user.admin",
		"auth_time":  ev.authTime.Unix(),
		"iat":        now.Unix(),
		"exp":        now.Add(ttl).Unix(),
		"jti":        uuid.NewString(),
		"username":   u.Username,
	}
	if ev.deviceKey != "" {
		claims["device_key"] = ev.deviceKey
	}
	return claims
}

// issue signs an ID and an access token for u, and a refresh token when
// withRefresh (sign-in; a refresh answers without a new refresh token, as
// Cognito does unless rotation is on).
func (s *Service) issue(ctx context.Context, p *pool, c *client, u store.User, ev authEvent, withRefresh bool) (*cip.AuthenticationResultType, error) {
	now := s.now()
	accessTTL, idTTL, refreshTTL := c.tokenValidity()
	groups, err := s.userGroups(ctx, p.rec.ID, u.Key)
	if err != nil {
		return nil, err
	}
	gc := claimsOfGroups(groups)
	accessClaims := s.accessTokenClaims(p, c, u, ev, now, accessTTL)
	idClaims := s.idTokenClaims(p, c, u, ev, now, idTTL)
	if len(gc.groups) > 0 {
		accessClaims["cognito:groups"] = gc.groups
		idClaims["cognito:groups"] = gc.groups
	}
	if len(gc.roles) > 0 {
		idClaims["cognito:roles"] = gc.roles
	}
	if gc.preferred != "" {
		idClaims["cognito:preferred_role"] = gc.preferred
	}
	// The two RSA signatures are most of a sign-in's cost; made side by
	// side they cost one signature's latency.
	var accessToken string
	var accessErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		accessToken, accessErr = s.Keys.Sign(ctx, p.rec.ID, "access", accessClaims)
	}()
	idToken, err := s.Keys.Sign(ctx, p.rec.ID, "id", idClaims)
	<-done
	if err != nil {
		return nil, err
	}
	if accessErr != nil {
		return nil, accessErr
	}
	out := &cip.AuthenticationResultType{
		AccessToken: awsapi.String(accessToken),
		ExpiresIn:   awsapi.Int32(int32(accessTTL / time.Second)),
		TokenType:   awsapi.String("Bearer"),
		IdToken:     awsapi.String(idToken),
	}
	if withRefresh {
		refresh := newOpaqueToken(128)
		if err := s.Store.CreateRefreshToken(ctx, store.RefreshToken{
			Hash: hashToken(refresh), PoolID: p.rec.ID, ClientID: c.rec.ID, Username: u.Username,
			OriginJTI: ev.originJTI, AuthTime: ev.authTime, IssuedAt: now, ExpiresAt: now.Add(refreshTTL),
		}); err != nil {
			return nil, err
		}
		out.RefreshToken = awsapi.String(refresh)
	}
	return out, nil
}
