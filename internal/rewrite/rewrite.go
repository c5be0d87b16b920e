package rewrite

import (
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

// Change is one edit, for the report.
type Change struct {
	// Object is the object edited, created or dropped.
	Object model.Key `json:"object"`
	Field  string    `json:"field"`
	Before string    `json:"before"`
	After  string    `json:"after"`
	Reason string    `json:"reason"`
}

// NamespaceLabel records an object's original namespace after folding.
const NamespaceLabel = "rightsize.dev/namespace"

// Copy returns a deep copy of app.
func Copy(app *model.App) *model.App {
	out := &model.App{Objects: make([]*model.Object, len(app.Objects)), Findings: append([]model.Finding(nil), app.Findings...)}
	for i, o := range app.Objects {
		out.Objects[i] = &model.Object{Source: o.Source, Obj: o.Obj.DeepCopyObject()}
	}
	return out
}

// Apply applies ops to a copy of app. Object indexes in ops refer to app.
// The copy shares with app the objects that ops leave as they are.
func Apply(app *model.App, ops []solve.Op) (*model.App, []Change, error) {
	ap := &applier{out: &model.App{Objects: append([]*model.Object(nil), app.Objects...), Findings: append([]model.Finding(nil), app.Findings...)},
		shared: make([]bool, len(app.Objects)), drop: map[int]bool{}}
	for i, o := range app.Objects {
		ap.shared[i] = true
		// Converting an Unstructured object for the API hands out its
		// own maps, which callers then change (apply, verify): the copy
		// never shares those.
		if _, ok := o.Obj.(*unstructured.Unstructured); ok {
			ap.own(i)
		}
	}
	if !ownOnly(ops) {
		ap.ownAll()
	}
	var changes []Change
	for _, op := range ops {
		var o *model.Object
		if op.Object >= 0 {
			if op.Object >= len(ap.out.Objects) {
				return nil, nil, fmt.Errorf("plan names object %d of %d", op.Object, len(ap.out.Objects))
			}
			o = ap.own(op.Object)
		}
		cs, err := ap.apply(o, op)
		if err != nil {
			return nil, nil, err
		}
		if changes == nil && len(cs) > 0 {
			changes = make([]Change, 0, max(len(ops), len(cs))) // mostly a change an op
		}
		changes = append(changes, cs...)
	}
	return ap.result(), changes, nil
}

// applier carries Apply's copy of the app: objects dropped and added, and
// the Merger of its merges.
type applier struct {
	out *model.App
	// shared marks the objects of out that are still app's own, to be
	// deep-copied before anything changes them.
	shared []bool
	drop   map[int]bool
	added  []*model.Object
	merger *Merger
}

// ownOnly tells whether each of ops changes no object but its own (and
// the workload that takes over a dropped Service's name): then only those
// objects are copied. The others (namespaces, claims, merges) change
// objects across the app, and Apply copies all of it first.
func ownOnly(ops []solve.Op) bool {
	for _, op := range ops {
		switch op.Kind {
		case "", solve.OpServiceType, solve.OpStrategy, solve.OpHostPorts, solve.OpDropService:
		default:
			return false
		}
	}
	return true
}

// own returns out's object at i, deep-copied first if app still shares it.
func (ap *applier) own(i int) *model.Object {
	if ap.shared[i] {
		o := ap.out.Objects[i]
		ap.out.Objects[i] = &model.Object{Source: o.Source, Obj: o.Obj.DeepCopyObject()}
		ap.shared[i] = false
	}
	return ap.out.Objects[i]
}

func (ap *applier) ownAll() {
	for i := range ap.out.Objects {
		ap.own(i)
	}
}

func (ap *applier) apply(o *model.Object, op solve.Op) ([]Change, error) {
	switch op.Kind {
	case "":
		switch op.Field {
		case "replicas":
			return setReplicas(o, op)
		case "storage":
			return setStorage(o, op)
		}
		return setResource(o, op)
	case solve.OpServiceType:
		cs, ing, err := clusterIP(o, op)
		if ing != nil {
			ap.added = append(ap.added, ing)
		}
		return cs, err
	case solve.OpDropService:
		if len(op.Members) != 1 || op.Members[0] < 0 || op.Members[0] >= len(ap.out.Objects) {
			return nil, fmt.Errorf("dropping %s: the plan names no workload to take over its name", o.Ref())
		}
		ap.drop[op.Object] = true
		return dropService(o, ap.own(op.Members[0]), op)
	case solve.OpStrategy:
		return setStrategy(o, op)
	case solve.OpNamespace:
		return foldNamespaces(ap.out, op, ap.drop)
	case solve.OpHostPorts:
		return dropHostPorts(o, op)
	case solve.OpEmptyDir:
		ap.drop[op.Object] = true
		return emptyDir(ap.out, op)
	case solve.OpMerge:
		return ap.merge(op)
	case solve.OpMergeConfig:
		return ap.mergeConfigs(op)
	}
	return nil, fmt.Errorf("unknown plan operation %q", op.Kind)
}

// merge puts the merged Deployment in its first member's place and the
// re-pointed Services in theirs. Groups are disjoint and were planned on
// the app before any merge: one Merger over that app serves them all.
func (ap *applier) merge(op solve.Op) ([]Change, error) {
	if ap.merger == nil {
		ap.merger = NewMerger(&model.App{Objects: append([]*model.Object(nil), ap.out.Objects...)}, maps.Clone(ap.drop))
	}
	m, err := ap.merger.Merge(op.Members, op.Reason)
	if err != nil {
		return nil, err
	}
	ap.out.Objects[op.Members[0]] = m.Object
	for i, s := range m.Services {
		ap.out.Objects[i] = s
	}
	for _, i := range op.Members[1:] {
		ap.drop[i] = true
	}
	return m.Changes, nil
}

func (ap *applier) result() *model.App {
	out := ap.out
	if len(ap.drop) > 0 {
		kept := out.Objects[:0]
		for i, o := range out.Objects {
			if !ap.drop[i] {
				kept = append(kept, o)
			}
		}
		out.Objects = kept
	}
	out.Objects = append(out.Objects, ap.added...)
	return out
}

func setResource(o *model.Object, op solve.Op) ([]Change, error) {
	spec, _, ok := footprint.PodSpec(o)
	if !ok {
		return nil, fmt.Errorf("%s: not a pod-creating object", o.Where())
	}
	list, path := spec.Containers, "containers"
	if op.Init {
		list, path = spec.InitContainers, "initContainers"
	}
	for i := range list {
		c := &list[i]
		if c.Name != op.Container {
			continue
		}
		kind, res, _ := strings.Cut(op.Field, ".")
		var rl *corev1.ResourceList
		if kind == "limits" {
			rl = &c.Resources.Limits
		} else {
			rl = &c.Resources.Requests
		}
		if *rl == nil {
			*rl = corev1.ResourceList{}
		}
		before := "(unset)"
		if q, ok := (*rl)[corev1.ResourceName(res)]; ok {
			before = q.String()
			if q.Cmp(op.Value) == 0 {
				return nil, nil
			}
		}
		(*rl)[corev1.ResourceName(res)] = op.Value.DeepCopy()
		return []Change{{Object: o.Key(), Field: fmt.Sprintf("%s[%s].resources.%s", path, c.Name, op.Field), Before: before, After: op.Value.String(), Reason: op.Reason}}, nil
	}
	return nil, fmt.Errorf("%s: no container %q", o.Where(), op.Container)
}

func setReplicas(o *model.Object, op solve.Op) ([]Change, error) {
	var p **int32
	switch t := o.Obj.(type) {
	case *appsv1.Deployment:
		p = &t.Spec.Replicas
	case *appsv1.StatefulSet:
		p = &t.Spec.Replicas
	case *appsv1.ReplicaSet:
		p = &t.Spec.Replicas
	case *corev1.ReplicationController:
		p = &t.Spec.Replicas
	case *unstructured.Unstructured:
		before, _, _ := unstructured.NestedInt64(t.Object, "spec", "replicas")
		if err := unstructured.SetNestedField(t.Object, int64(op.Replicas), "spec", "replicas"); err != nil {
			return nil, fmt.Errorf("%s: spec.replicas: %w", o.Where(), err)
		}
		return []Change{{Object: o.Key(), Field: "spec.replicas", Before: fmt.Sprint(before), After: fmt.Sprint(op.Replicas), Reason: op.Reason}}, nil
	default:
		return nil, fmt.Errorf("%s: has no replicas", o.Where())
	}
	before := "1"
	if *p != nil {
		before = fmt.Sprint(**p)
	}
	n := op.Replicas
	*p = &n
	return []Change{{Object: o.Key(), Field: "spec.replicas", Before: before, After: fmt.Sprint(n), Reason: op.Reason}}, nil
}

// dropService removes a Service that only the pods of w use: w's pods reach
// its name (short and qualified) through hostAliases to 127.0.0.1; where
// the Service sent a port to a different target port, the clients' name:P
// becomes name:T (the planner keeps Services whose clients do not all write
// the port).
func dropService(o, w *model.Object, op solve.Op) ([]Change, error) {
	if _, ok := o.Obj.(*corev1.Service); !ok {
		return nil, fmt.Errorf("%s: not a Service", o.Where())
	}
	spec, _, ok := footprint.PodSpec(w)
	if !ok {
		return nil, fmt.Errorf("%s: not a pod-creating object", w.Where())
	}
	hosts := []string{o.Name()}
	if ns := o.Namespace(); ns != "" {
		hosts = append(hosts, o.Name()+"."+ns, o.Name()+"."+ns+".svc", o.Name()+"."+ns+".svc.cluster.local")
	}
	add := &corev1.PodSpec{HostAliases: []corev1.HostAlias{{IP: "127.0.0.1", Hostnames: hosts}}}
	if err := mergeAliases(spec, add, o.Ref()); err != nil {
		return nil, err
	}
	changes := []Change{
		{Object: o.Key(), Field: "(object)", Before: "present", After: "(dropped)", Reason: op.Reason},
		{Object: w.Key(), Field: "spec.template.spec.hostAliases", Before: "", After: "127.0.0.1: " + strings.Join(hosts, ", "),
			Reason: fmt.Sprintf("%s is gone; its only users run in this pod and reach it there", o.Ref())},
	}
	return append(changes, remapPorts(w, spec, o.Name(), op.Remap)...), nil
}

// remapPorts rewrites name:P to name:T (name alone or qualified) in the env
// values, command and args of spec's containers, for every P -> T of remap:
// with the Service gone, a client reaches the pod itself, where the server
// listens on T.
func remapPorts(w *model.Object, spec *corev1.PodSpec, name string, remap map[int32]int32) []Change {
	if len(remap) == 0 {
		return nil
	}
	var changes []Change
	ports := make([]int32, 0, len(remap))
	for p := range remap {
		ports = append(ports, p)
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	res := make([]*regexp.Regexp, len(ports))
	for i, p := range ports {
		res[i] = regexp.MustCompile(`(^|[^a-zA-Z0-9.-])(` + regexp.QuoteMeta(name) + `(?:\.[a-z0-9-]+)?(?:\.svc(?:\.cluster\.local)?)?):` + fmt.Sprint(p) + `\b`)
	}
	edit := func(field, s string) string {
		out := s
		for i, p := range ports {
			out = res[i].ReplaceAllString(out, "${1}${2}:"+fmt.Sprint(remap[p]))
		}
		if out != s {
			changes = append(changes, Change{Object: w.Key(), Field: field, Before: s, After: out,
				Reason: fmt.Sprintf("Service/%s, which sent port %s, is gone: the client reaches the server in its own pod on the target port", name, remapList(ports, remap))})
		}
		return out
	}
	for _, group := range []struct {
		path string
		cs   []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for ci := range group.cs {
			c := &group.cs[ci]
			where := group.path + "[" + c.Name + "]"
			for ei := range c.Env {
				c.Env[ei].Value = edit(where+".env["+c.Env[ei].Name+"].value", c.Env[ei].Value)
			}
			for ai := range c.Command {
				c.Command[ai] = edit(fmt.Sprintf("%s.command[%d]", where, ai), c.Command[ai])
			}
			for ai := range c.Args {
				c.Args[ai] = edit(fmt.Sprintf("%s.args[%d]", where, ai), c.Args[ai])
			}
		}
	}
	return changes
}

func remapList(ports []int32, remap map[int32]int32) string {
	var out []string
	for _, p := range ports {
		out = append(out, fmt.Sprintf("%d to %d", p, remap[p]))
	}
	return strings.Join(out, ", ")
}

// setStorage sets the requested size of a PersistentVolumeClaim, or of the
// claim template op.Container of a StatefulSet.
func setStorage(o *model.Object, op solve.Op) ([]Change, error) {
	var req *corev1.ResourceList
	field := "spec.resources.requests.storage"
	switch t := o.Obj.(type) {
	case *corev1.PersistentVolumeClaim:
		req = &t.Spec.Resources.Requests
	case *appsv1.StatefulSet:
		for i := range t.Spec.VolumeClaimTemplates {
			if t.Spec.VolumeClaimTemplates[i].Name == op.Container {
				req = &t.Spec.VolumeClaimTemplates[i].Spec.Resources.Requests
				field = "spec.volumeClaimTemplates[" + op.Container + "].spec.resources.requests.storage"
			}
		}
	}
	if req == nil {
		return nil, fmt.Errorf("%s: no claim %q to resize", o.Where(), op.Container)
	}
	if *req == nil {
		*req = corev1.ResourceList{}
	}
	before := (*req)[corev1.ResourceStorage]
	(*req)[corev1.ResourceStorage] = op.Value.DeepCopy()
	return []Change{{Object: o.Key(), Field: field, Before: before.String(), After: op.Value.String(), Reason: op.Reason}}, nil
}

// setStrategy switches a Deployment to an update that needs no quota room
// for a surge pod.
func setStrategy(o *model.Object, op solve.Op) ([]Change, error) {
	d, ok := o.Obj.(*appsv1.Deployment)
	if !ok {
		return nil, fmt.Errorf("%s: not a Deployment", o.Where())
	}
	before := describeStrategy(d.Spec.Strategy)
	if op.Replicas > 1 {
		zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
		d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &zero, MaxUnavailable: &one}}
	} else {
		d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	return []Change{{Object: o.Key(), Field: "spec.strategy", Before: before, After: describeStrategy(d.Spec.Strategy), Reason: op.Reason}}, nil
}

func describeStrategy(s appsv1.DeploymentStrategy) string {
	if s.Type == appsv1.RecreateDeploymentStrategyType {
		return "Recreate"
	}
	surge, unavailable := "25%", "25%"
	if ru := s.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			surge = ru.MaxSurge.String()
		}
		if ru.MaxUnavailable != nil {
			unavailable = ru.MaxUnavailable.String()
		}
	}
	return fmt.Sprintf("RollingUpdate (maxSurge %s, maxUnavailable %s)", surge, unavailable)
}

// clusterIP makes a NodePort or LoadBalancer Service a ClusterIP one and
// returns an Ingress that keeps its first port reachable from outside.
func clusterIP(o *model.Object, op solve.Op) ([]Change, *model.Object, error) {
	svc, ok := o.Obj.(*corev1.Service)
	if !ok {
		return nil, nil, fmt.Errorf("%s: not a Service", o.Where())
	}
	before := string(svc.Spec.Type)
	svc.Spec.Type = corev1.ServiceTypeClusterIP
	for i := range svc.Spec.Ports {
		svc.Spec.Ports[i].NodePort = 0
	}
	svc.Spec.ExternalTrafficPolicy = ""
	svc.Spec.LoadBalancerIP = ""
	svc.Spec.LoadBalancerSourceRanges = nil
	svc.Spec.LoadBalancerClass = nil
	svc.Spec.AllocateLoadBalancerNodePorts = nil
	svc.Spec.HealthCheckNodePort = 0
	changes := []Change{{Object: o.Key(), Field: "spec.type", Before: before, After: string(corev1.ServiceTypeClusterIP), Reason: op.Reason}}
	if len(svc.Spec.Ports) == 0 {
		return changes, nil, nil
	}
	port := svc.Spec.Ports[0]
	pt := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace, Labels: svc.Labels},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &pt, Backend: networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: svc.Name, Port: networkingv1.ServiceBackendPort{Number: port.Port}}}}},
		}}}}},
	}
	io := &model.Object{Source: model.Source{File: o.Source.File, Doc: o.Source.Doc, Format: o.Source.Format}, Obj: ing}
	changes = append(changes, Change{Object: model.Key{Group: "networking.k8s.io", Kind: "Ingress", Namespace: svc.Namespace, Name: svc.Name}, Field: "(object)", Before: "(none)", After: "created",
		Reason: fmt.Sprintf("keeps %s port %d reachable from outside the cluster (HTTP only)", o.Ref(), port.Port)})
	return changes, io, nil
}

// foldNamespaces moves every namespaced object into op.Namespace, records
// a changed original namespace as a label, drops Namespace objects, and
// rewrites name.ns[.svc[.cluster.local]] references to the moved Services in
// env values, command, args and ConfigMap data.
func foldNamespaces(app *model.App, op solve.Op, drop map[int]bool) ([]Change, error) {
	var changes []Change
	moved := map[string]bool{} // "ns/name" of Services whose namespace changes
	for _, o := range app.Objects {
		if o.Kind() == "Service" && o.Namespace() != "" && o.Namespace() != op.Namespace {
			moved[o.Namespace()+"/"+o.Name()] = true
		}
	}
	scope := model.NewScope(app)
	for i, o := range app.Objects {
		if o.Kind() == "Namespace" {
			drop[i] = true
			changes = append(changes, Change{Object: o.Key(), Field: "(object)", Before: "present", After: "(dropped)", Reason: "the target is one namespace; objects are moved into " + nsOrDefault(op.Namespace)})
			continue
		}
		if !scope.Namespaced(o) {
			continue
		}
		acc, err := metaOf(o)
		if err != nil {
			return nil, err
		}
		before := acc.GetNamespace()
		if before == op.Namespace {
			continue
		}
		acc.SetNamespace(op.Namespace)
		if before != "" {
			labels := acc.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			labels[NamespaceLabel] = before
			acc.SetLabels(labels)
		}
		changes = append(changes, Change{Object: o.Key(), Field: "metadata.namespace", Before: nsOrNone(before), After: nsOrNone(op.Namespace), Reason: op.Reason})
	}
	if len(moved) == 0 {
		return changes, nil
	}
	rw := &refRewriter{moved: moved, ns: op.Namespace}
	for _, o := range app.Objects {
		rw.object(o)
	}
	return append(changes, rw.changes...), nil
}

// refRewriter rewrites references to moved Services in the env values,
// command, args and ConfigMap data of objects, listing each change.
type refRewriter struct {
	moved   map[string]bool
	ns      string
	changes []Change
}

func (rw *refRewriter) object(o *model.Object) {
	if spec, _, ok := footprint.PodSpec(o); ok {
		rw.containers(o, "initContainers", spec.InitContainers)
		rw.containers(o, "containers", spec.Containers)
	}
	if cm, ok := o.Obj.(*corev1.ConfigMap); ok {
		keys := make([]string, 0, len(cm.Data))
		for k := range cm.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cm.Data[k] = rw.rewrite(o, "data["+k+"]", cm.Data[k])
		}
	}
}

func (rw *refRewriter) containers(o *model.Object, path string, cs []corev1.Container) {
	for ci := range cs {
		c := &cs[ci]
		for ei := range c.Env {
			c.Env[ei].Value = rw.rewrite(o, fmt.Sprintf("%s[%s].env[%s].value", path, c.Name, c.Env[ei].Name), c.Env[ei].Value)
		}
		for ai := range c.Command {
			c.Command[ai] = rw.rewrite(o, fmt.Sprintf("%s[%s].command[%d]", path, c.Name, ai), c.Command[ai])
		}
		for ai := range c.Args {
			c.Args[ai] = rw.rewrite(o, fmt.Sprintf("%s[%s].args[%d]", path, c.Name, ai), c.Args[ai])
		}
	}
}

func (rw *refRewriter) rewrite(o *model.Object, field, s string) string {
	out := rewriteRefs(s, rw.moved, rw.ns)
	if out != s {
		rw.changes = append(rw.changes, Change{Object: o.Key(), Field: field, Before: s, After: out, Reason: "the Service it names moved into " + nsOrDefault(rw.ns)})
	}
	return out
}

var qualified = regexp.MustCompile(`\b([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?\b`)

// rewriteRefs rewrites name.ns[.svc[.cluster.local]] for every moved
// Service to name.NS.svc.cluster.local, or to name when NS is unknown.
func rewriteRefs(s string, moved map[string]bool, ns string) string {
	if !strings.Contains(s, ".") { // every match of qualified has one
		return s
	}
	return qualified.ReplaceAllStringFunc(s, func(m string) string {
		sub := qualified.FindStringSubmatch(m)
		name, oldNS, suffix := sub[1], sub[3], sub[5]
		if !moved[oldNS+"/"+name] {
			return m
		}
		// "redis.conf" is not a reference even when a Service redis lives
		// in namespace conf; a bare two-label word is rewritten only when
		// that namespace and name were both in the app, which moved says.
		if ns == "" {
			return name
		}
		if suffix == "" {
			return name + "." + ns
		}
		return name + "." + ns + suffix
	})
}

func nsOrNone(ns string) string {
	if ns == "" {
		return "(none)"
	}
	return ns
}

func nsOrDefault(ns string) string {
	if ns == "" {
		return "the namespace applied to"
	}
	return "namespace " + ns
}

type metaObject interface {
	GetNamespace() string
	SetNamespace(string)
	GetLabels() map[string]string
	SetLabels(map[string]string)
}

func metaOf(o *model.Object) (metaObject, error) {
	m, ok := o.Obj.(metaObject)
	if !ok {
		return nil, fmt.Errorf("%s: object has no metadata", o.Where())
	}
	return m, nil
}

// emptyDir drops a PersistentVolumeClaim and gives every pod that mounted it
// an emptyDir volume instead: the data no longer survives the pod.
func emptyDir(app *model.App, op solve.Op) ([]Change, error) {
	o := app.Objects[op.Object]
	pvc, ok := o.Obj.(*corev1.PersistentVolumeClaim)
	if !ok {
		return nil, fmt.Errorf("%s: not a PersistentVolumeClaim", o.Where())
	}
	changes := []Change{{Object: o.Key(), Field: "(object)", Before: "present", After: "(dropped)", Reason: op.Reason}}
	for _, w := range app.Objects {
		spec, _, ok := footprint.PodSpec(w)
		if !ok || w.Namespace() != o.Namespace() {
			continue
		}
		for i := range spec.Volumes {
			v := &spec.Volumes[i]
			if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != pvc.Name {
				continue
			}
			v.VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
			changes = append(changes, Change{Object: w.Key(), Field: "volumes[" + v.Name + "]", Before: "persistentVolumeClaim " + pvc.Name, After: "emptyDir",
				Reason: "DATA LOSS: " + op.Reason})
		}
	}
	return changes, nil
}
