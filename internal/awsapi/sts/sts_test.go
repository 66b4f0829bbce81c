package sts

import (
	"context"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
)

var s = awsapi.String

func TestValidate(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/app"
	tests := []struct {
		name string
		in   awsapi.Input
		want []string
	}{
		{"rejects a request missing everything", &AssumeRoleWithWebIdentityInput{}, []string{
			"Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
			"Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
			"Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
		}},
		{"accepts a valid request", &AssumeRoleWithWebIdentityInput{RoleArn: s(role), RoleSessionName: s("app"), WebIdentityToken: s("eyJhbGciOi")}, nil},
		{"rejects a short role arn", &AssumeRoleInput{RoleArn: s("arn"), RoleSessionName: s("app")}, []string{
			"Value 'arn' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		}},
		{"rejects a session name with spaces", &AssumeRoleInput{RoleArn: s(role), RoleSessionName: s("my app")}, []string{
			`Value 'my app' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`,
		}},
		{"rejects a too short duration", &AssumeRoleInput{RoleArn: s(role), RoleSessionName: s("app"), DurationSeconds: awsapi.Int32(60)}, []string{
			"Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		}},
		{"hides a sensitive web identity token", &AssumeRoleWithWebIdentityInput{RoleArn: s(role), RoleSessionName: s("app"), WebIdentityToken: s("abc")}, []string{
			"Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
		}},
		{"reports nested tag members", &AssumeRoleInput{RoleArn: s(role), RoleSessionName: s("app"), Tags: []Tag{{Key: s("team")}}}, []string{
			"Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
		}},
		{"accepts supplementary characters where the model allows U+10000-U+10FFFF", &AssumeRoleInput{RoleArn: s(role + "😀"), RoleSessionName: s("app")}, nil},
		{"rejects characters beyond Latin-1 in session policies", &AssumeRoleInput{RoleArn: s(role), RoleSessionName: s("app"), Policy: s(`{"Sid":"😀"}`)}, []string{
			`Value '{"Sid":"😀"}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			ve, ok := err.(*awsapi.ValidationError)
			if !ok || !slices.Equal(ve.Violations, tt.want) {
				t.Errorf("got %v\nwant %q", err, tt.want)
			}
		})
	}
}

func TestPatternsCompile(t *testing.T) {
	if len(patterns) == 0 {
		t.Fatal("no patterns generated")
	}
	for java, rx := range patterns {
		if rx == nil || !strings.HasPrefix(rx.String(), "^(?:") {
			t.Errorf("pattern %s: %v", java, rx)
		}
	}
}

func TestNewService(t *testing.T) {
	svc := NewService(UnimplementedAPI{})
	if len(svc.Operations) != 11 || len(OperationNames) != 11 {
		t.Fatalf("got %d operations, want 11", len(svc.Operations))
	}
	if svc.Name != "sts" || svc.Protocol != "query" || svc.APIVersion != "2011-06-15" ||
		svc.XMLNamespace != "https://sts.amazonaws.com/doc/2011-06-15/" || svc.ValidationErrorCode != "ValidationError" {
		t.Errorf("unexpected service description %+v", svc)
	}
	for name, want := range map[string]bool{"AssumeRoleWithWebIdentity": true, "AssumeRoleWithSAML": true, "AssumeRole": false, "GetCallerIdentity": false} {
		if op := svc.Operations[name]; op == nil || op.Unsigned != want {
			t.Errorf("%s: Unsigned = %v, want %v", name, op != nil && op.Unsigned, want)
		}
	}
	_, err := svc.Operations["GetCallerIdentity"].Invoke(context.Background(), svc.Operations["GetCallerIdentity"].NewInput())
	if e, ok := awserr.As(err); !ok || e.Code != "NotImplementedException" || !strings.Contains(e.Message, "sts operation GetCallerIdentity") {
		t.Errorf("got %v", err)
	}
}

func TestErrorCodesFollowTheModel(t *testing.T) {
	tests := []struct {
		name   string
		err    *awserr.Error
		code   string
		status int
	}{
		{"uses the modelled code, not the shape name", NewMalformedPolicyDocumentException("x"), "MalformedPolicyDocument", 400},
		{"uses the modelled status", NewIDPRejectedClaimException("x"), "IDPRejectedClaim", 403},
		{"keeps codes equal to the shape name", NewExpiredTokenException("x"), "ExpiredTokenException", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Code != tt.code || tt.err.Status != tt.status {
				t.Errorf("got %+v", tt.err)
			}
		})
	}
}

func TestOutputXML(t *testing.T) {
	out := AssumeRoleWithWebIdentityOutput{
		Credentials: &Credentials{AccessKeyId: s("ASIA"), Expiration: awsapi.Time(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))},
	}
	b, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResult"`
		*AssumeRoleWithWebIdentityOutput
	}{AssumeRoleWithWebIdentityOutput: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA</AccessKeyId><Expiration>2024-05-01T12:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	lists, err := xml.Marshal(GetFederationTokenInput{Tags: []Tag{{Key: s("k"), Value: s("v")}}})
	if err != nil || !strings.Contains(string(lists), "<Tags><member><Key>k</Key><Value>v</Value></member></Tags>") {
		t.Errorf("lists are not wrapped in <member>: %s %v", lists, err)
	}
}
