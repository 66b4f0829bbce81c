package userpool

import (
	"regexp"
	"sort"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phoneRE = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

func schemaError(format string, args ...any) error {
	return cip.NewInvalidParameterExceptionf("Attributes did not conform to the schema: "+format, args...)
}

// checkAttributes validates attributes a caller writes against the pool's
// schema, as AdminCreateUser and the attribute updates do.
func checkAttributes(p *pool, attrs []cip.AttributeType) error {
	for _, a := range attrs {
		name, value := awsapi.ToString(a.Name), awsapi.ToString(a.Value)
		sa, ok := schemaAttribute(p.cfg.SchemaAttributes, name)
		if !ok {
			return schemaError("Type for attribute {%s} could not be determined", name)
		}
		if name == "sub" {
			return cip.NewInvalidParameterException("Cannot modify the non-mutable attribute sub")
		}
		if len(value) > 2048 {
			return schemaError("%s: String must be no longer than 2048 characters", name)
		}
		switch awsapi.ToString(sa.AttributeDataType) {
		case "Boolean":
			if value != "true" && value != "false" {
				return schemaError("%s: Attribute value must be true or false", name)
			}
		case "Number":
			if strings.TrimLeft(value, "-0123456789.") != "" {
				return schemaError("%s: Number must be a valid number", name)
			}
		}
		if strings.HasPrefix(awsapi.ToString(sa.Name), "custom:") || strings.HasPrefix(awsapi.ToString(sa.Name), "dev:") {
			if err := checkConstraints(sa, name, value); err != nil {
				return err
			}
		}
		switch name {
		case "email":
			if !emailRE.MatchString(value) {
				return cip.NewInvalidParameterException("Invalid email address format.")
			}
		case "phone_number":
			if !phoneRE.MatchString(value) {
				return cip.NewInvalidParameterException("Invalid phone number format.")
			}
		}
	}
	return nil
}

// missingRequired returns the first required attribute (other than sub)
// that attrs lacks, or "".
func missingRequired(p *pool, attrs map[string]string) string {
	for _, name := range requiredAttributes(p.cfg.SchemaAttributes) {
		if attrs[name] == "" {
			return name
		}
	}
	return ""
}

// attributeList returns the user's attributes as Cognito lists them: sub
// first, then the others by name. When only is non-nil, just those.
func attributeList(u store.User, only []string) []cip.AttributeType {
	names := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	want := func(n string) bool {
		if only == nil {
			return true
		}
		for _, o := range only {
			if o == n {
				return true
			}
		}
		return false
	}
	out := make([]cip.AttributeType, 0, len(names)+1)
	if want("sub") {
		out = append(out, cip.AttributeType{Name: awsapi.String("sub"), Value: awsapi.String(u.Sub)})
	}
	for _, n := range names {
		if want(n) {
			out = append(out, cip.AttributeType{Name: awsapi.String(n), Value: awsapi.String(u.Attributes[n])})
		}
	}
	return out
}
