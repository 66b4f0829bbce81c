package cognitoidentity

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
)

var s = awsapi.String

func TestValidate(t *testing.T) {
	const pool = "us-east-1:0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
	tests := []struct {
		name string
		in   awsapi.Input
		want []string
	}{
		{"rejects a missing identity pool id", &GetIdInput{}, []string{
			"Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null",
		}},
		{"accepts a valid identity pool id", &GetIdInput{IdentityPoolId: s(pool)}, nil},
		{"rejects an identity pool id not matching its pattern", &GetIdInput{IdentityPoolId: s("us-east-1_abc")}, []string{
			`Value 'us-east-1_abc' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+`,
		}},
		{"rejects a non-numeric account id", &GetIdInput{IdentityPoolId: s(pool), AccountId: s("12ab")}, []string{
			`Value '12ab' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \d+`,
		}},
		{"hides sensitive login tokens", &GetIdInput{IdentityPoolId: s(pool), Logins: map[string]string{"accounts.google.com": ""}}, []string{
			"Value at 'logins.accounts.google.com' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"rejects a zero page size", &ListIdentityPoolsInput{MaxResults: awsapi.Int32(0)}, []string{
			"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		}},
		{"validates the shared IdentityPool shape as UpdateIdentityPool input", &UpdateIdentityPoolInput{}, []string{
			"Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null",
			"Value null at 'identityPoolName' failed to satisfy constraint: Member must not be null",
			"Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null",
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
	if len(svc.Operations) != 23 || len(OperationNames) != 23 {
		t.Fatalf("got %d operations, want 23", len(svc.Operations))
	}
	if svc.Name != "cognito-identity" || svc.Protocol != "json" || svc.TargetPrefix != "AWSCognitoIdentityService" ||
		svc.ValidationErrorCode != "InvalidParameterException" {
		t.Errorf("unexpected service description %+v", svc)
	}
	for name, want := range map[string]bool{"GetId": true, "GetCredentialsForIdentity": true, "GetOpenIdToken": true, "CreateIdentityPool": false, "GetOpenIdTokenForDeveloperIdentity": false} {
		if op := svc.Operations[name]; op == nil || op.Unsigned != want {
			t.Errorf("%s: Unsigned = %v, want %v", name, op != nil && op.Unsigned, want)
		}
	}
	_, err := svc.Operations["GetId"].Invoke(context.Background(), svc.Operations["GetId"].NewInput())
	if e, ok := awserr.As(err); !ok || e.Code != "NotImplementedException" {
		t.Errorf("got %v", err)
	}
}

func TestErrorConstructors(t *testing.T) {
	if e := NewResourceNotFoundException("gone"); e.Code != "ResourceNotFoundException" || e.Status != 400 || e.Server {
		t.Errorf("got %+v", e)
	}
	if e := NewInternalErrorExceptionf("x %d", 1); e.Code != "InternalErrorException" || !e.Server || e.Message != "x 1" {
		t.Errorf("got %+v", e)
	}
}
