package policy

import (
	"strings"
	"time"
)

// Principal is the caller a trust or resource-based policy is evaluated for.
type Principal struct {
	// Type is "AWS", "Service", "Federated" or "CanonicalUser".
	Type string
	// ID identifies the principal: for "AWS" an account id or an IAM/STS
	// ARN (user, role, assumed-role session, root); for "Service" a service
	// principal such as "lambda.amazonaws.com"; for "Federated" an identity
	// provider such as "cognito-identity.amazonaws.com" or an OIDC or SAML
	// provider ARN.
	ID string
}

// Request is what a policy is evaluated against.
type Request struct {
	// Action is "service:Action", e.g. "cognito-idp:AdminCreateUser". The
	// service prefix and the action name match without case, as in AWS.
	Action string
	// Resource is the resource's ARN, or "*" for actions that do not
	// support resource-level permissions. ARNs match with case.
	Resource string
	// Principal is the caller, for trust and resource-based policies; nil
	// is an anonymous caller and matches only "Principal": "*".
	Principal *Principal
	// Context holds the request's condition keys (aws:SourceIp,
	// aws:CurrentTime, aws:username, aws:PrincipalTag/team,
	// cognito-identity.amazonaws.com:amr, ...). Keys compare without case;
	// a key with no values counts as absent. aws:CurrentTime and
	// aws:EpochTime default to the evaluation time.
	Context map[string][]string
}

// lookup returns the values of a condition key, comparing keys without
// case; present is false when the key is absent or has no values.
func (r *Request) lookup(key string) (vals []string, present bool) {
	if v, ok := r.Context[key]; ok {
		return v, len(v) > 0
	}
	for k, v := range r.Context {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	return nil, false
}

// variable resolves a policy variable: the key's value when it has exactly
// one (multivalued keys cannot be variables), and the evaluation time for
// aws:CurrentTime and aws:EpochTime when the context lacks them.
func (r *Request) variable(key string) (string, bool) {
	vals, ok := r.lookup(key)
	if ok {
		if len(vals) != 1 {
			return "", false
		}
		return vals[0], true
	}
	switch {
	case equalFoldASCII(key, "aws:CurrentTime"):
		return r.now().UTC().Format(time.RFC3339), true
	case equalFoldASCII(key, "aws:EpochTime"):
		return formatInt(r.now().Unix()), true
	}
	return "", false
}

func (r *Request) now() time.Time { return time.Now() }

func formatInt(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Decision is the outcome of an evaluation.
type Decision int

const (
	// ImplicitDeny: no statement allows the request (the default).
	ImplicitDeny Decision = iota
	// Allow: a statement allows the request and none denies it.
	Allow
	// ExplicitDeny: a Deny statement matches; it overrides any Allow.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Evaluate evaluates the document alone: ExplicitDeny if a Deny statement
// matches the request, else Allow if an Allow statement matches, else
// ImplicitDeny. A nil document or request is ImplicitDeny.
func (d *Document) Evaluate(req *Request) Decision {
	return Evaluate(req, d)
}

// Evaluate combines policies as AWS combines the identity-based policies of
// a principal (and a resource-based policy of the same account): an
// explicit Deny in any document wins; otherwise the request is allowed when
// any statement of any document allows it; otherwise it is implicitly
// denied. Nil documents are skipped.
//
// A statement matches when its Action (or NotAction), Resource (or
// NotResource; absent matches any resource), Principal (or NotPrincipal;
// absent matches any caller) and every condition match. A statement that
// uses a policy variable (${...}, version 2012-10-17) which cannot be
// resolved for the request - the key is absent, or has several values, and
// the variable has no default - does not match at all, whatever its effect.
//
// Evaluate does not allocate unless a pattern holding policy variables
// expands beyond 256 bytes.
func Evaluate(req *Request, docs ...*Document) Decision {
	if req == nil {
		return ImplicitDeny
	}
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, c := range d.denies {
			if c.matches(req) {
				return ExplicitDeny
			}
		}
	}
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, c := range d.allows {
			if c.matches(req) {
				return Allow
			}
		}
	}
	return ImplicitDeny
}

// compiled is a statement prepared for evaluation.
type compiled struct {
	deny         bool
	notAction    bool
	actions      []pattern
	hasResource  bool
	notResource  bool
	resources    []pattern
	principal    *principalSet // nil: no Principal element
	notPrincipal *principalSet // nil: no NotPrincipal element
	conds        []condition
	vars         []string // variables without defaults the statement uses
}

func compile(st *Statement, vars bool) *compiled {
	c := &compiled{deny: st.Effect == "Deny"}
	acts := st.Action
	if st.NotAction != nil {
		c.notAction, acts = true, st.NotAction
	}
	for _, a := range acts {
		c.actions = append(c.actions, compilePattern(a, false))
	}
	res := st.Resource
	if st.NotResource != nil {
		c.notResource, res = true, st.NotResource
	}
	c.hasResource = res != nil
	for _, r := range res {
		p := compilePattern(r, vars)
		c.vars = p.variables(c.vars)
		c.resources = append(c.resources, p)
	}
	if st.Principal != nil {
		c.principal = newPrincipalSet(st.Principal)
	}
	if st.NotPrincipal != nil {
		c.notPrincipal = newPrincipalSet(st.NotPrincipal)
	}
	c.conds = compileConditions(st.Condition, vars)
	for i := range c.conds {
		for j := range c.conds[i].values {
			c.vars = c.conds[i].values[j].pat.variables(c.vars)
		}
	}
	return c
}

func (c *compiled) matches(r *Request) bool {
	hit := false
	for i := range c.actions {
		if c.actions[i].match(r.Action, modeFold, r) {
			hit = true
			break
		}
	}
	if hit == c.notAction {
		return false
	}
	if c.principal != nil && !c.principal.match(r.Principal) {
		return false
	}
	if c.notPrincipal != nil && c.notPrincipal.match(r.Principal) {
		return false
	}
	for _, v := range c.vars {
		if _, ok := r.variable(v); !ok {
			return false
		}
	}
	if c.hasResource {
		hit = false
		for i := range c.resources {
			if c.resources[i].match(r.Resource, modeARN, r) {
				hit = true
				break
			}
		}
		if hit == c.notResource {
			return false
		}
	}
	for i := range c.conds {
		if !c.conds[i].eval(r) {
			return false
		}
	}
	return true
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	all       bool
	accounts  []string // AWS: account ids ("123456789012", "arn:aws:iam::123456789012:root")
	arns      []string // AWS: other ARNs, exact
	services  []string
	federated []string
	canonical []string
}

func newPrincipalSet(p *Principals) *principalSet {
	s := &principalSet{all: p.All, services: p.Service, federated: p.Federated, canonical: p.CanonicalUser}
	for _, id := range p.AWS {
		switch {
		case id == "*":
			s.all = true
		case accountID(id):
			s.accounts = append(s.accounts, id)
		case isRootARN(id):
			s.accounts = append(s.accounts, arnField(id, 4))
		default:
			s.arns = append(s.arns, id)
		}
	}
	return s
}

// arnField returns the i-th colon-separated field of an ARN (0 is "arn",
// 4 the account), or "".
func arnField(arn string, i int) string {
	for ; i > 0; i-- {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			return ""
		}
		arn = arn[j+1:]
	}
	if j := strings.IndexByte(arn, ':'); j >= 0 {
		return arn[:j]
	}
	return arn
}

// isRootARN reports whether id is "arn:<partition>:iam::<account>:root".
func isRootARN(id string) bool {
	return strings.HasPrefix(id, "arn:") && arnField(id, 2) == "iam" &&
		accountID(arnField(id, 4)) && strings.Count(id, ":") == 5 && strings.HasSuffix(id, ":root")
}

// match reports whether the caller p is named by the set. "*" (or
// {"AWS": "*"}) names every caller, anonymous ones included. An account
// ("123456789012" or its root ARN) names every IAM principal of that
// account; a role ARN names the role and its assumed-role sessions; other
// ARNs and service, federated and canonical-user ids must be equal (service
// and federated names without case).
func (s *principalSet) match(p *Principal) bool {
	if s.all {
		return true
	}
	if p == nil {
		return false
	}
	switch {
	case equalFoldASCII(p.Type, "AWS"):
		acct := p.ID
		if !accountID(acct) {
			acct = arnField(p.ID, 4)
		}
		for _, a := range s.accounts {
			if a == acct {
				return true
			}
		}
		for _, a := range s.arns {
			if a == p.ID || sessionOfRole(p.ID, a) {
				return true
			}
		}
	case equalFoldASCII(p.Type, "Service"):
		return containsFold(s.services, p.ID)
	case equalFoldASCII(p.Type, "Federated"):
		return containsFold(s.federated, p.ID)
	case equalFoldASCII(p.Type, "CanonicalUser"):
		for _, c := range s.canonical {
			if c == p.ID {
				return true
			}
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// sessionOfRole reports whether session,
// "arn:P:sts::A:assumed-role/R/S", is a session of role,
// "arn:P:iam::A:role/[path/]R".
func sessionOfRole(session, role string) bool {
	const ar, rl = "assumed-role/", "role/"
	if arnField(session, 2) != "sts" || arnField(role, 2) != "iam" ||
		arnField(session, 1) != arnField(role, 1) || arnField(session, 4) != arnField(role, 4) {
		return false
	}
	sres, rres := arnField(session, 5), arnField(role, 5)
	if !strings.HasPrefix(sres, ar) || !strings.HasPrefix(rres, rl) {
		return false
	}
	sres = sres[len(ar):]
	i := strings.IndexByte(sres, '/')
	if i <= 0 {
		return false
	}
	name := rres[strings.LastIndexByte(rres, '/')+1:]
	return sres[:i] == name
}
