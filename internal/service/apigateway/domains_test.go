package apigw

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

func TestDomainNames(t *testing.T) {
	f := newFixture(t)
	t.Run("CreateDomainName fills in a Regional configuration served by the domain itself", func(t *testing.T) {
		d, err := f.svc.CreateDomainName(f.ctx, &v2.CreateDomainNameInput{DomainName: awsapi.String("API.Example.com"),
			DomainNameConfigurations: []v2.DomainNameConfiguration{{CertificateArn: awsapi.String("arn:aws:acm:us-east-1:000000000000:certificate/x")}},
			Tags:                     map[string]string{"team": "a"}})
		if err != nil {
			t.Fatal(err)
		}
		c := d.DomainNameConfigurations[0]
		if *d.DomainName != "api.example.com" || *d.DomainNameArn != "arn:aws:apigateway:us-east-1::/domainnames/api.example.com" ||
			*d.ApiMappingSelectionExpression != "$request.basepath" || *d.RoutingMode != "API_MAPPING_ONLY" || d.Tags["team"] != "a" ||
			len(d.DomainNameConfigurations) != 1 || *c.ApiGatewayDomainName != "api.example.com" || *c.EndpointType != "REGIONAL" ||
			*c.SecurityPolicy != "TLS_1_2" || *c.DomainNameStatus != "AVAILABLE" || *c.CertificateArn != "arn:aws:acm:us-east-1:000000000000:certificate/x" {
			t.Fatalf("domain %+v", d)
		}
	})
	for _, c := range []struct {
		name string
		in   v2.CreateDomainNameInput
		code string
		msg  string
	}{
		{"a domain name twice is a conflict", v2.CreateDomainNameInput{DomainName: awsapi.String("api.example.com")}, "ConflictException", "already exists"},
		{"a name without a dot is refused", v2.CreateDomainNameInput{DomainName: awsapi.String("localhost")}, "BadRequestException", "Invalid domain name"},
		{"an IP address is refused", v2.CreateDomainNameInput{DomainName: awsapi.String("127.0.0.1")}, "BadRequestException", "Invalid domain name"},
		{"an EDGE domain name is refused", v2.CreateDomainNameInput{DomainName: awsapi.String("edge.example.com"),
			DomainNameConfigurations: []v2.DomainNameConfiguration{{EndpointType: awsapi.String("EDGE")}}}, "BadRequestException", "Only REGIONAL"},
		{"two configurations are refused", v2.CreateDomainNameInput{DomainName: awsapi.String("two.example.com"),
			DomainNameConfigurations: []v2.DomainNameConfiguration{{}, {}}}, "BadRequestException", "Expected one domain name configuration"},
		{"routing rules are not supported", v2.CreateDomainNameInput{DomainName: awsapi.String("rr.example.com"),
			RoutingMode: awsapi.String("ROUTING_RULE_ONLY")}, "BadRequestException", "Unsupported routing mode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.CreateDomainName(f.ctx, &c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}
	t.Run("domain names are listed by name, in pages", func(t *testing.T) {
		if _, err := f.svc.CreateDomainName(f.ctx, &v2.CreateDomainNameInput{DomainName: awsapi.String("b.example.com")}); err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.GetDomainNames(f.ctx, &v2.GetDomainNamesInput{MaxResults: awsapi.String("1")})
		if err != nil || len(l.Items) != 1 || *l.Items[0].DomainName != "api.example.com" || l.NextToken == nil {
			t.Fatalf("page 1 %+v %v", l, err)
		}
		l, err = f.svc.GetDomainNames(f.ctx, &v2.GetDomainNamesInput{NextToken: l.NextToken})
		if err != nil || len(l.Items) != 1 || *l.Items[0].DomainName != "b.example.com" || l.NextToken != nil {
			t.Fatalf("page 2 %+v %v", l, err)
		}
	})
	t.Run("UpdateDomainName replaces the configuration", func(t *testing.T) {
		d, err := f.svc.UpdateDomainName(f.ctx, &v2.UpdateDomainNameInput{DomainName: awsapi.String("b.example.com"),
			DomainNameConfigurations: []v2.DomainNameConfiguration{{SecurityPolicy: awsapi.String("TLS_1_0")}},
			MutualTlsAuthentication:  &v2.MutualTlsAuthenticationInput{TruststoreUri: awsapi.String("s3://bucket/ts.pem")}})
		if err != nil {
			t.Fatal(err)
		}
		if *d.DomainNameConfigurations[0].SecurityPolicy != "TLS_1_0" || *d.MutualTlsAuthentication.TruststoreUri != "s3://bucket/ts.pem" {
			t.Fatalf("domain %+v", d)
		}
		g, _ := f.svc.GetDomainName(f.ctx, &v2.GetDomainNameInput{DomainName: awsapi.String("b.example.com")})
		if *g.DomainNameConfigurations[0].SecurityPolicy != "TLS_1_0" {
			t.Fatalf("GetDomainName %+v", g)
		}
	})
	t.Run("DeleteDomainName removes it; an unknown one is NotFound", func(t *testing.T) {
		if _, err := f.svc.DeleteDomainName(f.ctx, &v2.DeleteDomainNameInput{DomainName: awsapi.String("b.example.com")}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetDomainName(f.ctx, &v2.GetDomainNameInput{DomainName: awsapi.String("b.example.com")})
		wantErr(t, err, "NotFoundException", "Invalid domain name identifier specified")
		_, err = f.svc.DeleteDomainName(f.ctx, &v2.DeleteDomainNameInput{DomainName: awsapi.String("b.example.com")})
		wantErr(t, err, "NotFoundException", "Invalid domain name identifier specified")
	})
}

func TestApiMappings(t *testing.T) {
	f := newFixture(t)
	id := f.api("mapped")
	other := f.api("other")
	integ := f.integration(id, testBackend)
	f.route(id, "GET /a", "NONE", "", integ)
	for _, api := range []string{id, other} {
		if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &api, StageName: awsapi.String("prod"), AutoDeploy: awsapi.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	domain := awsapi.String("api.example.com")
	if _, err := f.svc.CreateDomainName(f.ctx, &v2.CreateDomainNameInput{DomainName: domain}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.svc.LookupDomain(f.ctx, "api.example.com"); !ok {
		t.Fatal("LookupDomain does not know a new domain name")
	}
	var root, orders string
	t.Run("CreateApiMapping maps the root and a path to stages", func(t *testing.T) {
		m, err := f.svc.CreateApiMapping(f.ctx, &v2.CreateApiMappingInput{DomainName: domain, ApiId: &id, Stage: awsapi.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		root = *m.ApiMappingId
		if *m.ApiId != id || *m.Stage != "prod" || *m.ApiMappingKey != "" || len(root) != 6 {
			t.Fatalf("mapping %+v", m)
		}
		m, err = f.svc.CreateApiMapping(f.ctx, &v2.CreateApiMappingInput{DomainName: domain, ApiId: &other, Stage: awsapi.String("prod"), ApiMappingKey: awsapi.String("orders/v1")})
		if err != nil {
			t.Fatal(err)
		}
		orders = *m.ApiMappingId
		d, ok := f.svc.LookupDomain(f.ctx, "api.example.com")
		if !ok || len(d.Mappings) != 2 {
			t.Fatalf("LookupDomain %+v", d)
		}
		for _, gm := range d.Mappings {
			want := gateway.APIMapping{Key: "", APIID: id, Stage: "prod"}
			if gm.Key != "" {
				want = gateway.APIMapping{Key: "orders/v1", APIID: other, Stage: "prod"}
			}
			if gm != want {
				t.Fatalf("mapping %+v, want %+v", gm, want)
			}
		}
	})
	for _, c := range []struct {
		name string
		in   v2.CreateApiMappingInput
		code string
		msg  string
	}{
		{"a key taken on the domain is a conflict", v2.CreateApiMappingInput{ApiId: &other, Stage: awsapi.String("prod"), ApiMappingKey: awsapi.String("orders/v1")}, "ConflictException", "orders/v1"},
		{"a second root mapping is a conflict", v2.CreateApiMappingInput{ApiId: &other, Stage: awsapi.String("prod")}, "ConflictException", "already exists"},
		{"a key with a leading slash is refused", v2.CreateApiMappingInput{ApiId: &id, Stage: awsapi.String("prod"), ApiMappingKey: awsapi.String("/x")}, "BadRequestException", "Invalid ApiMappingKey"},
		{"a key with an empty segment is refused", v2.CreateApiMappingInput{ApiId: &id, Stage: awsapi.String("prod"), ApiMappingKey: awsapi.String("a//b")}, "BadRequestException", "Invalid ApiMappingKey"},
		{"an unknown API is NotFound", v2.CreateApiMappingInput{ApiId: awsapi.String("nope0nope0"), Stage: awsapi.String("prod"), ApiMappingKey: awsapi.String("n")}, "NotFoundException", "Invalid API identifier specified"},
		{"an unknown stage is NotFound", v2.CreateApiMappingInput{ApiId: &id, Stage: awsapi.String("nope"), ApiMappingKey: awsapi.String("n")}, "NotFoundException", "Invalid stage identifier specified nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.DomainName = domain
			_, err := f.svc.CreateApiMapping(f.ctx, &c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}
	t.Run("a mapping on an unknown domain name is NotFound", func(t *testing.T) {
		_, err := f.svc.CreateApiMapping(f.ctx, &v2.CreateApiMappingInput{DomainName: awsapi.String("no.example.com"), ApiId: &id, Stage: awsapi.String("prod")})
		wantErr(t, err, "NotFoundException", "Invalid domain name identifier specified")
	})
	t.Run("UpdateApiMapping moves a mapping; Get and list show it", func(t *testing.T) {
		m, err := f.svc.UpdateApiMapping(f.ctx, &v2.UpdateApiMappingInput{DomainName: domain, ApiMappingId: &orders, ApiId: &other, ApiMappingKey: awsapi.String("orders/v2")})
		if err != nil {
			t.Fatal(err)
		}
		if *m.ApiMappingKey != "orders/v2" || *m.Stage != "prod" {
			t.Fatalf("mapping %+v", m)
		}
		_, err = f.svc.UpdateApiMapping(f.ctx, &v2.UpdateApiMappingInput{DomainName: domain, ApiMappingId: &orders, ApiId: &other, ApiMappingKey: awsapi.String("")})
		wantErr(t, err, "ConflictException", "already exists")
		g, err := f.svc.GetApiMapping(f.ctx, &v2.GetApiMappingInput{DomainName: domain, ApiMappingId: &orders})
		if err != nil || *g.ApiMappingKey != "orders/v2" {
			t.Fatalf("GetApiMapping %+v %v", g, err)
		}
		l, err := f.svc.GetApiMappings(f.ctx, &v2.GetApiMappingsInput{DomainName: domain})
		if err != nil || len(l.Items) != 2 {
			t.Fatalf("GetApiMappings %+v %v", l, err)
		}
		d, _ := f.svc.LookupDomain(f.ctx, "api.example.com")
		keys := map[string]bool{}
		for _, gm := range d.Mappings {
			keys[gm.Key] = true
		}
		if !keys["orders/v2"] || keys["orders/v1"] {
			t.Fatalf("LookupDomain %+v", d)
		}
	})
	t.Run("an API or stage a domain name maps is not deleted", func(t *testing.T) {
		_, err := f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: &other})
		wantErr(t, err, "BadRequestException", "Deleting API "+other+" failed. Please remove all API mappings for the API from your custom domain names.")
		_, err = f.svc.DeleteStage(f.ctx, &v2.DeleteStageInput{ApiId: &id, StageName: awsapi.String("prod")})
		wantErr(t, err, "BadRequestException", "Deleting stage prod failed")
		_, err = f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: awsapi.String("nope0nope0")})
		wantErr(t, err, "NotFoundException", "Invalid API identifier specified")
	})
	t.Run("DeleteApiMapping removes it", func(t *testing.T) {
		if _, err := f.svc.DeleteApiMapping(f.ctx, &v2.DeleteApiMappingInput{DomainName: domain, ApiMappingId: &orders}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.GetApiMapping(f.ctx, &v2.GetApiMappingInput{DomainName: domain, ApiMappingId: &orders})
		wantErr(t, err, "NotFoundException", "Invalid api mapping identifier specified")
		_, err = f.svc.DeleteApiMapping(f.ctx, &v2.DeleteApiMappingInput{DomainName: domain, ApiMappingId: &orders})
		wantErr(t, err, "NotFoundException", "Invalid api mapping identifier specified")
		if _, err := f.svc.DeleteApi(f.ctx, &v2.DeleteApiInput{ApiId: &other}); err != nil {
			t.Fatalf("DeleteApi once unmapped: %v", err)
		}
	})
	t.Run("another Service on the same store sees changes within CacheTTL", func(t *testing.T) {
		other := New(f.svc.Store, "us-east-1", testAccount, testBase)
		other.CacheTTL = 20 * time.Millisecond
		if d, ok := other.LookupDomain(f.ctx, "api.example.com"); !ok || len(d.Mappings) != 1 {
			t.Fatalf("LookupDomain %+v %v", d, ok)
		}
		if _, err := f.svc.DeleteDomainName(f.ctx, &v2.DeleteDomainNameInput{DomainName: domain}); err != nil {
			t.Fatal(err)
		}
		if _, ok := f.svc.LookupDomain(f.ctx, "api.example.com"); ok {
			t.Fatal("a deleted domain name is still served by the Service that deleted it")
		}
		time.Sleep(30 * time.Millisecond)
		if _, ok := other.LookupDomain(f.ctx, "api.example.com"); ok {
			t.Fatal("a deleted domain name is still served after CacheTTL")
		}
	})
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	id := f.api("tagged")
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("dev"), Tags: map[string]string{"s": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateDomainName(f.ctx, &v2.CreateDomainNameInput{DomainName: awsapi.String("t.example.com")}); err != nil {
		t.Fatal(err)
	}
	arn := func(p string) *string { return awsapi.String("arn:aws:apigateway:us-east-1::/" + p) }
	for _, c := range []struct{ name, path, initial string }{
		{"an API", "apis/" + id, ""},
		{"a stage", "apis/" + id + "/stages/dev", "s"},
		{"a domain name", "domainnames/t.example.com", ""},
	} {
		t.Run("TagResource, UntagResource and GetTags on "+c.name, func(t *testing.T) {
			if _, err := f.svc.TagResource(f.ctx, &v2.TagResourceInput{ResourceArn: arn(c.path), Tags: map[string]string{"env": "test", "team": "a"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.UntagResource(f.ctx, &v2.UntagResourceInput{ResourceArn: arn(c.path), TagKeys: []string{"team", "absent"}}); err != nil {
				t.Fatal(err)
			}
			g, err := f.svc.GetTags(f.ctx, &v2.GetTagsInput{ResourceArn: arn(c.path)})
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if c.initial != "" {
				want = 2
			}
			if g.Tags["env"] != "test" || len(g.Tags) != want {
				t.Fatalf("tags %v", g.Tags)
			}
		})
	}
	t.Run("tags show on the resource itself", func(t *testing.T) {
		a, _ := f.svc.GetApi(f.ctx, &v2.GetApiInput{ApiId: &id})
		st, _ := f.svc.GetStage(f.ctx, &v2.GetStageInput{ApiId: &id, StageName: awsapi.String("dev")})
		d, _ := f.svc.GetDomainName(f.ctx, &v2.GetDomainNameInput{DomainName: awsapi.String("t.example.com")})
		if a.Tags["env"] != "test" || st.Tags["env"] != "test" || d.Tags["env"] != "test" {
			t.Fatalf("api %v stage %v domain %v", a.Tags, st.Tags, d.Tags)
		}
	})
	for _, c := range []struct {
		name string
		arn  *string
		tags map[string]string
		code string
		msg  string
	}{
		{"a malformed ARN is refused", awsapi.String("arn:aws:s3:::bucket"), map[string]string{"a": "b"}, "BadRequestException", "Invalid resource ARN"},
		{"an unknown API is NotFound", arn("apis/nope0nope0"), map[string]string{"a": "b"}, "NotFoundException", "Invalid API identifier specified"},
		{"an unknown stage is NotFound", arn("apis/" + id + "/stages/nope"), map[string]string{"a": "b"}, "NotFoundException", "Invalid stage identifier specified nope"},
		{"an unknown domain name is NotFound", arn("domainnames/no.example.com"), map[string]string{"a": "b"}, "NotFoundException", "Invalid domain name identifier specified"},
		{"the aws: prefix is reserved", arn("apis/" + id), map[string]string{"aws:x": "b"}, "BadRequestException", "reserved"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.TagResource(f.ctx, &v2.TagResourceInput{ResourceArn: c.arn, Tags: c.tags})
			wantErr(t, err, c.code, c.msg)
		})
	}
}
