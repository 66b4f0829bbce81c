package userpool

import (
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
		if strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:") {
			name = name[strings.Index(name, ":")+1:]
		}
		if awsapi.ToBool(a.Required) {
			return nil, cip.NewInvalidParameterException("Required custom attributes are not supported currently.")
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
		if _, dup := index[*c.Name]; dup {
			return nil, cip.NewInvalidParameterExceptionf("Existing attribute already has name %s.", *c.Name)
		}
		index[*c.Name] = len(schema)
		schema = append(schema, c)
	}
	return schema, nil
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
