package awsproto

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
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
		if err := decodeQuery(newQueryForm(values), reflect.ValueOf(in).Elem(), ""); err != nil {
			return
		}
		if len(in.Tags) > maxQueryListIndex {
			t.Fatalf("decoded %d tags", len(in.Tags))
		}
		_ = in.Validate()
	})
}

// FuzzRESTRouter feeds arbitrary methods and paths to the REST router of API
// Gateway v2. It may find no route, but must not panic; a route it finds is
// one of the method's, with non-empty labels, and rendering its template
// with those labels (escaped) routes back to it with the same labels.
func FuzzRESTRouter(f *testing.F) {
	svc := apigatewayv2.NewService(apigatewayv2.UnimplementedAPI{})
	rt := newRESTRouter()
	if err := rt.add(svc); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"/v2/apis", "/v2/apis/abc", "/v2/apis/abc/routes/r1", "/v2/apis//routes", "/v2/apis/a%2Fb/routes",
		"/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc", "/v2/apis/%zz", "/", "", "v2/apis",
		"/v2/apis/abc/stages/s/cache/authorizers", "/v2/domainnames/d/routingrules/r", "/v2/apis/a/exports/OAS30",
	} {
		f.Add("GET", s)
		f.Add("DELETE", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		_ = rt.owns(path)
		m := rt.match(method, path, nil)
		if m.route == nil {
			return
		}
		op := m.route.op
		if op.HTTP.Method != method {
			t.Fatalf("%s %s routed to %s (%s)", method, path, op.Name, op.HTTP.Method)
		}
		uri := op.HTTP.RequestURI
		for k, v := range m.labels {
			if v == "" {
				t.Fatalf("%s %s: empty label %s", method, path, k)
			}
			if !strings.Contains(uri, "{"+k+"}") {
				t.Fatalf("%s %s: label %s not in %s", method, path, k, uri)
			}
			uri = strings.ReplaceAll(uri, "{"+k+"}", url.PathEscape(v))
		}
		again := rt.match(method, uri, nil)
		if again.route != m.route || !reflect.DeepEqual(again.labels, m.labels) {
			t.Fatalf("%s %s -> %s %v; re-rendered %s -> %v", method, path, op.Name, m.labels, uri, again.labels)
		}
	})
}

// BenchmarkDecodeQueryHostile decodes the most expensive form a caller can
// send under maxQueryParams: every list index in use, each with its own
// keys. Decoding runs before authentication, so this bounds what an
// anonymous request costs.
func BenchmarkDecodeQueryHostile(b *testing.B) {
	values := url.Values{}
	for n := 1; len(values) < maxQueryParams-2; n++ {
		i := n%maxQueryListIndex + 1
		values.Set(fmt.Sprintf("Tags.member.%d.Key", i), "k")
		values.Set(fmt.Sprintf("Tags.member.%d.Value", i), "v")
		values.Set(fmt.Sprintf("Junk%d", n), "x")
	}
	b.ResetTimer()
	for b.Loop() {
		in := &iamapi.CreateRoleInput{}
		if err := decodeQuery(newQueryForm(values), reflect.ValueOf(in).Elem(), ""); err != nil {
			b.Fatal(err)
		}
	}
}
