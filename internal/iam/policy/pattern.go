package policy

import (
	"strings"
	"unicode/utf8"
)

// This file holds the wildcard machinery: a compiled pattern (with optional
// policy variables), the glob matcher used for actions and string
// conditions, and the ARN matcher used for Resource, NotResource and the
// Arn* condition operators. Nothing here uses regexp; matching allocates
// only when a pattern holding policy variables expands beyond 256 bytes or
// an ARN has more than 63 colons.

// patKind classifies a static pattern so the common shapes skip the glob.
type patKind uint8

const (
	patGlob    patKind = iota // general wildcard pattern
	patAll                    // "*": matches everything
	patLiteral                // no wildcard: plain comparison
	patPrefix                 // literal text followed by one final "*"
)

// partKind is the kind of one piece of a pattern holding policy variables.
type partKind uint8

const (
	partText partKind = iota // text, wildcards active
	partEsc                  // ${*}, ${?} or ${$}: one literal character
	partVar                  // ${key} or ${key, 'default'}
)

type part struct {
	kind   partKind
	text   string // the text, the escaped character, or the variable's key
	def    string // the default value of a variable
	hasDef bool
}

// pattern is a compiled Action, Resource or condition value.
type pattern struct {
	kind patKind
	// text is the static pattern; lit, when non-nil, marks the bytes of text
	// that came from ${*}, ${?} or ${$} and so are not wildcards.
	text string
	lit  []bool
	// parts is non-nil when the pattern holds policy variables; it is then
	// expanded per request.
	parts []part
}

// compilePattern compiles s. With vars (policy version 2012-10-17),
// ${...} sequences are policy variables; otherwise they are plain text.
func compilePattern(s string, vars bool) pattern {
	if vars && strings.Contains(s, "${") {
		parts, hasVar := parseTemplate(s)
		if hasVar {
			return pattern{kind: patGlob, text: s, parts: parts}
		}
		// Only escapes: fold them into a static pattern with a literal mask.
		var b strings.Builder
		var lit []bool
		for _, p := range parts {
			for i := 0; i < len(p.text); i++ {
				lit = append(lit, p.kind == partEsc)
			}
			b.WriteString(p.text)
		}
		return pattern{kind: patGlob, text: b.String(), lit: lit}
	}
	return pattern{kind: classify(s), text: s}
}

func classify(s string) patKind {
	if s == "*" {
		return patAll
	}
	i := strings.IndexAny(s, "*?")
	switch {
	case i < 0:
		return patLiteral
	case i == len(s)-1 && s[i] == '*':
		return patPrefix
	}
	return patGlob
}

// parseTemplate splits s into text, escapes and variables. A "${" without a
// closing brace, or whose inside is not a well-formed variable, stays text.
func parseTemplate(s string) (parts []part, hasVar bool) {
	text := 0 // start of pending text
	flush := func(end int) {
		if end > text {
			parts = append(parts, part{kind: partText, text: s[text:end]})
		}
	}
	for i := 0; i+1 < len(s); {
		if s[i] != '$' || s[i+1] != '{' {
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			break
		}
		inner := s[i+2 : i+2+end]
		next := i + 2 + end + 1
		switch inner {
		case "*", "?", "$":
			flush(i)
			parts = append(parts, part{kind: partEsc, text: inner})
			text, i = next, next
			continue
		}
		key, def, hasDef, ok := parseVariable(inner)
		if !ok {
			i++
			continue
		}
		flush(i)
		parts = append(parts, part{kind: partVar, text: key, def: def, hasDef: hasDef})
		hasVar = true
		text, i = next, next
	}
	flush(len(s))
	return parts, hasVar
}

// parseVariable parses the inside of ${...}: a condition key, optionally
// followed by ", 'default'" (a quote inside the default is doubled).
func parseVariable(inner string) (key, def string, hasDef, ok bool) {
	key = inner
	if c := strings.IndexByte(inner, ','); c >= 0 {
		key = inner[:c]
		d := strings.TrimSpace(inner[c+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return "", "", false, false
		}
		d = d[1 : len(d)-1]
		// A lone quote inside the default is malformed; '' is one quote.
		if strings.Count(d, "''")*2 != strings.Count(d, "'") {
			return "", "", false, false
		}
		def, hasDef = strings.ReplaceAll(d, "''", "'"), true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t\r\n{}$'*?") {
		return "", "", false, false
	}
	return key, def, hasDef, true
}

// variables appends the keys of p's variables that have no default.
func (p *pattern) variables(dst []string) []string {
	for _, q := range p.parts {
		if q.kind == partVar && !q.hasDef {
			dst = append(dst, q.text)
		}
	}
	return dst
}

// expand substitutes p's variables for r into buf, marking substituted and
// escaped bytes as literal in lit. ok is false when a variable without a
// default has no single value in the request context.
func (p *pattern) expand(r *Request, buf []byte, lit []bool) ([]byte, []bool, bool) {
	for _, q := range p.parts {
		switch q.kind {
		case partText:
			buf = append(buf, q.text...)
			lit = appendFlags(lit, len(q.text), false)
		case partEsc:
			buf = append(buf, q.text...)
			lit = append(lit, true)
		case partVar:
			v, ok := r.variable(q.text)
			if !ok {
				if !q.hasDef {
					return buf, lit, false
				}
				v = q.def
			}
			buf = append(buf, v...)
			lit = appendFlags(lit, len(v), true)
		}
	}
	return buf, lit, true
}

var falses, trues = [64]bool{}, [64]bool{
	true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
}

// appendFlags appends n copies of v to lit.
func appendFlags(lit []bool, n int, v bool) []bool {
	src := falses[:]
	if v {
		src = trues[:]
	}
	for n > 0 {
		k := min(n, len(src))
		lit = append(lit, src[:k]...)
		n -= k
	}
	return lit
}

// matchMode selects the matching rules.
type matchMode uint8

const (
	modeGlob  matchMode = iota // case-sensitive glob (StringLike)
	modeFold                   // ASCII case-insensitive glob (Action)
	modeARN                    // ARN segments (Resource, ArnLike)
	modeEqual                  // exact comparison (StringEquals)
)

// match reports whether s matches p for request r.
func (p *pattern) match(s string, mode matchMode, r *Request) bool {
	if p.parts != nil {
		var bufArr [256]byte
		var litArr [256]bool
		buf, lit, ok := p.expand(r, bufArr[:0], litArr[:0])
		if !ok {
			return false
		}
		switch mode {
		case modeEqual:
			return string(buf) == s
		case modeARN:
			return arnMatch(buf, lit, s)
		}
		return globMatch(buf, lit, s, mode == modeFold)
	}
	if mode == modeEqual {
		return p.text == s
	}
	switch p.kind {
	case patAll:
		return true
	case patLiteral:
		if mode == modeFold {
			return equalFoldASCII(p.text, s)
		}
		return p.text == s
	case patPrefix:
		n := len(p.text) - 1
		if len(s) < n {
			return false
		}
		if mode == modeFold {
			return equalFoldASCII(p.text[:n], s[:n])
		}
		return p.text[:n] == s[:n]
	}
	if mode == modeARN {
		return arnMatch(p.text, p.lit, s)
	}
	return globMatch(p.text, p.lit, s, mode == modeFold)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

type byteString interface{ ~string | ~[]byte }

// globMatch reports whether s matches pat, where an unescaped '*' matches
// any run of characters (including none) and '?' exactly one character.
// lit, when non-nil, marks bytes of pat that are literal. With fold, ASCII
// letters compare without case.
//
// It is the classic linear-space greedy matcher: on a mismatch it returns to
// the last '*' and lets it swallow one more character, which is exact for
// patterns whose only wildcards are '*' and '?'.
func globMatch[P byteString](pat P, lit []bool, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) && (lit == nil || !lit[p]) {
			switch pat[p] {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				i += n
				p++
				continue
			}
		}
		if p < len(pat) && (pat[p] == s[i] || fold && lower(pat[p]) == lower(s[i])) {
			p++
			i++
			continue
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starI:])
		starI += n
		p, i = starP+1, starI
	}
	for p < len(pat) && pat[p] == '*' && (lit == nil || !lit[p]) {
		p++
	}
	return p == len(pat)
}

// arnMatch matches s against an ARN pattern as IAM does for the Resource
// element: the pattern and s are split at colons into segments and compared
// segment by segment with '*' and '?' wildcards; a segment of the pattern
// that ends with '*' may also swallow the colons and segments that follow
// it ("If the * wildcard is the last character of a resource ARN segment,
// it can expand to match beyond the colon boundaries"). A pattern "*" thus
// matches anything, "arn:aws:execute-api:*:*:*" any execute-api ARN, and
// "arn:aws:s3:::bucket/*" any key, colons included.
func arnMatch[P byteString](pat P, lit []bool, s string) bool {
	// Most patterns have no '*' at the end of a segment other than the
	// last one; they match segment by segment without search.
	for i := 0; i < len(pat); i++ {
		if pat[i] == ':' && i > 0 && pat[i-1] == '*' && (lit == nil || !lit[i-1]) {
			return arnSearch(pat, lit, s)
		}
	}
	ps, rs := 0, 0
	for {
		pe := ps
		for pe < len(pat) && pat[pe] != ':' {
			pe++
		}
		re := strings.IndexByte(s[rs:], ':')
		if re < 0 {
			re = len(s)
		} else {
			re += rs
		}
		var segLit []bool
		if lit != nil {
			segLit = lit[ps:pe]
		}
		if !globMatch(pat[ps:pe], segLit, s[rs:re], false) {
			return false
		}
		if pe == len(pat) {
			// The last pattern segment: it must end the resource, unless
			// it ends with '*', which swallows the rest.
			return re == len(s) || pe > ps && pat[pe-1] == '*' && (lit == nil || !lit[pe-1])
		}
		if re == len(s) {
			return false // the resource has fewer segments
		}
		ps, rs = pe+1, re+1
	}
}

// arnSearch is arnMatch for patterns with a '*' ending an inner segment.
// The set of resource segments at which the next pattern segment may start
// is kept as a bit set, so the cost is bounded by (pattern segments) x
// (resource segments) segment comparisons whatever the wildcards.
func arnSearch[P byteString](pat P, lit []bool, s string) bool {
	// ends[i] is the end of resource segment i.
	var endsArr [64]int
	ends := endsArr[:0]
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			ends = append(ends, i)
		}
	}
	ends = append(ends, len(s))
	n := len(ends) // resource segments
	var small [2]uint64
	var reach, next []uint64
	if words := (n + 64) / 64; words == 1 {
		reach, next = small[0:1:1], small[1:2:2]
	} else {
		reach, next = make([]uint64, words), make([]uint64, words)
	}
	reach[0] = 1 // start at segment 0
	ps := 0
	for {
		pe := ps
		for pe < len(pat) && pat[pe] != ':' {
			pe++
		}
		seg := pat[ps:pe]
		var segLit []bool
		if lit != nil {
			segLit = lit[ps:pe]
		}
		spanning := pe > ps && pat[pe-1] == '*' && (lit == nil || !lit[pe-1])
		clear(next)
		hit := false
		for ri := 0; ri < n; ri++ {
			if reach[ri/64]&(1<<(ri%64)) == 0 {
				continue
			}
			start := 0
			if ri > 0 {
				start = ends[ri-1] + 1
			}
			if !globMatch(seg, segLit, s[start:ends[ri]], false) {
				continue
			}
			hit = true
			if spanning {
				for j := ri + 1; j <= n; j++ {
					next[j/64] |= 1 << (j % 64)
				}
			} else {
				next[(ri+1)/64] |= 1 << ((ri + 1) % 64)
			}
		}
		if !hit {
			return false
		}
		reach, next = next, reach
		if pe == len(pat) {
			break
		}
		ps = pe + 1
	}
	return reach[n/64]&(1<<(n%64)) != 0
}
