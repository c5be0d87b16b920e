package kustomize

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// canon returns the object as Kubernetes reads it, so that two spellings of
// the same object compare equal: kinds the client-go scheme knows go through
// their Go type (quantities in canonical form, unknown fields dropped), then
// null values and empty maps and lists are removed at every level, and
// numbers become float64 as encoding/json decodes them.
func canon(m map[string]any) (map[string]any, error) {
	out := m
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if gv, err := schema.ParseGroupVersion(apiVersion); err == nil && kind != "" {
		if typed, err := scheme.Scheme.New(gv.WithKind(kind)); err == nil {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, typed); err == nil {
				if u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed); err == nil {
					out = u
					out["apiVersion"], out["kind"] = apiVersion, kind
				}
			}
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, name(m), err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, name(m), err)
	}
	dropEmpty(v)
	return v, nil
}

// dropEmpty removes nulls and empty maps and lists from map members,
// recursively (list elements stay, so that indexes are kept). A status the
// cluster writes is dropped too.
func dropEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		for k, x := range t {
			if dropEmpty(x) || (k == "creationTimestamp" && x == nil) {
				delete(t, k)
			}
		}
		return len(t) == 0
	case []any:
		for _, x := range t {
			dropEmpty(x)
		}
		return len(t) == 0
	}
	return false
}

func name(m map[string]any) string {
	md, _ := m["metadata"].(map[string]any)
	n, _ := md["name"].(string)
	return n
}

func namespace(m map[string]any) string {
	md, _ := m["metadata"].(map[string]any)
	n, _ := md["namespace"].(string)
	return n
}

// op is one JSON 6902 operation.
type op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// diff returns the operations that turn a into b, in a stable order. Lists
// of the same length are compared element by element; a list that only
// grows gets its new elements appended; any other list is replaced whole.
func diff(path string, a, b any) []op {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range at {
			keys[k] = true
		}
		for k := range bt {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var ops []op
		for _, k := range sorted {
			p := path + "/" + escape(k)
			av, ina := at[k]
			bv, inb := bt[k]
			switch {
			case ina && !inb:
				ops = append(ops, op{Op: "remove", Path: p})
			case !ina && inb:
				ops = append(ops, op{Op: "add", Path: p, Value: bv})
			default:
				ops = append(ops, diff(p, av, bv)...)
			}
		}
		return ops
	case []any:
		bt, ok := b.([]any)
		if !ok || len(bt) < len(at) {
			break
		}
		if len(bt) == len(at) {
			var ops []op
			for i := range at {
				ops = append(ops, diff(path+"/"+strconv.Itoa(i), at[i], bt[i])...)
			}
			return ops
		}
		if reflect.DeepEqual(at, bt[:len(at)]) {
			var ops []op
			for _, x := range bt[len(at):] {
				ops = append(ops, op{Op: "add", Path: path + "/-", Value: x})
			}
			return ops
		}
	}
	return []op{{Op: "replace", Path: path, Value: b}}
}

// escape escapes a map key for a JSON pointer (RFC 6901).
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
