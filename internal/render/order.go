package render

import (
	"encoding/json"
	"fmt"
	"sort"
	"unicode"

	yamlv2 "go.yaml.in/yaml/v2"
)

// MarshalYAML is sigs.k8s.io/yaml.Marshal (v to JSON, read back by yaml.v2,
// written by yaml.v2) with the keys of every map in a fixed order. yaml.v2
// sorts a map's keys with a comparison that mixes text and numbers ("a9"
// before "a10") and is not a consistent order for some keys ("0x1F", "1e3",
// "1_000"), so that, sorting keys it takes in Go's random map order, it can
// write the same object two ways. ordered gives it each map as a list of
// keys already in its order, sorted stably from a fixed start.
func MarshalYAML(v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("error marshaling into JSON: %w", err)
	}
	var back any
	if err := yamlv2.Unmarshal(j, &back); err != nil {
		return nil, err
	}
	return yamlv2.Marshal(ordered(back))
}

// ordered returns v with each map (of string keys, as maps read from JSON
// have) replaced by a yaml.MapSlice in yaml.v2's key order.
func ordered(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		return slice(keys, func(k string) any { return t[k] })
	case map[any]any:
		keys := make([]string, 0, len(t))
		byName := make(map[string]any, len(t))
		for k := range t {
			s := fmt.Sprint(k)
			keys = append(keys, s)
			byName[s] = k
		}
		return slice(keys, func(k string) any { return t[byName[k]] })
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = ordered(x)
		}
		return out
	}
	return v
}

func slice(keys []string, get func(string) any) yamlv2.MapSlice {
	sort.Strings(keys)
	sort.SliceStable(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	out := make(yamlv2.MapSlice, len(keys))
	for i, k := range keys {
		out[i] = yamlv2.MapItem{Key: k, Value: ordered(get(k))}
	}
	return out
}

// keyLess is yaml.v2's order of two string keys: rune by rune; at the first
// difference a letter goes after anything else unless both are letters, and
// runs of digits compare as numbers (then the shorter run first).
func keyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		return digitsLess(ar, br, i)
	}
	return len(ar) < len(br)
}

// digitsLess compares a and b at their first difference i, where neither
// is a letter, by the numbers the digit runs from i spell (a run that
// continues nonzero digits before i, when either has a '0' at i, counts
// from 1, as yaml.v2 counts it).
func digitsLess(ar, br []rune, i int) bool {
	var an, bn int64
	if ar[i] == '0' || br[i] == '0' {
		for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
			if ar[j] != '0' {
				an, bn = 1, 1
				break
			}
		}
	}
	ai, bi := i, i
	for ; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
		an = an*10 + int64(ar[ai]-'0')
	}
	for ; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
		bn = bn*10 + int64(br[bi]-'0')
	}
	if an != bn {
		return an < bn
	}
	if ai != bi {
		return ai < bi
	}
	return ar[i] < br[i]
}
