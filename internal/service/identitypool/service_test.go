package identitypool

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	ci "github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
)

func TestPoolsCRUD(t *testing.T) {
	f := newFixture(t)
	id := f.pool(false, func(in *ci.CreateIdentityPoolInput) {
		in.IdentityPoolTags = map[string]string{"team": "auth"}
		in.DeveloperProviderName = awsapi.String("login.example")
	})
	if !patternPoolID(id) {
		t.Fatalf("pool id %q is not <region>:<uuid>", id)
	}

	t.Run("a created pool is described as created", func(t *testing.T) {
		d, err := f.svc.DescribeIdentityPool(f.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if *d.IdentityPoolName != "test" || *d.AllowUnauthenticatedIdentities || *d.DeveloperProviderName != "login.example" ||
			len(d.CognitoIdentityProviders) != 1 || *d.CognitoIdentityProviders[0].ClientId != clientA || d.IdentityPoolTags["team"] != "auth" {
			t.Fatalf("describe: %+v", d)
		}
	})
	t.Run("pools are listed page by page", func(t *testing.T) {
		f.pool(true)
		f.pool(true)
		var ids []string
		var next *string
		for range 5 {
			out, err := f.svc.ListIdentityPools(f.ctx, &ci.ListIdentityPoolsInput{MaxResults: awsapi.Int32(2), NextToken: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.IdentityPools {
				ids = append(ids, *p.IdentityPoolId)
			}
			if next = out.NextToken; next == nil {
				break
			}
		}
		if len(ids) != 3 || !slices.Contains(ids, id) {
			t.Fatalf("listed %v", ids)
		}
	})
	t.Run("an update replaces the settings", func(t *testing.T) {
		out, err := f.svc.UpdateIdentityPool(f.ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &id, IdentityPoolName: awsapi.String("renamed"),
			AllowUnauthenticatedIdentities: awsapi.Bool(true), DeveloperProviderName: awsapi.String("login.example")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.IdentityPoolName != "renamed" || !*out.AllowUnauthenticatedIdentities || len(out.CognitoIdentityProviders) != 0 || out.IdentityPoolTags["team"] != "auth" {
			t.Fatalf("update: %+v", out)
		}
	})
	t.Run("tags are added, listed and removed by ARN", func(t *testing.T) {
		arn := "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + id
		if _, err := f.svc.TagResource(f.ctx, &ci.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "dev"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UntagResource(f.ctx, &ci.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
		out, err := f.svc.ListTagsForResource(f.ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tags) != 1 || out.Tags["env"] != "dev" {
			t.Fatalf("tags %v", out.Tags)
		}
	})
	t.Run("roles and role mappings are stored", func(t *testing.T) {
		_, err := f.svc.SetIdentityPoolRoles(f.ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &id,
			Roles:        map[string]string{"authenticated": "arn:aws:iam::000000000000:role/a"},
			RoleMappings: map[string]ci.RoleMapping{providerA: {Type: awsapi.String("Token"), AmbiguousRoleResolution: awsapi.String("Deny")}}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.svc.GetIdentityPoolRoles(f.ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if out.Roles["authenticated"] != "arn:aws:iam::000000000000:role/a" || *out.RoleMappings[providerA].Type != "Token" {
			t.Fatalf("roles %+v", out)
		}
	})
	t.Run("a deleted pool and its identities are gone", func(t *testing.T) {
		identity := f.mustGetID(id, nil)
		if _, err := f.svc.DeleteIdentityPool(f.ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &id}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.DescribeIdentityPool(f.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
		wantErr(t, err, "ResourceNotFoundException", "IdentityPool '"+id+"' not found.")
		_, err = f.svc.DescribeIdentity(f.ctx, &ci.DescribeIdentityInput{IdentityId: &identity})
		wantErr(t, err, "ResourceNotFoundException", "Identity '"+identity+"' not found.")
		_, err = f.svc.DeleteIdentityPool(f.ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &id})
		wantErr(t, err, "ResourceNotFoundException", "IdentityPool '"+id+"' not found.")
	})
}

func patternPoolID(id string) bool {
	region, u, ok := strings.Cut(id, ":")
	return ok && region == testRegion && len(u) == 36
}

func TestGetId(t *testing.T) {
	f := newFixture(t)
	pool := f.pool(false)
	good := f.idToken(userPoolA, clientA, "sub-1", nil)
	first := f.mustGetID(pool, map[string]string{providerA: good})

	t.Run("the same user gets the same identity, with a new token too", func(t *testing.T) {
		again := f.mustGetID(pool, map[string]string{providerA: f.idToken(userPoolA, clientA, "sub-1", map[string]any{"iat": time.Now().Unix() + 1})})
		if again != first {
			t.Fatalf("GetId gave %s then %s", first, again)
		}
		other := f.mustGetID(pool, map[string]string{providerA: f.idToken(userPoolA, clientA, "sub-2", nil)})
		if other == first {
			t.Fatal("another user got the same identity")
		}
		d, err := f.svc.DescribeIdentity(f.ctx, &ci.DescribeIdentityInput{IdentityId: &first})
		if err != nil || len(d.Logins) != 1 || d.Logins[0] != providerA {
			t.Fatalf("describe-identity: %+v, %v", d, err)
		}
	})

	tampered := good[:strings.LastIndexByte(good, '.')] + ".AAAA" + good[strings.LastIndexByte(good, '.')+5:]
	refusals := []struct {
		name          string
		pool          string
		logins        map[string]string
		code, message string
	}{
		{"a tampered token is refused", pool, map[string]string{providerA: tampered},
			"NotAuthorizedException", "Invalid login token. Couldn't verify signed token."},
		{"a token of another user pool under this pool's provider name is refused", pool,
			map[string]string{providerA: f.idToken(userPoolB, clientA, "sub-1", nil)},
			"NotAuthorizedException", "Invalid login token. "},
		{"a user pool the identity pool does not list is refused", pool,
			map[string]string{"cognito-idp.us-east-1.amazonaws.com/" + userPoolB: f.idToken(userPoolB, clientA, "sub-1", nil)},
			"NotAuthorizedException", msgUnsupported},
		{"a token of another app client is refused", pool,
			map[string]string{providerA: f.idToken(userPoolA, "otherclient", "sub-1", nil)},
			"NotAuthorizedException", "Invalid login token. Incorrect token audience."},
		{"an expired token is refused", pool,
			map[string]string{providerA: f.idToken(userPoolA, clientA, "sub-1", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})},
			"NotAuthorizedException", "Invalid login token. Token expired: "},
		{"no logins are refused when unauthenticated identities are not allowed", pool, nil,
			"NotAuthorizedException", msgUnauthenticated},
		{"an unknown pool is not found", "us-east-1:00000000-0000-0000-0000-000000000000", map[string]string{providerA: good},
			"ResourceNotFoundException", "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found."},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.getID(c.pool, c.logins)
			wantErr(t, err, c.code, c.message)
		})
	}

	t.Run("no logins give a new identity each time when unauthenticated identities are allowed", func(t *testing.T) {
		open := f.pool(true)
		a, b := f.mustGetID(open, nil), f.mustGetID(open, nil)
		if a == b {
			t.Fatal("two unauthenticated GetId calls gave the same identity")
		}
		out, err := f.svc.ListIdentities(f.ctx, &ci.ListIdentitiesInput{IdentityPoolId: &open, MaxResults: awsapi.Int32(60)})
		if err != nil || len(out.Identities) != 2 {
			t.Fatalf("list-identities: %+v, %v", out, err)
		}
		if _, err := f.svc.DeleteIdentities(f.ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{a, "us-east-1:00000000-0000-0000-0000-000000000001"}}); err != nil {
			t.Fatal(err)
		}
		out, _ = f.svc.ListIdentities(f.ctx, &ci.ListIdentitiesInput{IdentityPoolId: &open, MaxResults: awsapi.Int32(60)})
		if len(out.Identities) != 1 || *out.Identities[0].IdentityId != b {
			t.Fatalf("after delete-identities: %+v", out)
		}
	})
}
