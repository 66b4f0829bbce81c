package identitypool

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
)

func TestResolveRole(t *testing.T) {
	const auth, admin, reader = "arn:aws:iam::0:role/auth", "arn:aws:iam::0:role/admin", "arn:aws:iam::0:role/reader"
	rules := func(ambiguous string, r ...ci.MappingRule) map[string]ci.RoleMapping {
		return map[string]ci.RoleMapping{providerA: {Type: awsapi.String("Rules"), AmbiguousRoleResolution: awsapi.String(ambiguous),
			RulesConfiguration: &ci.RulesConfigurationType{Rules: r}}}
	}
	token := func(ambiguous string) map[string]ci.RoleMapping {
		return map[string]ci.RoleMapping{providerA: {Type: awsapi.String("Token"), AmbiguousRoleResolution: awsapi.String(ambiguous)}}
	}
	rule := func(claim, match, value, role string) ci.MappingRule {
		return ci.MappingRule{Claim: &claim, MatchType: &match, Value: &value, RoleARN: &role}
	}
	roles := map[string]string{"authenticated": auth, "unauthenticated": reader}
	cases := []struct {
		name     string
		mappings map[string]ci.RoleMapping
		claims   map[string]any // nil: unauthenticated
		custom   string
		want     string
		wantCode string
	}{
		{"an unauthenticated identity gets the unauthenticated role", nil, nil, "", reader, ""},
		{"without mappings an authenticated identity gets the authenticated role", nil, map[string]any{}, "", auth, ""},
		{"a custom role that is not a candidate is refused", nil, map[string]any{}, admin, "", "NotAuthorizedException"},
		{"the token's preferred role wins", token("Deny"),
			map[string]any{"cognito:preferred_role": admin, "cognito:roles": []any{admin, reader}}, "", admin, ""},
		{"a single role in cognito:roles is taken", token("Deny"), map[string]any{"cognito:roles": []any{reader}}, "", reader, ""},
		{"a custom role among cognito:roles is taken", token("Deny"),
			map[string]any{"cognito:preferred_role": admin, "cognito:roles": []any{admin, reader}}, reader, reader, ""},
		{"no role in the token falls back to the authenticated role", token("AuthenticatedRole"), map[string]any{}, "", auth, ""},
		{"no role in the token is refused with Deny", token("Deny"), map[string]any{}, "", "", "NotAuthorizedException"},
		{"the first matching rule wins", rules("Deny",
			rule("email", "StartsWith", "boss@", admin), rule("cognito:groups", "Contains", "readers", reader), rule("sub", "NotEqual", "x", auth)),
			map[string]any{"email": "worker@example.com", "cognito:groups": []any{"staff", "readers"}}, "", reader, ""},
		{"Equals compares the whole claim", rules("Deny", rule("custom:tier", "Equals", "gold", admin)),
			map[string]any{"custom:tier": "gold"}, "", admin, ""},
		{"no matching rule falls back to the authenticated role", rules("AuthenticatedRole", rule("custom:tier", "Equals", "gold", admin)),
			map[string]any{"custom:tier": "silver"}, "", auth, ""},
		{"no matching rule is refused with Deny", rules("Deny", rule("custom:tier", "Equals", "gold", admin)),
			map[string]any{"custom:tier": "silver"}, "", "", "NotAuthorizedException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool := &poolRecord{Roles: roles, RoleMappings: c.mappings}
			var logins []login
			if c.claims != nil {
				logins = []login{{Provider: providerA, Subject: "sub-1", Claims: c.claims}}
			}
			got, _, err := resolveRole(pool, logins, c.custom)
			if c.wantCode != "" {
				wantErr(t, err, c.wantCode, "")
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("role %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestGetCredentialsForIdentity(t *testing.T) {
	f := newFixture(t)
	pool := f.pool(true)
	authRole := f.role("cognito-auth", `{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+pool+`"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`)
	otherPoolRole := f.role("other-pool", `{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:00000000-0000-0000-0000-000000000000"}}`)
	unauthRole := f.role("cognito-unauth", `{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}`)
	setRoles := func(roles map[string]string) {
		t.Helper()
		if _, err := f.svc.SetIdentityPoolRoles(f.ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &pool, Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	tok := f.idToken(userPoolA, clientA, "sub-1", map[string]any{"email": "a@example.com"})
	logins := map[string]string{providerA: tok}
	id := f.mustGetID(pool, logins)
	creds := func(id string, logins map[string]string) (*ci.GetCredentialsForIdentityOutput, error) {
		return f.svc.GetCredentialsForIdentity(f.ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id, Logins: logins})
	}

	t.Run("no role configured is an invalid configuration", func(t *testing.T) {
		_, err := creds(id, logins)
		wantErr(t, err, "InvalidIdentityPoolConfigurationException", msgInvalidConfig)
	})
	t.Run("an authenticated identity gets a session of the authenticated role", func(t *testing.T) {
		setRoles(map[string]string{"authenticated": authRole, "unauthenticated": unauthRole})
		out, err := creds(id, logins)
		if err != nil {
			t.Fatal(err)
		}
		if *out.IdentityId != id || *out.Credentials.SecretKey != "secret" || out.Credentials.Expiration == nil {
			t.Fatalf("output %+v", out)
		}
		spec := f.sessions.issued[len(f.sessions.issued)-1]
		if spec.Role.ARN != authRole || spec.SessionName != "CognitoIdentityCredentials" || spec.Duration != time.Hour {
			t.Fatalf("session %+v", spec)
		}
		wantAMR := []string{"authenticated", providerA, providerA + ":CognitoSignIn:sub-1"}
		if !slices.Equal(spec.Context["cognito-identity.amazonaws.com:amr"], wantAMR) ||
			spec.Context["cognito-identity.amazonaws.com:aud"][0] != pool || spec.Context["cognito-identity.amazonaws.com:sub"][0] != id {
			t.Fatalf("session context %v", spec.Context)
		}
		if spec.Tags != nil {
			t.Fatalf("tags without a principal-tag map: %v", spec.Tags)
		}
	})
	t.Run("the default principal-tag map tags the session with client and username", func(t *testing.T) {
		if _, err := f.svc.SetPrincipalTagAttributeMap(f.ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
			IdentityProviderName: &providerA, UseDefaults: awsapi.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := creds(id, logins); err != nil {
			t.Fatal(err)
		}
		spec := f.sessions.issued[len(f.sessions.issued)-1]
		if spec.Tags["client"] != clientA || spec.Tags["username"] != "sub-1" {
			t.Fatalf("tags %v", spec.Tags)
		}
		got, err := f.svc.GetPrincipalTagAttributeMap(f.ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &pool, IdentityProviderName: &providerA})
		if err != nil || !*got.UseDefaults || got.PrincipalTags["client"] != "aud" {
			t.Fatalf("get-principal-tag-attribute-map %+v %v", got, err)
		}
	})
	t.Run("another user's token is refused", func(t *testing.T) {
		_, err := creds(id, map[string]string{providerA: f.idToken(userPoolA, clientA, "sub-2", nil)})
		wantErr(t, err, "NotAuthorizedException", msgLoginsMismatch)
	})
	t.Run("an authenticated identity without its logins is refused", func(t *testing.T) {
		_, err := creds(id, nil)
		wantErr(t, err, "NotAuthorizedException", msgLoginsMismatch)
	})
	t.Run("an unauthenticated identity gets the unauthenticated role", func(t *testing.T) {
		guest := f.mustGetID(pool, nil)
		if _, err := creds(guest, nil); err != nil {
			t.Fatal(err)
		}
		spec := f.sessions.issued[len(f.sessions.issued)-1]
		if spec.Role.ARN != unauthRole || !slices.Equal(spec.Context["cognito-identity.amazonaws.com:amr"], []string{"unauthenticated"}) {
			t.Fatalf("session %+v", spec)
		}
	})
	t.Run("a role whose trust policy names another pool is an invalid configuration", func(t *testing.T) {
		setRoles(map[string]string{"authenticated": otherPoolRole})
		_, err := creds(id, logins)
		wantErr(t, err, "InvalidIdentityPoolConfigurationException", msgInvalidConfig)
	})
	t.Run("an unknown role is an invalid configuration", func(t *testing.T) {
		setRoles(map[string]string{"authenticated": "arn:aws:iam::000000000000:role/missing"})
		_, err := creds(id, logins)
		wantErr(t, err, "InvalidIdentityPoolConfigurationException", msgInvalidConfig)
	})
	t.Run("an unknown identity is not found", func(t *testing.T) {
		_, err := creds("us-east-1:00000000-0000-0000-0000-000000000009", logins)
		wantErr(t, err, "ResourceNotFoundException", "Identity 'us-east-1:00000000-0000-0000-0000-000000000009' not found.")
	})
}

func TestOpenIDTokensAndDeveloperIdentities(t *testing.T) {
	f := newFixture(t)
	pool := f.pool(false, func(in *ci.CreateIdentityPoolInput) { in.DeveloperProviderName = awsapi.String("login.example") })
	role := f.role("dev", `{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+pool+`"}}`)
	if _, err := f.svc.SetIdentityPoolRoles(f.ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &pool, Roles: map[string]string{"authenticated": role}}); err != nil {
		t.Fatal(err)
	}
	devToken := func(user string) *ci.GetOpenIdTokenForDeveloperIdentityOutput {
		t.Helper()
		out, err := f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
			Logins: map[string]string{"login.example": user}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	alice := devToken("alice")

	t.Run("the token is a JWT of the identity for the pool", func(t *testing.T) {
		claims, err := f.keys.Verify(f.ctx, OpenIDScope, *alice.Token, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if claims["sub"] != *alice.IdentityId || claims["aud"] != pool || claims["iss"] != testIssuer+"/cognito-identity" ||
			!strings.HasSuffix(claims[poolARNClaim].(string), ":identitypool/"+pool) {
			t.Fatalf("claims %v", claims)
		}
		exp, _ := claims.GetExpirationTime()
		if d := time.Until(exp.Time); d < 14*time.Minute || d > 16*time.Minute {
			t.Fatalf("exp in %v, want 15 minutes", d)
		}
	})
	t.Run("the same developer user gets the same identity", func(t *testing.T) {
		if again := devToken("alice"); *again.IdentityId != *alice.IdentityId {
			t.Fatalf("identity %s then %s", *alice.IdentityId, *again.IdentityId)
		}
	})
	t.Run("the token gets credentials for its identity, and not for another", func(t *testing.T) {
		logins := map[string]string{CognitoIdentityProvider: *alice.Token}
		if _, err := f.svc.GetCredentialsForIdentity(f.ctx, &ci.GetCredentialsForIdentityInput{IdentityId: alice.IdentityId, Logins: logins}); err != nil {
			t.Fatal(err)
		}
		bob := devToken("bob")
		_, err := f.svc.GetCredentialsForIdentity(f.ctx, &ci.GetCredentialsForIdentityInput{IdentityId: bob.IdentityId, Logins: logins})
		wantErr(t, err, "NotAuthorizedException", msgLoginsMismatch)
	})
	t.Run("principal tags of the developer token tag the session", func(t *testing.T) {
		out, err := f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
			Logins: map[string]string{"login.example": "carol"}, PrincipalTags: map[string]string{"dept": "sales"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetCredentialsForIdentity(f.ctx, &ci.GetCredentialsForIdentityInput{IdentityId: out.IdentityId,
			Logins: map[string]string{CognitoIdentityProvider: *out.Token}}); err != nil {
			t.Fatal(err)
		}
		if spec := f.sessions.issued[len(f.sessions.issued)-1]; spec.Tags["dept"] != "sales" {
			t.Fatalf("tags %v", spec.Tags)
		}
	})
	t.Run("a forged OpenID token is refused", func(t *testing.T) {
		forged := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": *alice.IdentityId, "aud": pool, "exp": time.Now().Add(time.Hour).Unix()})
		forged.Header["kid"] = "x"
		s, _ := forged.SignedString([]byte("k"))
		_, err := f.svc.GetOpenIdToken(f.ctx, &ci.GetOpenIdTokenInput{IdentityId: alice.IdentityId, Logins: map[string]string{CognitoIdentityProvider: s}})
		wantErr(t, err, "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
	})
	t.Run("developer identities are looked up, merged and unlinked", func(t *testing.T) {
		bob := devToken("bob")
		look, err := f.svc.LookupDeveloperIdentity(f.ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, DeveloperUserIdentifier: awsapi.String("bob")})
		if err != nil || *look.IdentityId != *bob.IdentityId {
			t.Fatalf("lookup %+v %v", look, err)
		}
		merged, err := f.svc.MergeDeveloperIdentities(f.ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &pool, DeveloperProviderName: awsapi.String("login.example"),
			SourceUserIdentifier: awsapi.String("bob"), DestinationUserIdentifier: awsapi.String("alice")})
		if err != nil || *merged.IdentityId != *alice.IdentityId {
			t.Fatalf("merge %+v %v", merged, err)
		}
		look, err = f.svc.LookupDeveloperIdentity(f.ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, IdentityId: alice.IdentityId})
		if err != nil || !slices.Equal(look.DeveloperUserIdentifierList, []string{"alice", "bob"}) {
			t.Fatalf("lookup after merge %+v %v", look, err)
		}
		_, err = f.svc.DescribeIdentity(f.ctx, &ci.DescribeIdentityInput{IdentityId: bob.IdentityId})
		wantErr(t, err, "ResourceNotFoundException", "")
		if _, err := f.svc.UnlinkDeveloperIdentity(f.ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: &pool, IdentityId: alice.IdentityId,
			DeveloperProviderName: awsapi.String("login.example"), DeveloperUserIdentifier: awsapi.String("bob")}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.LookupDeveloperIdentity(f.ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, DeveloperUserIdentifier: awsapi.String("bob")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
	t.Run("a pool without a developer provider refuses developer logins", func(t *testing.T) {
		plain := f.pool(false)
		_, err := f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &plain,
			Logins: map[string]string{"login.example": "alice"}})
		wantErr(t, err, "NotAuthorizedException", "")
	})
}
