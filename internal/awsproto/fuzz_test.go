package awsproto

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
)

// FuzzDecodeJSON feeds arbitrary bodies to the JSON decoder and the
// generated validation of a nested input (AdminCreateUser: lists of
// structures, maps, enums, patterns). Either may refuse the input, but only
// with an AWS error, and neither may panic.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{"UserPoolId":"us-east-1_abc","Username":"u"}`,
		`{"UserPoolId":1}`, `{"UserAttributes":[{"Name":"email","Value":"a@b"}],"ClientMetadata":{"k":"v"}}`,
		`{"UserAttributes":[null,{"Name":null}]}`, `{"MessageAction":"NOPE","DesiredDeliveryMediums":["EMAIL","FAX"]}`,
		`{"UserPoolId":"\u0000"}`, `{"ForceAliasCreation":"yes"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := &cognitoidp.AdminCreateUserInput{}
		if err := decodeJSON(body, in); err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("decode error is not an AWS error: %v", err)
			}
			return
		}
		_ = in.Validate()
	})
}

// FuzzDecodeQuery feeds arbitrary form bodies to the query-protocol decoder
// with a nested input (IAM CreateRole: tags as a list of structures) and
// validates the result. Neither may panic, nor allocate for huge indices.
func FuzzDecodeQuery(f *testing.F) {
	for _, s := range []string{
		"", "Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D",
		"Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=x",
		"Tags.member.999999999.Key=k", "MaxSessionDuration=abc", "MaxSessionDuration=99999999999999",
		"Tags=&Tags.member.0.Key=z", "%zz", "RoleName.member.1=a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, form string) {
		values, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		in := &iamapi.CreateRoleInput{}
		if err := decodeQuery(values, reflect.ValueOf(in).Elem(), ""); err != nil {
			return
		}
		if len(in.Tags) > maxQueryListIndex {
			t.Fatalf("decoded %d tags", len(in.Tags))
		}
		_ = in.Validate()
	})
}
