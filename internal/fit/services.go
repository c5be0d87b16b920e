package fit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// serviceKeys are the quota keys that count Services.
var serviceKeys = []corev1.ResourceName{corev1.ResourceServices, "count/services"}

// services: while a Service count binds, remove Services whose only users
// share a pod with the workload they reach (merging them into one when
// merges are allowed); the pod then reaches the name through hostAliases.
func (f *fitter) services() error {
	if !f.opts.allowed(AllowServices) {
		return nil
	}
	fp, err := f.footprint()
	if err != nil {
		return err
	}
	need, why := countOver(fp, serviceKeys)
	if need <= 0 {
		return nil
	}
	uses := serviceUses(f.app)
	// With replicas allowed, a group's members are brought to its smallest
	// replica count before merging: groups are tried as if every
	// Deployment ran one replica (nothing else a merge checks depends on
	// the count).
	equalize := f.opts.allowed(AllowReplicas) && f.opts.allowed(AllowMerge)
	base := f.app
	if equalize {
		base = oneReplica(f.app)
	}
	m := rewrite.NewMerger(base, nil)
	try := func(group []int) string {
		if why := mergeable(m, group); why != "" {
			return why
		}
		merged, err := m.Merge(group, why)
		if err != nil {
			return err.Error()
		}
		return checkMerged(base, f.t, group, merged)
	}
	plan := solve.ServiceRemovals(uses, int(need), f.opts.allowed(AllowMerge), try)
	if plan.Left > 0 || len(plan.Remove) == 0 {
		f.res.Findings = append(f.res.Findings, serviceFinding(uses, plan, need))
		return nil
	}
	var ops []solve.Op
	for _, g := range plan.Groups {
		reason := why + "; merged so that the Services between them can go"
		if equalize {
			ro, _ := equalReplicas(f.app, g, reason)
			ops = append(ops, ro...)
		}
		ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: g, Reason: reason})
	}
	for _, ui := range plan.Remove {
		ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: uses[ui].Object, Members: []int{plan.Host[ui]}, Remap: uses[ui].Remap, Reason: why})
	}
	changed, err := f.apply(AllowServices, ops)
	if err != nil || !changed || len(plan.Groups) == 0 {
		return err
	}
	return f.size(false)
}

// oneReplica is a copy of app with every Deployment at one replica.
func oneReplica(app *model.App) *model.App {
	out := &model.App{Objects: make([]*model.Object, len(app.Objects))}
	one := int32(1)
	for i, o := range app.Objects {
		out.Objects[i] = o
		if d, ok := o.Obj.(*appsv1.Deployment); ok && (d.Spec.Replicas == nil || *d.Spec.Replicas != 1) {
			cp := d.DeepCopy()
			cp.Spec.Replicas = &one
			out.Objects[i] = &model.Object{Source: o.Source, Obj: cp}
		}
	}
	return out
}

// mergeable says why a group cannot be merged before trying: a member the
// Merger pins.
func mergeable(m *rewrite.Merger, group []int) string {
	for _, i := range group {
		if why := m.Pinned(i); why != "" {
			return why
		}
	}
	return ""
}

// countOver is how far the tightest of keys is over, and why in words.
func countOver(fp *footprint.Result, keys []corev1.ResourceName) (int64, string) {
	var need int64
	var why []string
	for _, k := range keys {
		if u, ok := fp.Quota[k]; ok && u.Over() {
			over := u.Requested.Value() - u.Hard.Value()
			need = max(need, over)
			why = append(why, fmt.Sprintf("quota %s binds: the app needs %s, the target allows %s (over by %d)", k, u.Requested.String(), u.Hard.String(), over))
		}
	}
	return need, strings.Join(why, "; ")
}

func serviceFinding(uses []solve.ServiceUse, plan solve.ServicePlan, need int64) model.Finding {
	var kept []string
	for _, u := range uses {
		if u.Why != "" {
			kept = append(kept, "Service/"+u.Name+": "+u.Why)
		}
	}
	msg := fmt.Sprintf("%d Service(s) too many and no rewrite removes enough of them without breaking a name", need)
	if len(kept) > 0 {
		msg += "; kept: " + strings.Join(firstUnique(kept, 6), "; ")
	}
	if len(plan.Blocked) > 0 {
		msg += "; merges refused: " + strings.Join(firstUnique(plan.Blocked, 3), "; ")
	}
	return model.Finding{Severity: model.Warning, Key: "services", Message: msg}
}

// serviceUses describes every Service of app for the planner: the workload
// it selects, the workloads that name it, and why it must stay whatever is
// merged.
func serviceUses(app *model.App) []solve.ServiceUse {
	workloads := map[model.Key]int{}
	governing := map[string]string{} // "ns/name" -> StatefulSet it governs
	for i, o := range app.Objects {
		if _, _, ok := footprint.PodSpec(o); ok {
			workloads[o.Key()] = i
		}
		if ss, ok := o.Obj.(*appsv1.StatefulSet); ok && ss.Spec.ServiceName != "" {
			governing[o.Namespace()+"/"+ss.Spec.ServiceName] = o.Ref()
		}
	}
	byResolve := map[string]int{} // what names.Ref.Resolves says -> index in uses
	var uses []solve.ServiceUse
	pods := podLabels(app)
	for i, o := range app.Objects {
		s, ok := o.Obj.(*corev1.Service)
		if !ok {
			continue
		}
		u := solve.ServiceUse{Object: i, Name: o.Name(), Server: -1}
		u.Server, u.Why = serviceServer(pods, s, o.Namespace())
		if u.Why == "" {
			u.Remap, u.Why = servicePorts(app.Objects[u.Server], s)
		}
		if g, ok := governing[o.Namespace()+"/"+o.Name()]; ok && u.Why == "" {
			u.Why = "it governs the pod names of " + g
		}
		byResolve["Service/"+qualified(o.Namespace(), o.Name())] = len(uses)
		uses = append(uses, u)
	}
	readers := names.ConfigReaders(app)
	for _, r := range names.Check(app) {
		ui, ok := byResolve[r.Resolves]
		if !ok {
			continue
		}
		u := &uses[ui]
		w, isWorkload := workloads[r.Object]
		// A ConfigMap's names are used by the pods that read it.
		var cmReaders []int
		if r.Object.Kind == "ConfigMap" && r.Object.Group == "" {
			cmReaders = readers[names.ConfigID("ConfigMap", r.Object.Namespace, r.Object.Name)]
		}
		if !isWorkload {
			w = -1
		}
		addUse(u, r, w, cmReaders)
	}
	for i := range uses {
		if uses[i].Why == "" && len(uses[i].Clients) == 0 {
			uses[i].Why = "no container of the app names it: it may be used from outside the app"
		}
	}
	return uses
}

// addUse notes one use r of u's name: by workload w (-1: by a ConfigMap
// read by the workloads cmReaders, or by another object), or why it keeps
// u.
func addUse(u *solve.ServiceUse, r names.Ref, w int, cmReaders []int) {
	first, _, _ := strings.Cut(r.Host, ".")
	switch {
	case w < 0 && len(cmReaders) == 0 && u.Why == "":
		u.Why = fmt.Sprintf("%s names it (%s), from outside any pod", r.Object, r.Field)
	case first != u.Name && u.Why == "":
		u.Why = fmt.Sprintf("%s reaches a pod by name under it (%q)", r.Object, r.Host)
	case len(u.Remap) > 0 && (r.Port == 0 || w < 0) && u.Why == "":
		u.Why = fmt.Sprintf("it maps port %s to a different target port and %s names it in %s %s: a client reaching the pod itself could miss",
			remapString(u.Remap), r.Object, r.Field, portless(r.Port, w < 0))
	case w >= 0:
		u.Clients = append(u.Clients, w)
	default:
		u.Clients = append(u.Clients, cmReaders...)
	}
}

func qualified(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// podIndex files the app's pod-creating objects under each label pair of
// their pods ("ns\x00key=value"), in app order, with the labels.
type podIndex map[string][]podLabel

type podLabel struct {
	object int
	labels map[string]string
}

func podLabels(app *model.App) podIndex {
	ix := podIndex{}
	for i, o := range app.Objects {
		if _, md, ok := footprint.PodSpec(o); ok {
			for k, v := range md.Labels {
				key := o.Namespace() + "\x00" + k + "=" + v
				ix[key] = append(ix[key], podLabel{i, md.Labels})
			}
		}
	}
	return ix
}

// selected lists, in app order, the objects whose pods selector selects in
// namespace ns: those filed under one pair it requires and carrying all.
func (ix podIndex) selected(selector map[string]string, ns string) []int {
	k := slices.Min(slices.Collect(maps.Keys(selector)))
	var out []int
	for _, p := range ix[ns+"\x00"+k+"="+selector[k]] {
		if names.Selects(selector, p.labels) {
			out = append(out, p.object)
		}
	}
	return out
}

// serviceServer finds the one workload s selects, or says why there is not
// exactly one, or why s is reachable from outside the cluster.
func serviceServer(pods podIndex, s *corev1.Service, ns string) (int, string) {
	switch s.Spec.Type {
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		return -1, "it is reachable from outside the cluster (type " + string(s.Spec.Type) + ")"
	case corev1.ServiceTypeExternalName:
		return -1, "it names a host outside the app (ExternalName)"
	}
	if len(s.Spec.Selector) == 0 {
		return -1, "it has no selector: its endpoints are managed elsewhere"
	}
	sel := pods.selected(s.Spec.Selector, ns)
	if len(sel) != 1 {
		return -1, fmt.Sprintf("it selects the pods of %d workloads", len(sel))
	}
	return sel[0], ""
}

// servicePorts maps the Service's ports that send to a different target
// port (a client reaching the pod itself must name the target port), or
// says why a client in the pod could not reach the server at all: a named
// target port no container declares. Headless Services map no ports:
// their clients already reach the pod.
func servicePorts(server *model.Object, s *corev1.Service) (map[int32]int32, string) {
	if s.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil, ""
	}
	spec, _, _ := footprint.PodSpec(server)
	var remap map[int32]int32
	for _, p := range s.Spec.Ports {
		target := p.Port
		switch tp := p.TargetPort; {
		case tp.Type == intstr.Int && tp.IntVal != 0:
			target = tp.IntVal
		case tp.Type == intstr.String && tp.StrVal != "":
			target = namedPort(spec, tp.StrVal)
		}
		if target < 0 {
			return nil, fmt.Sprintf("its target port %s names no container port", p.TargetPort.String())
		}
		if target != p.Port {
			if remap == nil {
				remap = map[int32]int32{}
			}
			remap[p.Port] = target
		}
	}
	return remap, ""
}

func remapString(m map[int32]int32) string {
	var out []string
	for p, t := range m {
		out = append(out, fmt.Sprintf("%d->%d", p, t))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func portless(port int32, config bool) string {
	if config {
		return "(ConfigMap data is not rewritten)"
	}
	if port == 0 {
		return "without a port"
	}
	return fmt.Sprintf("on port %d", port)
}

func namedPort(spec *corev1.PodSpec, name string) int32 {
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, p := range c.Ports {
			if p.Name == name {
				return p.ContainerPort
			}
		}
	}
	return -1
}
