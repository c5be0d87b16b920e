package report

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// jsonStream writes a value as json.Encoder does with SetIndent("", "  ")
// and SetEscapeHTML(false), byte for byte, but a piece at a time into a
// buffered writer: the report's structs field by field and its lists
// element by element, each element marshaled on its own with the prefix
// of its depth. A 5,000-workload report never exists whole in memory, once
// compact and once indented, as it does with json.Encoder.
type jsonStream struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONStream(w *bufio.Writer) *jsonStream {
	s := &jsonStream{w: w}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}

// maxStreamDepth bounds how deep the stream walks before it marshals
// whole: the report, its details (Recommend) and their lists.
const maxStreamDepth = 3

// value writes v, whose first line is already indented to depth.
func (s *jsonStream) value(v reflect.Value, depth int) error {
	if depth < maxStreamDepth {
		if v.Kind() == reflect.Slice && v.Len() > 0 && v.Type().Elem().Kind() != reflect.Uint8 && !marshals(v.Type()) {
			return s.list(v, depth)
		}
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			if fields := streamable(v.Type().Elem()); fields != nil {
				return s.object(v.Elem(), fields, depth)
			}
		}
	}
	return s.marshal(v, depth)
}

// marshal writes v with json.Encoder, indented to depth, without the
// newline Encode ends with.
func (s *jsonStream) marshal(v reflect.Value, depth int) error {
	s.buf.Reset()
	s.enc.SetIndent(strings.Repeat("  ", depth), "  ")
	// Addressable as it would be inside the whole value: encoding/json
	// calls pointer-receiver marshalers only then.
	if v.CanAddr() {
		v = v.Addr()
	}
	if err := s.enc.Encode(v.Interface()); err != nil {
		return err
	}
	_, err := s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	return err
}

func (s *jsonStream) list(v reflect.Value, depth int) error {
	s.w.WriteByte('[')
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.newline(depth + 1)
		if err := s.value(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	s.newline(depth)
	return s.w.WriteByte(']')
}

func (s *jsonStream) object(v reflect.Value, fields []jsonField, depth int) error {
	s.w.WriteByte('{')
	n := 0
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && emptyJSON(fv) {
			continue
		}
		if n > 0 {
			s.w.WriteByte(',')
		}
		n++
		s.newline(depth + 1)
		s.w.WriteString(f.key)
		if err := s.value(fv, depth+1); err != nil {
			return err
		}
	}
	if n > 0 {
		s.newline(depth)
	}
	return s.w.WriteByte('}')
}

func (s *jsonStream) newline(depth int) {
	s.w.WriteByte('\n')
	for range depth {
		s.w.WriteString("  ")
	}
}

// jsonField is one struct field as encoding/json writes it: key is its
// quoted name, a colon and a space.
type jsonField struct {
	index     int
	key       string
	omitEmpty bool
}

var streamableTypes sync.Map // reflect.Type -> []jsonField, nil when not streamable

// streamable returns t's fields when the stream can write t field by
// field exactly as encoding/json does: a struct that does not marshal
// itself, whose fields are plain (no embedding, no options but omitempty,
// names that need no escaping). Otherwise it returns nil and t is
// marshaled whole.
func streamable(t reflect.Type) []jsonField {
	if f, ok := streamableTypes.Load(t); ok {
		return f.([]jsonField)
	}
	fields := jsonFields(t)
	streamableTypes.Store(t, fields)
	return fields
}

func jsonFields(t reflect.Type) []jsonField {
	if t.Kind() != reflect.Struct || marshals(t) || marshals(reflect.PointerTo(t)) {
		return nil
	}
	var out []jsonField
	seen := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil
		}
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		if (opts != "" && opts != "omitempty") || !plainName(name) || seen[name] {
			return nil
		}
		seen[name] = true
		out = append(out, jsonField{index: i, key: `"` + name + `": `, omitEmpty: opts == "omitempty"})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// plainName is true for a key encoding/json writes as it is.
func plainName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return s != ""
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func marshals(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || t.Implements(textMarshaler)
}

// emptyJSON is encoding/json's test for omitempty.
func emptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
