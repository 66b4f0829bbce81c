package iamsvc

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
)

func TestUsers(t *testing.T) {
	tests := []opCase{
		{
			name: "a user gets an AIDA id and an ARN with its path",
			run: func(t *testing.T, f *fixture) error {
				u := must(f.CreateUser(f.ctx, &iamapi.CreateUserInput{UserName: s("Alice"), Path: s("/staff/"), Tags: []iamapi.Tag{{Key: s("k"), Value: s("v")}}})).User
				if !regexp.MustCompile(`^AIDA[A-Z0-9]{17}$`).MatchString(*u.UserId) || *u.Arn != "arn:aws:iam::123456789012:user/staff/Alice" || len(u.Tags) != 1 {
					t.Errorf("got %+v", u)
				}
				g := must(f.GetUser(f.ctx, &iamapi.GetUserInput{UserName: s("alice")})).User
				if *g.UserName != "Alice" || *g.UserId != *u.UserId {
					t.Errorf("GetUser %+v", g)
				}
				return nil
			},
		},
		{
			name: "a user name taken in another case is refused",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "alice")
				_, err := f.CreateUser(f.ctx, &iamapi.CreateUserInput{UserName: s("Alice")})
				return err
			},
			code: "EntityAlreadyExists", msg: "User with name Alice already exists.",
		},
		{
			name: "GetUser of an unknown user is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.GetUser(f.ctx, &iamapi.GetUserInput{UserName: s("bob")})
				return err
			},
			code: "NoSuchEntity", msg: "The user with name bob cannot be found.",
		},
		{
			name: "GetUser without a name describes the calling IAM user",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "Alice")
				ctx := f.as(&principal.Principal{Kind: principal.User, Account: account, UserName: "Alice"})
				u := must(f.GetUser(ctx, &iamapi.GetUserInput{})).User
				if *u.UserName != "Alice" {
					t.Errorf("got %+v", u)
				}
				return nil
			},
		},
		{
			name: "GetUser without a name, called by the root, describes the root",
			run: func(t *testing.T, f *fixture) error {
				u := must(f.GetUser(f.ctx, &iamapi.GetUserInput{})).User
				if u.UserName != nil || *u.UserId != account || *u.Arn != "arn:aws:iam::123456789012:root" || u.CreateDate == nil {
					t.Errorf("got %+v", u)
				}
				return nil
			},
		},
		{
			name: "GetUser without a name, called by a role session, is a ValidationError",
			run: func(t *testing.T, f *fixture) error {
				ctx := f.as(&principal.Principal{Kind: principal.AssumedRole, Account: account, RoleName: "r"})
				_, err := f.GetUser(ctx, &iamapi.GetUserInput{})
				return err
			},
			code: "ValidationError", msg: "Must specify userName when calling with non-User credentials",
		},
		{
			name: "ListUsers pages in name order and filters by path, without tags",
			run: func(t *testing.T, f *fixture) error {
				for _, n := range []string{"c", "B", "a"} {
					must(f.CreateUser(f.ctx, &iamapi.CreateUserInput{UserName: s(n), Tags: []iamapi.Tag{{Key: s("k"), Value: s("v")}}}))
				}
				must(f.CreateUser(f.ctx, &iamapi.CreateUserInput{UserName: s("d"), Path: s("/ops/")}))
				p1 := must(f.ListUsers(f.ctx, &iamapi.ListUsersInput{MaxItems: i32(3)}))
				p2 := must(f.ListUsers(f.ctx, &iamapi.ListUsersInput{MaxItems: i32(3), Marker: p1.Marker}))
				var names []string
				for _, u := range append(p1.Users, p2.Users...) {
					names = append(names, *u.UserName)
					if u.Tags != nil {
						t.Errorf("tags listed for %s", *u.UserName)
					}
				}
				if strings.Join(names, ",") != "a,B,c,d" || !*p1.IsTruncated || *p2.IsTruncated {
					t.Errorf("got %v", names)
				}
				ops := must(f.ListUsers(f.ctx, &iamapi.ListUsersInput{PathPrefix: s("/ops/")}))
				if len(ops.Users) != 1 || *ops.Users[0].UserName != "d" {
					t.Errorf("under /ops/: %+v", ops.Users)
				}
				return nil
			},
		},
		{
			name: "TagUser, UntagUser and ListUserTags work as for roles",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.TagUser(f.ctx, &iamapi.TagUserInput{UserName: s("u"), Tags: []iamapi.Tag{{Key: s("a"), Value: s("1")}, {Key: s("b"), Value: s("2")}}}))
				must(f.UntagUser(f.ctx, &iamapi.UntagUserInput{UserName: s("u"), TagKeys: []string{"A"}}))
				tags := must(f.ListUserTags(f.ctx, &iamapi.ListUserTagsInput{UserName: s("u")})).Tags
				if len(tags) != 1 || *tags[0].Key != "b" {
					t.Errorf("tags %+v", tags)
				}
				return nil
			},
		},
		{
			name: "DeleteUser with an access key left is a DeleteConflict",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				_, err := f.DeleteUser(f.ctx, &iamapi.DeleteUserInput{UserName: s("u")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete entity, must delete access keys first.",
		},
		{
			name: "DeleteUser with an inline policy left is a DeleteConflict",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.PutUserPolicy(f.ctx, &iamapi.PutUserPolicyInput{UserName: s("u"), PolicyName: s("p"), PolicyDocument: s(allowS3)}))
				_, err := f.DeleteUser(f.ctx, &iamapi.DeleteUserInput{UserName: s("u")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete entity, must delete policies first.",
		},
		{
			name: "DeleteUser with an attached policy left is a DeleteConflict",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyInput{UserName: s("u"), PolicyArn: s(adminAccess)}))
				_, err := f.DeleteUser(f.ctx, &iamapi.DeleteUserInput{UserName: s("u")})
				return err
			},
			code: "DeleteConflict", msg: "Cannot delete entity, must detach all policies first.",
		},
		{
			name: "DeleteUser deletes a user with nothing left",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")})).AccessKey
				must(f.DeleteAccessKey(f.ctx, &iamapi.DeleteAccessKeyInput{UserName: s("U"), AccessKeyId: k.AccessKeyId}))
				must(f.DeleteUser(f.ctx, &iamapi.DeleteUserInput{UserName: s("U")}))
				_, err := f.GetUser(f.ctx, &iamapi.GetUserInput{UserName: s("u")})
				return err
			},
			code: "NoSuchEntity", msg: "The user with name u cannot be found.",
		},
	}
	runCases(t, tests)
}

func TestAccessKeys(t *testing.T) {
	tests := []opCase{
		{
			name: "an access key has an AKIA id, a 40-character secret and starts Active",
			run: func(t *testing.T, f *fixture) error {
				u := f.user(t, "Alice")
				k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("alice")})).AccessKey
				if !regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`).MatchString(*k.AccessKeyId) || !regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`).MatchString(*k.SecretAccessKey) ||
					*k.Status != "Active" || *k.UserName != "Alice" || k.CreateDate == nil {
					t.Errorf("got %+v", k)
				}
				got := must(f.AccessKeyByID(f.ctx, *k.AccessKeyId))
				if got.Secret != *k.SecretAccessKey || got.UserName != "Alice" || got.UserID != *u.UserId || got.UserARN != *u.Arn || got.Status != "Active" {
					t.Errorf("AccessKeyByID %+v", got)
				}
				return nil
			},
		},
		{
			name: "a third access key is LimitExceeded",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				_, err := f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")})
				return err
			},
			code: "LimitExceeded", msg: "Cannot exceed quota for AccessKeysPerUser: 2",
		},
		{
			name: "without a user name, keys are made and listed for the calling user",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "Alice")
				f.user(t, "Bob")
				ctx := f.as(&principal.Principal{Kind: principal.User, Account: account, UserName: "Alice"})
				k := must(f.CreateAccessKey(ctx, &iamapi.CreateAccessKeyInput{})).AccessKey
				if *k.UserName != "Alice" {
					t.Errorf("key made for %s", *k.UserName)
				}
				list := must(f.ListAccessKeys(ctx, &iamapi.ListAccessKeysInput{})).AccessKeyMetadata
				if len(list) != 1 || *list[0].AccessKeyId != *k.AccessKeyId {
					t.Errorf("listed %+v", list)
				}
				if bob := must(f.ListAccessKeys(f.ctx, &iamapi.ListAccessKeysInput{UserName: s("Bob")})).AccessKeyMetadata; len(bob) != 0 {
					t.Errorf("Bob has %d keys", len(bob))
				}
				return nil
			},
		},
		{
			name: "without a user name, a role session cannot make keys",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.CreateAccessKey(f.as(&principal.Principal{Kind: principal.AssumedRole, Account: account}), &iamapi.CreateAccessKeyInput{})
				return err
			},
			code: "ValidationError",
		},
		{
			name: "UpdateAccessKey makes a key Inactive and Active again",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")})).AccessKey
				must(f.UpdateAccessKey(f.ctx, &iamapi.UpdateAccessKeyInput{UserName: s("u"), AccessKeyId: k.AccessKeyId, Status: s("Inactive")}))
				if got := must(f.AccessKeyByID(f.ctx, *k.AccessKeyId)); got.Status != "Inactive" {
					t.Errorf("status %s", got.Status)
				}
				if l := must(f.ListAccessKeys(f.ctx, &iamapi.ListAccessKeysInput{UserName: s("u")})).AccessKeyMetadata; *l[0].Status != "Inactive" {
					t.Errorf("listed status %s", *l[0].Status)
				}
				must(f.UpdateAccessKey(f.ctx, &iamapi.UpdateAccessKeyInput{UserName: s("u"), AccessKeyId: k.AccessKeyId, Status: s("Active")}))
				if got := must(f.AccessKeyByID(f.ctx, *k.AccessKeyId)); got.Status != "Active" {
					t.Errorf("status %s", got.Status)
				}
				return nil
			},
		},
		{
			name: "another user's key cannot be updated",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "a")
				f.user(t, "b")
				k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("a")})).AccessKey
				_, err := f.UpdateAccessKey(f.ctx, &iamapi.UpdateAccessKeyInput{UserName: s("b"), AccessKeyId: k.AccessKeyId, Status: s("Inactive")})
				if err != nil && !strings.Contains(err.Error(), *k.AccessKeyId) {
					t.Errorf("message %v", err)
				}
				return err
			},
			code: "NoSuchEntity",
		},
		{
			name: "deleting an unknown key is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				_, err := f.DeleteAccessKey(f.ctx, &iamapi.DeleteAccessKeyInput{UserName: s("u"), AccessKeyId: s("AKIAAAAAAAAAAAAAAAAA")})
				return err
			},
			code: "NoSuchEntity", msg: "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.",
		},
		{
			name: "a deleted key is gone and frees a slot",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				k1 := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")})).AccessKey
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				must(f.DeleteAccessKey(f.ctx, &iamapi.DeleteAccessKeyInput{UserName: s("u"), AccessKeyId: k1.AccessKeyId}))
				if _, err := f.AccessKeyByID(f.ctx, *k1.AccessKeyId); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("AccessKeyByID after delete: %v", err)
				}
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				return nil
			},
		},
		{
			name: "ListAccessKeys pages",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}))
				p1 := must(f.ListAccessKeys(f.ctx, &iamapi.ListAccessKeysInput{UserName: s("u"), MaxItems: i32(1)}))
				p2 := must(f.ListAccessKeys(f.ctx, &iamapi.ListAccessKeysInput{UserName: s("u"), Marker: p1.Marker}))
				if len(p1.AccessKeyMetadata) != 1 || !*p1.IsTruncated || len(p2.AccessKeyMetadata) != 1 || *p2.IsTruncated ||
					*p1.AccessKeyMetadata[0].AccessKeyId == *p2.AccessKeyMetadata[0].AccessKeyId {
					t.Errorf("pages %+v %+v", p1, p2)
				}
				return nil
			},
		},
		{
			name: "GetAccessKeyLastUsed says N/A until NoteAccessKeyUsed, which writes at most once a minute",
			run: func(t *testing.T, f *fixture) error {
				f.user(t, "u")
				k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")})).AccessKey
				in := &iamapi.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId}
				out := must(f.GetAccessKeyLastUsed(f.ctx, in))
				if *out.UserName != "u" || *out.AccessKeyLastUsed.ServiceName != "N/A" || *out.AccessKeyLastUsed.Region != "N/A" || out.AccessKeyLastUsed.LastUsedDate != nil {
					t.Errorf("before use %+v", out.AccessKeyLastUsed)
				}
				f.NoteAccessKeyUsed(f.ctx, *k.AccessKeyId, "iam", "us-east-1")
				first := f.clock
				f.clock = f.clock.Add(30 * time.Second)
				f.NoteAccessKeyUsed(f.ctx, *k.AccessKeyId, "sts", "eu-west-1") // within the minute: not written
				used := must(f.GetAccessKeyLastUsed(f.ctx, in)).AccessKeyLastUsed
				if *used.ServiceName != "iam" || *used.Region != "us-east-1" || !awsapi.ToTime(used.LastUsedDate).Equal(first) {
					t.Errorf("after use %+v", used)
				}
				f.clock = f.clock.Add(time.Minute)
				f.NoteAccessKeyUsed(f.ctx, *k.AccessKeyId, "sts", "eu-west-1")
				if used := must(f.GetAccessKeyLastUsed(f.ctx, in)).AccessKeyLastUsed; *used.ServiceName != "sts" || !awsapi.ToTime(used.LastUsedDate).Equal(f.clock) {
					t.Errorf("a minute later %+v", used)
				}
				f.NoteAccessKeyUsed(f.ctx, "AKIANOSUCHKEY0000000", "sts", "eu-west-1") // unknown keys are ignored
				return nil
			},
		},
		{
			name: "GetAccessKeyLastUsed of an unknown key is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.GetAccessKeyLastUsed(f.ctx, &iamapi.GetAccessKeyLastUsedInput{AccessKeyId: s("AKIANOSUCHKEY0000000")})
				return err
			},
			code: "NoSuchEntity",
		},
	}
	runCases(t, tests)
}

func TestConcurrentAccessKeysKeepTheQuota(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for range 8 {
		wg.Go(func() {
			if _, err := f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("u")}); err == nil {
				mu.Lock()
				made++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	keys := must(f.ListAccessKeys(f.ctx, &iamapi.ListAccessKeysInput{UserName: s("u")})).AccessKeyMetadata
	if made != 2 || len(keys) != 2 {
		t.Errorf("made %d keys, listed %d", made, len(keys))
	}
}

func TestOpenIDConnectProviders(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:oidc-provider/issuer.example.com/pool"
	create := func(f *fixture) (*iamapi.CreateOpenIDConnectProviderOutput, error) {
		return f.CreateOpenIDConnectProvider(f.ctx, &iamapi.CreateOpenIDConnectProviderInput{
			Url: s("https://issuer.example.com/pool"), ClientIDList: []string{"app", "app"},
		})
	}
	tests := []opCase{
		{
			name: "a provider's ARN is its URL without the scheme, and thumbprints are optional",
			run: func(t *testing.T, f *fixture) error {
				out := must(create(f))
				if *out.OpenIDConnectProviderArn != arn {
					t.Errorf("ARN %s", *out.OpenIDConnectProviderArn)
				}
				p := must(f.GetOpenIDConnectProvider(f.ctx, &iamapi.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn)}))
				if *p.Url != "issuer.example.com/pool" || strings.Join(p.ClientIDList, ",") != "app" || len(p.ThumbprintList) != 0 || p.CreateDate == nil {
					t.Errorf("got %+v", p)
				}
				return nil
			},
		},
		{
			name: "the same URL twice is EntityAlreadyExists",
			run: func(t *testing.T, f *fixture) error {
				must(create(f))
				_, err := create(f)
				return err
			},
			code: "EntityAlreadyExists", msg: "Provider with url https://issuer.example.com/pool already exists.",
		},
		{
			name: "a URL that is not https is InvalidInput",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.CreateOpenIDConnectProvider(f.ctx, &iamapi.CreateOpenIDConnectProviderInput{Url: s("http://issuer.example.com")})
				return err
			},
			code: "InvalidInput",
		},
		{
			name: "client ids are added once and removed, thumbprints replaced",
			run: func(t *testing.T, f *fixture) error {
				must(create(f))
				for _, id := range []string{"web", "web"} {
					must(f.AddClientIDToOpenIDConnectProvider(f.ctx, &iamapi.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn), ClientID: s(id)}))
				}
				for _, id := range []string{"app", "never-there"} {
					must(f.RemoveClientIDFromOpenIDConnectProvider(f.ctx, &iamapi.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn), ClientID: s(id)}))
				}
				tp := strings.Repeat("a", 40)
				must(f.UpdateOpenIDConnectProviderThumbprint(f.ctx, &iamapi.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: s(arn), ThumbprintList: []string{tp}}))
				p := must(f.GetOpenIDConnectProvider(f.ctx, &iamapi.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn)}))
				if strings.Join(p.ClientIDList, ",") != "web" || strings.Join(p.ThumbprintList, ",") != tp {
					t.Errorf("got %+v", p)
				}
				return nil
			},
		},
		{
			name: "providers are listed and deleted, deleting twice is no error",
			run: func(t *testing.T, f *fixture) error {
				must(create(f))
				must(f.CreateOpenIDConnectProvider(f.ctx, &iamapi.CreateOpenIDConnectProviderInput{Url: s("https://accounts.example.org")}))
				if l := must(f.ListOpenIDConnectProviders(f.ctx, &iamapi.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList; len(l) != 2 {
					t.Errorf("listed %d", len(l))
				}
				must(f.DeleteOpenIDConnectProvider(f.ctx, &iamapi.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn)}))
				must(f.DeleteOpenIDConnectProvider(f.ctx, &iamapi.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn)}))
				if l := must(f.ListOpenIDConnectProviders(f.ctx, &iamapi.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList; len(l) != 1 {
					t.Errorf("listed %d after delete", len(l))
				}
				_, err := f.GetOpenIDConnectProvider(f.ctx, &iamapi.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn)})
				return err
			},
			code: "NoSuchEntity", msg: "OpenIDConnect Provider not found for arn " + arn,
		},
		{
			name: "adding a client id to an unknown provider is NoSuchEntity",
			run: func(t *testing.T, f *fixture) error {
				_, err := f.AddClientIDToOpenIDConnectProvider(f.ctx, &iamapi.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: s(arn), ClientID: s("x")})
				return err
			},
			code: "NoSuchEntity", msg: "OpenIDConnect Provider not found for arn " + arn,
		},
	}
	runCases(t, tests)
}

// With a master key a new access key's secret is sealed in the store, and
// AccessKeyByID (the SigV4 layer's lookup) opens it; without the key it
// cannot.
func TestAccessKeySecretsSealed(t *testing.T) {
	f := newFixture(t)
	box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"), "ninsho iam.access-key v1")
	if err != nil {
		t.Fatal(err)
	}
	f.Secrets = box
	f.user(t, "alice")
	k := must(f.CreateAccessKey(f.ctx, &iamapi.CreateAccessKeyInput{UserName: s("alice")})).AccessKey
	o, err := f.store.GetObject(f.ctx, kindAccessKey, *k.AccessKeyId)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(o.Value), *k.SecretAccessKey) || !strings.Contains(string(o.Value), "sealedSecret") {
		t.Fatalf("stored access key %s", o.Value)
	}
	got, err := f.AccessKeyByID(f.ctx, *k.AccessKeyId)
	if err != nil || got.Secret != *k.SecretAccessKey || got.UserName != "alice" {
		t.Fatalf("AccessKeyByID = %+v, %v", got, err)
	}
	// A status change keeps the sealed secret.
	must(f.UpdateAccessKey(f.ctx, &iamapi.UpdateAccessKeyInput{UserName: s("alice"), AccessKeyId: k.AccessKeyId, Status: s("Inactive")}))
	if got, err := f.AccessKeyByID(f.ctx, *k.AccessKeyId); err != nil || got.Secret != *k.SecretAccessKey || got.Status != "Inactive" {
		t.Fatalf("after UpdateAccessKey: %+v, %v", got, err)
	}
	f.Secrets = nil
	if _, err := f.AccessKeyByID(f.ctx, *k.AccessKeyId); err == nil {
		t.Fatal("a sealed secret opened without the master key")
	}
}
