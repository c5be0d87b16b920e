package render

import (
	"encoding/json"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
)

// marshalYAML returns m as YAML, byte for byte what sigs.k8s.io/yaml.Marshal
// gives (the form kubectl and the goldens use), without its detour through
// JSON: that marshals to JSON, parses the JSON back with yaml.v2 and
// marshals the result with yaml.v2. A plain map of strings, booleans,
// integers and nulls reads back from JSON as itself, so yaml.v2 marshals m
// directly; a float or json.Number reads back as an int or a float that only
// the round trip of that one value tells; anything else (a string that does
// not read back as itself, or another Go type) takes the detour.
func marshalYAML(m map[string]any) ([]byte, error) {
	if _, ok := jsonNative(m); !ok {
		return MarshalYAML(m)
	}
	return yamlv2.Marshal(ordered(m))
}

// jsonNative tells whether v reads back from its JSON as itself, and
// returns it with each number that is not an int64 replaced by the value
// yaml.v2 reads from its JSON (in place in maps and lists).
func jsonNative(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool, int64:
		return v, true
	case string:
		return v, readsBack(t)
	case float64, json.Number:
		return viaJSON(v)
	case map[string]any:
		for k, x := range t {
			y, ok := jsonNative(x)
			if !ok || !readsBack(k) {
				return nil, false
			}
			if isNumber(x) {
				t[k] = y
			}
		}
		return t, true
	case []any:
		for i, x := range t {
			y, ok := jsonNative(x)
			if !ok {
				return nil, false
			}
			t[i] = y
		}
		return t, true
	}
	return nil, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case float64, json.Number:
		return true
	}
	return false
}

// readsBack tells whether s, once in JSON, reads back as itself with
// yaml.v2: it is UTF-8 (JSON replaces invalid bytes), and holds no character
// that JSON leaves as it is and YAML reads otherwise: DEL, the C1 controls,
// U+FFFE and U+FFFF are refused, NEL is a line break. JSON escapes the C0
// controls, U+2028 and U+2029, and YAML reads the escapes.
func readsBack(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0x7f {
			return false
		}
		if c < utf8.RuneSelf {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9f || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size - 1
	}
	return true
}

// viaJSON returns the value yaml.v2 reads from the JSON of the number x.
func viaJSON(x any) (any, bool) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, false
	}
	var n any
	if err := yamlv2.Unmarshal(b, &n); err != nil {
		return nil, false
	}
	return n, true
}
