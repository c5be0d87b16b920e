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
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
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

// Load reads the blueprint at path: a file (several documents allowed) or a
// directory of YAML files. Breeds and scales named by a blueprint are looked
// up in every document read.
func Load(path string) ([]*model.Object, []model.Finding, error) {
	files, err := yamlFiles(path)
	if err != nil {
		return nil, nil, err
	}
	var docs []doc
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
	set    *workload.Set
	breeds map[string]*breed
	scales map[string]map[string]any
	// where each breed is deployed: breed name -> cluster Service name
	deployed map[string]string
	clusters workload.Namer
}

// Convert turns parsed documents into objects.
func Convert(docs []doc) ([]*model.Object, []model.Finding, error) {
	c := &conv{breeds: map[string]*breed{}, scales: map[string]map[string]any{}, deployed: map[string]string{}, clusters: workload.Namer{What: "cluster"}}
	var blueprints []doc
	for _, d := range docs {
		kind, _ := d.m["kind"].(string)
		name, _ := d.m["name"].(string)
		switch {
		case d.m["clusters"] != nil:
			blueprints = append(blueprints, d)
		case kind == "breed" || kind == "breeds":
			b, err := c.breed(d.file, "breed", d.m)
			if err != nil {
				return nil, nil, err
			}
			c.breeds[b.name] = b
		case kind == "scale" || kind == "scales":
			c.scales[name] = d.m
		}
	}
	if len(blueprints) == 0 {
		return nil, nil, fmt.Errorf("%s: no blueprint (a document with clusters:)", docs0(docs))
	}
	if len(blueprints) > 1 {
		return nil, nil, fmt.Errorf("%s: %d blueprints: give one at a time", blueprints[1].file, len(blueprints))
	}
	bp := blueprints[0]
	c.set = &workload.Set{Format: "vamp", File: bp.file}
	if err := c.blueprint(bp); err != nil {
		return nil, nil, err
	}
	c.set.Finish()
	return c.set.Objects(), c.set.Findings, nil
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
		b.ports = append(b.ports, port{name: pn, number: int32(n), http: proto == "http"})
	}
	env, err := mapping(m["environment_variables"], file, field+".environment_variables")
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
		case "name", "kind", "deployable", "ports", "environment_variables", "dependencies":
		default:
			b.unsupported = append(b.unsupported, k)
		}
	}
	return b, nil
}

type service struct {
	breed   *breed
	scale   map[string]any
	env     map[string]string
	field   string
	cluster string
}

func (c *conv) blueprint(bp doc) error {
	file := bp.file
	name, _ := bp.m["name"].(string)
	clusters, err := mapping(bp.m["clusters"], file, "clusters")
	if err != nil {
		return err
	}
	if len(clusters) == 0 {
		return fmt.Errorf("%s: clusters: empty", file)
	}
	// First pass: read every service and its breed, so that dependencies
	// can name breeds deployed by later clusters.
	byCluster := map[string][]*service{}
	for _, cn := range workload.SortedKeys(clusters) {
		field := "clusters." + cn
		cm, err := mapping(clusters[cn], file, field)
		if err != nil {
			return err
		}
		var raw []any
		switch s := cm["services"].(type) {
		case []any:
			raw = s
		case map[string]any:
			raw = []any{s}
		case nil:
			if cm["breed"] == nil {
				return fmt.Errorf("%s: %s.services: missing", file, field)
			}
			raw = []any{cm}
		default:
			return fmt.Errorf("%s: %s.services: want a list, got %s", file, field, typeName(s))
		}
		for i, r := range raw {
			sf := fmt.Sprintf("%s.services[%d]", field, i)
			if _, isList := cm["services"].([]any); !isList {
				sf = field + ".services"
			}
			sm, err := mapping(r, file, sf)
			if err != nil {
				return err
			}
			s, err := c.service(file, sf, cn, sm)
			if err != nil {
				return err
			}
			byCluster[cn] = append(byCluster[cn], s)
			svcName := c.clusters.Name(c.set, cn)
			if _, dup := c.deployed[s.breed.name]; !dup {
				c.deployed[s.breed.name] = svcName
			}
		}
		for _, k := range workload.SortedKeys(cm) {
			if k != "services" && k != "breed" && k != "scale" && k != "environment_variables" {
				c.set.Finding(model.Info, "dropped", "", "%s.%s is not carried over", field, k)
			}
		}
	}
	// Blueprint-level environment variables: "cluster.VAR" or "cluster.breed.VAR".
	benv, err := mapping(bp.m["environment_variables"], file, "environment_variables")
	if err != nil {
		return err
	}
	for _, k := range workload.SortedKeys(benv) {
		cn, rest, ok := strings.Cut(k, ".")
		v, _ := scalar(benv[k])
		if !ok || byCluster[cn] == nil {
			return fmt.Errorf("%s: environment_variables.%s: want CLUSTER.VARIABLE naming a cluster of this blueprint", file, k)
		}
		for _, s := range byCluster[cn] {
			s.env[rest[strings.LastIndex(rest, ".")+1:]] = v
		}
	}
	for _, cn := range workload.SortedKeys(byCluster) {
		if err := c.cluster(file, cn, byCluster[cn]); err != nil {
			return err
		}
	}
	gws, err := mapping(bp.m["gateways"], file, "gateways")
	if err != nil {
		return err
	}
	for _, k := range workload.SortedKeys(gws) {
		if err := c.gateway(file, name, k, gws[k]); err != nil {
			return err
		}
	}
	for _, k := range workload.SortedKeys(bp.m) {
		switch k {
		case "name", "kind", "clusters", "gateways", "environment_variables", "metadata":
		default:
			c.set.Finding(model.Info, "dropped", "", "%s is not carried over", k)
		}
	}
	return nil
}

func (c *conv) service(file, field, cluster string, m map[string]any) (*service, error) {
	s := &service{field: field, cluster: cluster, env: map[string]string{}}
	switch b := m["breed"].(type) {
	case string:
		ref, ok := c.breeds[b]
		if !ok {
			return nil, fmt.Errorf("%s: %s.breed: breed %q is not defined (define it inline or in a document of kind breed)", file, field, b)
		}
		s.breed = ref
	case map[string]any:
		if len(b) == 1 && b["ref"] != nil {
			ref, _ := b["ref"].(string)
			found, ok := c.breeds[ref]
			if !ok {
				return nil, fmt.Errorf("%s: %s.breed.ref: breed %q is not defined (define it inline or in a document of kind breed)", file, field, ref)
			}
			s.breed = found
			break
		}
		br, err := c.breed(file, field+".breed", b)
		if err != nil {
			return nil, err
		}
		c.breeds[br.name] = br
		s.breed = br
	case nil:
		return nil, fmt.Errorf("%s: %s.breed: missing", file, field)
	default:
		return nil, fmt.Errorf("%s: %s.breed: want a breed or a breed name, got %s", file, field, typeName(b))
	}
	for k, v := range s.breed.env {
		s.env[k] = v
	}
	env, err := mapping(m["environment_variables"], file, field+".environment_variables")
	if err != nil {
		return nil, err
	}
	for _, k := range workload.SortedKeys(env) {
		v, _ := scalar(env[k])
		s.env[k] = v
	}
	switch sc := m["scale"].(type) {
	case map[string]any:
		s.scale = sc
	case string:
		named, ok := c.scales[sc]
		if !ok {
			return nil, fmt.Errorf("%s: %s.scale: scale %q is not defined", file, field, sc)
		}
		s.scale = named
	case nil:
	default:
		return nil, fmt.Errorf("%s: %s.scale: want a mapping, got %s", file, field, typeName(sc))
	}
	for _, k := range workload.SortedKeys(m) {
		switch k {
		case "breed", "scale", "environment_variables":
		default:
			c.set.Finding(model.Info, "dropped", "", "%s.%s is not carried over", field, k)
		}
	}
	return s, nil
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

var reRef = regexp.MustCompile(`\$\{?([A-Za-z0-9_-]+)\.(host|ports\.([A-Za-z0-9_-]+)|constants\.[A-Za-z0-9_-]+)\}?`)

// resolve replaces $alias.host and $alias.ports.NAME with the Service name
// and port of the cluster that deploys the dependency's breed.
func (c *conv) resolve(s *service, file, key, value string) (string, error) {
	var err error
	out := reRef.ReplaceAllStringFunc(value, func(ref string) string {
		m := reRef.FindStringSubmatch(ref)
		dep, ok := s.breed.deps[m[1]]
		if !ok {
			err = fmt.Errorf("%s: %s.environment_variables.%s: %s names %s, which is not a dependency of breed %s", file, s.field, key, ref, m[1], s.breed.name)
			return ref
		}
		host, ok := c.deployed[dep]
		if !ok {
			err = fmt.Errorf("%s: %s.breed.dependencies.%s: breed %q is not deployed by any cluster of this blueprint", file, s.field, m[1], dep)
			return ref
		}
		switch {
		case m[2] == "host":
			return host
		case m[3] != "":
			for _, p := range c.breeds[dep].ports {
				if p.name == m[3] {
					return strconv.Itoa(int(p.number))
				}
			}
			err = fmt.Errorf("%s: %s.environment_variables.%s: breed %s has no port %q", file, s.field, key, dep, m[3])
		default:
			c.set.Finding(model.Warning, "dropped", "", "%s.environment_variables.%s: constant reference %s is not resolved", s.field, key, ref)
		}
		return ref
	})
	return out, err
}

func (c *conv) cluster(file, cn string, services []*service) error {
	svcName, _ := c.clusters.Lookup(cn)
	cs := &workload.Service{Name: svcName, Selector: map[string]string{ClusterLabel: svcName}}
	for i, s := range services {
		name := svcName
		if len(services) > 1 {
			name = workload.Sanitize(svcName + "-" + s.breed.name)
			if i > 0 && c.set.Workload(name) != nil {
				name = workload.Sanitize(fmt.Sprintf("%s-%d", name, i+1))
			}
		}
		w := &workload.Workload{Name: name, Kind: workload.Deployment, Replicas: 1, Labels: map[string]string{ClusterLabel: svcName}}
		ctr := corev1.Container{Name: workload.Sanitize(s.breed.name), Image: s.breed.image}
		for _, k := range workload.SortedKeys(s.env) {
			v, err := c.resolve(s, file, k, s.env[k])
			if err != nil {
				return err
			}
			ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, Value: v})
		}
		for _, p := range s.breed.ports {
			ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: portName(p.name), ContainerPort: p.number, Protocol: corev1.ProtocolTCP})
			cs.AddPort(corev1.ServicePort{Name: portName(p.name), Port: p.number, TargetPort: intstr.FromInt32(p.number)})
		}
		if err := c.scale(file, s, w, &ctr); err != nil {
			return err
		}
		for _, k := range s.breed.unsupported {
			c.set.Finding(model.Info, "dropped", "Deployment/"+name, "%s.%s is not carried over", s.breed.field, k)
		}
		if len(s.breed.deps) > 0 {
			var deps []string
			for _, a := range workload.SortedKeys(s.breed.deps) {
				deps = append(deps, s.breed.deps[a])
			}
			w.Annotations = map[string]string{workload.DependsOnAnnotation: strings.Join(deps, ",")}
		}
		w.Pod.Containers = []corev1.Container{ctr}
		c.set.Workloads = append(c.set.Workloads, w)
	}
	c.set.Services = append(c.set.Services, cs)
	if len(services) > 1 {
		c.set.Finding(model.Info, "vamp", "Service/"+svcName, "cluster %s runs %d services: Service %s spreads requests over all of them; Vamp's weighted routing is not carried over", cn, len(services), svcName)
	}
	return nil
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

// gateway turns a blueprint gateway ("9052: cluster/port") into a Service
// on the gateway's port and, for an HTTP port, an Ingress.
func (c *conv) gateway(file, blueprint, key string, v any) error {
	field := "gateways." + key
	num, _, _ := strings.Cut(key, "/")
	port, err := strconv.Atoi(num)
	if err != nil || port <= 0 || port > 65535 {
		return fmt.Errorf("%s: %s: want a port number, got %q", file, field, key)
	}
	var route string
	switch r := v.(type) {
	case string:
		route = r
	case map[string]any:
		routes, err := mapping(r["routes"], file, field+".routes")
		if err != nil {
			return err
		}
		keys := workload.SortedKeys(routes)
		if len(keys) == 0 {
			return fmt.Errorf("%s: %s.routes: empty", file, field)
		}
		route = keys[0]
		if len(keys) > 1 {
			c.set.Finding(model.Warning, "vamp", "", "%s: only the first route (%s) is carried over", field, route)
		}
	default:
		return fmt.Errorf("%s: %s: want CLUSTER/PORT, got %s", file, field, typeName(v))
	}
	cn, pn, ok := strings.Cut(route, "/")
	svcName, known := c.clusters.Lookup(cn)
	if !ok || !known {
		return fmt.Errorf("%s: %s: %q does not name CLUSTER/PORT of this blueprint", file, field, route)
	}
	cs := c.set.Service(svcName)
	var target *corev1.ServicePort
	for i := range cs.Ports {
		if cs.Ports[i].Name == portName(pn) {
			target = &cs.Ports[i]
		}
	}
	if target == nil {
		return fmt.Errorf("%s: %s: cluster %s has no port %q", file, field, cn, pn)
	}
	prefix := blueprint
	if prefix == "" {
		prefix = "gateway"
	}
	name := workload.Sanitize(prefix + "-" + num)
	c.set.Services = append(c.set.Services, &workload.Service{Name: name, Selector: cs.Selector, Ports: []corev1.ServicePort{{
		Name: workload.PortName(int32(port), corev1.ProtocolTCP), Port: int32(port), TargetPort: target.TargetPort, Protocol: corev1.ProtocolTCP,
	}}})
	http := false
	for _, b := range c.breeds {
		for _, p := range b.ports {
			if c.deployed[b.name] == svcName && p.name == pn && p.http {
				http = true
			}
		}
	}
	what := "Service " + name
	if http {
		prefixType := networkingv1.PathTypePrefix
		c.set.Ingresses = append(c.set.Ingresses, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &prefixType,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: int32(port)}}},
			}}}},
		}}}})
		what += " and Ingress " + name
	}
	c.set.Finding(model.Info, "vamp", "Service/"+name, "gateway %s -> %s becomes %s (port %d to %s)", key, route, what, port, target.TargetPort.String())
	return nil
}
