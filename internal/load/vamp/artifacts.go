package vamp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

// unit is one blueprint or deployment: the documents of one kind and name,
// merged as Vamp merges a deployment that is PUT again.
type unit struct {
	kind, name, file string
	m                map[string]any
	// prefix makes names unique when several units are converted.
	prefix string
	// deployed maps a breed to the Service of the cluster deploying it in
	// this unit: $dep.host resolves inside its own unit.
	deployed map[string]string
	clusters map[string]string // cluster -> Service name
	services map[string][]*service
}

type service struct {
	breed   *breed
	scale   map[string]any
	env     map[string]string
	field   string
	cluster string
}

// Convert turns parsed documents into objects: every deployment (or, when
// there is none, every blueprint), with the artifacts they name.
func Convert(docs []doc) ([]*model.Object, []model.Finding, error) {
	c := &conv{defs: map[string]doc{}, breeds: map[string]*breed{}, scales: map[string]map[string]any{},
		names: workload.Namer{What: "cluster"}, units: map[string]*unit{}}
	c.set = &workload.Set{Format: "vamp", File: docs0(docs)}
	col := c.collect(docs)
	gateways, refs, order := col.gateways, col.refs, col.order
	units, err := c.selectUnits(order, refs)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range units {
		if len(units) > 1 {
			u.prefix = workload.Sanitize(u.name) + "-"
		}
		c.set.File = u.file
		if err := c.convertUnit(u); err != nil {
			return nil, nil, err
		}
	}
	for _, g := range gateways {
		c.gatewayArtifact(g, units)
	}
	c.set.Finish()
	return c.set.Objects(), c.set.Findings, nil
}

// collected are the documents of an input sorted by what they are.
type collected struct {
	gateways, refs []doc
	order          []*unit
}

// collect records breeds and scales by name, blueprints and deployments as
// units (merging repeats), gateways, "name: X" references; and reports the
// rest.
func (c *conv) collect(docs []doc) collected {
	var col collected
	for _, d := range docs {
		kind := strings.TrimSuffix(strings.ToLower(str(d.m["kind"])), "s")
		name := str(d.m["name"])
		switch {
		case kind == "breed":
			if d.m["deployable"] == nil {
				c.set.Finding(model.Info, "vamp", "", "%s: breed %s names a breed only (a reference, as in an undeploy request): read from its definition", d.file, name)
			} else if _, dup := c.defs[name]; !dup {
				c.defs[name] = d
			}
		case kind == "scale":
			if d.m["cpu"] != nil || d.m["memory"] != nil || d.m["instances"] != nil {
				c.scales[name] = d.m
			}
		case kind == "gateway":
			col.gateways = addGateway(col.gateways, d)
		case (kind == "blueprint" || kind == "deployment" || kind == "") && d.m["clusters"] != nil:
			if kind == "" {
				kind = "blueprint"
			}
			if u := c.addUnit(kind, name, d); u != nil {
				col.order = append(col.order, u)
			}
		case kind == "" && name != "" && len(d.m) == 1:
			col.refs = append(col.refs, d) // "name: X": deploy blueprint X
		case (kind == "blueprint" || kind == "deployment" || kind == "scale") && len(d.m) <= 2:
			c.set.Finding(model.Info, "vamp", "", "%s: %s %s names a %s only (a reference, as in a removal request): skipped", d.file, kind, name, kind)
		default:
			what := str(d.m["kind"])
			if what == "" {
				what = "document without clusters"
			}
			c.set.Finding(model.Info, "vamp", "", "%s: %s %s is not an application artifact: skipped", d.file, what, name)
		}
	}
	return col
}

// addGateway adds a gateway artifact, or keeps the first definition of a
// gateway sent again under the same name.
func addGateway(gws []doc, d doc) []doc {
	name := str(d.m["name"])
	for i, g := range gws {
		if str(g.m["name"]) == name {
			if g.m["routes"] == nil && d.m["routes"] != nil {
				gws[i] = d
			}
			return gws
		}
	}
	return append(gws, d)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// addUnit records a blueprint or deployment, merging it into an earlier
// one of the same kind and name; it returns the unit when it is new.
func (c *conv) addUnit(kind, name string, d doc) *unit {
	c.inlineBreeds(d)
	key := kind + "/" + name
	u, ok := c.units[key]
	if !ok {
		u = &unit{kind: kind, name: name, file: d.file, m: d.m}
		c.units[key] = u
		return u
	}
	mergeUnit(u.m, d.m)
	c.set.Finding(model.Info, "vamp", "", "%s: %s %s repeats the one of %s: merged into it, as Vamp merges a %s sent again", d.file, kind, name, u.file, kind)
	return nil
}

// inlineBreeds records the breeds a unit defines inline, so that other units
// (and stubs naming them) find them by name.
func (c *conv) inlineBreeds(d doc) {
	clusters, _ := d.m["clusters"].(map[string]any)
	for _, cn := range workload.SortedKeys(clusters) {
		cm, _ := clusters[cn].(map[string]any)
		for _, s := range serviceList(cm) {
			sm, _ := s.(map[string]any)
			b, _ := sm["breed"].(map[string]any)
			if name := str(b["name"]); name != "" && b["deployable"] != nil {
				if _, dup := c.defs[name]; !dup {
					c.defs[name] = doc{file: d.file, m: b}
				}
			}
		}
	}
}

// mergeUnit adds to dst the clusters, services, gateways and variables of
// src that dst lacks; a service of the same breed is kept once, the one that
// says more.
func mergeUnit(dst, src map[string]any) {
	for _, k := range []string{"gateways", "environment_variables", "env"} {
		if sm, ok := src[k].(map[string]any); ok {
			dm, _ := dst[k].(map[string]any)
			if dm == nil {
				dm = map[string]any{}
				dst[k] = dm
			}
			for kk, v := range sm {
				if _, ok := dm[kk]; !ok {
					dm[kk] = v
				}
			}
		}
	}
	sc, _ := src["clusters"].(map[string]any)
	dc, _ := dst["clusters"].(map[string]any)
	for cn, v := range sc {
		scm, _ := v.(map[string]any)
		dcm, ok := dc[cn].(map[string]any)
		if !ok {
			dc[cn] = v
			continue
		}
		for k, v := range scm {
			if _, ok := dcm[k]; !ok && k != "services" && k != "breed" {
				dcm[k] = v
			}
		}
		merged := serviceList(dcm)
		for _, s := range serviceList(scm) {
			i := indexOfBreed(merged, breedName(s))
			switch {
			case i < 0:
				merged = append(merged, s)
			case richer(s, merged[i]):
				merged[i] = s
			}
		}
		dcm["services"] = merged
		delete(dcm, "breed")
	}
}

// serviceList returns a cluster's services: a list, one mapping, a breed
// name, or the cluster itself when it holds breed: directly.
func serviceList(cm map[string]any) []any {
	switch s := cm["services"].(type) {
	case []any:
		return s
	case map[string]any, string:
		return []any{s}
	case nil:
		if cm["breed"] != nil {
			return []any{cm}
		}
	}
	return nil
}

func breedName(s any) string {
	switch x := s.(type) {
	case string:
		return x
	case map[string]any:
		switch b := x["breed"].(type) {
		case string:
			return b
		case map[string]any:
			if n := refName(b); n != "" {
				return n
			}
			return str(b["name"])
		}
	}
	return ""
}

func indexOfBreed(list []any, name string) int {
	for i, s := range list {
		if name != "" && breedName(s) == name {
			return i
		}
	}
	return -1
}

// richer reports whether service a says more than b (a stub names a breed only).
func richer(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	ab, _ := am["breed"].(map[string]any)
	bb, _ := bm["breed"].(map[string]any)
	return len(am)+len(ab) > len(bm)+len(bb)
}

// refName returns the name a reference mapping ({ref: X} or {reference: X},
// or {name: X} alone) points at.
func refName(m map[string]any) string {
	for _, k := range []string{"ref", "reference"} {
		if n := str(m[k]); n != "" && len(m) == 1 {
			return n
		}
	}
	if n := str(m["name"]); n != "" && len(m) == 1 {
		return n
	}
	return ""
}

// selectUnits picks what to convert: the deployments, and the blueprints a
// "name: X" document deploys; or, without deployments, every blueprint.
func (c *conv) selectUnits(order []*unit, refs []doc) ([]*unit, error) {
	var deployments, blueprints []*unit
	for _, u := range order {
		if u.kind == "deployment" {
			deployments = append(deployments, u)
		} else {
			blueprints = append(blueprints, u)
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%s: no blueprint or deployment (a document with clusters:)", c.set.File)
	}
	if len(deployments) == 0 {
		return blueprints, nil
	}
	deployed := map[string]bool{}
	for _, r := range refs {
		deployed[str(r.m["name"])] = true
	}
	out := deployments
	for _, b := range blueprints {
		if deployed[b.name] {
			out = append(out, b)
			continue
		}
		c.set.Finding(model.Info, "vamp", "", "%s: blueprint %s is a template that no document deploys: the deployments are converted", b.file, b.name)
	}
	return out, nil
}

// convertUnit converts one blueprint or deployment.
func (c *conv) convertUnit(u *unit) error {
	file := u.file
	clusters, err := mapping(u.m["clusters"], file, "clusters")
	if err != nil {
		return err
	}
	if len(clusters) == 0 {
		return fmt.Errorf("%s: clusters: empty", file)
	}
	u.deployed, u.clusters, u.services = map[string]string{}, map[string]string{}, map[string][]*service{}
	// First pass: read every service and its breed, so that dependencies
	// can name breeds deployed by later clusters.
	for _, cn := range workload.SortedKeys(clusters) {
		if err := c.readCluster(u, cn, clusters[cn]); err != nil {
			return err
		}
	}
	if err := c.unitEnv(u); err != nil {
		return err
	}
	for _, cn := range workload.SortedKeys(u.services) {
		if err := c.cluster(u, cn); err != nil {
			return err
		}
	}
	gws, err := mapping(u.m["gateways"], file, "gateways")
	if err != nil {
		return err
	}
	for _, k := range workload.SortedKeys(gws) {
		if err := c.gateway(u, k, gws[k]); err != nil {
			return err
		}
	}
	for _, k := range workload.SortedKeys(u.m) {
		switch k {
		case "name", "kind", "clusters", "gateways", "environment_variables", "env", "metadata":
		default:
			c.set.Finding(model.Info, "dropped", "", "%s: %s %s: %s is not carried over", file, u.kind, u.name, k)
		}
	}
	return nil
}

func (c *conv) readCluster(u *unit, cn string, v any) error {
	file, field := u.file, "clusters."+cn
	cm, err := mapping(v, file, field)
	if err != nil {
		return err
	}
	raw := serviceList(cm)
	if raw == nil {
		if cm["services"] != nil {
			return fmt.Errorf("%s: %s.services: want a list, got %s", file, field, typeName(cm["services"]))
		}
		return fmt.Errorf("%s: %s.services: missing", file, field)
	}
	_, isList := cm["services"].([]any)
	svcName := c.names.Name(c.set, u.prefix+cn)
	u.clusters[cn] = svcName
	for i, r := range raw {
		sf := field + ".services"
		if isList {
			sf = fmt.Sprintf("%s.services[%d]", field, i)
		}
		if name, ok := r.(string); ok { // services: BREED
			r = map[string]any{"breed": name}
		}
		sm, err := mapping(r, file, sf)
		if err != nil {
			return err
		}
		s, err := c.service(file, sf, cn, sm)
		if err != nil {
			return err
		}
		u.services[cn] = append(u.services[cn], s)
		if _, dup := u.deployed[s.breed.name]; !dup {
			u.deployed[s.breed.name] = svcName
		}
	}
	if cm["services"] == nil {
		return nil // the cluster is its own service: service() reported its keys
	}
	for _, k := range workload.SortedKeys(cm) {
		switch k {
		case "services", "breed", "scale", "environment_variables", "env":
		default:
			c.set.Finding(model.Info, "dropped", "", "%s: %s.%s is not carried over", file, field, k)
		}
	}
	return nil
}

// unitEnv applies the unit's environment variables: "CLUSTER.VAR" to every
// service of the cluster, "CLUSTER.BREED.VAR" to that breed's services only.
func (c *conv) unitEnv(u *unit) error {
	benv, err := envOf(u.m, u.file, "")
	if err != nil {
		return err
	}
	for _, k := range workload.SortedKeys(benv) {
		cn, rest, ok := strings.Cut(k, ".")
		v, _ := scalar(benv[k])
		if !ok || u.services[cn] == nil {
			return fmt.Errorf("%s: environment_variables.%s: want CLUSTER.VARIABLE or CLUSTER.BREED.VARIABLE naming a cluster of %s %s", u.file, k, u.kind, u.name)
		}
		variable, breedName := rest, ""
		if i := strings.LastIndex(rest, "."); i >= 0 {
			breedName, variable = rest[:i], rest[i+1:]
		}
		applied := false
		for _, s := range u.services[cn] {
			if breedName == "" || s.breed.name == breedName {
				s.env[variable] = v
				applied = true
			}
		}
		if !applied {
			return fmt.Errorf("%s: environment_variables.%s: cluster %s has no service of breed %q", u.file, k, cn, breedName)
		}
	}
	return nil
}

// envOf returns a mapping's environment variables (environment_variables,
// or its short form env).
func envOf(m map[string]any, file, field string) (map[string]any, error) {
	key := "environment_variables"
	if m[key] == nil && m["env"] != nil {
		key = "env"
	}
	if field != "" {
		field += "."
	}
	return mapping(m[key], file, field+key)
}

func withKey(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m))
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// namedBreed returns the breed defined under name, read on first use.
func (c *conv) namedBreed(name string) (*breed, bool, error) {
	if b, ok := c.breeds[name]; ok {
		return b, true, nil
	}
	d, ok := c.defs[name]
	if !ok {
		return nil, false, nil
	}
	b, err := c.breed(d.file, "breed "+name, d.m)
	if err != nil {
		return nil, true, err
	}
	c.breeds[name] = b
	return b, true, nil
}

func (c *conv) service(file, field, cluster string, m map[string]any) (*service, error) {
	s := &service{field: field, cluster: cluster, env: map[string]string{}}
	var ref string
	switch b := m["breed"].(type) {
	case string:
		ref = b
	case map[string]any:
		if ref = refName(b); ref != "" {
			break
		}
		if cached, ok := c.breeds[str(b["name"])]; ok {
			s.breed = cached
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
	if s.breed == nil {
		b, ok, err := c.namedBreed(ref)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s: %s.breed: breed %q is not defined (define it inline or in a document of kind breed)", file, field, ref)
		}
		s.breed = b
	}
	for k, v := range s.breed.env {
		s.env[k] = v
	}
	env, err := envOf(m, file, field)
	if err != nil {
		return nil, err
	}
	for _, k := range workload.SortedKeys(env) {
		v, _ := scalar(env[k])
		s.env[k] = v
	}
	if err := c.serviceScale(s, file, field, m["scale"]); err != nil {
		return nil, err
	}
	for _, k := range workload.SortedKeys(m) {
		switch k {
		case "breed", "scale", "environment_variables", "env":
		default:
			c.set.Finding(model.Info, "dropped", "", "%s: %s.%s is not carried over", file, field, k)
		}
	}
	return s, nil
}

func (c *conv) serviceScale(s *service, file, field string, v any) error {
	name := ""
	switch sc := v.(type) {
	case map[string]any:
		if name = refName(sc); name == "" {
			s.scale = sc
			return nil
		}
	case string:
		name = sc
	case nil:
		return nil
	default:
		return fmt.Errorf("%s: %s.scale: want a mapping, got %s", file, field, typeName(sc))
	}
	named, ok := c.scales[name]
	if !ok {
		return fmt.Errorf("%s: %s.scale: scale %q is not defined", file, field, name)
	}
	s.scale = named
	return nil
}

var reRef = regexp.MustCompile(`\$\{?([A-Za-z0-9_-]+)\.(host|ports\.([A-Za-z0-9_-]+)|constants\.[A-Za-z0-9_-]+)\}?`)

// resolve replaces $alias.host and $alias.ports.NAME with the Service name
// and port of the cluster of the same unit that deploys the dependency.
func (c *conv) resolve(u *unit, s *service, key, value string) (string, error) {
	var err error
	file := u.file
	out := reRef.ReplaceAllStringFunc(value, func(ref string) string {
		m := reRef.FindStringSubmatch(ref)
		dep, ok := s.breed.deps[m[1]]
		if !ok {
			err = fmt.Errorf("%s: %s.environment_variables.%s: %s names %s, which is not a dependency of breed %s", file, s.field, key, ref, m[1], s.breed.name)
			return ref
		}
		host, ok := u.deployed[dep]
		if !ok {
			err = fmt.Errorf("%s: %s.breed.dependencies.%s: breed %q is not deployed by any cluster of %s %s", file, s.field, m[1], dep, u.kind, u.name)
			return ref
		}
		switch {
		case m[2] == "host":
			return host
		case m[3] != "":
			b, _, _ := c.namedBreed(dep)
			for _, p := range portsOf(b) {
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

func portsOf(b *breed) []port {
	if b == nil {
		return nil
	}
	return b.ports
}

func (c *conv) cluster(u *unit, cn string) error {
	services := u.services[cn]
	svcName := u.clusters[cn]
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
			v, err := c.resolve(u, s, k, s.env[k])
			if err != nil {
				return err
			}
			ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, Value: v})
		}
		for _, p := range s.breed.ports {
			ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: portName(p.name), ContainerPort: p.number, Protocol: corev1.ProtocolTCP})
			cs.AddPort(corev1.ServicePort{Name: portName(p.name), Port: p.number, TargetPort: intstr.FromInt32(p.number)})
		}
		if err := c.scale(u.file, s, w, &ctr); err != nil {
			return err
		}
		for _, k := range s.breed.unsupported {
			c.set.Finding(model.Info, "dropped", "Deployment/"+name, "%s.%s is not carried over", s.breed.field, k)
		}
		if len(s.breed.deps) > 0 {
			var deps []string
			for _, a := range workload.SortedKeys(s.breed.deps) {
				if host, ok := u.deployed[s.breed.deps[a]]; ok {
					deps = append(deps, host)
				}
			}
			w.Annotations = map[string]string{workload.DependsOnAnnotation: strings.Join(deps, ",")}
		}
		w.Pod.Containers = []corev1.Container{ctr}
		c.set.Workloads = append(c.set.Workloads, w)
	}
	c.set.Services = append(c.set.Services, cs)
	if len(services) > 1 {
		c.set.Finding(model.Info, "vamp", "Service/"+svcName, "cluster %s of %s %s runs %d services: Service %s spreads requests over all of them; Vamp's weighted routing is not carried over", cn, u.kind, u.name, len(services), svcName)
	}
	return nil
}

// gateway turns a unit's gateway ("9052: cluster/port") into a Service on
// the gateway's port and, for an HTTP port, an Ingress.
func (c *conv) gateway(u *unit, key string, v any) error {
	file, field := u.file, "gateways."+key
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
		if route, err = c.firstRoute(file, field, r); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: %s: want CLUSTER/PORT, got %s", file, field, typeName(v))
	}
	cn, pn, ok := strings.Cut(route, "/")
	svcName, known := u.clusters[cn]
	if !ok || !known {
		return fmt.Errorf("%s: %s: %q does not name CLUSTER/PORT of %s %s", file, field, route, u.kind, u.name)
	}
	prefix := u.name
	if prefix == "" {
		prefix = "gateway"
	}
	return c.expose(u, workload.Sanitize(prefix+"-"+num), key, route, svcName, pn, port)
}

func (c *conv) firstRoute(file, field string, r map[string]any) (string, error) {
	routes, err := mapping(r["routes"], file, field+".routes")
	if err != nil {
		return "", err
	}
	keys := workload.SortedKeys(routes)
	if len(keys) == 0 {
		return "", fmt.Errorf("%s: %s.routes: empty", file, field)
	}
	if len(keys) > 1 {
		c.set.Finding(model.Warning, "vamp", "", "%s: only the first route (%s) is carried over", field, keys[0])
	}
	return keys[0], nil
}

// expose makes Service name on port, to port pn of cluster Service
// svcName, and an Ingress when that port is HTTP.
func (c *conv) expose(u *unit, name, key, route, svcName, pn string, port int) error {
	cs := c.set.Service(svcName)
	var target *corev1.ServicePort
	for i := range cs.Ports {
		if cs.Ports[i].Name == portName(pn) {
			target = &cs.Ports[i]
		}
	}
	if target == nil {
		return fmt.Errorf("%s: gateways.%s: cluster %s has no port %q", u.file, key, svcName, pn)
	}
	if c.set.Service(name) != nil {
		c.set.Finding(model.Warning, "vamp", "Service/"+name, "gateway %s: a Service %s exists already: not carried over", key, name)
		return nil
	}
	c.set.Services = append(c.set.Services, &workload.Service{Name: name, Selector: cs.Selector, Ports: []corev1.ServicePort{{
		Name: workload.PortName(int32(port), corev1.ProtocolTCP), Port: int32(port), TargetPort: target.TargetPort, Protocol: corev1.ProtocolTCP,
	}}})
	http := false
	for _, ss := range u.services {
		for _, s := range ss {
			for _, p := range s.breed.ports {
				if u.deployed[s.breed.name] == svcName && p.name == pn && p.http {
					http = true
				}
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

// gatewayArtifact converts a gateway of its own (kind: gateway) whose route
// names DEPLOYMENT/CLUSTER/PORT; one that names only itself (a reference,
// as in an undeploy request) or nothing converted is reported and skipped.
func (c *conv) gatewayArtifact(g doc, units []*unit) {
	name := str(g.m["name"])
	ps, _ := scalar(g.m["port"])
	if ps == "" || g.m["routes"] == nil {
		c.set.Finding(model.Info, "vamp", "", "%s: gateway %s has no port and routes (a reference): skipped", g.file, name)
		return
	}
	num, _, _ := strings.Cut(ps, "/")
	port, err := strconv.Atoi(num)
	route, rerr := c.firstRoute(g.file, "gateway "+name, g.m)
	if err != nil || port <= 0 || port > 65535 || rerr != nil {
		c.set.Finding(model.Warning, "vamp", "", "%s: gateway %s: port %q or routes not understood: skipped", g.file, name, ps)
		return
	}
	parts := strings.Split(route, "/")
	var u *unit
	for _, x := range units {
		if len(parts) == 3 && x.name == parts[0] || len(parts) == 2 && len(units) == 1 {
			u = x
		}
	}
	if u == nil {
		c.set.Finding(model.Warning, "vamp", "", "%s: gateway %s routes to %s, which names no deployment converted here: skipped", g.file, name, route)
		return
	}
	cn, pn := parts[len(parts)-2], parts[len(parts)-1]
	svcName, ok := u.clusters[cn]
	if !ok {
		c.set.Finding(model.Warning, "vamp", "", "%s: gateway %s routes to %s: %s %s has no cluster %s: skipped", g.file, name, route, u.kind, u.name, cn)
		return
	}
	svc := workload.Sanitize(name)
	if c.set.Service(svc) != nil { // a cluster of the same name
		svc = workload.Sanitize(fmt.Sprintf("%s-%d", name, port))
	}
	if err := c.expose(u, svc, name, route, svcName, pn, port); err != nil {
		c.set.Finding(model.Warning, "vamp", "", "%s: %v: skipped", g.file, err)
	}
}
