package awsproto

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
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
