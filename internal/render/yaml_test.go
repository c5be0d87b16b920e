package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
)

// sameAsJSONDetour checks that marshalYAML gives, for the object, the bytes
// sigs.k8s.io/yaml gives (the encoding before marshalYAML).
func sameAsJSONDetour(t *testing.T, where string, o *model.Object) {
	t.Helper()
	m, err := Clean(o)
	if err != nil {
		t.Fatal(err)
	}
	want, werr := yaml.Marshal(m)
	got, err := Encode(o, YAML)
	if werr != nil || err != nil {
		if werr == nil || err == nil {
			t.Errorf("%s: error %v, want %v", where, err, werr)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %s: YAML differs from sigs.k8s.io/yaml's\n got:\n%s\nwant:\n%s", where, o.Where(), got, want)
	}
}

// TestMarshalYAMLAsBefore encodes every object of every corpus app and of
// a generated 300-service Compose app both ways.
func TestMarshalYAMLAsBefore(t *testing.T) {
	dir := t.TempDir()
	compose := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(compose, appgen.ComposeGenerate(300, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := []string{compose}
	const corpus = "../../../shared/corpus"
	if entries, err := os.ReadDir(corpus); err != nil {
		t.Logf("corpus not found at %s (../shared/corpus beside the repository): only the generated app is checked", corpus)
	} else {
		for _, e := range entries {
			if e.IsDir() {
				paths = append(paths, filepath.Join(corpus, e.Name()))
			}
		}
	}
	n := 0
	for _, p := range paths {
		app, err := load.Load([]string{p}, load.Options{Seed: 1})
		if err != nil {
			t.Logf("%s: not loaded (%v)", p, err)
			continue
		}
		for _, o := range app.Objects {
			sameAsJSONDetour(t, p, o)
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d objects compared", n)
	}
}

// TestMarshalYAMLTrickyValues compares both encodings on values whose YAML
// form depends on how they read back: strings that look like other types,
// long and multi-line strings, numbers of every shape, invalid UTF-8.
func TestMarshalYAMLTrickyValues(t *testing.T) {
	strs := []string{
		"", " ", "a", "true", "True", "yes", "no", "on", "off", "y", "n", "~", "null", "Null",
		"1", "-1", "+1", "1.5", "1e3", "1E+3", ".5", "0x1F", "0o17", "017", "1_000", "0b101",
		"1:20", "190:20:30", ".inf", "-.Inf", ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
		"a: b", "a #b", "#a", "- a", "? a", "[a]", "{a}", "*a", "&a", "!a", "|a", ">a", "%a", "@a", "`a",
		"'a'", `"a"`, "a'b", `a"b`, "\\", "a\nb", "a\n", "\n", "a\tb", " a", "a ", "é", "日本語",
		"\u2028", "\ufeff", "\x00", "\x01", "\x1f", "\u0085", "\u00a0", "\ufffd",
		"\x7f", "\u0080", "\u009f", "\ufffe", "\uffff", // JSON leaves them, YAML refuses them
		"<>&", "=", "<<", "---", "...",
		strings.Repeat("word ", 40), strings.Repeat("x", 200), "line one\nline two\n\nline four  ",
		"\xff", "a\xc3", // invalid UTF-8: JSON replaces it
	}
	nums := []any{
		int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 0.5, -1.25, 2.0, 1e6, 1e20, 1e21, 1e-6, 1e-7, 1.5e300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, float64(1 << 62), 123456789.125,
		json.Number("1"), json.Number("1.50"), json.Number("1e3"), json.Number("-0"),
		json.Number("123456789012345678901234567890"),
	}
	// Keys with digits only in a fixed-width suffix: yaml.v2 orders keys
	// with digits "naturally", and not transitively ("0x1F", "1e3",
	// "1_000"), so that their order follows Go's map order in both
	// encodings.
	var list []any
	obj := map[string]any{}
	for i, s := range strs {
		obj[fmt.Sprintf("s%03d", i)] = s
		if !strings.ContainsAny(s, "0123456789") {
			obj[s] = []any{s, map[string]any{s: nil}}
		}
		list = append(list, s)
	}
	for i, n := range nums {
		obj[fmt.Sprintf("n%03d", i)] = n
		list = append(list, n, []any{n})
	}
	obj["list"] = list
	obj["empty"] = map[string]any{}
	obj["none"] = []any{}
	obj["nested"] = map[string]any{"b": true, "f": false, "z": nil, "a10": int64(1), "a2": int64(2), "A": "x", "_": "y", "10": "n", "9": "m"}
	for _, tc := range []struct {
		name string
		obj  map[string]any
	}{
		{"all", obj},
		{"what reads back", withoutInvalid(obj)},
	} {
		o := &model.Object{Obj: &unstructured.Unstructured{Object: tc.obj}}
		sameAsJSONDetour(t, tc.name, o)
	}
	if _, ok := jsonNative(withoutInvalid(obj)); !ok {
		t.Error("the valid UTF-8 values took the JSON detour: the direct path is not tested")
	}
}

// withoutInvalid is a deep copy of v without the strings and keys that do
// not read back from JSON as themselves.
func withoutInvalid(v any) map[string]any {
	var walk func(any) (any, bool)
	walk = func(v any) (any, bool) {
		switch t := v.(type) {
		case string:
			return t, readsBack(t)
		case map[string]any:
			out := map[string]any{}
			for k, x := range t {
				if !readsBack(k) {
					continue
				}
				if y, ok := walk(x); ok {
					out[k] = y
				}
			}
			return out, true
		case []any:
			var out []any
			for _, x := range t {
				if y, ok := walk(x); ok {
					out = append(out, y)
				}
			}
			if out == nil {
				out = []any{}
			}
			return out, true
		}
		return v, true
	}
	out, _ := walk(v)
	return out.(map[string]any)
}

// TestEncodeAllFirstError: with several objects that cannot be encoded (a
// NaN has no JSON form), the error names the first of them in order, as
// encoding one after the other did, and a stream writes nothing.
func TestEncodeAllFirstError(t *testing.T) {
	var objs []*model.Object
	for i := 0; i < 50; i++ {
		spec := map[string]any{"v": int64(i)}
		if i == 17 || i == 40 {
			spec["v"] = math.NaN()
		}
		objs = append(objs, &model.Object{Obj: &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.com/v1", "kind": "Thing",
			"metadata": map[string]any{"name": fmt.Sprintf("t%d", i)}, "spec": spec,
		}}})
	}
	for _, f := range []Format{YAML, JSON} {
		var buf bytes.Buffer
		err := Stream(&buf, objs, f)
		if err == nil || !strings.Contains(err.Error(), "Thing/t17") {
			t.Errorf("%s: error %v, want one naming Thing/t17", f, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the error", f, buf.Len())
		}
	}
	objs[17].Obj.(*unstructured.Unstructured).Object["spec"] = map[string]any{"v": 0.5}
	objs[40].Obj.(*unstructured.Unstructured).Object["spec"] = map[string]any{"v": 1e21}
	docs, err := EncodeAll(objs, YAML)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{0: "v: 0", 17: "v: 0.5", 40: "v: 1e+21", 49: "v: 49"} {
		if !strings.Contains(string(docs[i]), want+"\n") {
			t.Errorf("object %d: want %q in\n%s", i, want, docs[i])
		}
	}
}
