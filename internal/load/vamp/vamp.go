package vamp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

// ClusterLabel is the pod label naming the Vamp cluster a workload belongs
// to; the cluster's Service selects it.
const ClusterLabel = "rightsize.io/vamp-cluster"

// doc is one YAML document and where it came from.
type doc struct {
	file string
	m    map[string]any
}

// Load reads Vamp artifacts at paths (files of one or more documents, or
// directories of them) together, as Vamp holds them: breeds, scales and
// gateways by name, and the blueprints and deployments that use them.
func Load(paths ...string) ([]*model.Object, []model.Finding, error) {
	var docs []doc
	for _, path := range paths {
		files, err := yamlFiles(path)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			data, err := limit.ReadFile(f, limit.DefaultInput)
			if err != nil {
				return nil, nil, fmt.Errorf("reading %s: %w", f, err)
			}
			ds, err := parse(f, data)
			if err != nil {
				return nil, nil, err
			}
			docs = append(docs, ds...)
		}
	}
	return Convert(docs)
}

func yamlFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yml" || ext == ".yaml") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .yml or .yaml files", path)
	}
	return files, nil
}

// parse splits a file into its YAML documents.
func parse(file string, data []byte) ([]doc, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []doc
	for i := 0; ; i++ {
		chunk, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(chunk, &m); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		if m != nil {
			docs = append(docs, doc{file, m})
		}
	}
	return docs, nil
}

// ParseBytes reads one file's documents and converts them; for tests and fuzzing.
func ParseBytes(file string, data []byte) ([]*model.Object, []model.Finding, error) {
	docs, err := parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		// Found by FuzzBlueprint: the error named no file.
		return nil, nil, fmt.Errorf("%s: no blueprint or deployment (a document with clusters:)", file)
	}
	return Convert(docs)
}

type breed struct {
	name        string
	image       string
	ports       []port
	env         map[string]string
	deps        map[string]string // alias -> breed name
	field       string            // where it is defined, for messages
	file        string
	unsupported []string
}

type port struct {
	name   string
	number int32
	http   bool
}

type conv struct {
	set *workload.Set
	// defs are the breed definitions by name (kind: breed documents and
	// breeds defined inline), parsed when a service uses them: a breed only a
	// workflow uses (a JavaScript deployable) is never read.
	defs   map[string]doc
	breeds map[string]*breed
	scales map[string]map[string]any
	names  workload.Namer
	units  map[string]*unit
}

func docs0(docs []doc) string {
	if len(docs) == 0 {
		return "input"
	}
	return docs[0].file
}

func mapping(v any, file, field string) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s: want a mapping, got %s", file, field, typeName(v))
	}
	return m, nil
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case int, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// breed reads a breed definition at field.
func (c *conv) breed(file, field string, m map[string]any) (*breed, error) {
	b := &breed{env: map[string]string{}, deps: map[string]string{}, field: field, file: file}
	name, ok := m["name"].(string)
	if !ok || name == "" {
		return nil, fmt.Errorf("%s: %s.name: missing", file, field)
	}
	b.name = name
	switch d := m["deployable"].(type) {
	case string:
		b.image = d
	case map[string]any:
		t, _ := d["type"].(string)
		def, _ := d["definition"].(string)
		if t != "" && t != "docker" && t != "container/docker" {
			return nil, fmt.Errorf("%s: %s.deployable.type: %q is not a container image", file, field, t)
		}
		b.image = def
	case nil:
		return nil, fmt.Errorf("%s: %s.deployable: missing", file, field)
	default:
		return nil, fmt.Errorf("%s: %s.deployable: want an image, got %s", file, field, typeName(d))
	}
	b.image = strings.TrimPrefix(b.image, "docker://")
	if b.image == "" {
		return nil, fmt.Errorf("%s: %s.deployable: empty image", file, field)
	}
	ports, err := breedPorts(m, file, field)
	if err != nil {
		return nil, err
	}
	b.ports = ports
	env, err := envOf(m, file, field)
	if err != nil {
		return nil, err
	}
	for _, k := range workload.SortedKeys(env) {
		s, ok := scalar(env[k])
		if !ok && env[k] != nil {
			return nil, fmt.Errorf("%s: %s.environment_variables.%s: want a value, got %s", file, field, k, typeName(env[k]))
		}
		b.env[k] = s
	}
	deps, err := mapping(m["dependencies"], file, field+".dependencies")
	if err != nil {
		return nil, err
	}
	for _, alias := range workload.SortedKeys(deps) {
		switch d := deps[alias].(type) {
		case string:
			b.deps[alias] = d
		case map[string]any:
			if ref := refName(d); ref != "" {
				b.deps[alias] = ref
				break
			}
			inner, err := c.breed(file, field+".dependencies."+alias, d)
			if err != nil {
				return nil, err
			}
			if _, ok := c.breeds[inner.name]; !ok {
				c.breeds[inner.name] = inner
			}
			b.deps[alias] = inner.name
		default:
			return nil, fmt.Errorf("%s: %s.dependencies.%s: want a breed name, got %s", file, field, alias, typeName(d))
		}
	}
	for _, k := range workload.SortedKeys(m) {
		switch k {
		case "name", "kind", "deployable", "ports", "environment_variables", "env", "dependencies":
		default:
			b.unsupported = append(b.unsupported, k)
		}
	}
	return b, nil
}

// breedPorts reads a breed's ports: NAME: PORT[/http|/tcp], or one port.
func breedPorts(m map[string]any, file, field string) ([]port, error) {
	var out []port
	if p, ok := m["ports"].(string); ok { // one port: "8080/http"
		m = withKey(m, "ports", map[string]any{"port": p})
	}
	ports, err := mapping(m["ports"], file, field+".ports")
	if err != nil {
		return nil, err
	}
	for _, pn := range workload.SortedKeys(ports) {
		s, ok := scalar(ports[pn])
		if !ok {
			return nil, fmt.Errorf("%s: %s.ports.%s: want PORT or PORT/http, got %s", file, field, pn, typeName(ports[pn]))
		}
		num, proto, _ := strings.Cut(s, "/")
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("%s: %s.ports.%s: invalid port %q", file, field, pn, s)
		}
		out = append(out, port{name: pn, number: int32(n), http: proto == "http"})
	}
	return out, nil
}

var reMemory = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$`)

// memory reads a Vamp memory size: MB (the default), GB or KB, counted in
// binary units as Vamp does (1 MB = 1024 KB), so 64MB is 64Mi.
func memory(v any) (resource.Quantity, error) {
	s, ok := scalar(v)
	if !ok {
		return resource.Quantity{}, fmt.Errorf("want a size such as 64MB, got %s", typeName(v))
	}
	m := reMemory.FindStringSubmatch(s)
	if m == nil {
		return resource.Quantity{}, fmt.Errorf("want a size such as 64MB, got %q", s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("want a size such as 64MB, got %q", s)
	}
	var mult float64
	switch strings.ToUpper(m[2]) {
	case "", "M", "MB", "MI", "MIB":
		mult = 1 << 20
	case "G", "GB", "GI", "GIB":
		mult = 1 << 30
	case "K", "KB", "KI", "KIB":
		mult = 1 << 10
	default:
		return resource.Quantity{}, fmt.Errorf("unknown unit %q in %q (want KB, MB or GB)", m[2], s)
	}
	if n <= 0 || n*mult > 1<<50 {
		return resource.Quantity{}, fmt.Errorf("size %q out of range", s)
	}
	return workload.Memory(int64(n * mult)), nil
}

// portName makes a breed's port name a valid IANA service name.
func portName(n string) string {
	s := workload.Sanitize(n)
	if len(s) > 15 {
		s = strings.TrimRight(s[:15], "-")
	}
	return s
}

func (c *conv) scale(file string, s *service, w *workload.Workload, ctr *corev1.Container) error {
	if s.scale == nil {
		c.set.Finding(model.Info, "resources", "Deployment/"+w.Name, "no scale: no requests or limits, one instance")
		return nil
	}
	f := s.field + ".scale"
	req, lim := corev1.ResourceList{}, corev1.ResourceList{}
	if v, ok := s.scale["cpu"]; ok {
		str, _ := scalar(v)
		cores, err := strconv.ParseFloat(str, 64)
		if err != nil || cores <= 0 || cores > 1e6 {
			return fmt.Errorf("%s: %s.cpu: want a number of cores, got %v", file, f, v)
		}
		req[corev1.ResourceCPU] = workload.CPU(cores)
	}
	if v, ok := s.scale["memory"]; ok {
		q, err := memory(v)
		if err != nil {
			return fmt.Errorf("%s: %s.memory: %w", file, f, err)
		}
		req[corev1.ResourceMemory] = q
		lim[corev1.ResourceMemory] = q.DeepCopy()
	}
	if v, ok := s.scale["instances"]; ok {
		str, _ := scalar(v)
		n, err := strconv.Atoi(str)
		if err != nil || n < 0 || n > 1e6 {
			return fmt.Errorf("%s: %s.instances: want a number of instances, got %v", file, f, v)
		}
		w.Replicas = int32(n)
	}
	if len(req) > 0 {
		ctr.Resources.Requests = req
	}
	if len(lim) > 0 {
		ctr.Resources.Limits = lim
	}
	c.set.Finding(model.Info, "resources", "Deployment/"+w.Name, "scale: cpu and memory become requests, memory also the limit (as Vamp's Marathon and Kubernetes drivers reserve them); MB counted as MiB")
	return nil
}
