package rancher

import (
	"bytes"
	"encoding/json"
	"fmt"

	yaml "go.yaml.in/yaml/v4"
)

// unmarshal decodes YAML with YAML 1.2 scalars: only true and false are
// booleans, so that a question or service named n, y, yes, no, on or off
// keeps its name (YAML 1.1, as sigs.k8s.io/yaml reads it, makes it "false"
// or "true", and two such keys overwrite each other).
func unmarshal(data []byte, v any) error {
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return err
	}
	plain, err := jsonable(raw, "")
	if err != nil {
		return err
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return err
	}
	return decodeJSON(b, v)
}

// decodeJSON keeps numbers as written (json.Number), not as float64.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// jsonable turns the maps the YAML decoder returns into map[string]any,
// naming the path of a key that is not a string or a number.
func jsonable(v any, path string) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			c, err := jsonable(x, join(path, k))
			if err != nil {
				return nil, err
			}
			t[k] = c
		}
		return t, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			var ks string
			switch kk := k.(type) {
			case string:
				ks = kk
			case int, int64, uint64, float64, bool:
				ks = fmt.Sprint(kk)
			default:
				return nil, fmt.Errorf("%s: a mapping key must be a string, got %T", join(path, "?"), k)
			}
			c, err := jsonable(x, join(path, ks))
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	case []any:
		for i, x := range t {
			c, err := jsonable(x, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			t[i] = c
		}
		return t, nil
	}
	return v, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
