package identitypool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/tokens"
)

// Messages of Cognito.
const (
	msgUnauthenticated  = "Unauthenticated access is not supported for this identity pool."
	msgUnsupported      = "Token is not from a supported provider of this identity pool."
	msgLoginsMismatch   = "Logins don't match. Please include at least one valid login for this identity or identity pool."
	msgBadAudience      = "Incorrect token audience."
	msgCouldNotVerify   = "Couldn't verify signed token."
	msgIssuerMismatch   = "Issuer doesn't match providerName"
	openIDTokenLifetime = 10 * time.Minute
	poolARNClaim        = "https://cognito-identity.amazonaws.com/identity-pool-arn"
	tagsClaim           = "https://aws.amazon.com/tags"
)

// login is one verified entry of Logins.
type login struct {
	Provider string
	Subject  string // the token's sub (user pools); the identity id (cognito-identity tokens)
	Claims   map[string]any
	// Direct: a cognito-identity.amazonaws.com token, which names its
	// identity itself rather than a linked login.
	Direct bool
}

func notAuthorized(msg string) error { return ci.NewNotAuthorizedException(msg) }

// verifyLogins verifies every entry of logins against the pool's providers.
func (s *Service) verifyLogins(ctx context.Context, pool *poolRecord, logins map[string]string) ([]login, error) {
	now := s.now()
	var out []login
	for _, provider := range sortedKeys(logins) {
		token := logins[provider]
		if provider == CognitoIdentityProvider {
			claims, err := s.Keys.Verify(ctx, OpenIDScope, token, now)
			if err != nil {
				return nil, openIDTokenError(err, now)
			}
			if iss, _ := claims["iss"].(string); iss != s.OpenIDIssuer() {
				return nil, notAuthorized("Invalid login token. " + msgIssuerMismatch)
			}
			if aud, _ := claims["aud"].(string); aud != pool.ID {
				return nil, notAuthorized("Invalid login token. " + msgBadAudience)
			}
			sub, _ := claims["sub"].(string)
			out = append(out, login{Provider: provider, Subject: sub, Claims: claims, Direct: true})
			continue
		}
		userPool, ok := s.userPoolOf(provider)
		var clients []string
		configured := false
		for _, p := range pool.CognitoProviders {
			if p.ProviderName == provider {
				configured = true
				if p.ClientID != "" {
					clients = append(clients, p.ClientID)
				}
			}
		}
		if !ok || !configured {
			return nil, notAuthorized(msgUnsupported)
		}
		claims, err := s.UserPools.VerifyIDToken(ctx, userPool, token, now)
		if err != nil {
			var te *TokenError
			if errors.As(err, &te) {
				return nil, notAuthorized(te.Error())
			}
			return nil, err
		}
		if len(clients) > 0 && !slices.Contains(clients, audience(claims)) {
			return nil, notAuthorized("Invalid login token. " + msgBadAudience)
		}
		sub, _ := claims["sub"].(string)
		if sub == "" {
			return nil, notAuthorized("Invalid login token. " + msgCouldNotVerify)
		}
		out = append(out, login{Provider: provider, Subject: sub, Claims: claims})
	}
	return out, nil
}

// audience is the aud claim, a string or the first of a list.
func audience(claims map[string]any) string {
	switch v := claims["aud"].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

func openIDTokenError(err error, now time.Time) error {
	switch {
	case errors.Is(err, tokens.ErrExpired):
		return notAuthorized(fmt.Sprintf("Invalid login token. Token expired: %d", now.Unix()))
	case errors.Is(err, tokens.ErrMalformed), errors.Is(err, tokens.ErrSignature), errors.Is(err, tokens.ErrUnknownKey),
		errors.Is(err, tokens.ErrNotYetValid), errors.Is(err, tokens.ErrNoKey):
		return notAuthorized("Invalid login token. " + msgCouldNotVerify)
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// linkedRefs are the logins to link (all but direct ones).
func linkedRefs(logins []login) (refs []loginRef, direct string) {
	for _, l := range logins {
		if l.Direct {
			direct = l.Subject
			continue
		}
		refs = append(refs, loginRef{Provider: l.Provider, Subject: l.Subject})
	}
	return refs, direct
}

// resolve finds the identity of a set of logins in one transaction,
// creating it when no login is known and linking the unknown ones to it.
// want, when not empty, is the identity the caller names.
func (s *Service) resolve(ctx context.Context, poolID, want string, refs []loginRef) (string, error) {
	var id string
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		id = want
		var fresh []loginRef
		for _, r := range refs {
			lr, err := get[loginRecord](ctx, tx, kindLogin, loginKey(poolID, r.Provider, r.Subject))
			switch {
			case errors.Is(err, store.ErrNotFound):
				fresh = append(fresh, r)
			case err != nil:
				return err
			case id == "":
				id = lr.IdentityID
			case id != lr.IdentityID:
				return ci.NewResourceConflictException("Logins are linked to different identities.")
			}
		}
		now := s.now()
		var rec *identityRecord
		if id == "" {
			id = s.newID()
			rec = &identityRecord{ID: id, PoolID: poolID, Created: now}
			if err := create(ctx, tx, kindRef, id, refRecord{PoolID: poolID}); err != nil {
				return err
			}
		} else {
			var err error
			rec, err = get[identityRecord](ctx, tx, kindIdentity, identityKey(poolID, id))
			if errors.Is(err, store.ErrNotFound) {
				return identityNotFound(id)
			}
			if err != nil {
				return err
			}
			if len(fresh) == 0 {
				return nil
			}
		}
		for _, r := range fresh {
			if err := create(ctx, tx, kindLogin, loginKey(poolID, r.Provider, r.Subject), loginRecord{IdentityID: id}); err != nil {
				return err
			}
			rec.Logins = append(rec.Logins, r)
		}
		rec.Modified = now
		return put(ctx, tx, kindIdentity, identityKey(poolID, id), rec)
	})
	return id, err
}

// GetId returns the identity of the logins, creating it on first use, or a
// new unauthenticated identity when there are no logins.
func (s *Service) GetId(ctx context.Context, in *ci.GetIdInput) (*ci.GetIdOutput, error) {
	pool, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	if len(in.Logins) == 0 && !pool.AllowUnauthenticated {
		return nil, notAuthorized(msgUnauthenticated)
	}
	logins, err := s.verifyLogins(ctx, pool, in.Logins)
	if err != nil {
		return nil, err
	}
	refs, direct := linkedRefs(logins)
	id, err := s.resolve(ctx, pool.ID, direct, refs)
	if err != nil {
		return nil, err
	}
	return &ci.GetIdOutput{IdentityId: awsapi.String(id)}, nil
}

// session is a checked request for an identity's credentials or token.
type session struct {
	pool     *poolRecord
	identity *identityRecord
	logins   []login
}

func (ss *session) authenticated() bool { return len(ss.logins) > 0 }

// open loads an identity and checks that the logins are valid and its own.
func (s *Service) open(ctx context.Context, identityID string, logins map[string]string) (*session, error) {
	rec, err := s.identity(ctx, s.Store, identityID)
	if err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, s.Store, rec.PoolID)
	if err != nil {
		return nil, err
	}
	verified, err := s.verifyLogins(ctx, pool, logins)
	if err != nil {
		return nil, err
	}
	for _, l := range verified {
		owned := l.Direct && l.Subject == rec.ID ||
			!l.Direct && slices.Contains(rec.Logins, loginRef{Provider: l.Provider, Subject: l.Subject})
		if !owned {
			return nil, notAuthorized(msgLoginsMismatch)
		}
	}
	if len(verified) == 0 {
		if len(rec.Logins) > 0 {
			return nil, notAuthorized(msgLoginsMismatch)
		}
		if !pool.AllowUnauthenticated {
			return nil, notAuthorized(msgUnauthenticated)
		}
	}
	return &session{pool: pool, identity: rec, logins: verified}, nil
}

// amr is the authentication methods reference of a session.
func (ss *session) amr() []string {
	if !ss.authenticated() {
		return []string{"unauthenticated"}
	}
	amr := []string{"authenticated"}
	for _, l := range ss.logins {
		if l.Direct {
			if list, ok := l.Claims["amr"].([]any); ok {
				for _, v := range list {
					if s, ok := v.(string); ok && s != "authenticated" && s != "unauthenticated" {
						amr = append(amr, s)
					}
				}
			}
			continue
		}
		amr = append(amr, l.Provider, l.Provider+":CognitoSignIn:"+l.Subject)
	}
	return amr
}

// GetOpenIdToken returns an OpenID token for an identity, valid 10 minutes.
func (s *Service) GetOpenIdToken(ctx context.Context, in *ci.GetOpenIdTokenInput) (*ci.GetOpenIdTokenOutput, error) {
	ss, err := s.open(ctx, awsapi.ToString(in.IdentityId), in.Logins)
	if err != nil {
		return nil, err
	}
	if ss.pool.AllowClassicFlow != nil && !*ss.pool.AllowClassicFlow {
		// The basic flow (GetOpenIdToken, then AssumeRoleWithWebIdentity)
		// is refused only when the pool turned it off explicitly.
		return nil, ci.NewInvalidParameterException("Basic (classic) flow is not enabled, please use enhanced flow.")
	}
	tok, err := s.signOpenID(ctx, ss.pool.ID, ss.identity.ID, ss.amr(), openIDTokenLifetime, nil)
	if err != nil {
		return nil, err
	}
	return &ci.GetOpenIdTokenOutput{IdentityId: awsapi.String(ss.identity.ID), Token: awsapi.String(tok)}, nil
}

func (s *Service) signOpenID(ctx context.Context, poolID, identityID string, amr []string, ttl time.Duration, tags map[string]string) (string, error) {
	now := s.now()
	claims := map[string]any{
		"iss":        s.OpenIDIssuer(),
		"sub":        identityID,
		"aud":        poolID,
		"amr":        amr,
		"iat":        now.Unix(),
		"exp":        now.Add(ttl).Unix(),
		poolARNClaim: s.poolARN(poolID),
	}
	if len(tags) > 0 {
		pt := map[string][]string{}
		for k, v := range tags {
			pt[k] = []string{v}
		}
		claims[tagsClaim] = map[string]any{"principal_tags": pt}
	}
	tok, err := s.Keys.Sign(ctx, OpenIDScope, openIDUse, claims)
	if errors.Is(err, tokens.ErrNoKey) {
		if err := s.Keys.Ensure(ctx, OpenIDScope, openIDUse); err != nil {
			return "", err
		}
		tok, err = s.Keys.Sign(ctx, OpenIDScope, openIDUse, claims)
	}
	return tok, err
}

// GetOpenIdTokenForDeveloperIdentity registers (or finds) the identity of a
// developer user identifier and returns an OpenID token for it.
func (s *Service) GetOpenIdTokenForDeveloperIdentity(ctx context.Context, in *ci.GetOpenIdTokenForDeveloperIdentityInput) (*ci.GetOpenIdTokenForDeveloperIdentityOutput, error) {
	pool, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	dev := pool.DeveloperProviderName
	if dev == "" {
		return nil, notAuthorized("Developer authentication is not supported for this identity pool.")
	}
	userID, ok := in.Logins[dev]
	others := map[string]string{}
	for k, v := range in.Logins {
		if k != dev {
			others[k] = v
		}
	}
	if !ok && len(others) == 0 {
		return nil, notAuthorized(msgUnsupported)
	}
	verified, err := s.verifyLogins(ctx, pool, others)
	if err != nil {
		return nil, err
	}
	refs, direct := linkedRefs(verified)
	if ok {
		refs = append(refs, loginRef{Provider: dev, Subject: userID})
	}
	want := awsapi.ToString(in.IdentityId)
	if direct != "" {
		if want != "" && want != direct {
			return nil, notAuthorized(msgLoginsMismatch)
		}
		want = direct
	}
	if want != "" {
		if _, err := get[identityRecord](ctx, s.Store, kindIdentity, identityKey(pool.ID, want)); errors.Is(err, store.ErrNotFound) {
			return nil, identityNotFound(want)
		} else if err != nil {
			return nil, err
		}
	}
	id, err := s.resolve(ctx, pool.ID, want, refs)
	if err != nil {
		return nil, err
	}
	ttl := 15 * time.Minute
	if in.TokenDuration != nil {
		ttl = time.Duration(*in.TokenDuration) * time.Second
	}
	amr := []string{"authenticated"}
	if ok {
		amr = append(amr, dev, dev+":"+pool.ID+":"+userID)
	}
	for _, r := range refs {
		if r.Provider != dev {
			amr = append(amr, r.Provider, r.Provider+":CognitoSignIn:"+r.Subject)
		}
	}
	tok, err := s.signOpenID(ctx, pool.ID, id, amr, ttl, in.PrincipalTags)
	if err != nil {
		return nil, err
	}
	return &ci.GetOpenIdTokenForDeveloperIdentityOutput{IdentityId: awsapi.String(id), Token: awsapi.String(tok)}, nil
}

func (s *Service) describeIdentity(rec *identityRecord) ci.IdentityDescription {
	var providers []string
	for _, l := range rec.Logins {
		if !slices.Contains(providers, l.Provider) {
			providers = append(providers, l.Provider)
		}
	}
	sort.Strings(providers)
	d := ci.IdentityDescription{IdentityId: awsapi.String(rec.ID), CreationDate: &awsapi.Timestamp{Time: rec.Created},
		LastModifiedDate: &awsapi.Timestamp{Time: rec.Modified}}
	if len(providers) > 0 {
		d.Logins = providers
	}
	return d
}

// DescribeIdentity returns an identity's linked providers and dates.
func (s *Service) DescribeIdentity(ctx context.Context, in *ci.DescribeIdentityInput) (*ci.DescribeIdentityOutput, error) {
	rec, err := s.identity(ctx, s.Store, awsapi.ToString(in.IdentityId))
	if err != nil {
		return nil, err
	}
	d := s.describeIdentity(rec)
	return &d, nil
}

// ListIdentities pages through a pool's identities in id order.
func (s *Service) ListIdentities(ctx context.Context, in *ci.ListIdentitiesInput) (*ci.ListIdentitiesOutput, error) {
	pool, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(awsapi.ToInt32(in.MaxResults))
	objs, err := s.Store.ListObjects(ctx, kindIdentity, pool.ID+"/", store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &ci.ListIdentitiesOutput{IdentityPoolId: awsapi.String(pool.ID), Identities: []ci.IdentityDescription{}}
	for i, o := range objs {
		if i == limit {
			out.NextToken = encodeToken(objs[i-1].Key)
			break
		}
		rec, err := get[identityRecord](ctx, s.Store, kindIdentity, o.Key)
		if err != nil {
			return nil, err
		}
		out.Identities = append(out.Identities, s.describeIdentity(rec))
	}
	return out, nil
}

// DeleteIdentities deletes identities and their logins; unknown ids are
// ignored.
func (s *Service) DeleteIdentities(ctx context.Context, in *ci.DeleteIdentitiesInput) (*ci.DeleteIdentitiesOutput, error) {
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		for _, id := range in.IdentityIdsToDelete {
			rec, err := s.identity(ctx, tx, id)
			if err != nil {
				if e, ok := awserr.As(err); ok && e.Code == "ResourceNotFoundException" {
					continue
				}
				return err
			}
			if err := deleteIdentity(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ci.DeleteIdentitiesOutput{UnprocessedIdentityIds: []ci.UnprocessedIdentityId{}}, nil
}

// removeLogins unlinks the logins for which drop is true.
func (s *Service) removeLogins(ctx context.Context, identityID string, drop func(loginRef) bool) (bool, error) {
	removed := false
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		removed = false
		rec, err := s.identity(ctx, tx, identityID)
		if err != nil {
			return err
		}
		var keep []loginRef
		for _, l := range rec.Logins {
			if !drop(l) {
				keep = append(keep, l)
				continue
			}
			removed = true
			if err := tx.DeleteObject(ctx, kindLogin, loginKey(rec.PoolID, l.Provider, l.Subject)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if !removed {
			return nil
		}
		rec.Logins, rec.Modified = keep, s.now()
		return put(ctx, tx, kindIdentity, identityKey(rec.PoolID, rec.ID), rec)
	})
	return removed, err
}

// UnlinkIdentity unlinks the providers of LoginsToRemove from an identity
// whose logins the caller proves.
func (s *Service) UnlinkIdentity(ctx context.Context, in *ci.UnlinkIdentityInput) (*awsapi.Empty, error) {
	ss, err := s.open(ctx, awsapi.ToString(in.IdentityId), in.Logins)
	if err != nil {
		return nil, err
	}
	if !ss.authenticated() {
		return nil, notAuthorized(msgLoginsMismatch)
	}
	if _, err := s.removeLogins(ctx, ss.identity.ID, func(l loginRef) bool { return slices.Contains(in.LoginsToRemove, l.Provider) }); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

func (s *Service) developerPool(ctx context.Context, poolID, provider string) (*poolRecord, error) {
	pool, err := s.pool(ctx, s.Store, poolID)
	if err != nil {
		return nil, err
	}
	if pool.DeveloperProviderName == "" || pool.DeveloperProviderName != provider {
		return nil, ci.NewInvalidParameterException("Developer provider name does not match the identity pool's.")
	}
	return pool, nil
}

// LookupDeveloperIdentity finds the identity of a developer user identifier,
// or the developer user identifiers of an identity.
func (s *Service) LookupDeveloperIdentity(ctx context.Context, in *ci.LookupDeveloperIdentityInput) (*ci.LookupDeveloperIdentityOutput, error) {
	pool, err := s.pool(ctx, s.Store, awsapi.ToString(in.IdentityPoolId))
	if err != nil {
		return nil, err
	}
	id := awsapi.ToString(in.IdentityId)
	if in.DeveloperUserIdentifier != nil {
		lr, err := get[loginRecord](ctx, s.Store, kindLogin, loginKey(pool.ID, pool.DeveloperProviderName, *in.DeveloperUserIdentifier))
		if errors.Is(err, store.ErrNotFound) || pool.DeveloperProviderName == "" {
			return nil, ci.NewResourceNotFoundException("Developer user identifier not found.")
		}
		if err != nil {
			return nil, err
		}
		if id != "" && id != lr.IdentityID {
			return nil, ci.NewResourceConflictException("The identity id and developer user identifier do not match.")
		}
		id = lr.IdentityID
	}
	if id == "" {
		return nil, ci.NewInvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be specified.")
	}
	rec, err := get[identityRecord](ctx, s.Store, kindIdentity, identityKey(pool.ID, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, identityNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	out := &ci.LookupDeveloperIdentityOutput{IdentityId: awsapi.String(id), DeveloperUserIdentifierList: []string{}}
	for _, l := range rec.Logins {
		if l.Provider == pool.DeveloperProviderName {
			out.DeveloperUserIdentifierList = append(out.DeveloperUserIdentifierList, l.Subject)
		}
	}
	return out, nil
}

// MergeDeveloperIdentities moves the logins of the source user's identity
// to the destination user's identity and deletes the source identity.
func (s *Service) MergeDeveloperIdentities(ctx context.Context, in *ci.MergeDeveloperIdentitiesInput) (*ci.MergeDeveloperIdentitiesOutput, error) {
	dev := awsapi.ToString(in.DeveloperProviderName)
	pool, err := s.developerPool(ctx, awsapi.ToString(in.IdentityPoolId), dev)
	if err != nil {
		return nil, err
	}
	var dst string
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		find := func(user string) (*identityRecord, error) {
			lr, err := get[loginRecord](ctx, tx, kindLogin, loginKey(pool.ID, dev, user))
			if errors.Is(err, store.ErrNotFound) {
				return nil, ci.NewResourceNotFoundExceptionf("Developer user identifier '%s' not found.", user)
			}
			if err != nil {
				return nil, err
			}
			return get[identityRecord](ctx, tx, kindIdentity, identityKey(pool.ID, lr.IdentityID))
		}
		src, err := find(awsapi.ToString(in.SourceUserIdentifier))
		if err != nil {
			return err
		}
		to, err := find(awsapi.ToString(in.DestinationUserIdentifier))
		if err != nil {
			return err
		}
		dst = to.ID
		if src.ID == to.ID {
			return nil
		}
		for _, l := range src.Logins {
			if err := put(ctx, tx, kindLogin, loginKey(pool.ID, l.Provider, l.Subject), loginRecord{IdentityID: to.ID}); err != nil {
				return err
			}
			to.Logins = append(to.Logins, l)
		}
		to.Modified = s.now()
		if err := put(ctx, tx, kindIdentity, identityKey(pool.ID, to.ID), to); err != nil {
			return err
		}
		if err := tx.DeleteObject(ctx, kindRef, src.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.DeleteObject(ctx, kindIdentity, identityKey(pool.ID, src.ID))
	})
	if err != nil {
		return nil, err
	}
	return &ci.MergeDeveloperIdentitiesOutput{IdentityId: awsapi.String(dst)}, nil
}

// UnlinkDeveloperIdentity unlinks a developer user identifier from its
// identity.
func (s *Service) UnlinkDeveloperIdentity(ctx context.Context, in *ci.UnlinkDeveloperIdentityInput) (*awsapi.Empty, error) {
	dev := awsapi.ToString(in.DeveloperProviderName)
	pool, err := s.developerPool(ctx, awsapi.ToString(in.IdentityPoolId), dev)
	if err != nil {
		return nil, err
	}
	id := awsapi.ToString(in.IdentityId)
	if _, err := get[identityRecord](ctx, s.Store, kindIdentity, identityKey(pool.ID, id)); errors.Is(err, store.ErrNotFound) {
		return nil, identityNotFound(id)
	} else if err != nil {
		return nil, err
	}
	user := awsapi.ToString(in.DeveloperUserIdentifier)
	removed, err := s.removeLogins(ctx, id, func(l loginRef) bool { return l.Provider == dev && l.Subject == user })
	if err != nil {
		return nil, err
	}
	if !removed {
		return nil, ci.NewResourceNotFoundExceptionf("Developer user identifier '%s' is not linked to identity '%s'.", user, id)
	}
	return &awsapi.Empty{}, nil
}
