package gateway

import (
	"context"
	"net"
	"net/http"
	"strings"
)

// Domains finds the custom domain names the gateway serves.
// LookupDomain is called for every request the server receives (it tells
// gateway traffic from the rest), so it must answer from memory.
type Domains interface {
	// LookupDomain returns the domain named host (lower case, without
	// port or trailing dot), or false.
	LookupDomain(ctx context.Context, host string) (*Domain, bool)
}

// Domain is a custom domain name and its API mappings.
type Domain struct {
	Name     string       `json:"domainName"`
	Mappings []APIMapping `json:"apiMappings,omitempty"`
}

// APIMapping sends the requests under a path of a custom domain name to a
// stage of an API.
type APIMapping struct {
	// Key is the path prefix, without leading or trailing slash, one or
	// more segments ("orders", "orders/v1"); empty maps the root.
	Key   string `json:"apiMappingKey,omitempty"`
	APIID string `json:"apiId"`
	Stage string `json:"stage"`
}

// Handles tells whether r is for the gateway: IsGatewayRequest, or a Host
// that is one of the custom domain names (any port).
func (g *Gateway) Handles(r *http.Request) bool {
	if IsGatewayRequest(r) {
		return true
	}
	_, ok := g.domain(r)
	return ok
}

// domain returns the custom domain r is addressed to.
func (g *Gateway) domain(r *http.Request) (*Domain, bool) {
	if g.Domains == nil || r.Host == "" {
		return nil, false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return g.Domains.LookupDomain(r.Context(), host)
}

// match selects the mapping whose key is the longest prefix of the path,
// compared segment by segment ("orders" matches /orders and /orders/x, not
// /ordersx), the empty key matching every path, as API Gateway routes
// custom domain names. rest is the escaped path with the key removed ("/"
// at least).
func (d *Domain) match(escapedPath string) (m APIMapping, rest string, ok bool) {
	segs := splitPath(escapedPath)
	best := -1
	for _, c := range d.Mappings {
		var keySegs []string
		if c.Key != "" {
			keySegs = strings.Split(c.Key, "/")
		}
		if len(keySegs) <= best || len(keySegs) > len(segs) {
			continue
		}
		same := true
		for i, k := range keySegs {
			if unescape(segs[i]) != k {
				same = false
				break
			}
		}
		if same {
			m, best, ok = c, len(keySegs), true
		}
	}
	if !ok {
		return m, "", false
	}
	rest = "/" + strings.Join(segs[best:], "/")
	if best < len(segs) && strings.HasSuffix(escapedPath, "/") {
		rest += "/"
	}
	return m, rest, true
}
