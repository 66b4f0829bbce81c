package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// tmplPart is a literal or a variable reference of a mapping value.
type tmplPart struct {
	lit string
	v   string // "context.authorizer.claims.sub", "request.header.x", "stageVariables.x", ...
}

type template []tmplPart

// parseTemplate splits "prefix-$context.requestId-${request.header.x}" into
// parts. Unbraced names run over letters, digits and "._-:".
func parseTemplate(s string) template {
	var t template
	for s != "" {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			t = append(t, tmplPart{lit: s})
			break
		}
		if i > 0 {
			t = append(t, tmplPart{lit: s[:i]})
		}
		s = s[i+1:]
		if strings.HasPrefix(s, "{") {
			if j := strings.IndexByte(s, '}'); j > 0 {
				t = append(t, tmplPart{v: s[1:j]})
				s = s[j+1:]
				continue
			}
			t = append(t, tmplPart{lit: "$"})
			continue
		}
		j := 0
		for j < len(s) && isVarChar(s[j]) {
			j++
		}
		for j > 0 && s[j-1] == '.' {
			j--
		}
		if j == 0 {
			t = append(t, tmplPart{lit: "$"})
			continue
		}
		t = append(t, tmplPart{v: s[:j]})
		s = s[j:]
	}
	return t
}

func isVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':'
}

func (t template) eval(rs *reqState) string {
	if len(t) == 1 {
		if t[0].v == "" {
			return t[0].lit
		}
		return rs.variable(t[0].v)
	}
	var b strings.Builder
	for _, p := range t {
		if p.v == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(rs.variable(p.v))
		}
	}
	return b.String()
}

// mapping is one request parameter mapping.
type mapping struct {
	op    string // append, overwrite, remove
	where string // header, querystring, path
	name  string // canonical header name or query name
	value template
}

// reservedHeaders may not be mapped (HTTP API "Reserved headers").
func reservedHeader(h string) bool {
	h = strings.ToLower(h)
	switch h {
	case "authorization", "connection", "content-encoding", "content-length", "content-location",
		"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
		"trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-proto", "via", "host":
		return true
	}
	return strings.HasPrefix(h, "access-control-") || strings.HasPrefix(h, "apigw-") ||
		strings.HasPrefix(h, "x-amz-") || strings.HasPrefix(h, "x-amzn-")
}

func compileMappings(params map[string]string) ([]mapping, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic: append before overwrite before remove
	var out []mapping
	for _, k := range keys {
		op, target, ok := strings.Cut(k, ":")
		if !ok {
			return nil, fmt.Errorf("gateway: invalid request parameter %q", k)
		}
		switch op {
		case "append", "overwrite", "remove":
		default:
			return nil, fmt.Errorf("gateway: invalid request parameter %q", k)
		}
		m := mapping{op: op, value: parseTemplate(params[k])}
		switch {
		case target == "path":
			if op != "overwrite" {
				return nil, fmt.Errorf("gateway: only overwrite:path is supported, not %q", k)
			}
			m.where = "path"
		case strings.HasPrefix(target, "header."):
			m.where, m.name = "header", http.CanonicalHeaderKey(target[len("header."):])
			if m.name == "" || reservedHeader(m.name) {
				return nil, fmt.Errorf("gateway: header %q cannot be mapped", target[len("header."):])
			}
		case strings.HasPrefix(target, "querystring."):
			m.where, m.name = "querystring", target[len("querystring."):]
			if m.name == "" {
				return nil, fmt.Errorf("gateway: invalid request parameter %q", k)
			}
		default:
			return nil, fmt.Errorf("gateway: invalid request parameter %q", k)
		}
		out = append(out, m)
	}
	return out, nil
}

// applyMappings changes the outbound request: the query string and path
// of target, and the header fields, whose outcome is kept in rs.hdrOps for
// outHeaders. The values are evaluated against the inbound request.
func applyMappings(ms []mapping, rs *reqState, target *url.URL) {
	var q url.Values
	rs.hdrOps = rs.hdrBuf[:0]
	for _, m := range ms {
		switch m.where {
		case "header":
			op := rs.headerOp(m.name)
			cur := ""
			if op != nil {
				cur = op.value
			} else if vv := rs.in.Header[m.name]; len(vv) > 0 && !connectionListed(rs.in.Header["Connection"], m.name) {
				cur = vv[0]
			}
			set := func(v string, keep bool) {
				if op == nil {
					rs.hdrOps = append(rs.hdrOps, hdrOp{name: m.name})
					op = &rs.hdrOps[len(rs.hdrOps)-1]
				}
				op.value, op.set = v, keep
			}
			switch m.op {
			case "remove":
				set("", false)
			case "append":
				if v := m.value.eval(rs); v != "" {
					if cur != "" {
						v = cur + "," + v
					}
					set(v, true)
				}
			case "overwrite":
				if v := m.value.eval(rs); v != "" {
					set(v, true)
				} else {
					set("", false)
				}
			}
		case "querystring":
			if q == nil {
				q = target.Query()
			}
			switch m.op {
			case "remove":
				q.Del(m.name)
			case "append":
				if v := m.value.eval(rs); v != "" {
					q.Add(m.name, v)
				}
			case "overwrite":
				if v := m.value.eval(rs); v != "" {
					q.Set(m.name, v)
				} else {
					q.Del(m.name)
				}
			}
		case "path":
			if v := m.value.eval(rs); v != "" {
				if !strings.HasPrefix(v, "/") {
					v = "/" + v
				}
				target.Path, target.RawPath = v, ""
			}
		}
	}
	if q != nil {
		target.RawQuery = q.Encode()
	}
}

// variable resolves a $context, $request or $stageVariables name.
func (rs *reqState) variable(name string) string {
	switch {
	case strings.HasPrefix(name, "context."):
		return rs.contextVar(name[len("context."):])
	case strings.HasPrefix(name, "request.header."):
		return strings.Join(rs.in.Header.Values(name[len("request.header."):]), ",")
	case strings.HasPrefix(name, "request.querystring."):
		return strings.Join(rs.in.URL.Query()[name[len("request.querystring."):]], ",")
	case strings.HasPrefix(name, "request.path."):
		return unescape(rs.params[name[len("request.path."):]])
	case name == "request.path":
		return unescape(rs.path)
	case strings.HasPrefix(name, "stageVariables."):
		return rs.stage.vars[name[len("stageVariables."):]]
	}
	return ""
}

func (rs *reqState) contextVar(name string) string {
	switch name {
	case "requestId", "extendedRequestId":
		return rs.id
	case "apiId":
		return rs.api.id
	case "stage":
		return rs.stage.name
	case "routeKey":
		if rs.route != nil {
			return rs.route.key
		}
		return "-"
	case "httpMethod":
		return rs.in.Method
	case "path":
		return rs.fullPath
	case "resourcePath":
		if rs.route != nil {
			return rs.route.pat.path
		}
		return ""
	case "protocol":
		return rs.in.Proto
	case "domainName":
		return rs.in.Host
	case "domainPrefix":
		h := rs.in.Host
		if i := strings.IndexByte(h, '.'); i > 0 {
			return h[:i]
		}
		return h
	case "requestTime":
		return rs.start.UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "requestTimeEpoch":
		return strconv.FormatInt(rs.start.UnixMilli(), 10)
	case "status":
		return strconv.Itoa(rs.status)
	case "responseLength":
		return strconv.FormatInt(rs.bytes, 10)
	case "responseLatency":
		return strconv.FormatInt(rs.latency.Milliseconds(), 10)
	case "integrationLatency":
		return strconv.FormatInt(rs.integrationLatency.Milliseconds(), 10)
	case "integrationStatus", "integration.status":
		if rs.integrationStatus == 0 {
			return "-"
		}
		return strconv.Itoa(rs.integrationStatus)
	case "error.message":
		return rs.errMsg
	case "authorizer.error":
		return rs.authErr
	case "identity.sourceIp":
		return rs.sourceIP
	case "identity.userAgent":
		return rs.in.UserAgent()
	}
	if k, ok := strings.CutPrefix(name, "authorizer.claims."); ok {
		return claimString(rs.claims[k])
	}
	if k, ok := strings.CutPrefix(name, "authorizer.jwt.claims."); ok {
		return claimString(rs.claims[k])
	}
	if name == "authorizer.jwt.scopes" {
		return claimString(rs.claims["scope"])
	}
	if k, ok := strings.CutPrefix(name, "identity."); ok && rs.principal != nil {
		p := rs.principal
		ctxVal := func(key string) string {
			if v := p.Context[key]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		switch k {
		case "userArn":
			return p.ARN
		case "caller", "user":
			return p.UserID
		case "accessKey":
			return p.AccessKeyID
		case "accountId":
			return p.Account
		case "cognitoIdentityId":
			return ctxVal("cognito-identity.amazonaws.com:sub")
		case "cognitoIdentityPoolId":
			return ctxVal("cognito-identity.amazonaws.com:aud")
		case "cognitoAuthenticationType":
			return ctxVal("cognito-identity.amazonaws.com:amr")
		case "cognitoAuthenticationProvider":
			if v := p.Context["cognito-identity.amazonaws.com:amr"]; len(v) > 1 {
				return strings.Join(v[1:], ",")
			}
		}
	}
	return ""
}

// claimString renders a claim as API Gateway passes it on: strings as they
// are, numbers without exponent, lists in brackets separated by spaces.
func claimString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}
