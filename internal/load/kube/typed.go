package kube

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fast path of loading: a document's generic YAML tree (as
// go.yaml.in/yaml/v2 decodes it, which sigs.k8s.io/yaml.YAMLToJSON also
// does) is set into the typed object directly, with the rules of the strict
// JSON decoder (sigs.k8s.io/json) that the slow path runs on the tree's JSON:
// case-sensitive field names, JSON's numbers, base64 for []byte, the types'
// own UnmarshalJSON. It gives up (ok false) on anything that is not plainly
// valid (an unknown field, a fraction for an integer, a number for a
// string, a type it does not know), and the caller then takes the slow path,
// which words the error or the strict-validation finding exactly as before.
// TestTypedFastPathMatchesJSON checks that both paths give the same objects.

// setTyped sets v (addressable) from the generic value y; ok is false when
// the fast path cannot decide and the JSON path must.
func setTyped(v reflect.Value, y any) bool {
	t := v.Type()
	if u := unmarshalerOf(t); u != noUnmarshaler {
		return setUnmarshaler(v, y, u)
	}
	if y == nil {
		// JSON's null leaves a value as it is (zero: the object is new) and
		// sets a pointer, map, slice or interface to nil.
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if !setTyped(p.Elem(), y) {
			return false
		}
		v.Set(p)
		return true
	case reflect.Struct:
		return setStruct(v, y)
	case reflect.Slice:
		return setSlice(v, y)
	case reflect.Map:
		return setMap(v, y)
	case reflect.String:
		s, ok := y.(string)
		if !ok || !utf8.ValidString(s) {
			return false
		}
		v.SetString(s)
		return true
	case reflect.Bool:
		b, ok := y.(bool)
		v.SetBool(b)
		return ok
	}
	return setNumber(v, y)
}

// setNumber sets an integer or float64 field from a YAML integer or float.
// Integers outside the field's range, fractions (even whole ones written
// as floats) and float32 fields are left to the JSON path.
func setNumber(v reflect.Value, y any) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := y.(int)
		if !ok || v.OverflowInt(int64(n)) {
			return false
		}
		v.SetInt(int64(n))
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := y.(int)
		if !ok || n < 0 || v.OverflowUint(uint64(n)) {
			return false
		}
		v.SetUint(uint64(n))
		return true
	case reflect.Float64:
		switch n := y.(type) {
		case int:
			v.SetFloat(float64(n))
			return true
		case float64:
			if math.IsInf(n, 0) || math.IsNaN(n) {
				return false // JSON cannot hold it: the JSON path refuses the document
			}
			v.SetFloat(n)
			return true
		}
	}
	return false
}

func setStruct(v reflect.Value, y any) bool {
	m, ok := y.(map[any]any)
	if !ok {
		return false
	}
	fields := fieldsOf(v.Type())
	if fields == nil {
		return false
	}
	for k, val := range m {
		name, ok := k.(string)
		if !ok {
			return false
		}
		idx, ok := fields[name]
		if !ok {
			return false // unknown (or differently cased) field: a strict-validation finding
		}
		f, ok := fieldByIndex(v, idx)
		if !ok || !setTyped(f, val) {
			return false
		}
	}
	return true
}

// fieldByIndex is v.FieldByIndex, allocating embedded pointers on the way
// (fieldsOf refuses types with those, so it only walks embedded values).
func fieldByIndex(v reflect.Value, idx []int) (reflect.Value, bool) {
	for _, i := range idx {
		if v.Kind() == reflect.Pointer {
			return reflect.Value{}, false
		}
		v = v.Field(i)
	}
	return v, true
}

func setSlice(v reflect.Value, y any) bool {
	t := v.Type()
	if t.Elem().Kind() == reflect.Uint8 {
		// []byte is a base64 string in JSON.
		s, ok := y.(string)
		if !ok || t.Elem() != reflect.TypeOf(byte(0)) {
			return false
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return false
		}
		v.SetBytes(b)
		return true
	}
	list, ok := y.([]any)
	if !ok {
		return false
	}
	s := reflect.MakeSlice(t, len(list), len(list))
	for i, el := range list {
		if !setTyped(s.Index(i), el) {
			return false
		}
	}
	v.Set(s)
	return true
}

func setMap(v reflect.Value, y any) bool {
	m, ok := y.(map[any]any)
	t := v.Type()
	if !ok || t.Key().Kind() != reflect.String || implementsText(t.Key()) {
		return false
	}
	out := reflect.MakeMapWithSize(t, len(m))
	// One key and one element, set anew for each entry: SetMapIndex copies them.
	key, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for k, val := range m {
		name, ok := k.(string)
		if !ok || !utf8.ValidString(name) {
			return false
		}
		e.SetZero()
		if !setTyped(e, val) {
			return false
		}
		key.SetString(name)
		out.SetMapIndex(key, e)
	}
	v.Set(out)
	return true
}

type unmarshalerKind int

const (
	noUnmarshaler unmarshalerKind = iota
	jsonUnmarshaler
	textUnmarshaler // not handled: the JSON path decides
)

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	unmarshalers        sync.Map // reflect.Type -> unmarshalerKind
)

// unmarshalerOf says whether the JSON decoder would hand values of t (or of
// what t points to) to a method of the type.
func unmarshalerOf(t reflect.Type) unmarshalerKind {
	if k, ok := unmarshalers.Load(t); ok {
		return k.(unmarshalerKind)
	}
	k := noUnmarshaler
	for tt := t; ; tt = tt.Elem() {
		pt := reflect.PointerTo(tt)
		if tt.Implements(jsonUnmarshalerType) || pt.Implements(jsonUnmarshalerType) {
			k = jsonUnmarshaler
			break
		}
		if tt.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
			k = textUnmarshaler
			break
		}
		if tt.Kind() != reflect.Pointer {
			break
		}
	}
	unmarshalers.Store(t, k)
	return k
}

func implementsText(t reflect.Type) bool {
	return unmarshalerOf(t) != noUnmarshaler
}

// setUnmarshaler hands a scalar, as the JSON of the slow path spells it, to
// the type's UnmarshalJSON. A pointer field and null is left nil, as the
// JSON decoder leaves it.
func setUnmarshaler(v reflect.Value, y any, k unmarshalerKind) bool {
	if k != jsonUnmarshaler {
		return false
	}
	switch n := y.(type) {
	case string:
		if !utf8.ValidString(n) {
			return false
		}
	case int, bool, nil:
	case float64:
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return false
		}
	default:
		return false // a mapping or list: rare, and worded by the JSON path
	}
	for v.Kind() == reflect.Pointer {
		if y == nil {
			return true
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if !v.CanAddr() {
		return false
	}
	u, ok := v.Addr().Interface().(json.Unmarshaler)
	if !ok {
		u, ok = v.Interface().(json.Unmarshaler)
		if !ok {
			return false
		}
	}
	j, err := json.Marshal(y)
	if err != nil {
		return false
	}
	return u.UnmarshalJSON(j) == nil
}

var structFields sync.Map // reflect.Type -> map[string][]int (nil: not handled)

// fieldsOf returns the JSON names of a struct's fields with their index
// paths, embedded structs' fields promoted, as encoding/json names them;
// nil for a type whose fields the fast path does not handle (a name that two
// fields claim, an embedded pointer, the ",string" option, an interface).
func fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := structFields.Load(t); ok {
		return f.(map[string][]int)
	}
	fields := map[string][]int{}
	if !collectFields(t, nil, fields) {
		fields = nil
	}
	structFields.Store(t, fields)
	return fields
}

// collectFields adds t's fields under the index path at; false when two
// fields claim a name (encoding/json's rules for that are not repeated here).
func collectFields(t reflect.Type, at []int, fields map[string][]int) bool {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			return false
		}
		idx := append(append([]int(nil), at...), i)
		if sf.Anonymous && name == "" {
			if sf.Type.Kind() != reflect.Struct || unmarshalerOf(sf.Type) != noUnmarshaler {
				return false
			}
			if !collectFields(sf.Type, idx, fields) {
				return false
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if sf.Type.Kind() == reflect.Interface || sf.Type.Kind() == reflect.Array {
			return false
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := fields[name]; dup {
			return false
		}
		fields[name] = idx
	}
	return true
}

// jsonable converts a generic YAML tree into what sigs.k8s.io/yaml marshals
// into JSON: map keys become strings, as YAMLToJSON writes them.
func jsonable(y any) (any, error) {
	switch t := y.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			ks, err := keyString(k, v)
			if err != nil {
				return nil, err
			}
			if m[ks], err = jsonable(v); err != nil {
				return nil, err
			}
		}
		return m, nil
	case []any:
		l := make([]any, len(t))
		for i, v := range t {
			var err error
			if l[i], err = jsonable(v); err != nil {
				return nil, err
			}
		}
		return l, nil
	}
	return y, nil
}

// keyString spells a YAML map key as sigs.k8s.io/yaml does.
func keyString(k, v any) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", fmt.Errorf("unsupported map key of type: %s, key: %+#v, value: %+#v", reflect.TypeOf(k), k, v)
}

// genericMap converts a YAML document's tree straight into what
// json.Unmarshal makes of the JSON that jsonable and json.Marshal write for
// it (sigs.k8s.io/yaml's YAMLToJSON, then a generic decode): string keys,
// every number a float64. It skips writing and reading that JSON, which
// costs twice the YAML parse for documents of kinds without a Go type. ok
// is false where the round trip could part from a plain copy (keys that are
// not strings, strings that are not UTF-8, numbers JSON cannot hold,
// values of other types); the caller then takes the JSON path, which words
// the error.
func genericMap(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		ks, ok := k.(string)
		if !ok || !utf8.ValidString(ks) {
			return nil, false
		}
		if out[ks], ok = genericValue(v); !ok {
			return nil, false
		}
	}
	return out, true
}

func genericValue(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool:
		return t, true
	case string:
		return t, utf8.ValidString(t)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case float64:
		return t, !math.IsNaN(t) && !math.IsInf(t, 0)
	case map[any]any:
		return genericMap(t)
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			var ok bool
			if l[i], ok = genericValue(e); !ok {
				return nil, false
			}
		}
		return l, true
	}
	return nil, false
}
