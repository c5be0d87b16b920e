package target

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
)

// Default is the plan used when no target is given.
const Default = "sandbox"

//go:embed plans/*.yaml
var plans embed.FS

// Names lists the built-in plans, sorted.
func Names() []string {
	entries, _ := plans.ReadDir("plans")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Builtins returns every built-in plan, sorted by name.
func Builtins() []*model.Target {
	var out []*model.Target
	for _, n := range Names() {
		t, err := builtin(n)
		if err != nil {
			// The plans are part of the binary and tested; a bad one is a bug.
			panic(err)
		}
		out = append(out, t)
	}
	return out
}

func builtin(name string) (*model.Target, error) {
	data, err := plans.ReadFile(path.Join("plans", name+".yaml"))
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, name)
	if err != nil {
		return nil, err
	}
	t.Description = description(data)
	return t, nil
}

// description is the plan file's leading comment, joined into one paragraph.
func description(data []byte) string {
	var parts []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		parts = append(parts, strings.TrimSpace(strings.TrimPrefix(line, "#")))
	}
	return strings.Join(parts, " ")
}

// Load returns the built-in plan called nameOrFile, or reads the file of that
// name when no plan has it.
func Load(nameOrFile string) (*model.Target, error) {
	if nameOrFile == "" {
		nameOrFile = Default
	}
	for _, n := range Names() {
		if n == nameOrFile {
			return builtin(n)
		}
	}
	if strings.HasPrefix(nameOrFile, "cluster:") {
		return nil, fmt.Errorf("target %s: reading live targets from a cluster is not supported yet; export the namespace's ResourceQuota and LimitRange objects with 'kubectl get resourcequota,limitrange -o yaml' and pass the file", nameOrFile)
	}
	data, err := limit.ReadFile(nameOrFile, limit.DefaultInput)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(nameOrFile, "/.") {
			return nil, fmt.Errorf("target %q is neither a built-in plan (%s) nor a file", nameOrFile, strings.Join(Names(), ", "))
		}
		return nil, fmt.Errorf("reading target %s: %w", nameOrFile, err)
	}
	return Parse(data, nameOrFile)
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Items      []any  `json:"items"`
}

// Parse reads a target from YAML or JSON documents holding ResourceQuota,
// LimitRange, Node and Namespace objects (or a List of them).
func Parse(data []byte, name string) (*model.Target, error) {
	t := &model.Target{Name: name}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for doc := 1; ; doc++ {
		var raw map[string]any
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s (document %d): %w", name, doc, err)
		}
		if raw == nil {
			continue
		}
		if err := addRaw(t, raw, fmt.Sprintf("%s (document %d)", name, doc)); err != nil {
			return nil, err
		}
	}
	if err := validate(t, name); err != nil {
		return nil, err
	}
	if len(t.Quotas) == 0 && len(t.LimitRanges) == 0 && len(t.Nodes) == 0 {
		return nil, fmt.Errorf("%s: no ResourceQuota, LimitRange or Node objects: a target file holds the objects that constrain a namespace", name)
	}
	namespaces := map[string]bool{}
	for _, q := range t.Quotas {
		namespaces[q.Namespace] = true
	}
	for _, l := range t.LimitRanges {
		namespaces[l.Namespace] = true
	}
	if len(namespaces) > 1 {
		return nil, fmt.Errorf("%s: quota and limit range objects name more than one namespace", name)
	}
	for ns := range namespaces {
		if ns != "" {
			t.Namespace = ns
		}
	}
	return t, nil
}

func addRaw(t *model.Target, raw map[string]any, where string) error {
	data, err := yaml.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	var tm typeMeta
	_ = yaml.Unmarshal(data, &tm)
	switch {
	case tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List"):
		for i, it := range tm.Items {
			m, ok := it.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: items[%d]: not an object", where, i)
			}
			if err := addRaw(t, m, fmt.Sprintf("%s items[%d]", where, i)); err != nil {
				return err
			}
		}
		return nil
	case tm.APIVersion != "v1":
		return fmt.Errorf("%s: %s: apiVersion %q: a target holds core v1 objects (ResourceQuota, LimitRange, Node)", where, tm.Kind, tm.APIVersion)
	}
	if err := checkQuantities(tm.Kind, raw); err != nil {
		return fmt.Errorf("%s: %s/%s: %w", where, tm.Kind, rawName(raw), err)
	}
	switch tm.Kind {
	case "ResourceQuota":
		var q corev1.ResourceQuota
		if err := yaml.UnmarshalStrict(data, &q); err != nil {
			return fmt.Errorf("%s: ResourceQuota: %w", where, err)
		}
		t.Quotas = append(t.Quotas, &q)
	case "LimitRange":
		var l corev1.LimitRange
		if err := yaml.UnmarshalStrict(data, &l); err != nil {
			return fmt.Errorf("%s: LimitRange: %w", where, err)
		}
		t.LimitRanges = append(t.LimitRanges, &l)
	case "Node":
		var n corev1.Node
		if err := yaml.UnmarshalStrict(data, &n); err != nil {
			return fmt.Errorf("%s: Node: %w", where, err)
		}
		if _, ok := n.Status.Allocatable[corev1.ResourceCPU]; !ok {
			n.Status.Allocatable = n.Status.Capacity.DeepCopy()
		}
		t.Nodes = append(t.Nodes, &n)
	case "Namespace":
		// Tells the namespace; nothing to charge.
	default:
		return fmt.Errorf("%s: kind %q: a target holds ResourceQuota, LimitRange and Node objects", where, tm.Kind)
	}
	return nil
}

// Summary is a one-line statement of a target's main limits, for `plans`.
func Summary(t *model.Target) string {
	var parts []string
	for _, q := range t.Quotas {
		keys := make([]string, 0, len(q.Spec.Hard))
		for k := range q.Spec.Hard {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := q.Spec.Hard[corev1.ResourceName(k)]
			parts = append(parts, k+"="+v.String())
		}
	}
	for _, n := range t.Nodes {
		a := n.Status.Allocatable
		parts = append(parts, fmt.Sprintf("node %s: cpu=%s memory=%s", n.Name, qstr(a, corev1.ResourceCPU), qstr(a, corev1.ResourceMemory)))
	}
	return strings.Join(parts, ", ")
}

func qstr(l corev1.ResourceList, n corev1.ResourceName) string {
	q, ok := l[n]
	if !ok {
		return "-"
	}
	return q.String()
}

// validate refuses negative quota, limit range and node values, as the API
// server does, naming the object and field.
func validate(t *model.Target, name string) error {
	for _, q := range t.Quotas {
		if errs := model.Validate(q); len(errs) > 0 {
			return fmt.Errorf("%s: ResourceQuota/%s: %v", name, q.Name, errs[0])
		}
	}
	for _, l := range t.LimitRanges {
		if errs := model.Validate(l); len(errs) > 0 {
			return fmt.Errorf("%s: LimitRange/%s: %v", name, l.Name, errs[0])
		}
	}
	for _, n := range t.Nodes {
		for _, list := range []struct {
			field string
			l     corev1.ResourceList
		}{{"status.capacity", n.Status.Capacity}, {"status.allocatable", n.Status.Allocatable}} {
			for k, v := range list.l {
				if v.Sign() < 0 {
					return fmt.Errorf("%s: Node/%s: %s[%s]: Invalid value: %q: must be greater than or equal to 0", name, n.Name, list.field, k, v.String())
				}
			}
		}
	}
	return nil
}

// checkQuantities names the field of a value that is not a quantity, which
// the typed decoder refuses without saying where.
func checkQuantities(kind string, raw map[string]any) error {
	check := func(m any, path string) error {
		list, _ := m.(map[string]any)
		for _, k := range sortedKeys(list) {
			var s string
			switch t := list[k].(type) {
			case string:
				s = t
			case float64:
				s = strconv.FormatFloat(t, 'f', -1, 64)
			case int64:
				s = strconv.FormatInt(t, 10)
			default:
				return fmt.Errorf("%s[%s]: invalid quantity: want a string or number, got %T", path, k, t)
			}
			if _, err := resource.ParseQuantity(s); err != nil {
				return fmt.Errorf("%s[%s]: invalid quantity %q: %v", path, k, shorten(s), err)
			}
		}
		return nil
	}
	spec, _ := raw["spec"].(map[string]any)
	switch kind {
	case "ResourceQuota":
		return check(spec["hard"], "spec.hard")
	case "LimitRange":
		items, _ := spec["limits"].([]any)
		for i, it := range items {
			m, _ := it.(map[string]any)
			for _, f := range []string{"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"} {
				if err := check(m[f], fmt.Sprintf("spec.limits[%d].%s", i, f)); err != nil {
					return err
				}
			}
		}
	case "Node":
		st, _ := raw["status"].(map[string]any)
		for _, f := range []string{"capacity", "allocatable"} {
			if err := check(st[f], "status."+f); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func rawName(raw map[string]any) string {
	md, _ := raw["metadata"].(map[string]any)
	n, _ := md["name"].(string)
	return n
}

func shorten(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
