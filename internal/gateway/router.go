package gateway

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// segment kinds, in order of precedence.
const (
	segLiteral = 'a'
	segParam   = 'b'
	segGreedy  = 'c'
)

type segment struct {
	kind byte
	lit  string // literal text, or the parameter's name
}

// pattern is a parsed route key.
type pattern struct {
	method string // "GET", ..., "ANY"; empty for $default
	path   string // as written
	segs   []segment
	rank   string // one kind byte per segment: smaller sorts first
	isDflt bool
}

// parseRouteKey parses "METHOD /path" or "$default".
func parseRouteKey(key string) (*pattern, error) {
	if key == DefaultRoute {
		return &pattern{isDflt: true}, nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("gateway: invalid route key %q", key)
	}
	for _, c := range method {
		if c < 'A' || c > 'Z' {
			return nil, fmt.Errorf("gateway: invalid method in route key %q", key)
		}
	}
	p := &pattern{method: method, path: path}
	if path == "/" {
		return p, nil
	}
	parts := strings.Split(strings.TrimSuffix(path[1:], "/"), "/")
	rank := make([]byte, 0, len(parts))
	for i, s := range parts {
		switch {
		case s == "":
			return nil, fmt.Errorf("gateway: empty path segment in route key %q", key)
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			name := s[1 : len(s)-2]
			if name == "" || i != len(parts)-1 {
				return nil, fmt.Errorf("gateway: greedy path variable must end route key %q", key)
			}
			p.segs = append(p.segs, segment{segGreedy, name})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			name := s[1 : len(s)-1]
			if name == "" || strings.ContainsAny(name, "{}") {
				return nil, fmt.Errorf("gateway: invalid path variable in route key %q", key)
			}
			p.segs = append(p.segs, segment{segParam, name})
		case strings.ContainsAny(s, "{}"):
			return nil, fmt.Errorf("gateway: invalid path segment %q in route key %q", s, key)
		default:
			p.segs = append(p.segs, segment{segLiteral, s})
		}
		rank = append(rank, p.segs[len(p.segs)-1].kind)
	}
	p.rank = string(rank)
	return p, nil
}

func (p *pattern) literal() bool {
	return !strings.ContainsRune(p.rank, segParam) && !strings.ContainsRune(p.rank, segGreedy)
}

// match reports whether the request's path segments (still escaped) match,
// putting the path parameters (still escaped) in params.
func (p *pattern) match(segs []string, params map[string]string) bool {
	if len(p.segs) == 0 {
		return len(segs) == 0
	}
	for i, s := range p.segs {
		if i >= len(segs) {
			return false
		}
		switch s.kind {
		case segLiteral:
			if unescape(segs[i]) != s.lit {
				return false
			}
		case segParam:
			if segs[i] == "" {
				return false
			}
			if params != nil {
				params[s.lit] = segs[i]
			}
		case segGreedy:
			rest := strings.Join(segs[i:], "/")
			if rest == "" {
				return false
			}
			if params != nil {
				params[s.lit] = rest
			}
			return true
		}
	}
	return len(segs) == len(p.segs)
}

func unescape(s string) string {
	if !strings.ContainsRune(s, '%') {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// splitPath splits an escaped path ("/a/b", "/a/b/") into segments; "/"
// gives none. One trailing slash is ignored.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// router selects routes as API Gateway HTTP APIs do: the most specific path
// wins, compared segment by segment (literal before {param} before
// {proxy+}); for the same path a route naming the method wins over ANY;
// $default comes last.
type router[T any] struct {
	exact  map[string]*entry[T] // "GET /a/b" and "ANY /a/b" for literal routes
	others []*entry[T]          // in precedence order
	dflt   *entry[T]
}

type entry[T any] struct {
	pat   *pattern
	value T
}

var errDuplicateRoute = errors.New("gateway: duplicate route key")

func newRouter[T any](keys []string, values []T) (*router[T], error) {
	rt := &router[T]{exact: map[string]*entry[T]{}}
	seen := map[string]bool{}
	for i, k := range keys {
		p, err := parseRouteKey(k)
		if err != nil {
			return nil, err
		}
		canon := k
		if !p.isDflt {
			canon = p.method + " " + canonicalPath(p)
		}
		if seen[canon] {
			return nil, fmt.Errorf("%w %q", errDuplicateRoute, k)
		}
		seen[canon] = true
		e := &entry[T]{pat: p, value: values[i]}
		switch {
		case p.isDflt:
			rt.dflt = e
		case p.literal():
			rt.exact[canon] = e
		default:
			rt.others = append(rt.others, e)
		}
	}
	sort.SliceStable(rt.others, func(i, j int) bool {
		a, b := rt.others[i].pat, rt.others[j].pat
		if a.rank != b.rank {
			return rankLess(a.rank, b.rank)
		}
		return a.method != "ANY" && b.method == "ANY"
	})
	return rt, nil
}

// rankLess orders ranks segment by segment; at equal prefixes the longer
// (more specific) one first.
func rankLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

func canonicalPath(p *pattern) string {
	if len(p.segs) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range p.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.lit)
		case segParam:
			b.WriteString("{}")
		case segGreedy:
			b.WriteString("{+}")
		}
	}
	return b.String()
}

// lookup finds the route for method and the escaped path. params receives
// the path parameters when non-nil (it is allocated here when needed).
func (rt *router[T]) lookup(method, escapedPath string) (e *entry[T], params map[string]string) {
	segs := splitPath(escapedPath)
	if len(rt.exact) > 0 {
		var key string
		if !strings.ContainsRune(escapedPath, '%') {
			key = "/" + strings.Join(segs, "/")
		} else {
			parts := make([]string, len(segs))
			for i, s := range segs {
				parts[i] = unescape(s)
			}
			key = "/" + strings.Join(parts, "/")
		}
		if e := rt.exact[method+" "+key]; e != nil {
			return e, nil
		}
		if e := rt.exact["ANY "+key]; e != nil {
			return e, nil
		}
	}
	for _, e := range rt.others {
		if e.pat.method != method && e.pat.method != "ANY" {
			continue
		}
		if e.pat.match(segs, nil) {
			params = make(map[string]string, len(e.pat.segs))
			e.pat.match(segs, params)
			return e, params
		}
	}
	return rt.dflt, nil
}
