package render

import (
	"bytes"
	"testing"

	"sigs.k8s.io/yaml"
)

// Keys on which yaml.v2's order is not consistent: sorting them from Go's
// random map order wrote one ConfigMap two ways in 30 runs of convert.
var trickyKeys = []string{"0x1F", "1e3", "1_000", "10", "9", "a1", "a01", "a-1", "a_1", "A1", "_x", "x.0", "x/1",
	"0", "00", "007", "1.5", "99999999999999999999", "b", "B", "é1", "ñ", "-", "a10", "a9"}

func trickyObject() map[string]any {
	data := map[string]any{}
	for _, k := range trickyKeys {
		data[k] = "v" + k
	}
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"},
		"data": data, "list": []any{map[string]any{"z1": 1, "z01": 2, "z_1": 3}}}
}

func TestMarshalYAMLDeterministic(t *testing.T) {
	first, err := marshalYAML(trickyObject())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		got, err := marshalYAML(trickyObject())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("run %d wrote the object differently:\n%s\nvs\n%s", i, got, first)
		}
		detour, err := MarshalYAML(trickyObject())
		if err != nil || !bytes.Equal(detour, first) {
			t.Fatalf("the JSON route wrote (%v):\n%s\nvs\n%s", err, detour, first)
		}
	}
}

// Where yaml.v2's order is consistent, the bytes are sigs.k8s.io/yaml's.
func TestMarshalYAMLKeepsYAMLv2Order(t *testing.T) {
	m := map[string]any{"port80": 1, "port443": 2, "port8080": 3, "a.b/c": 4, "a-b": 5, "ab": 6, "Zeta": 7,
		"alpha": 8, "k9": map[string]any{"x10": true, "x9": false, "x": nil}}
	want, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if got, err := marshalYAML(m); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("marshalYAML (%v):\n%s\nwant sigs.k8s.io/yaml's:\n%s", err, got, want)
		}
	}
}
