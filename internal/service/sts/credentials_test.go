package sts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

var (
	accessKeyIDForm = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
	secretForm      = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	tokenForm       = regexp.MustCompile(`^[A-Za-z0-9+/]{300,}={0,2}$`)
)

func TestIssueRoleSessionAndLookup(t *testing.T) {
	tests := []struct {
		name      string
		masterKey []byte
	}{
		{"stores the secret in clear without a master key", nil},
		{"seals the secret under the master key", []byte("a master key of any length")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.masterKey)
			role := f.addRole("Reader", "", 0)
			creds, user, err := f.svc.IssueRoleSession(context.Background(), RoleSession{
				Role: role, SessionName: "alice", Duration: 15 * time.Minute,
				SessionPolicy: `{"Version":"2012-10-17","Statement":[]}`,
				Tags:          map[string]string{"Project": "ninsho"},
				Context:       map[string][]string{"cognito-identity.amazonaws.com:sub": {"eu-west-1:abc"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			id, secret, token := *creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken
			if !accessKeyIDForm.MatchString(id) || !secretForm.MatchString(secret) || !tokenForm.MatchString(token) {
				t.Fatalf("credential forms: id %q secret %q token %q", id, secret, token)
			}
			wantExp := testEpoch.Add(15 * time.Minute)
			if got := awsapi.ToTime(creds.Expiration); !got.Equal(wantExp) {
				t.Errorf("Expiration = %v, want %v", got, wantExp)
			}
			if *user.AssumedRoleId != role.ID+":alice" || *user.Arn != "arn:aws:sts::123456789012:assumed-role/Reader/alice" {
				t.Errorf("AssumedRoleUser = %s %s", *user.AssumedRoleId, *user.Arn)
			}

			o, err := f.store.GetObject(context.Background(), ObjectKind, id)
			if err != nil {
				t.Fatal(err)
			}
			if !o.ExpiresAt.Equal(wantExp) {
				t.Errorf("object ExpiresAt = %v, want %v", o.ExpiresAt, wantExp)
			}
			if bytes.Contains(o.Value, []byte(token)) {
				t.Error("the stored object contains the session token")
			}
			if sealed := tt.masterKey != nil; sealed == bytes.Contains(o.Value, []byte(secret)) {
				t.Errorf("stored value contains the secret in clear = %v with master key %v", !sealed, sealed)
			}
			var rec credentialRecord
			if err := json.Unmarshal(o.Value, &rec); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256([]byte(token)); !bytes.Equal(rec.TokenHash, sum[:]) {
				t.Error("tokenHash is not the SHA-256 of the token")
			}

			c, err := f.svc.LookupCredential(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != id || c.SecretAccessKey != secret || !c.Expires.Equal(wantExp) || c.SessionToken != "" {
				t.Errorf("credential = %+v", c)
			}
			if !bytes.Equal(c.SessionTokenHash, hashToken(token)) {
				t.Errorf("SessionTokenHash = %x, want the SHA-256 of the session token", c.SessionTokenHash)
			}
			p := c.Principal.(*principal.Principal)
			want := principal.Principal{
				Kind: principal.AssumedRole, Account: testAccount,
				ARN: "arn:aws:sts::123456789012:assumed-role/Reader/alice", UserID: role.ID + ":alice",
				AccessKeyID: id, RoleName: "Reader", RoleARN: role.ARN, SessionName: "alice",
				SessionPolicy: `{"Version":"2012-10-17","Statement":[]}`,
				Tags:          map[string]string{"Project": "ninsho"},
				Context:       map[string][]string{"cognito-identity.amazonaws.com:sub": {"eu-west-1:abc"}},
			}
			if !reflect.DeepEqual(*p, want) {
				t.Errorf("principal = %+v\nwant %+v", *p, want)
			}
		})
	}
}

func TestLookupCredentialFailures(t *testing.T) {
	f := newFixture(t, []byte("key one"))
	creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: f.addRole("R", "", 0), SessionName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	id := *creds.AccessKeyId

	tests := []struct {
		name        string
		masterKey   []byte
		id          string
		wantUnknown bool
	}{
		{"answers ErrUnknownKey for a long-term key id", []byte("key one"), "AKIAIOSFODNN7EXAMPLE", true},
		{"answers ErrUnknownKey for a temporary key it never issued", []byte("key one"), "ASIAAAAAAAAAAAAAAAAA", true},
		{"fails on a sealed secret without the master key", nil, id, false},
		{"fails on a sealed secret under another master key", []byte("key two"), id, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := New(f.store, f.roles, testAccount, tt.masterKey)
			_, err := svc.LookupCredential(context.Background(), tt.id)
			if err == nil {
				t.Fatal("LookupCredential succeeded")
			}
			if got := errors.Is(err, sigv4.ErrUnknownKey); got != tt.wantUnknown {
				t.Errorf("errors.Is(%v, ErrUnknownKey) = %v, want %v", err, got, tt.wantUnknown)
			}
		})
	}
}

func TestClearRecordsStayReadableOnceAMasterKeyIsSet(t *testing.T) {
	f := newFixture(t, nil)
	creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: f.addRole("R", "", 0), SessionName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(f.store, f.roles, testAccount, []byte("new key"))
	c, err := svc.LookupCredential(context.Background(), *creds.AccessKeyId)
	if err != nil || c.SecretAccessKey != *creds.SecretAccessKey {
		t.Fatalf("LookupCredential = %q, %v", c.SecretAccessKey, err)
	}
}

func TestExpiredSessionsAreReportedExpiredUntilDeleted(t *testing.T) {
	f := newFixture(t, nil)
	creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: f.addRole("R", "", 0), SessionName: "s", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	c, err := f.svc.LookupCredential(context.Background(), *creds.AccessKeyId)
	if err != nil {
		t.Fatalf("expired session not found: %v", err)
	}
	if !c.Expires.Before(f.clock.Now()) {
		t.Errorf("Expires = %v, not before now %v", c.Expires, f.clock.Now())
	}
	if n, _ := f.store.DeleteExpiredObjects(context.Background(), f.clock.Now()); n != 1 {
		t.Fatalf("janitor deleted %d objects", n)
	}
	if _, err := f.svc.LookupCredential(context.Background(), *creds.AccessKeyId); !errors.Is(err, sigv4.ErrUnknownKey) {
		t.Errorf("after the janitor: %v, want ErrUnknownKey", err)
	}
}

func TestIssueRoleSessionDefaultsToOneHour(t *testing.T) {
	f := newFixture(t, nil)
	creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: f.addRole("R", "", 0), SessionName: "CognitoIdentityCredentials"})
	if err != nil {
		t.Fatal(err)
	}
	if got := awsapi.ToTime(creds.Expiration); !got.Equal(testEpoch.Add(time.Hour)) {
		t.Errorf("Expiration = %v", got)
	}
}

func TestIssuedKeysAreDistinct(t *testing.T) {
	f := newFixture(t, nil)
	role := f.addRole("R", "", 0)
	seen := map[string]bool{}
	for range 200 {
		creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: role, SessionName: "s"})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{*creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken} {
			if seen[v] {
				t.Fatalf("%q issued twice", v)
			}
			seen[v] = true
		}
	}
}

func BenchmarkLookupCredential(b *testing.B) {
	for _, bc := range []struct {
		name string
		key  []byte
	}{{"clear", nil}, {"sealed", []byte("master key")}} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, bc.key)
			creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{
				Role: f.addRole("R", "", 0), SessionName: "bench",
				Tags: map[string]string{"team": "a"},
			})
			if err != nil {
				b.Fatal(err)
			}
			id := *creds.AccessKeyId
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.svc.LookupCredential(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestGetCallerIdentity(t *testing.T) {
	f := newFixture(t, nil)
	role := f.addRole("Admin", "", 0)
	creds, _, err := f.svc.IssueRoleSession(context.Background(), RoleSession{Role: role, SessionName: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	user := userPrincipal("carol")
	tests := []struct {
		name        string
		caller      *principal.Principal
		wantUserID  string
		wantARN     string
		wantAccount string
	}{
		{"names the root by its account", rootPrincipal(), testAccount, "arn:aws:iam::123456789012:root", testAccount},
		{"names an IAM user by its id and ARN", user, user.UserID, "arn:aws:iam::123456789012:user/carol", testAccount},
		{"names a role session by role id and session", f.sessionPrincipal(t, *creds.AccessKeyId), role.ID + ":bob", "arn:aws:sts::123456789012:assumed-role/Admin/bob", testAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.svc.GetCallerIdentity(as(tt.caller), nil)
			if err != nil {
				t.Fatal(err)
			}
			if *out.UserId != tt.wantUserID || *out.Arn != tt.wantARN || *out.Account != tt.wantAccount {
				t.Errorf("got %s %s %s", *out.UserId, *out.Arn, *out.Account)
			}
		})
	}
	if _, err := f.svc.GetCallerIdentity(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "MissingAuthenticationToken") {
		t.Errorf("anonymous caller: %v", err)
	}
}

func TestGetAccessKeyInfoAnswersTheAccount(t *testing.T) {
	f := newFixture(t, nil)
	id := "ASIAQNZGKIQY56JQ7WML"
	out, err := f.svc.GetAccessKeyInfo(as(rootPrincipal()), &stsapi.GetAccessKeyInfoInput{AccessKeyId: &id})
	if err != nil || *out.Account != testAccount {
		t.Fatalf("GetAccessKeyInfo = %v, %v", out, err)
	}
}
