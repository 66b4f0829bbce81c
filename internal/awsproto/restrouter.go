package awsproto

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
)

// restRouter finds the operation of a REST protocol request from its method
// and path, matching the operations' request URI templates
// (awsapi.HTTPBinding.RequestURI). It is a tree of path segments: at each
// segment a literal child is tried before a {label} child, and a greedy
// {label+} (which takes the rest of the path) last, so "/v2/apis/{apiId}"
// and "/v2/apis/{apiId}/routes" coexist and literal routes win.
type restRouter struct {
	root     *restNode
	prefixes map[string]bool // first literal path segments ("v2")
}

type restNode struct {
	literal    map[string]*restNode
	label      *restNode
	labelName  string
	greedyName string
	greedy     *restNode
	routes     map[string][]*restRoute // by method; most query literals first
}

// restRoute is one operation reachable at a node.
type restRoute struct {
	svc *awsapi.Service
	op  *awsapi.Operation
	// query are the "?k" / "?k=v" literals of the template; a request must
	// carry them ("" value: any value).
	query map[string]string
}

func newRESTRouter() *restRouter {
	return &restRouter{root: &restNode{}, prefixes: map[string]bool{}}
}

// add compiles the templates of every operation of svc.
func (rt *restRouter) add(svc *awsapi.Service) error {
	names := make([]string, 0, len(svc.Operations))
	for n := range svc.Operations {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []string
	for _, n := range names {
		op := svc.Operations[n]
		if err := rt.addRoute(svc, op); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("awsproto: %s", strings.Join(errs, "; "))
	}
	return nil
}

func (rt *restRouter) addRoute(svc *awsapi.Service, op *awsapi.Operation) error {
	h := op.HTTP
	if h.Method == "" || !strings.HasPrefix(h.RequestURI, "/") {
		return fmt.Errorf("%s %s: no HTTP binding", svc.Name, op.Name)
	}
	path, rawQuery, _ := strings.Cut(h.RequestURI, "?")
	route := &restRoute{svc: svc, op: op, query: map[string]string{}}
	if rawQuery != "" {
		for kv := range strings.SplitSeq(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k != "" {
				route.query[k] = v
			}
		}
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil // "/"
	}
	n := rt.root
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			if i != len(segs)-1 {
				return fmt.Errorf("%s %s: greedy label %s is not last in %s", svc.Name, op.Name, s, h.RequestURI)
			}
			name := s[1 : len(s)-2]
			if n.greedy == nil {
				n.greedy, n.greedyName = &restNode{}, name
			} else if n.greedyName != name {
				return fmt.Errorf("%s %s: label %s conflicts with {%s+}", svc.Name, op.Name, s, n.greedyName)
			}
			n = n.greedy
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			name := s[1 : len(s)-1]
			if n.label == nil {
				n.label, n.labelName = &restNode{}, name
			} else if n.labelName != name {
				return fmt.Errorf("%s %s: label %s conflicts with {%s} at the same place", svc.Name, op.Name, s, n.labelName)
			}
			n = n.label
		case strings.ContainsAny(s, "{}"):
			return fmt.Errorf("%s %s: partial-segment labels are not supported (%s)", svc.Name, op.Name, h.RequestURI)
		default:
			if i == 0 {
				rt.prefixes[s] = true
			}
			if n.literal == nil {
				n.literal = map[string]*restNode{}
			}
			child := n.literal[s]
			if child == nil {
				child = &restNode{}
				n.literal[s] = child
			}
			n = child
		}
	}
	if n.routes == nil {
		n.routes = map[string][]*restRoute{}
	}
	list := n.routes[h.Method]
	for _, r := range list {
		if mapsEqual(r.query, route.query) {
			return fmt.Errorf("%s %s: %s %s is also %s", svc.Name, op.Name, h.Method, h.RequestURI, r.op.Name)
		}
	}
	list = append(list, route)
	slices.SortStableFunc(list, func(a, b *restRoute) int { return len(b.query) - len(a.query) })
	n.routes[h.Method] = list
	return nil
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// owns reports whether escapedPath lies in the URI space of a REST service
// ("/v2/..." for API Gateway v2): such requests are answered by the REST
// router, with NotFoundException when nothing matches.
func (rt *restRouter) owns(escapedPath string) bool {
	if len(rt.prefixes) == 0 || !strings.HasPrefix(escapedPath, "/") {
		return false
	}
	first, _, _ := strings.Cut(escapedPath[1:], "/")
	first, err := url.PathUnescape(first)
	return err == nil && rt.prefixes[first] && strings.Count(escapedPath, "/") >= 2
}

// restMatch is the result of matching a request.
type restMatch struct {
	route  *restRoute
	labels map[string]string
	// allowed lists the methods the path answers to when the route is nil
	// but the path matched (405 rather than 404).
	allowed []string
}

// match finds the route of method and escapedPath (r.URL.EscapedPath())
// with the given query. Labels are percent-decoded; a label never matches
// an empty segment.
func (rt *restRouter) match(method, escapedPath string, query url.Values) restMatch {
	if !strings.HasPrefix(escapedPath, "/") {
		return restMatch{}
	}
	segs := strings.Split(escapedPath[1:], "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	var res restMatch
	labels := map[string]string{}
	var walk func(n *restNode, i int) bool
	walk = func(n *restNode, i int) bool {
		if i == len(segs) {
			if len(n.routes) == 0 {
				return false
			}
			for _, r := range n.routes[method] {
				if queryMatches(r.query, query) {
					res.route = r
					res.labels = maps.Clone(labels)
					return true
				}
			}
			if res.allowed == nil {
				for m := range n.routes {
					res.allowed = append(res.allowed, m)
				}
				slices.Sort(res.allowed)
			}
			return false
		}
		seg, err := url.PathUnescape(segs[i])
		if err != nil {
			return false
		}
		if c := n.literal[segs[i]]; c != nil && walk(c, i+1) {
			return true
		}
		if c := n.literal[seg]; c != nil && seg != segs[i] && walk(c, i+1) {
			return true
		}
		if n.label != nil && seg != "" {
			labels[n.labelName] = seg
			if walk(n.label, i+1) {
				return true
			}
			delete(labels, n.labelName)
		}
		if n.greedy != nil {
			rest, err := url.PathUnescape(strings.Join(segs[i:], "/"))
			if err == nil && rest != "" {
				labels[n.greedyName] = rest
				if walk(n.greedy, len(segs)) {
					return true
				}
				delete(labels, n.greedyName)
			}
		}
		return false
	}
	walk(rt.root, 0)
	return res
}

func queryMatches(want map[string]string, q url.Values) bool {
	for k, v := range want {
		got, ok := q[k]
		if !ok || (v != "" && !slices.Contains(got, v)) {
			return false
		}
	}
	return true
}
