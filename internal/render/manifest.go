package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/par"
)

// Format is a manifest encoding.
type Format string

const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// ParseFormat accepts "yaml" (or "yml") and "json".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "yaml", "yml":
		return YAML, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("output format %q: want yaml or json", s)
}

// Ext is the file extension for the format, with its dot.
func (f Format) Ext() string {
	if f == JSON {
		return ".json"
	}
	return ".yaml"
}

// Clean returns the object as a plain map, ready to encode: apiVersion and
// kind set, and the noise that typed objects carry when marshalled
// (creationTimestamp: null, empty status) removed at every level, so that a
// pod template or a volumeClaimTemplate does not carry them either.
func Clean(o *model.Object) (map[string]any, error) {
	var m map[string]any
	if u, ok := o.Obj.(*unstructured.Unstructured); ok {
		m = runtime.DeepCopyJSON(u.Object)
	} else {
		var err error
		m, err = runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding: %w", o.Where(), err)
		}
	}
	gvk := o.GVK()
	if gvk.Kind != "" {
		m["apiVersion"] = gvk.GroupVersion().String()
		m["kind"] = gvk.Kind
	}
	// Status is the cluster's to write; a typed object's zero counters (a
	// DaemonSet's numberReady: 0) are noise in a manifest.
	if st, ok := m["status"]; ok && zeroValued(st) {
		delete(m, "status")
	}
	prune(m)
	return m, nil
}

// prune removes, recursively, "creationTimestamp": null and any "status"
// whose value holds nothing but empty maps and lists.
func prune(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			prune(x)
			switch {
			case k == "creationTimestamp" && x == nil:
				delete(t, k)
			case k == "status" && empty(x):
				delete(t, k)
			}
		}
	case []any:
		for _, x := range t {
			prune(x)
		}
	}
}

func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, x := range t {
			if !empty(x) {
				return false
			}
		}
		return true
	case []any:
		return len(t) == 0
	}
	return false
}

// Encode returns one object in the format, ending in a newline.
func Encode(o *model.Object, f Format) ([]byte, error) {
	m, err := Clean(o)
	if err != nil {
		return nil, err
	}
	if f == JSON {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			return nil, fmt.Errorf("%s: encoding: %w", o.Where(), err)
		}
		return buf.Bytes(), nil
	}
	b, err := marshalYAML(m)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding: %w", o.Where(), err)
	}
	return b, nil
}

// Stream writes every object to w: YAML documents separated by "---", or
// JSON objects one after another (kubectl reads both).
func Stream(w io.Writer, objs []*model.Object, f Format) error {
	docs, err := EncodeAll(objs, f)
	if err != nil {
		return err
	}
	size := 0
	for _, b := range docs {
		size += len(b) + len("---\n")
	}
	buf := make([]byte, 0, size)
	for i, b := range docs {
		if f == YAML && i > 0 {
			buf = append(buf, "---\n"...)
		}
		buf = append(buf, b...)
	}
	_, err = w.Write(buf)
	return err
}

// EncodeAll encodes every object, as Encode does, on every CPU; the error
// is the one of the first object in order that fails.
func EncodeAll(objs []*model.Object, f Format) ([][]byte, error) {
	out := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	par.Each(len(objs), 2, func(i int) { out[i], errs[i] = Encode(objs[i], f) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9.-]+`)

// maxFileName bounds a file name well under the 255 bytes most file
// systems allow: an object name may have 253 characters, and a custom
// resource's kind is as long as its author wants.
const maxFileName = 120

// FileName names the i-th object's file (i counts from 0):
// "0001-deployment-web.yaml". The index keeps apply order and makes names
// unique even for objects of the same kind and name in two namespaces. A
// name too long for a file system is shortened and ends in a hash of the
// whole kind and name, so that two long names stay apart.
func FileName(i int, o *model.Object, f Format) string {
	name := unsafeName.ReplaceAllString(strings.ToLower(o.Name()), "-")
	kind := unsafeName.ReplaceAllString(strings.ToLower(o.Kind()), "-")
	if name == "" {
		name = "unnamed"
	}
	base := fmt.Sprintf("%04d-%s-%s", i+1, kind, name)
	if len(base)+len(f.Ext()) > maxFileName {
		sum := sha256.Sum256([]byte(o.Kind() + "/" + o.Name()))
		suffix := "-" + hex.EncodeToString(sum[:])[:12]
		base = base[:maxFileName-len(f.Ext())-len(suffix)] + suffix
	}
	return base + f.Ext()
}

// zeroValued is true when every leaf of v is a zero value.
func zeroValued(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, x := range t {
			if !zeroValued(x) {
				return false
			}
		}
		return true
	case []any:
		return len(t) == 0
	case string:
		return t == ""
	case bool:
		return !t
	case int64:
		return t == 0
	case float64:
		return t == 0
	}
	return false
}
