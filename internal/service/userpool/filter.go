package userpool

import (
	"strings"

	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// filterAttributes are the attributes ListUsers can filter on
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html).
var filterAttributes = map[string]bool{
	"username": true, "email": true, "phone_number": true, "name": true, "given_name": true,
	"family_name": true, "preferred_username": true, "cognito:user_status": true, "status": true, "sub": true,
}

// parseFilter parses ListUsers' Filter: `AttributeName Filter-Type "AttributeValue"`
// where Filter-Type is "=" (exact) or "^=" (starts with), the value in
// double quotes with backslash escapes. An empty filter selects every user.
func parseFilter(f string) (store.UserFilter, error) {
	bad := cip.NewInvalidParameterException("Error while parsing filter.")
	f = strings.TrimSpace(f)
	if f == "" {
		return store.UserFilter{}, nil
	}
	i := strings.IndexAny(f, "^= ")
	if i <= 0 {
		return store.UserFilter{}, bad
	}
	attr := f[:i]
	if len(attr) >= 2 && attr[0] == '"' && attr[len(attr)-1] == '"' {
		attr = attr[1 : len(attr)-1]
	}
	rest := strings.TrimLeft(f[i:], " ")
	var prefix bool
	switch {
	case strings.HasPrefix(rest, "^="):
		prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return store.UserFilter{}, bad
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return store.UserFilter{}, bad
	}
	var val strings.Builder
	body := rest[1 : len(rest)-1]
	for j := 0; j < len(body); j++ {
		c := body[j]
		if c == '\\' && j+1 < len(body) {
			j++
			c = body[j]
		} else if c == '"' {
			return store.UserFilter{}, bad
		}
		val.WriteByte(c)
	}
	if !filterAttributes[attr] {
		return store.UserFilter{}, cip.NewInvalidParameterExceptionf("Invalid search attribute: %s", attr)
	}
	return store.UserFilter{Attribute: attr, Value: val.String(), Prefix: prefix}, nil
}
