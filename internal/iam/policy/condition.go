package policy

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// baseOp is a condition operator without its set qualifier and IfExists.
type baseOp uint8

const (
	opStringEquals baseOp = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

// operators maps a lower-cased operator name to its base and negation.
var operators = map[string]struct {
	op     baseOp
	negate bool
}{
	"stringequals":              {opStringEquals, false},
	"stringnotequals":           {opStringEquals, true},
	"stringequalsignorecase":    {opStringEqualsIgnoreCase, false},
	"stringnotequalsignorecase": {opStringEqualsIgnoreCase, true},
	"stringlike":                {opStringLike, false},
	"stringnotlike":             {opStringLike, true},
	"numericequals":             {opNumericEquals, false},
	"numericnotequals":          {opNumericEquals, true},
	"numericlessthan":           {opNumericLessThan, false},
	"numericlessthanequals":     {opNumericLessThanEquals, false},
	"numericgreaterthan":        {opNumericGreaterThan, false},
	"numericgreaterthanequals":  {opNumericGreaterThanEquals, false},
	"dateequals":                {opDateEquals, false},
	"datenotequals":             {opDateEquals, true},
	"datelessthan":              {opDateLessThan, false},
	"datelessthanequals":        {opDateLessThanEquals, false},
	"dategreaterthan":           {opDateGreaterThan, false},
	"dategreaterthanequals":     {opDateGreaterThanEquals, false},
	"bool":                      {opBool, false},
	"binaryequals":              {opBinaryEquals, false},
	"ipaddress":                 {opIPAddress, false},
	"notipaddress":              {opIPAddress, true},
	"arnequals":                 {opArnLike, false},
	"arnlike":                   {opArnLike, false},
	"arnnotequals":              {opArnLike, true},
	"arnnotlike":                {opArnLike, true},
	"null":                      {opNull, false},
}

type setQualifier uint8

const (
	setNone setQualifier = iota
	setAnyValue
	setAllValues
)

type operator struct {
	op       baseOp
	negate   bool
	ifExists bool
	set      setQualifier
}

// parseOperator parses "[ForAnyValue:|ForAllValues:]Name[IfExists]".
// Operator names compare without case.
func parseOperator(s string) (operator, bool) {
	var o operator
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "foranyvalue:"):
		o.set, l = setAnyValue, l[len("foranyvalue:"):]
	case strings.HasPrefix(l, "forallvalues:"):
		o.set, l = setAllValues, l[len("forallvalues:"):]
	}
	if strings.HasSuffix(l, "ifexists") {
		o.ifExists, l = true, strings.TrimSuffix(l, "ifexists")
	}
	def, ok := operators[l]
	if !ok || def.op == opNull && o.ifExists {
		return o, false
	}
	o.op, o.negate = def.op, def.negate
	return o, true
}

// condition is one (operator, key) pair of a Condition element with its
// compiled values.
type condition struct {
	operator
	key    string
	values []condValue
}

type condValue struct {
	pat   pattern // String*, Arn*, Bool (policy variables allowed)
	num   float64
	numOK bool
	t     time.Time
	tOK   bool
	pfx   netip.Prefix
	pfxOK bool
	raw   string
}

// compileConditions compiles a parsed Condition element. Conditions are
// ordered cheapest and most selective first; the result does not depend on
// the order since they are ANDed.
func compileConditions(m map[string]map[string][]string, vars bool) []condition {
	var out []condition
	for opName, keys := range m {
		o, _ := parseOperator(opName) // validated by Parse
		for key, vals := range keys {
			c := condition{operator: o, key: key}
			for _, v := range vals {
				c.values = append(c.values, compileValue(o.op, v, vars))
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].op != out[j].op {
			return out[i].op < out[j].op
		}
		return out[i].key < out[j].key
	})
	return out
}

func compileValue(op baseOp, v string, vars bool) condValue {
	cv := condValue{raw: v}
	switch op {
	case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opBool, opArnLike:
		cv.pat = compilePattern(v, vars)
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		cv.num, cv.numOK = parseNumber(v)
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		cv.t, cv.tOK = parseDate(v)
	case opIPAddress:
		cv.pfx, cv.pfxOK = parsePrefix(v)
	}
	return cv
}

func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if ok, _ := numeric(s); !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102T150405Z",
	"20060102",
}

// parseDate reads an ISO 8601 date or date-time (UTC when no zone is
// given) or a POSIX epoch in seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if digits, dot := numeric(s); digits {
		if !dot && (len(s) != 8 || s[0] == '-') { // 8 digits is a basic-format date
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return time.Unix(n, 0), true
			}
		}
		if f, err := strconv.ParseFloat(s, 64); dot && err == nil && !math.IsInf(f, 0) {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)), true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// numeric reports whether s is an optionally signed decimal number, and
// whether it has a fraction; it lets parseDate skip strconv (whose errors
// allocate) for ISO 8601 dates.
func numeric(s string) (ok, dot bool) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false, false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false, false
		}
	}
	return true, dot
}

// parsePrefix reads a CIDR block or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// timeKey reports whether key is aws:CurrentTime or aws:EpochTime, which
// are always in a request context; Evaluate supplies the current time when
// the caller left them out.
func timeKey(key string) bool {
	return len(key) == len("aws:CurrentTime") && equalFoldASCII(key, "aws:CurrentTime") ||
		len(key) == len("aws:EpochTime") && equalFoldASCII(key, "aws:EpochTime")
}

// eval evaluates one condition against r, with AWS's semantics:
//
//   - several values for the key in the policy are ORed;
//   - a key absent from the request context makes a plain operator false,
//     a negated one (StringNotEquals, NotIpAddress, ArnNotLike, ...) true,
//     any ...IfExists operator true, ForAllValues true and ForAnyValue
//     false; Null tests presence itself;
//   - ForAllValues: every request value must satisfy the operator, and
//     ForAnyValue: at least one; for a negated operator "satisfy" means
//     "matches none of the policy values";
//   - without a set qualifier a negated operator is true when no request
//     value matches any policy value, a plain one when some value matches.
func (c *condition) eval(r *Request) bool {
	vals, present := r.lookup(c.key)
	if c.op == opNull {
		for _, v := range c.values {
			switch {
			case equalFoldASCII(v.raw, "true") && !present,
				equalFoldASCII(v.raw, "false") && present:
				return true
			}
		}
		return false
	}
	if !present {
		if timeKey(c.key) && c.op >= opNumericEquals && c.op <= opDateGreaterThanEquals {
			return c.evalNow(r)
		}
		switch {
		case c.ifExists:
			return true
		case c.set == setAllValues:
			return true
		case c.set == setAnyValue:
			return false
		}
		return c.negate
	}
	switch c.set {
	case setAllValues:
		for _, v := range vals {
			if c.matchAny(v, r) == c.negate {
				return false
			}
		}
		return true
	case setAnyValue:
		for _, v := range vals {
			if c.matchAny(v, r) != c.negate {
				return true
			}
		}
		return false
	}
	for _, v := range vals {
		if c.matchAny(v, r) {
			return !c.negate
		}
	}
	return c.negate
}

// evalNow evaluates a Date or Numeric condition on aws:CurrentTime or
// aws:EpochTime with the evaluation time.
func (c *condition) evalNow(r *Request) bool {
	now := r.now()
	hit := false
	if c.op >= opDateEquals {
		hit = c.matchTime(now)
	} else {
		hit = c.matchNumber(float64(now.Unix()))
	}
	return hit != c.negate
}

// matchAny reports whether the request value v matches any policy value.
func (c *condition) matchAny(v string, r *Request) bool {
	switch c.op {
	case opStringEquals:
		for i := range c.values {
			if c.values[i].pat.match(v, modeEqual, r) {
				return true
			}
		}
	case opStringEqualsIgnoreCase, opBool:
		for i := range c.values {
			if c.values[i].equalFold(v, r) {
				return true
			}
		}
	case opStringLike:
		for i := range c.values {
			if c.values[i].pat.match(v, modeGlob, r) {
				return true
			}
		}
	case opArnLike:
		for i := range c.values {
			if c.values[i].pat.match(v, modeARN, r) {
				return true
			}
		}
	case opBinaryEquals:
		for i := range c.values {
			if c.values[i].raw == v {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		if n, ok := parseNumber(v); ok {
			return c.matchNumber(n)
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		if t, ok := parseDate(v); ok {
			return c.matchTime(t)
		}
	case opIPAddress:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		a = a.Unmap()
		for i := range c.values {
			if c.values[i].pfxOK && c.values[i].pfx.Contains(a) {
				return true
			}
		}
	}
	return false
}

func (cv *condValue) equalFold(v string, r *Request) bool {
	if cv.pat.parts == nil {
		return strings.EqualFold(cv.pat.text, v)
	}
	var arr [256]byte
	var lit [256]bool
	buf, _, ok := cv.pat.expand(r, arr[:0], lit[:0])
	return ok && strings.EqualFold(string(buf), v)
}

func (c *condition) matchNumber(n float64) bool {
	for _, cv := range c.values {
		if !cv.numOK {
			continue
		}
		var hit bool
		switch c.op {
		case opNumericEquals:
			hit = n == cv.num
		case opNumericLessThan:
			hit = n < cv.num
		case opNumericLessThanEquals:
			hit = n <= cv.num
		case opNumericGreaterThan:
			hit = n > cv.num
		case opNumericGreaterThanEquals:
			hit = n >= cv.num
		}
		if hit {
			return true
		}
	}
	return false
}

func (c *condition) matchTime(t time.Time) bool {
	for _, cv := range c.values {
		if !cv.tOK {
			continue
		}
		var hit bool
		switch c.op {
		case opDateEquals:
			hit = t.Equal(cv.t)
		case opDateLessThan:
			hit = t.Before(cv.t)
		case opDateLessThanEquals:
			hit = !t.After(cv.t)
		case opDateGreaterThan:
			hit = t.After(cv.t)
		case opDateGreaterThanEquals:
			hit = !t.Before(cv.t)
		}
		if hit {
			return true
		}
	}
	return false
}
