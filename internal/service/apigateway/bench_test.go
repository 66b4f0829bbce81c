package apigw

import (
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
)

// BenchmarkLookupDomain is what every request to the server pays to be
// told apart from custom-domain traffic.
func BenchmarkLookupDomain(b *testing.B) {
	f := newFixture(b)
	if _, err := f.svc.CreateDomainName(f.ctx, &v2.CreateDomainNameInput{DomainName: awsapi.String("api.example.com")}); err != nil {
		b.Fatal(err)
	}
	f.svc.LookupDomain(f.ctx, "api.example.com")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := f.svc.LookupDomain(f.ctx, "127.0.0.1"); ok {
				b.Fatal("matched")
			}
		}
	})
}
