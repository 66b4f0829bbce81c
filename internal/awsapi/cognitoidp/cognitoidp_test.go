package cognitoidp

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
)

var s = awsapi.String

func TestValidate(t *testing.T) {
	const pool = "us-east-1_abc123"
	tests := []struct {
		name string
		in   awsapi.Input
		want []string
	}{
		{"rejects a missing user pool id and username", &AdminCreateUserInput{}, []string{
			"Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
			"Value null at 'username' failed to satisfy constraint: Member must not be null",
		}},
		{"accepts a minimal valid request", &AdminCreateUserInput{UserPoolId: s(pool), Username: s("alice")}, nil},
		{"rejects a user pool id not matching its pattern", &AdminGetUserInput{UserPoolId: s("bad"), Username: s("alice")}, []string{
			`Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`,
		}},
		{"rejects an empty user pool id twice, for pattern and length", &AdminGetUserInput{UserPoolId: s(""), Username: s("alice")}, []string{
			`Value '' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`,
			"Value '' at 'userPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"rejects a too long user pool id", &AdminGetUserInput{UserPoolId: s("us-east-1_" + strings.Repeat("a", 50)), Username: s("alice")}, []string{
			"Value 'us-east-1_" + strings.Repeat("a", 50) + "' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55",
		}},
		{"rejects an unknown auth flow", &AdminInitiateAuthInput{UserPoolId: s(pool), ClientId: s("client"), AuthFlow: s("NOPE")}, []string{
			"Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [" + strings.Join(AuthFlowTypeValues, ", ") + "]",
		}},
		{"hides a sensitive username", &AdminGetUserInput{UserPoolId: s(pool), Username: s("has space")}, []string{
			`Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`,
		}},
		{"counts a username's length in code points", &AdminGetUserInput{UserPoolId: s(pool), Username: s(strings.Repeat("é", 128))}, nil},
		{"rejects a limit above the maximum", &ListUsersInput{UserPoolId: s(pool), Limit: awsapi.Int32(61)}, []string{
			"Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
		}},
		{"rejects a negative limit", &ListUsersInput{UserPoolId: s(pool), Limit: awsapi.Int32(-1)}, []string{
			"Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0",
		}},
		{"reports nested list members with 1-based paths", &AdminCreateUserInput{UserPoolId: s(pool), Username: s("alice"),
			UserAttributes: []AttributeType{{Name: s("email"), Value: s("a@example.com")}, {Value: s("x")}, {Name: s(strings.Repeat("n", 33))}}}, []string{
			"Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null",
			"Value '" + strings.Repeat("n", 33) + "' at 'userAttributes.3.member.name' failed to satisfy constraint: Member must have length less than or equal to 32",
		}},
		{"hides sensitive attribute values in nested members", &AdminUpdateUserAttributesInput{UserPoolId: s(pool), Username: s("alice"),
			UserAttributes: []AttributeType{{Name: s("email"), Value: s(strings.Repeat("v", 2049))}}}, []string{
			"Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048",
		}},
		{"rejects unknown delivery mediums in a list of enums", &AdminCreateUserInput{UserPoolId: s(pool), Username: s("alice"),
			DesiredDeliveryMediums: []string{"EMAIL", "PIGEON"}}, []string{
			"Value 'PIGEON' at 'desiredDeliveryMediums.2.member' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]",
		}},
		{"hides values of sensitive maps", &AdminInitiateAuthInput{UserPoolId: s(pool), ClientId: s("client"), AuthFlow: s("ADMIN_USER_PASSWORD_AUTH"),
			AuthParameters: map[string]string{"PASSWORD": strings.Repeat("p", 131073)}}, []string{
			"Value at 'authParameters.PASSWORD' failed to satisfy constraint: Member must have length less than or equal to 131072",
		}},
		{"hides everything inside a sensitive structure", &InitiateAuthInput{ClientId: s("client"), AuthFlow: s("USER_AUTH"),
			UserContextData: &UserContextDataType{EncodedData: s(strings.Repeat("e", 131073))}}, []string{
			"Value at 'userContextData.encodedData' failed to satisfy constraint: Member must have length less than or equal to 131072",
		}},
		{"reports missing members of a nested structure", &AdminInitiateAuthInput{UserPoolId: s(pool), ClientId: s("client"), AuthFlow: s("ADMIN_USER_PASSWORD_AUTH"),
			ContextData: &ContextDataType{}}, []string{
			"Value null at 'contextData.ipAddress' failed to satisfy constraint: Member must not be null",
			"Value null at 'contextData.serverName' failed to satisfy constraint: Member must not be null",
			"Value null at 'contextData.serverPath' failed to satisfy constraint: Member must not be null",
			"Value null at 'contextData.httpHeaders' failed to satisfy constraint: Member must not be null",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkViolations(t, tt.in.Validate(), tt.want)
		})
	}
}

func checkViolations(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	ve, ok := err.(*awsapi.ValidationError)
	if !ok {
		t.Fatalf("got %T %v, want *awsapi.ValidationError", err, err)
	}
	if !slices.Equal(ve.Violations, want) {
		t.Errorf("got:\n  %s\nwant:\n  %s", shorten(ve.Violations), shorten(want))
	}
}

// shorten keeps failure output readable when values are huge.
func shorten(list []string) string {
	out := make([]string, len(list))
	for i, v := range list {
		if len(v) > 300 {
			v = v[:150] + "..." + v[len(v)-150:]
		}
		out[i] = v
	}
	return strings.Join(out, "\n  ")
}

func TestPatternsCompileAndAnchor(t *testing.T) {
	if len(patterns) == 0 {
		t.Fatal("no patterns generated")
	}
	for java, rx := range patterns {
		if rx == nil {
			t.Errorf("pattern %s has no regexp", java)
			continue
		}
		if !strings.HasPrefix(rx.String(), "^(?:") || !strings.HasSuffix(rx.String(), ")$") {
			t.Errorf("pattern %s is not anchored: %s", java, rx)
		}
	}
	// [\w-]+_[0-9a-zA-Z]+ must match whole values only.
	rx := patterns[`[\w-]+_[0-9a-zA-Z]+`]
	for value, want := range map[string]bool{"us-east-1_abc": true, "bad": false, "us-east-1_abc!": false, " us-east-1_abc": false} {
		if rx.MatchString(value) != want {
			t.Errorf("MatchString(%q) = %v, want %v", value, !want, want)
		}
	}
}

func TestNewService(t *testing.T) {
	svc := NewService(UnimplementedAPI{})
	if len(svc.Operations) != 122 || len(OperationNames) != 122 {
		t.Fatalf("got %d operations (%d names), want 122", len(svc.Operations), len(OperationNames))
	}
	if !slices.IsSorted(OperationNames) {
		t.Error("OperationNames is not sorted")
	}
	if svc.Name != "cognito-idp" || svc.SigningName != "cognito-idp" || svc.Protocol != "json" ||
		svc.TargetPrefix != "AWSCognitoIdentityProviderService" || svc.APIVersion != "2016-04-18" ||
		svc.ValidationErrorCode != "InvalidParameterException" {
		t.Errorf("unexpected service description %+v", svc)
	}
	unsigned := map[string]bool{"InitiateAuth": true, "SignUp": true, "GetUser": true, "RespondToAuthChallenge": true,
		"ConfirmSignUp": true, "AdminInitiateAuth": false, "AdminCreateUser": false, "CreateUserPool": false}
	for name, want := range unsigned {
		t.Run(name, func(t *testing.T) {
			op := svc.Operations[name]
			if op == nil || op.Name != name {
				t.Fatalf("operation %s missing", name)
			}
			if op.Unsigned != want {
				t.Errorf("Unsigned = %v, want %v", op.Unsigned, want)
			}
		})
	}
}

func TestUnimplementedOperationsAnswerNotImplemented(t *testing.T) {
	svc := NewService(UnimplementedAPI{})
	for _, name := range OperationNames {
		op := svc.Operations[name]
		out, err := op.Invoke(context.Background(), op.NewInput())
		e, ok := awserr.As(err)
		if out != nil || !ok || e.Code != "NotImplementedException" || e.Status != http.StatusNotImplemented ||
			!strings.Contains(e.Message, "cognito-idp operation "+name) {
			t.Errorf("%s: got %v, %v", name, out, err)
		}
	}
}

type fakeAPI struct{ UnimplementedAPI }

func (fakeAPI) GetUser(_ context.Context, in *GetUserInput) (*GetUserOutput, error) {
	return &GetUserOutput{Username: s("alice")}, nil
}

func TestInvokeDispatchesToTheImplementation(t *testing.T) {
	op := NewService(fakeAPI{}).Operations["GetUser"]
	in := op.NewInput()
	if err := json.Unmarshal([]byte(`{"AccessToken":"tok"}`), in); err != nil {
		t.Fatal(err)
	}
	out, err := op.Invoke(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	if string(b) != `{"Username":"alice"}` {
		t.Errorf("got %s", b)
	}
}

func TestErrorConstructors(t *testing.T) {
	tests := []struct {
		name       string
		err        *awserr.Error
		code       string
		status     int
		serverSide bool
	}{
		{"makes client errors with status 400", NewNotAuthorizedException("Incorrect username or password."), "NotAuthorizedException", 400, false},
		{"formats messages", NewUserNotFoundExceptionf("User %s does not exist.", "bob"), "UserNotFoundException", 400, false},
		{"marks faults as server errors", NewInternalErrorException("boom"), "InternalErrorException", 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Code != tt.code || tt.err.Status != tt.status || tt.err.Server != tt.serverSide {
				t.Errorf("got %+v", tt.err)
			}
		})
	}
	if NewUserNotFoundExceptionf("User %s does not exist.", "bob").Message != "User bob does not exist." {
		t.Error("Newf does not format")
	}
}

func TestOutputJSON(t *testing.T) {
	out := AdminGetUserOutput{Username: s("alice"), UserCreateDate: awsapi.Time(time.Unix(1700000000, 123_000_000)), Enabled: awsapi.Bool(true)}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Username":"alice","UserCreateDate":1700000000.123,"Enabled":true}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
