package userpool

import (
	"strconv"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
)

// standardAttribute is one of Cognito's standard attributes (OpenID Connect
// standard claims plus Cognito's own), as DescribeUserPool lists them.
type standardAttribute struct {
	name     string
	dataType string
	mutable  bool
}

// standardAttributes are listed in the order DescribeUserPool returns them.
var standardAttributes = []standardAttribute{
	{"sub", "String", false},
	{"name", "String", true},
	{"given_name", "String", true},
	{"family_name", "String", true},
	{"middle_name", "String", true},
	{"nickname", "String", true},
	{"preferred_username", "String", true},
	{"profile", "String", true},
	{"picture", "String", true},
	{"website", "String", true},
	{"email", "String", true},
	{"email_verified", "Boolean", true},
	{"gender", "String", true},
	{"birthdate", "String", true},
	{"zoneinfo", "String", true},
	{"locale", "String", true},
	{"phone_number", "String", true},
	{"phone_number_verified", "Boolean", true},
	{"address", "String", true},
	{"updated_at", "Number", true},
	{"identities", "String", true},
}

// defaultSchema returns the standard attributes with Cognito's constraints.
func defaultSchema() []cip.SchemaAttributeType {
	out := make([]cip.SchemaAttributeType, 0, len(standardAttributes))
	for _, a := range standardAttributes {
		s := cip.SchemaAttributeType{
			Name:                   awsapi.String(a.name),
			AttributeDataType:      awsapi.String(a.dataType),
			DeveloperOnlyAttribute: awsapi.Bool(false),
			Mutable:                awsapi.Bool(a.mutable),
			Required:               awsapi.Bool(a.name == "sub"),
		}
		switch a.dataType {
		case "String":
			min := "0"
			if a.name == "sub" {
				min = "1"
			}
			s.StringAttributeConstraints = &cip.StringAttributeConstraintsType{MinLength: awsapi.String(min), MaxLength: awsapi.String("2048")}
		case "Number":
			s.NumberAttributeConstraints = &cip.NumberAttributeConstraintsType{MinValue: awsapi.String("0")}
		}
		out = append(out, s)
	}
	return out
}

// buildSchema merges the Schema of CreateUserPool into the standard schema:
// standard attributes may become required or immutable; other names become
// custom attributes ("custom:<name>").
func buildSchema(in []cip.SchemaAttributeType) ([]cip.SchemaAttributeType, error) {
	schema := defaultSchema()
	index := map[string]int{}
	for i, a := range schema {
		index[*a.Name] = i
	}
	for _, a := range in {
		name := awsapi.ToString(a.Name)
		if name == "" {
			return nil, cip.NewInvalidParameterException("Attribute name is required in a schema attribute.")
		}
		if i, ok := index[name]; ok {
			std := &schema[i]
			if a.AttributeDataType != nil && *a.AttributeDataType != *std.AttributeDataType {
				return nil, cip.NewInvalidParameterExceptionf("You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute %s", name)
			}
			if awsapi.ToBool(a.DeveloperOnlyAttribute) {
				return nil, cip.NewInvalidParameterExceptionf("You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute %s", name)
			}
			if a.Required != nil {
				std.Required = a.Required
			}
			if a.Mutable != nil {
				std.Mutable = a.Mutable
			}
			if a.StringAttributeConstraints != nil {
				std.StringAttributeConstraints = a.StringAttributeConstraints
			}
			continue
		}
		c, err := customSchemaAttribute(a)
		if err != nil {
			return nil, err
		}
		if _, dup := schemaAttribute(schema, strings.TrimPrefix(*c.Name, "dev:")); dup {
			return nil, cip.NewInvalidParameterExceptionf("Existing attribute already has name %s.", *c.Name)
		}
		index[*c.Name] = len(schema)
		schema = append(schema, c)
	}
	if n := countCustom(schema); n > maxCustomAttributes {
		return nil, tooManyCustom()
	}
	return schema, nil
}

// maxCustomAttributes is Cognito's quota of custom attributes per pool
// (COGNITO-NOTES §4.3).
const maxCustomAttributes = 50

func tooManyCustom() error {
	return cip.NewInvalidParameterExceptionf("A user pool can have at most %d custom attributes.", maxCustomAttributes)
}

func countCustom(schema []cip.SchemaAttributeType) int {
	n := 0
	for _, a := range schema {
		if name := awsapi.ToString(a.Name); strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:") {
			n++
		}
	}
	return n
}

// customSchemaAttribute turns a custom attribute as CreateUserPool's Schema
// or AddCustomAttributes give it into its schema entry: "custom:" (or, for
// developer-only attributes, "dev:custom:") is put before the name, defaults
// are filled in, and the constraints are checked.
func customSchemaAttribute(a cip.SchemaAttributeType) (cip.SchemaAttributeType, error) {
	name := awsapi.ToString(a.Name)
	if strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:") {
		name = name[strings.Index(name, ":")+1:]
	}
	if name == "" {
		return a, cip.NewInvalidParameterException("Attribute name is required in a schema attribute.")
	}
	if len([]rune(name)) > 20 {
		return a, cip.NewInvalidParameterExceptionf("Custom attribute name %s is longer than 20 characters.", name)
	}
	if awsapi.ToBool(a.Required) {
		return a, cip.NewInvalidParameterException("Required custom attributes are not supported currently.")
	}
	c := a
	prefix := "custom:"
	if awsapi.ToBool(a.DeveloperOnlyAttribute) {
		prefix = "dev:custom:"
	}
	c.Name = awsapi.String(prefix + name)
	if c.AttributeDataType == nil {
		c.AttributeDataType = awsapi.String("String")
	}
	if c.DeveloperOnlyAttribute == nil {
		c.DeveloperOnlyAttribute = awsapi.Bool(false)
	}
	if c.Mutable == nil {
		c.Mutable = awsapi.Bool(true)
	}
	c.Required = awsapi.Bool(false)
	switch *c.AttributeDataType {
	case "String":
		c.NumberAttributeConstraints = nil
		if sc := c.StringAttributeConstraints; sc != nil {
			lo, hi, err := bounds(sc.MinLength, sc.MaxLength, *c.Name)
			if err != nil {
				return a, err
			}
			if (lo != nil && (*lo < 0 || *lo > 2048)) || (hi != nil && (*hi < 0 || *hi > 2048)) {
				return a, cip.NewInvalidParameterExceptionf("String constraints of %s must be between 0 and 2048.", *c.Name)
			}
		}
	case "Number":
		c.StringAttributeConstraints = nil
		if nc := c.NumberAttributeConstraints; nc != nil {
			if _, _, err := bounds(nc.MinValue, nc.MaxValue, *c.Name); err != nil {
				return a, err
			}
		}
	default: // Boolean, DateTime: no constraints
		c.StringAttributeConstraints, c.NumberAttributeConstraints = nil, nil
	}
	return c, nil
}

// bounds parses a pair of constraint bounds (strings in the API) and checks
// min <= max.
func bounds(minText, maxText *string, name string) (lo, hi *float64, err error) {
	parse := func(t *string) (*float64, error) {
		if t == nil {
			return nil, nil
		}
		v, err := strconv.ParseFloat(*t, 64)
		if err != nil {
			return nil, cip.NewInvalidParameterExceptionf("Constraint value %q of %s is not a number.", *t, name)
		}
		return &v, nil
	}
	if lo, err = parse(minText); err != nil {
		return nil, nil, err
	}
	if hi, err = parse(maxText); err != nil {
		return nil, nil, err
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, cip.NewInvalidParameterExceptionf("The minimum constraint of %s is greater than its maximum.", name)
	}
	return lo, hi, nil
}

// schemaAttribute returns the schema entry for an attribute name as users
// write it (custom attributes with their "custom:" prefix).
func schemaAttribute(schema []cip.SchemaAttributeType, name string) (cip.SchemaAttributeType, bool) {
	for _, a := range schema {
		n := awsapi.ToString(a.Name)
		if n == name || (strings.HasPrefix(n, "dev:") && n[4:] == name) {
			return a, true
		}
	}
	return cip.SchemaAttributeType{}, false
}

// requiredAttributes lists the names of required attributes other than sub.
func requiredAttributes(schema []cip.SchemaAttributeType) []string {
	var out []string
	for _, a := range schema {
		if awsapi.ToBool(a.Required) && awsapi.ToString(a.Name) != "sub" {
			out = append(out, awsapi.ToString(a.Name))
		}
	}
	return out
}
