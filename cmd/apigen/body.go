package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// body renders everything after the imports.
func (g *generator) body() []byte {
	g.imports["context"] = true
	g.imports["github.com/ninsho/ninsho/internal/awsapi"] = true
	g.operations()
	g.errors()
	g.enums()
	g.types()
	// Rules and patterns last: only now is it known which rules are used.
	g.patterns()
	g.ruleVars()
	return g.buf.Bytes()
}

func (g *generator) operations() {
	md, ops := g.m.Metadata, g.opNames()
	g.printf("// OperationNames lists the %d operations of the model, sorted.\nvar OperationNames = []string{\n", len(ops))
	for _, n := range ops {
		g.printf("%q,\n", n)
	}
	g.printf("}\n\n")

	g.printf("// API is implemented by the service; one method per model operation.\n// Embed UnimplementedAPI to implement only some of them.\ntype API interface {\n")
	for _, n := range ops {
		if g.m.Operations[n].unsigned() {
			g.printf("// %s is called without SigV4 (authtype none).\n", exported(n))
		}
		g.printf("%s(ctx context.Context, in *%s) (*%s, error)\n", exported(n), g.inType[n], g.outType[n])
	}
	g.printf("}\n\n")

	g.printf("// UnimplementedAPI answers every operation with NotImplementedException;\n// service implementations embed it and override what they support.\ntype UnimplementedAPI struct{}\n\nvar _ API = UnimplementedAPI{}\n\n")
	for _, n := range ops {
		g.printf("// %s is not implemented.\nfunc (UnimplementedAPI) %s(context.Context, *%s) (*%s, error) {\nreturn nil, awsapi.NotImplemented(%q, %q)\n}\n\n",
			exported(n), exported(n), g.inType[n], g.outType[n], md.EndpointPrefix, n)
	}

	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	g.printf("// NewService describes the service for the protocol layer, dispatching to api.\nfunc NewService(api API) *awsapi.Service {\nreturn &awsapi.Service{\n")
	g.printf("Name: %q,\nSigningName: %q,\nProtocol: %q,\nTargetPrefix: %q,\nAPIVersion: %q,\nXMLNamespace: %q,\nValidationErrorCode: %q,\n",
		md.EndpointPrefix, signing, md.Protocol, md.TargetPrefix, md.APIVersion, md.XMLNamespace, g.validationErrorCode())
	g.printf("Operations: map[string]*awsapi.Operation{\n")
	for _, n := range ops {
		g.printf("%q: {\nName: %q,\n", n, n)
		if g.m.Operations[n].unsigned() {
			g.printf("Unsigned: true,\n")
		}
		if h := g.m.Operations[n].HTTP; g.rest() && h != nil {
			code := h.ResponseCode
			if code == 0 {
				code = 200
			}
			g.printf("HTTP: awsapi.HTTPBinding{Method: %q, RequestURI: %q, ResponseCode: %d},\n", h.Method, h.RequestURI, code)
		}
		g.printf("NewInput: func() awsapi.Input { return new(%s) },\n", g.inType[n])
		g.printf("Invoke: func(ctx context.Context, in awsapi.Input) (any, error) { return awsapi.Call(ctx, in, api.%s) },\n},\n", exported(n))
	}
	g.printf("},\n}\n}\n\n")
}

// validationErrorCode is the error AWS answers failed validation with: the
// service's own InvalidParameterException when it models one, otherwise
// the protocol's generic code.
func (g *generator) validationErrorCode() string {
	if s := g.m.Shapes["InvalidParameterException"]; s != nil && s.Exception {
		return "InvalidParameterException"
	}
	if s := g.m.Shapes["BadRequestException"]; g.rest() && s != nil && s.Exception {
		return "BadRequestException"
	}
	if g.m.Metadata.Protocol == "query" {
		return "ValidationError"
	}
	return "ValidationException"
}

func (g *generator) errors() {
	for _, n := range g.shapeNames() {
		s := g.m.Shapes[n]
		if !s.Exception {
			continue
		}
		g.imports["fmt"] = true
		g.imports["github.com/ninsho/ninsho/internal/awserr"] = true
		code, status := n, 400
		if s.Fault {
			status = 500
		}
		if s.Error != nil {
			if s.Error.Code != "" {
				code = s.Error.Code
			}
			if s.Error.HTTPStatusCode != 0 {
				status = s.Error.HTTPStatusCode
			}
		}
		name := exported(n)
		g.printf("// New%s returns a %s error (HTTP %d).\nfunc New%s(msg string) *awserr.Error {\nreturn &awserr.Error{Code: %q, Message: msg, Status: %d", name, code, status, name, code, status)
		if s.Fault {
			g.printf(", Server: true")
		}
		g.printf("}\n}\n\n// New%sf is New%s with a formatted message.\nfunc New%sf(format string, args ...any) *awserr.Error {\nreturn New%s(fmt.Sprintf(format, args...))\n}\n\n", name, name, name, name)
	}
}

func (g *generator) enums() {
	for _, n := range g.shapeNames() {
		s := g.m.Shapes[n]
		if len(s.Enum) == 0 {
			continue
		}
		g.printf("// %sValues are the values of the %s enum.\nvar %sValues = []string{", exported(n), n, exported(n))
		for i, v := range s.Enum {
			if i > 0 {
				g.printf(", ")
			}
			g.printf("%q", v)
		}
		g.printf("}\n\n")
	}
}

func (g *generator) patterns() {
	if len(g.rxName) == 0 && len(g.skipped) == 0 {
		return
	}
	g.imports["regexp"] = true
	if len(g.skipped) > 0 {
		g.printf("// These model patterns use Java regex features RE2 lacks and are not\n// checked (the other constraints of their shapes still are):\n")
		for _, s := range g.skipped {
			g.printf("//   - %s\n", s)
		}
		g.printf("\n")
	}
	g.printf("// Model patterns (Java syntax) translated to RE2, anchored for a full\n// match and compiled once; shapes sharing a pattern share a variable.\nvar (\n")
	byName := map[string]string{}
	for p, n := range g.rxName {
		byName[n] = p
	}
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		g.printf("%s = regexp.MustCompile(%s)\n", n, goString(g.rxExpr[byName[n]]))
	}
	g.printf(")\n\n// patterns maps each model pattern to its compiled form (for tests).\nvar patterns = map[string]*regexp.Regexp{\n")
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		g.printf("%s: %s,\n", goString(byName[n]), n)
	}
	g.printf("}\n\n")
}

// goString quotes s, preferring a raw string for readable regexps.
func goString(s string) string {
	if !strings.Contains(s, "`") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

func (g *generator) ruleVars() {
	if len(g.rules) == 0 {
		return
	}
	g.printf("// Constraint rules of the shapes that inputs use.\nvar (\n")
	for _, n := range slices.Sorted(maps.Keys(g.rules)) {
		s := g.m.Shapes[n]
		var f []string
		if g.sensitive(n) {
			f = append(f, "Sensitive: true")
		}
		if s.Min != nil {
			f = append(f, "HasMin: true", "Min: "+strconv.FormatFloat(*s.Min, 'f', -1, 64))
		}
		if s.Max != nil {
			f = append(f, "HasMax: true", "Max: "+strconv.FormatFloat(*s.Max, 'f', -1, 64))
		}
		if rx := g.rxName[s.Pattern]; rx != "" {
			f = append(f, "Pattern: "+rx, "PatternText: "+goString(s.Pattern))
		}
		if len(s.Enum) > 0 {
			f = append(f, "Enum: "+exported(n)+"Values")
		}
		g.printf("rule%s = &awsapi.Rule{%s}\n", exported(n), strings.Join(f, ", "))
	}
	g.printf(")\n\n")
}

func (g *generator) types() {
	byGo := map[string]string{}
	for n, s := range g.m.Shapes {
		if s.Type == "structure" {
			byGo[g.goName[n]] = n
		}
	}
	for _, goName := range slices.Sorted(maps.Keys(byGo)) {
		g.structType(byGo[goName])
	}
	for _, in := range g.empties {
		g.printf("// %s is the (empty) input of an operation whose model has none.\ntype %s struct{}\n\n// Validate implements awsapi.Input.\nfunc (*%s) Validate() error { return nil }\n\n", in, in, in)
	}
	for _, a := range slices.Sorted(maps.Keys(g.aliases)) {
		g.printf("// %s is the model's %s shape, shared with other operations.\ntype %s = %s\n\n", a, g.aliases[a], a, g.aliases[a])
	}
}

func (g *generator) structType(n string) {
	s, name := g.m.Shapes[n], g.goName[n]
	if s.Document {
		g.imports["encoding/json"] = true
		g.printf("// %s is the model's %s document: free-form JSON.\ntype %s = json.RawMessage\n\n", name, n, name)
		return
	}
	switch {
	case name != exported(n):
		g.printf("// %s is the model's %s shape.\n", name, n)
	case s.Exception:
		g.printf("// %s is the body of the %s error; see New%s.\n", name, n, name)
	default:
		g.printf("// %s is the model's %s shape.\n", name, n)
	}
	if s.Sensitive {
		g.printf("//\n// The whole structure is sensitive: validation messages never show its values.\n")
	}
	g.printf("type %s struct {\n", name)
	for _, mn := range s.Members.Names {
		r := s.Members.Refs[mn]
		if r.Deprecated {
			msg := r.DeprecatedMessage
			if msg == "" {
				msg = "the model marks this member deprecated."
			}
			g.printf("// Deprecated: %s\n", strings.TrimSpace(msg))
		}
		g.printf("%s %s `%s`\n", exported(mn), g.goType(r.Shape, true), g.tags(s, mn, r))
	}
	g.printf("}\n\n")
	if g.validate[n] {
		g.validateMethods(n)
	}
	if in, out := g.restRoles(n); in || out {
		g.httpMethods(n, in, out)
	}
}

// httpBound reports whether a member of a REST input or output lives
// outside the JSON body (a location, or the payload member).
func (g *generator) httpBound(s *shape, mn string, r *ref) bool {
	return g.rest() && (r.Location != "" || s.Payload == mn)
}

// httpMethods writes BindHTTP (inputs) and EncodeHTTP (outputs) for a REST
// operation shape whose model binds members outside the JSON body.
func (g *generator) httpMethods(n string, in, out bool) {
	s, name := g.m.Shapes[n], g.goName[n]
	wire := func(mn string, r *ref) string {
		if r.LocationName != "" {
			return r.LocationName
		}
		return mn
	}
	var bind, enc []string
	var queryMaps []string
	for _, mn := range s.Members.Names {
		r, f := s.Members.Refs[mn], "s."+exported(mn)
		kind := g.m.Shapes[r.Shape].Type
		if s.Payload == mn {
			bind = append(bind, fmt.Sprintf("r.BindPayload(&%s)", f))
			enc = append(enc, fmt.Sprintf("r.SetPayload(%s)", f))
			continue
		}
		switch r.Location {
		case "uri":
			bind = append(bind, fmt.Sprintf("r.BindLabel(%q, &%s)", wire(mn, r), f))
		case "querystring":
			if kind == "map" {
				queryMaps = append(queryMaps, fmt.Sprintf("r.BindQueryMap(&%s)", f))
			} else {
				bind = append(bind, fmt.Sprintf("r.BindQuery(%q, &%s)", wire(mn, r), f))
			}
		case "header":
			bind = append(bind, fmt.Sprintf("r.BindHeader(%q, &%s)", wire(mn, r), f))
			enc = append(enc, fmt.Sprintf("r.SetHeader(%q, %s)", wire(mn, r), f))
		case "headers":
			if g.goType(r.Shape, true) == "map[string]string" {
				bind = append(bind, fmt.Sprintf("r.BindHeaderPrefix(%q, &%s)", r.LocationName, f))
				enc = append(enc, fmt.Sprintf("r.SetHeaderPrefix(%q, %s)", r.LocationName, f))
			}
		case "statusCode":
			if g.goType(r.Shape, true) == "*int32" {
				enc = append(enc, fmt.Sprintf("r.SetStatus(%s)", f))
			}
		}
	}
	bind = append(bind, queryMaps...)
	if in && len(bind) > 0 {
		g.printf("// BindHTTP implements awsapi.HTTPInput: it reads the members the model\n// binds to the URI, the query string, headers and the payload.\nfunc (s *%s) BindHTTP(r *awsapi.HTTPRequest) {\n%s\n}\n\n", name, strings.Join(bind, "\n"))
	}
	if out && len(enc) > 0 {
		g.printf("// EncodeHTTP implements awsapi.HTTPOutput: it writes the members the\n// model binds to headers, the status code and the payload.\nfunc (s *%s) EncodeHTTP(r *awsapi.HTTPResponse) {\n%s\n}\n\n", name, strings.Join(enc, "\n"))
	}
}

// tags are the JSON (and, for query services, XML) struct tags of a member.
func (g *generator) tags(parent *shape, mn string, r *ref) string {
	if g.httpBound(parent, mn, r) {
		// Bound to the URI, query string, headers, status or payload: the
		// JSON body neither carries nor sets it (its locationName is a
		// label, parameter or header name).
		return `json:"-"`
	}
	wire := mn
	if r.LocationName != "" {
		wire = r.LocationName
	}
	// Lists and maps use omitzero: a nil one is left out, but an empty one
	// is written as [] or {}, as AWS writes an empty result
	// ("UserPools": []); omitempty would drop both.
	omit := "omitempty"
	if k := g.m.Shapes[r.Shape].Type; k == "list" || k == "map" {
		omit = "omitzero"
	}
	t := fmt.Sprintf(`json:"%s,%s"`, wire, omit)
	if g.m.Metadata.Protocol != "query" && g.m.Metadata.Protocol != "ec2" {
		return t
	}
	s := g.m.Shapes[r.Shape]
	switch s.Type {
	case "map":
		// encoding/xml cannot marshal maps; the protocol layer handles them.
		return t + ` xml:"-"`
	case "list":
		item := "member"
		if s.Member.LocationName != "" {
			item = s.Member.LocationName
		}
		if r.Flattened || s.Flattened {
			if s.Member.LocationName != "" {
				wire = s.Member.LocationName
			}
			return t + fmt.Sprintf(` xml:"%s,omitempty"`, wire)
		}
		return t + fmt.Sprintf(` xml:"%s>%s,omitempty"`, wire, item)
	}
	return t + fmt.Sprintf(` xml:"%s,omitempty"`, wire)
}

func (g *generator) validateMethods(n string) {
	s, name := g.m.Shapes[n], g.goName[n]
	g.printf("// Validate checks s against the model's constraints and returns nil or an\n// *awsapi.ValidationError listing every violation.\nfunc (s *%s) Validate() error {\nvar v awsapi.Validator\ns.validate(&v, \"\")\nreturn v.Err()\n}\n\n", name)
	g.printf("// validate adds the violations of s to v; member paths start with p.\nfunc (s *%s) validate(v *awsapi.Validator, p string) {\n", name)
	if s.Sensitive {
		g.printf("v.Hide()\ndefer v.Unhide()\n")
	}
	for _, mn := range s.Members.Names {
		r := s.Members.Refs[mn]
		field, path := "s."+exported(mn), `p + "`+lowerFirst(mn)+`"`
		required := slices.Contains(s.Required, mn)
		needs := g.needs(r.Shape) && !g.m.Shapes[r.Shape].Document
		if !required && !needs {
			continue
		}
		val := field
		if g.isPointer(r.Shape) && g.m.Shapes[r.Shape].Type != "structure" {
			val = "*" + field
		}
		switch {
		case required && needs:
			g.printf("if %s == nil {\nv.Null(%s)\n} else {\n", field, path)
			g.check(r.Shape, val, path, 0)
			g.printf("}\n")
		case required:
			g.printf("if %s == nil {\nv.Null(%s)\n}\n", field, path)
		default:
			g.printf("if %s != nil {\n", field)
			g.check(r.Shape, val, path, 0)
			g.printf("}\n")
		}
	}
	g.printf("}\n\n")
}

// check emits the validation of expr (a value of shape n; structures may be
// pointers or addressable values) at the path expression path.
func (g *generator) check(n, expr, path string, depth int) {
	s := g.m.Shapes[n]
	switch s.Type {
	case "string":
		if g.hasRule(n) {
			g.printf("v.String(%s, %s, %s)\n", path, expr, g.rule(n))
		}
	case "integer", "long":
		if g.hasRule(n) {
			g.printf("v.Int(%s, int64(%s), %s)\n", path, expr, g.rule(n))
		}
	case "double", "float":
		if g.hasRule(n) {
			g.printf("v.Float(%s, %s, %s)\n", path, expr, g.rule(n))
		}
	case "blob":
		if g.hasRule(n) {
			g.printf("v.Bytes(%s, %s, %s)\n", path, expr, g.rule(n))
		}
	case "structure":
		if g.needs(n) {
			g.printf("%s.validate(v, %s)\n", expr, join(path, "."))
		}
	case "list", "map":
		if g.hasRule(n) {
			g.printf("v.Len(%s, len(%s), %s, %s)\n", path, expr, expr, g.rule(n))
		}
		if s.Sensitive {
			g.printf("v.Hide()\n")
		}
		d := strconv.Itoa(depth)
		if s.Type == "list" && g.needs(s.Member.Shape) {
			g.imports["strconv"] = true
			g.printf("for i%s := range %s {\n", d, expr)
			g.check(s.Member.Shape, expr+"[i"+d+"]", join(path, ".")+" + strconv.Itoa(i"+d+"+1) + \".member\"", depth+1)
			g.printf("}\n")
		}
		if s.Type == "map" && (g.needs(s.Key.Shape) || g.needs(s.Value.Shape)) {
			// Sorted keys: violations come out in a stable order.
			g.imports["maps"], g.imports["slices"] = true, true
			g.printf("for _, k%s := range slices.Sorted(maps.Keys(%s)) {\n", d, expr)
			g.check(s.Key.Shape, "k"+d, join(path, ".")+" + k"+d, depth+1)
			if g.needs(s.Value.Shape) {
				g.printf("e%s := %s[k%s]\n", d, expr, d)
				g.check(s.Value.Shape, "e"+d, join(path, ".")+" + k"+d, depth+1)
			}
			g.printf("}\n")
		}
		if s.Sensitive {
			g.printf("v.Unhide()\n")
		}
	}
}
