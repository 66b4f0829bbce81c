package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/ninsho/ninsho/internal/awserr"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17" // current; policy variables are recognised
	Version2008 = "2008-10-17" // legacy; ${...} is plain text
)

// Size limits. IAM counts a document's characters without white space (see
// Size); the quotas are AWS's defaults.
const (
	// MaxDocumentSize is the hard cap Parse applies to the raw document
	// (bytes, white space included) before decoding it.
	MaxDocumentSize = 131072
	// ManagedPolicySizeQuota is the size quota of a customer managed policy.
	ManagedPolicySizeQuota = 6144
	// InlineUserPolicySizeQuota is the quota of all inline policies of a user.
	InlineUserPolicySizeQuota = 2048
	// InlineGroupPolicySizeQuota is the quota of all inline policies of a group.
	InlineGroupPolicySizeQuota = 5120
	// InlineRolePolicySizeQuota is the quota of all inline policies of a role.
	InlineRolePolicySizeQuota = 10240
	// TrustPolicySizeQuota is the default quota of a role trust policy.
	TrustPolicySizeQuota = 2048

	// maxDepth bounds JSON nesting; a valid policy needs 5 levels
	// (document, Statement array, statement, Condition, operator, values).
	maxDepth = 10
)

// ErrorCode is the awserr code of every error Parse returns, apart from the
// size quota of Options.MaxSize, which answers LimitExceeded as IAM does.
const ErrorCode = "MalformedPolicyDocument"

// Document is a parsed policy document: identity-based, resource-based, or
// a role trust policy. Documents are created by Parse and its variants and
// are immutable afterwards, so one Document may be evaluated by many
// goroutines at once. A Document built by hand is not compiled and
// evaluates to ImplicitDeny.
type Document struct {
	Version    string // "2012-10-17", "2008-10-17", or "" when absent (2008-10-17 rules)
	ID         string // the optional "Id" element
	Statements []Statement

	denies, allows []*compiled // compiled statements by effect
}

// Statement is one statement of a Document. Single values are normalised to
// one-element lists; Condition maps an operator as written (for example
// "ForAnyValue:StringLike") to condition keys as written to their values.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *Principals
	NotPrincipal *Principals
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    map[string]map[string][]string
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	All           bool // "Principal": "*"
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Kind is the kind of policy a document is parsed as; it decides which
// elements are required or forbidden.
type Kind int

const (
	// KindAny checks the grammar only: Principal and Resource are optional.
	KindAny Kind = iota
	// KindIdentity is an identity-based policy (user, group or role inline
	// policy, managed policy): no Principal or NotPrincipal, Resource or
	// NotResource required, Sids alphanumeric.
	KindIdentity
	// KindResource is a resource-based policy: Principal or NotPrincipal
	// required in every statement.
	KindResource
	// KindTrust is a role trust (assume-role) policy: Principal or
	// NotPrincipal required, no Resource or NotResource, only sts actions,
	// Sids alphanumeric.
	KindTrust
)

// Options tunes ParseWith.
type Options struct {
	Kind Kind
	// MaxSize, when positive, is a size quota in IAM's counting (see Size);
	// a larger document is refused with LimitExceeded "Cannot exceed quota
	// for PolicySize: N".
	MaxSize int
}

// Parse parses and validates a policy document of any kind (KindAny).
// Errors are *awserr.Error with Code MalformedPolicyDocument.
func Parse(doc string) (*Document, error) { return ParseWith(doc, Options{}) }

// ParseIdentity parses an identity-based policy (KindIdentity).
func ParseIdentity(doc string) (*Document, error) {
	return ParseWith(doc, Options{Kind: KindIdentity})
}

// ParseResource parses a resource-based policy (KindResource).
func ParseResource(doc string) (*Document, error) {
	return ParseWith(doc, Options{Kind: KindResource})
}

// ParseTrust parses a role trust policy (KindTrust).
func ParseTrust(doc string) (*Document, error) {
	return ParseWith(doc, Options{Kind: KindTrust})
}

// Size is a document's size as IAM counts it against its quotas: its
// characters, white space excluded.
func Size(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func malformed(msg string) error { return awserr.New(ErrorCode, msg) }

// errSyntax is IAM's answer for a document it cannot read.
func errSyntax() error { return malformed("Syntax errors in policy.") }

// ParseWith parses and validates doc as opts says. It never panics; every
// error is an *awserr.Error.
func ParseWith(doc string, opts Options) (*Document, error) {
	if len(doc) > MaxDocumentSize {
		return nil, malformed(fmt.Sprintf("Policy document exceeds the maximum size of %d characters.", MaxDocumentSize))
	}
	if opts.MaxSize > 0 && Size(doc) > opts.MaxSize {
		return nil, &awserr.Error{Code: "LimitExceeded", Message: fmt.Sprintf("Cannot exceed quota for PolicySize: %d", opts.MaxSize), Status: http.StatusConflict}
	}
	if !shallow(doc) {
		return nil, errSyntax()
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, errSyntax()
	}
	if dec.More() {
		return nil, errSyntax()
	}
	if _, err := dec.Token(); err == nil {
		return nil, errSyntax()
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, errSyntax()
	}
	d := &Document{}
	for k, v := range top {
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok {
				return nil, errSyntax()
			}
			if s != Version2012 && s != Version2008 {
				return nil, malformed("The policy failed legacy parsing")
			}
			d.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, errSyntax()
			}
			d.ID = s
		case "Statement":
		default:
			return nil, errSyntax()
		}
	}
	rawStmts, ok := top["Statement"]
	if !ok {
		return nil, malformed("Missing required field Statement")
	}
	var list []any
	switch v := rawStmts.(type) {
	case map[string]any:
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, errSyntax()
	}
	if len(list) == 0 {
		return nil, errSyntax()
	}
	vars := d.Version == Version2012
	sids := map[string]bool{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, errSyntax()
		}
		st, err := parseStatement(m, opts.Kind)
		if err != nil {
			return nil, err
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, malformed("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[st.Sid] = true
		}
		d.Statements = append(d.Statements, st)
	}
	for i := range d.Statements {
		c := compile(&d.Statements[i], vars)
		if c.deny {
			d.denies = append(d.denies, c)
		} else {
			d.allows = append(d.allows, c)
		}
	}
	return d, nil
}

// shallow reports whether doc nests JSON arrays and objects at most
// maxDepth deep, so the decoder never recurses far on hostile input.
func shallow(doc string) bool {
	depth, inStr, esc := 0, false, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			if depth > maxDepth {
				return false
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return true
}

var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true,
	"Condition": true,
}

func parseStatement(m map[string]any, kind Kind) (Statement, error) {
	var st Statement
	for k := range m {
		if !statementKeys[k] {
			return st, errSyntax()
		}
	}
	if v, ok := m["Sid"]; ok {
		s, ok := v.(string)
		if !ok {
			return st, errSyntax()
		}
		if (kind == KindIdentity || kind == KindTrust) && !alnum(s) {
			return st, malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
		}
		st.Sid = s
	}

	// Effect
	v, ok := m["Effect"]
	if !ok {
		return st, malformed("Missing required field Effect")
	}
	eff, ok := v.(string)
	if !ok {
		return st, errSyntax()
	}
	if eff != "Allow" && eff != "Deny" {
		// IAM's answer for an Effect such as "allow".
		return st, malformed("The policy failed legacy parsing")
	}
	st.Effect = eff

	// Principal / NotPrincipal
	_, hasP := m["Principal"]
	_, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		return st, errSyntax()
	case (hasP || hasNP) && kind == KindIdentity:
		return st, malformed("Policy document should not specify a principal.")
	case !hasP && !hasNP && (kind == KindTrust || kind == KindResource):
		return st, malformed("Missing required field Principal")
	}
	var err error
	if hasP {
		if st.Principal, err = parsePrincipals(m["Principal"]); err != nil {
			return st, err
		}
	}
	if hasNP {
		if st.NotPrincipal, err = parsePrincipals(m["NotPrincipal"]); err != nil {
			return st, err
		}
	}

	// Action / NotAction
	a, hasA := m["Action"]
	na, hasNA := m["NotAction"]
	switch {
	case hasA && hasNA:
		return st, errSyntax()
	case hasA:
		st.Action, err = stringList(a)
	case hasNA:
		st.NotAction, err = stringList(na)
	}
	if err != nil {
		return st, err
	}
	actions := st.Action
	if hasNA {
		actions = st.NotAction
	}
	if len(actions) == 0 {
		return st, malformed("Policy statement must contain actions.")
	}
	for _, act := range actions {
		if act != "*" && !validAction(act) {
			return st, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
		if kind == KindTrust && !trustAction(act) {
			return st, malformed("Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, and sts:AssumeRoleWithWebIdentity")
		}
	}

	// Resource / NotResource
	r, hasR := m["Resource"]
	nr, hasNR := m["NotResource"]
	switch {
	case hasR && hasNR:
		return st, errSyntax()
	case kind == KindTrust && hasR:
		return st, malformed("Has prohibited field Resource")
	case kind == KindTrust && hasNR:
		return st, malformed("Has prohibited field NotResource")
	case hasR:
		st.Resource, err = stringList(r)
	case hasNR:
		st.NotResource, err = stringList(nr)
	}
	if err != nil {
		return st, err
	}
	resources := st.Resource
	if hasNR {
		resources = st.NotResource
	}
	if (hasR || hasNR || kind == KindIdentity) && len(resources) == 0 {
		return st, malformed("Policy statement must contain resources.")
	}
	for _, res := range resources {
		if res != "*" && !strings.HasPrefix(res, "arn:") && !strings.HasPrefix(res, "${") {
			return st, malformed(fmt.Sprintf("Resource %s must be in ARN format or \"*\".", res))
		}
	}

	// Condition
	if c, ok := m["Condition"]; ok {
		if st.Condition, err = parseCondition(c); err != nil {
			return st, err
		}
	}
	return st, nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// validAction reports whether a is "vendor:action": a non-empty vendor of
// letters, digits, '-' (and wildcards), then a non-empty action.
func validAction(a string) bool {
	i := strings.IndexByte(a, ':')
	if i <= 0 || i == len(a)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		c := a[j]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

// trustAction reports whether a may appear in a trust policy: "*", or an
// sts action (AssumeRole*, TagSession, SetSourceIdentity, SetContext, or a
// wildcard over them).
func trustAction(a string) bool {
	if a == "*" {
		return true
	}
	return len(a) > 4 && equalFoldASCII(a[:4], "sts:")
}

// stringList accepts a string or a non-empty array of strings.
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errSyntax()
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errSyntax()
}

func invalidPrincipal(typ, id string) error {
	return malformed(fmt.Sprintf("Invalid principal in policy: %q:%q", typ, id))
}

func parsePrincipals(v any) (*Principals, error) {
	switch v := v.(type) {
	case string:
		if v != "*" {
			return nil, malformed(fmt.Sprintf("Invalid principal in policy: %q", v))
		}
		return &Principals{All: true}, nil
	case map[string]any:
		if len(v) == 0 {
			return nil, malformed("Invalid principal in policy")
		}
		p := &Principals{}
		for k, raw := range v {
			ids, err := stringList(raw)
			if err != nil {
				return nil, malformed("Invalid principal in policy")
			}
			if len(ids) == 0 {
				return nil, malformed("Invalid principal in policy")
			}
			for _, id := range ids {
				if id == "" || id != "*" && strings.ContainsAny(id, "*?") {
					return nil, invalidPrincipal(k, id)
				}
			}
			switch k {
			case "AWS":
				for _, id := range ids {
					if id != "*" && !accountID(id) && !strings.HasPrefix(id, "arn:") {
						return nil, invalidPrincipal(k, id)
					}
				}
				p.AWS = ids
			case "Service":
				p.Service = ids
			case "Federated":
				p.Federated = ids
			case "CanonicalUser":
				p.CanonicalUser = ids
			default:
				return nil, malformed("Invalid principal in policy")
			}
		}
		return p, nil
	}
	return nil, errSyntax()
}

// accountID reports whether s is a 12-digit account id.
func accountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCondition reads operator -> key -> value(s). Values may be JSON
// strings, numbers or booleans (kept in their JSON spelling), or arrays of
// them.
func parseCondition(v any) (map[string]map[string][]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errSyntax()
	}
	out := make(map[string]map[string][]string, len(m))
	for op, rawKeys := range m {
		if _, ok := parseOperator(op); !ok {
			return nil, errSyntax()
		}
		keys, ok := rawKeys.(map[string]any)
		if !ok {
			return nil, errSyntax()
		}
		km := make(map[string][]string, len(keys))
		for key, rawVals := range keys {
			if i := strings.IndexByte(key, ':'); i <= 0 || i == len(key)-1 {
				return nil, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			vals := []string{}
			switch rv := rawVals.(type) {
			case []any:
				for _, e := range rv {
					s, ok := scalar(e)
					if !ok {
						return nil, errSyntax()
					}
					vals = append(vals, s)
				}
			default:
				s, ok := scalar(rv)
				if !ok {
					return nil, errSyntax()
				}
				vals = []string{s}
			}
			km[key] = vals
		}
		out[op] = km
	}
	return out, nil
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// String returns the document as compact JSON in IAM's element order. It is
// meant for logs and tests; keep the caller's original text where AWS
// returns the document verbatim.
func (d *Document) String() string {
	var b bytes.Buffer
	type stmt struct {
		Sid          string                         `json:"Sid,omitempty"`
		Effect       string                         `json:"Effect"`
		Principal    any                            `json:"Principal,omitempty"`
		NotPrincipal any                            `json:"NotPrincipal,omitempty"`
		Action       []string                       `json:"Action,omitempty"`
		NotAction    []string                       `json:"NotAction,omitempty"`
		Resource     []string                       `json:"Resource,omitempty"`
		NotResource  []string                       `json:"NotResource,omitempty"`
		Condition    map[string]map[string][]string `json:"Condition,omitempty"`
	}
	out := struct {
		Version   string `json:"Version,omitempty"`
		ID        string `json:"Id,omitempty"`
		Statement []stmt `json:"Statement"`
	}{Version: d.Version, ID: d.ID}
	for _, s := range d.Statements {
		out.Statement = append(out.Statement, stmt{
			Sid: s.Sid, Effect: s.Effect, Principal: s.Principal.jsonValue(), NotPrincipal: s.NotPrincipal.jsonValue(),
			Action: s.Action, NotAction: s.NotAction, Resource: s.Resource, NotResource: s.NotResource, Condition: s.Condition,
		})
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	return strings.TrimSuffix(b.String(), "\n")
}

func (p *Principals) jsonValue() any {
	if p == nil {
		return nil
	}
	if p.All {
		return "*"
	}
	m := map[string][]string{}
	for k, v := range map[string][]string{"AWS": p.AWS, "Service": p.Service, "Federated": p.Federated, "CanonicalUser": p.CanonicalUser} {
		if len(v) > 0 {
			m[k] = v
		}
	}
	return m
}
