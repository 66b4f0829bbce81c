package userpool

import (
	"encoding/json"

	"github.com/ninsho/ninsho/internal/store"
)

// store.User.Extra is a JSON object of sections, one per concern (for
// example "mfa", "lockout", "passwordHistory", "codes"), each owned by the
// file that implements that concern. getExtra and setExtra read and write
// one section and leave the others as they are.

// getExtra decodes section name of u.Extra into v; a missing section leaves
// v unchanged and reports false.
func getExtra(u store.User, name string, v any) (bool, error) {
	if len(u.Extra) == 0 {
		return false, nil
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(u.Extra, &sections); err != nil {
		return false, err
	}
	raw, ok := sections[name]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

// setExtra replaces section name of u.Extra with v (nil removes it).
func setExtra(u *store.User, name string, v any) error {
	sections := map[string]json.RawMessage{}
	if len(u.Extra) > 0 {
		if err := json.Unmarshal(u.Extra, &sections); err != nil {
			return err
		}
	}
	if v == nil {
		delete(sections, name)
	} else {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		sections[name] = raw
	}
	if len(sections) == 0 {
		u.Extra = nil
		return nil
	}
	b, err := json.Marshal(sections)
	if err != nil {
		return err
	}
	u.Extra = b
	return nil
}
