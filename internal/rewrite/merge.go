package rewrite

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
)

const (
	// MergedLabel marks the pods of a merged Deployment with its name; the
	// merged Deployment selects on it, and so do Services re-pointed to it.
	MergedLabel = "rightsize.dev/merged"
	// MergedFromAnnotation lists, comma-separated, the Deployments merged.
	MergedFromAnnotation = "rightsize.dev/merged-from"
)

// Conflict is why a group of workloads cannot be merged: merging it would
// break the app. It is a verdict, not a failure.
type Conflict struct{ Msg string }

func (c *Conflict) Error() string { return c.Msg }

func conflictf(format string, args ...any) error {
	return &Conflict{Msg: fmt.Sprintf(format, args...)}
}

// Merged is one merge: the new Deployment, the Services re-pointed to it and
// the changes, ready to be put into the app.
type Merged struct {
	Object *model.Object
	// Services holds, by app index, the Services whose selector changed.
	Services map[int]*model.Object
	// Related lists the Services that selected a member or select the
	// merged pod: the only ones whose reach the merge changes.
	Related []int
	Changes []Change
}

// Merger merges Deployments of one app into multi-container pods. It reads
// the app and never changes it.
type Merger struct {
	app *model.App
	// skip marks objects already merged away.
	skip map[int]bool
	// Pins says why objects may not be merged at all.
	*Pins
	// ports caches portsOf.
	ports map[int]map[string]string
	// services and controllers index selectors by a label pair they need;
	// pods indexes pod templates by their label pairs. With them a merge
	// looks at the objects its labels concern, not at the whole app.
	services, controllers selIndex
	pods                  map[string][]int
	selectors             map[int]labels.Selector
	// deployments holds the names of the app's Deployments.
	deployments map[string]bool
	// accounts indexes the app's ServiceAccounts by "ns/name" (sameSA).
	accounts map[string]int
}

// selIndex finds the objects whose selector may select a label set: each
// object is filed under one "ns\x00key=value" pair its selector requires,
// or, when it requires none, under its namespace alone.
type selIndex struct {
	byPair map[string][]int
	scan   map[string][]int
}

func (x *selIndex) add(ns string, i int, required map[string]string) {
	if x.byPair == nil {
		x.byPair, x.scan = map[string][]int{}, map[string][]int{}
	}
	if len(required) == 0 {
		x.scan[ns] = append(x.scan[ns], i)
		return
	}
	k := slices.Min(slices.Collect(maps.Keys(required)))
	x.byPair[pairKey(ns, k, required[k])] = append(x.byPair[pairKey(ns, k, required[k])], i)
}

// candidates lists, in app order, the objects that may select one of sets.
func (x *selIndex) candidates(ns string, sets ...map[string]string) []int {
	seen := map[int]bool{}
	var out []int
	add := func(list []int) {
		for _, i := range list {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	add(x.scan[ns])
	for _, set := range sets {
		for k, v := range set {
			add(x.byPair[pairKey(ns, k, v)])
		}
	}
	slices.Sort(out)
	return out
}

func pairKey(ns, k, v string) string { return ns + "\x00" + k + "=" + v }

// NewMerger indexes app; objects in skip are treated as gone.
func NewMerger(app *model.App, skip map[int]bool) *Merger {
	m := &Merger{app: app, skip: skip, Pins: NewPins(app, skip), ports: map[int]map[string]string{}}
	m.pods, m.selectors, m.deployments = map[string][]int{}, map[int]labels.Selector{}, map[string]bool{}
	for i, o := range app.Objects {
		if !skip[i] {
			m.index(i, o)
		}
	}
	return m
}

// index files the object at i under the labels its selector needs (Services,
// controllers) and the labels of its pods.
func (m *Merger) index(i int, o *model.Object) {
	if o.Kind() == "Deployment" {
		m.deployments[o.Name()] = true
	}
	ns := o.Namespace()
	if s, ok := o.Obj.(*corev1.Service); ok && len(s.Spec.Selector) > 0 {
		m.services.add(ns, i, s.Spec.Selector)
	}
	if _, md, ok := footprint.PodSpec(o); ok {
		for k, v := range md.Labels {
			m.pods[pairKey(ns, k, v)] = append(m.pods[pairKey(ns, k, v)], i)
		}
	}
	if ls := controllerSelector(o); ls != nil {
		if sel, err := metav1.LabelSelectorAsSelector(ls); err == nil && !sel.Empty() {
			m.selectors[i] = sel
			m.controllers.add(ns, i, ls.MatchLabels)
		}
	}
}

// unmergeable says why a pod-creating object cannot be merged by its shape.
func unmergeable(o *model.Object, spec *corev1.PodSpec) string {
	d, ok := o.Obj.(*appsv1.Deployment)
	switch {
	case !ok:
		return "only Deployments are merged"
	case d.Spec.Paused:
		return "it is paused"
	case d.Spec.Replicas != nil && *d.Spec.Replicas == 0:
		return "it has no replicas"
	case spec.Hostname != "" || spec.Subdomain != "":
		return "its pods have their own host name (hostname/subdomain)"
	case spec.Resources != nil || len(spec.ResourceClaims) > 0:
		return "its pods set pod-level resources or resource claims"
	case len(spec.EphemeralContainers) > 0:
		return "its pods have ephemeral containers"
	}
	return ""
}

// member is one Deployment of a group, deep-copied.
type member struct {
	index int
	obj   *model.Object
	d     *appsv1.Deployment
	// ports are the ports its pods listen on, by "port/PROTO", with where
	// each comes from.
	ports map[string]string
}

// Merge merges the Deployments at the indexes of group, group[0] first,
// into one named after group[0] with "-merged" appended. A *Conflict error
// says why the group cannot be merged; reason goes into every change.
//
// The steps: validate the group (cheap checks first, as a planner tries
// many groups that clash), fold each member into the first one's pod,
// re-point the Services that reached a member, and record the changes.
func (m *Merger) Merge(group []int, reason string) (*Merged, error) {
	ms, err := m.validate(group)
	if err != nil {
		return nil, err
	}
	p := m.newPod(ms[0])
	for _, mb := range ms[1:] {
		if err := p.check(m, mb); err != nil {
			return nil, err
		}
		p.fold(mb)
	}
	p.seal()
	inGroup := map[int]bool{}
	for _, mb := range ms {
		inGroup[mb.index] = true
	}
	if err := m.checkSelectors(ms, inGroup, p.tpl.Labels); err != nil {
		return nil, err
	}
	res := &Merged{Object: &model.Object{Source: ms[0].obj.Source, Obj: p.out}}
	svcChanges, err := m.repoint(res, ms, inGroup, p)
	if err != nil {
		return nil, err
	}
	res.Changes = recordChanges(ms, p, svcChanges, reason)
	return res, nil
}

// validate checks that group names distinct, mergeable objects of the app
// that can share a pod (namespace, replicas, rollout, ports, init
// containers), and returns its members, deep-copied.
func (m *Merger) validate(group []int) ([]*member, error) {
	if len(group) < 2 {
		return nil, fmt.Errorf("merging needs two or more workloads, got %d", len(group))
	}
	var ms []*member
	seen := map[int]bool{}
	for _, i := range group {
		if i < 0 || i >= len(m.app.Objects) || m.skip[i] {
			return nil, fmt.Errorf("merge names object %d, which is not in the app", i)
		}
		if seen[i] {
			return nil, fmt.Errorf("merge names object %d twice", i)
		}
		seen[i] = true
		o := m.app.Objects[i]
		if why := m.Pinned(i); why != "" {
			return nil, conflictf("%s cannot be merged: %s", o.Ref(), why)
		}
		ms = append(ms, &member{index: i, obj: o, d: o.Obj.(*appsv1.Deployment), ports: m.portsOf(i)})
	}
	if err := m.checkDeployments(ms); err != nil {
		return nil, err
	}
	if err := checkPorts(ms); err != nil {
		return nil, err
	}
	for _, mb := range ms {
		mb.d = mb.d.DeepCopy()
	}
	if err := m.checkInitWaits(ms); err != nil {
		return nil, err
	}
	return ms, nil
}

// checkPorts: no two members listen on one port and protocol.
func checkPorts(ms []*member) error {
	used := map[string]string{} // "port/PROTO" -> where
	for _, mb := range ms {
		for _, k := range slices.Sorted(maps.Keys(mb.ports)) {
			if where, ok := used[k]; ok {
				return conflictf("port %s is used by %s and by %s; one pod cannot listen on it twice", k, where, mb.ports[k])
			}
		}
		for k, v := range mb.ports {
			used[k] = v
		}
	}
	return nil
}

// mergedPod is the merged Deployment being built from its first member, with
// the names its pod already uses.
type mergedPod struct {
	m    *Merger
	ns   string
	name string
	// mark is the value of MergedLabel on the merged pods.
	mark                string
	first               *member
	out                 *appsv1.Deployment
	tpl                 *corev1.PodTemplateSpec
	spec                *corev1.PodSpec
	hostPorts, portName map[string]string
	containers, volumes map[string]bool
	members             []string
	changes             []Change
}

func (m *Merger) newPod(first *member) *mergedPod {
	name := m.uniqueName(first.d.Name + "-merged")
	out := first.d.DeepCopy()
	out.Name = name
	out.ResourceVersion, out.UID = "", ""
	p := &mergedPod{m: m, ns: first.obj.Namespace(), name: name, first: first, out: out, tpl: &out.Spec.Template,
		hostPorts: map[string]string{}, portName: map[string]string{}, containers: map[string]bool{}, volumes: map[string]bool{},
		members: []string{first.d.Name}}
	p.spec = &p.tpl.Spec
	notePorts(p.spec, first.obj.Ref(), p.hostPorts, p.portName)
	for _, c := range allContainers(p.spec) {
		p.containers[c.Name] = true
	}
	for _, v := range p.spec.Volumes {
		p.volumes[v.Name] = true
	}
	return p
}

func (p *mergedPod) ref() string { return p.key().String() }

func (p *mergedPod) key() model.Key {
	return model.Key{Group: "apps", Kind: "Deployment", Namespace: p.ns, Name: p.name}
}

func (p *mergedPod) change(field, before, after, why string) {
	p.changes = append(p.changes, Change{Object: p.key(), Field: field, Before: before, After: after, Reason: why})
}

// check says why mb cannot join the pod: pod-level fields, pod annotations,
// host ports, port names or host aliases that clash. It merges mb's host
// aliases into the pod.
func (p *mergedPod) check(m *Merger, mb *member) error {
	b := &mb.d.Spec.Template
	if err := samePodSpec(m, p.ns, p.first, mb); err != nil {
		return err
	}
	if sa, bsa := saName(p.spec), saName(&b.Spec); sa != bsa {
		p.change("spec.template.spec.serviceAccountName", bsa+" (of "+mb.obj.Ref()+")", sa,
			"the merged pod runs as one ServiceAccount; both are bound to no role and carry no secrets or annotations, so they grant the same")
	}
	for k, v := range b.Annotations {
		if old, ok := p.tpl.Annotations[k]; ok && old != v {
			return conflictf("pod annotation %s differs: %q in %s, %q in %s", k, old, p.first.obj.Ref(), v, mb.obj.Ref())
		}
	}
	for _, c := range allContainers(&b.Spec) {
		for _, port := range c.Ports {
			if where, ok := p.hostPorts[hostPortKey(port)]; ok && port.HostPort != 0 {
				return conflictf("hostPort %s is used by %s and by %s container %s", hostPortKey(port), where, mb.obj.Ref(), c.Name)
			}
			if where, ok := p.portName[port.Name]; ok && port.Name != "" {
				return conflictf("port name %q is used by %s and by %s container %s; a Service or probe naming it would reach either", port.Name, where, mb.obj.Ref(), c.Name)
			}
		}
	}
	return mergeAliases(p.spec, &b.Spec, mb.obj.Ref())
}

// fold adds mb's containers, volumes and pod metadata to the pod, renaming
// what clashes.
func (p *mergedPod) fold(mb *member) {
	b := &mb.d.Spec.Template
	notePorts(&b.Spec, mb.obj.Ref(), p.hostPorts, p.portName)
	p.renameContainers(mb)
	p.renameVolumes(mb)
	p.spec.InitContainers = append(p.spec.InitContainers, b.Spec.InitContainers...)
	p.spec.Containers = append(p.spec.Containers, b.Spec.Containers...)
	p.spec.Volumes = append(p.spec.Volumes, b.Spec.Volumes...)
	for _, s := range b.Spec.ImagePullSecrets {
		if !hasPullSecret(p.spec.ImagePullSecrets, s.Name) {
			p.spec.ImagePullSecrets = append(p.spec.ImagePullSecrets, s)
		}
	}
	if g, bg := grace(p.spec), grace(&b.Spec); bg > g {
		p.change("spec.template.spec.terminationGracePeriodSeconds", fmt.Sprint(g), fmt.Sprint(bg), "the merged pod gives every container the longest grace period of its members ("+mb.obj.Ref()+")")
		p.spec.TerminationGracePeriodSeconds = &bg
	}
	if b.Annotations != nil && p.tpl.Annotations == nil {
		p.tpl.Annotations = map[string]string{}
	}
	maps.Copy(p.tpl.Annotations, b.Annotations)
	if p.tpl.Labels == nil {
		p.tpl.Labels = map[string]string{}
	}
	addMissing(p.tpl.Labels, b.Labels)
	if p.out.Labels == nil && len(mb.d.Labels) > 0 {
		p.out.Labels = map[string]string{}
	}
	addMissing(p.out.Labels, mb.d.Labels)
	p.out.Spec.MinReadySeconds = max(p.out.Spec.MinReadySeconds, mb.d.Spec.MinReadySeconds)
	p.members = append(p.members, mb.d.Name)
}

// addMissing copies the keys of from that to lacks.
func addMissing(to, from map[string]string) {
	for k, v := range from {
		if _, ok := to[k]; !ok {
			to[k] = v
		}
	}
}

func (p *mergedPod) renameContainers(mb *member) {
	spec := &mb.d.Spec.Template.Spec
	var cs []string
	isInit := map[string]bool{}
	for _, c := range spec.InitContainers {
		isInit[c.Name] = true
	}
	for _, c := range allContainers(spec) {
		cs = append(cs, c.Name)
	}
	renames := uniqueNames(cs, mb.d.Name, p.containers)
	renameContainers(spec, renames)
	for _, old := range slices.Sorted(maps.Keys(renames)) {
		list := "containers"
		if isInit[old] {
			list = "initContainers"
		}
		p.change("spec.template.spec."+list+"["+renames[old]+"].name", old+" (of "+mb.obj.Ref()+")", renames[old], "container names must be unique in a pod")
	}
}

func (p *mergedPod) renameVolumes(mb *member) {
	spec := &mb.d.Spec.Template.Spec
	var vs []string
	for _, v := range spec.Volumes {
		vs = append(vs, v.Name)
	}
	renames := uniqueNames(vs, mb.d.Name, p.volumes)
	renameVolumes(spec, renames)
	for _, old := range slices.Sorted(maps.Keys(renames)) {
		p.change("spec.template.spec.volumes["+renames[old]+"].name", old+" (of "+mb.obj.Ref()+")", renames[old], "volume names must be unique in a pod; its volumeMounts follow")
	}
}

// seal labels the merged pods with MergedLabel, selects on it, and names
// the members in MergedFromAnnotation.
func (p *mergedPod) seal() {
	if p.tpl.Labels == nil {
		p.tpl.Labels = map[string]string{}
	}
	// A label value is at most 63 characters; a Deployment name may be longer.
	p.mark = strings.TrimRight(truncate(p.name, 63), "-._")
	p.tpl.Labels[MergedLabel] = p.mark
	p.out.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{MergedLabel: p.mark}}
	if p.out.Annotations == nil {
		p.out.Annotations = map[string]string{}
	}
	p.out.Annotations[MergedFromAnnotation] = strings.Join(p.members, ",")
}

// repoint fills res.Related and res.Services: every Service that selected a
// member selects the merged pod instead. A Service that would newly select
// the merged pod, or that also selects a workload outside the group, is a
// conflict.
func (m *Merger) repoint(res *Merged, ms []*member, inGroup map[int]bool, p *mergedPod) ([]Change, error) {
	res.Services = map[int]*model.Object{}
	res.Related = m.services.candidates(p.ns, append(memberLabels(ms), p.tpl.Labels)...)
	var changes []Change
	for _, si := range res.Related {
		o := m.app.Objects[si]
		s, ok := o.Obj.(*corev1.Service)
		if !ok || len(s.Spec.Selector) == 0 {
			continue
		}
		before := selectedMember(s.Spec.Selector, ms)
		after := names.Selects(s.Spec.Selector, p.tpl.Labels)
		switch {
		case before == "" && after:
			return nil, conflictf("%s would select the merged pod, which it did not select before", o.Ref())
		case before == "" || after:
			continue
		}
		if other := m.selectedOutside(s.Spec.Selector, p.ns, inGroup); other != "" {
			return nil, conflictf("%s selects %s and %s; re-pointing it to the merged pod would lose %s", o.Ref(), before, other, other)
		}
		cp := s.DeepCopy()
		was := selectorString(cp.Spec.Selector)
		cp.Spec.Selector = map[string]string{MergedLabel: p.mark}
		res.Services[si] = &model.Object{Source: o.Source, Obj: cp}
		changes = append(changes, Change{Object: o.Key(), Field: "spec.selector", Before: was, After: selectorString(cp.Spec.Selector),
			Reason: fmt.Sprintf("%s was merged into %s; the Service keeps reaching it there", before, p.ref())})
	}
	return changes, nil
}

// selectedMember names the first member whose pods selector selects, "" for none.
func selectedMember(selector map[string]string, ms []*member) string {
	for _, mb := range ms {
		if names.Selects(selector, mb.d.Spec.Template.Labels) {
			return mb.obj.Ref()
		}
	}
	return ""
}

// selectedOutside names the first workload outside the group whose pods
// selector selects, "" for none.
func (m *Merger) selectedOutside(selector map[string]string, ns string, inGroup map[int]bool) string {
	for _, w := range m.selected(selector, ns) {
		if !inGroup[w] {
			return m.app.Objects[w].Ref()
		}
	}
	return ""
}

// recordChanges lists a merge's changes: the merged Deployment created, each
// member merged into it, the pod's own edits, then the Services re-pointed.
func recordChanges(ms []*member, p *mergedPod, svcChanges []Change, reason string) []Change {
	var refs []string
	for _, mb := range ms {
		refs = append(refs, mb.obj.Ref())
	}
	changes := []Change{{Object: p.key(), Field: "(object)", Before: "(none)", After: "created from " + strings.Join(refs, ", "), Reason: reason}}
	for _, mb := range ms {
		changes = append(changes, Change{Object: mb.obj.Key(), Field: "(object)", Before: "present", After: "merged into " + p.ref(), Reason: reason})
	}
	changes = append(changes, p.changes...)
	return append(changes, svcChanges...)
}

// checkDeployments: members share a namespace, a replica count and a
// rollout strategy.
func (m *Merger) checkDeployments(ms []*member) error {
	first := ms[0]
	for _, mb := range ms[1:] {
		if mb.obj.Namespace() != first.obj.Namespace() {
			return conflictf("%s and %s are in different namespaces", first.obj.Ref(), mb.obj.Ref())
		}
		if r, br := replicas(first.d), replicas(mb.d); r != br {
			return conflictf("%s has %d replicas and %s %d; merged pods share one count", first.obj.Ref(), r, mb.obj.Ref(), br)
		}
		if !reflect.DeepEqual(strategy(first.d), strategy(mb.d)) {
			return conflictf("%s and %s roll out differently (spec.strategy)", first.obj.Ref(), mb.obj.Ref())
		}
	}
	return nil
}

// checkInitWaits refuses a group where an init container of one member
// reaches another member: init containers run before any container of the
// pod starts, so it would wait for ever.
func (m *Merger) checkInitWaits(ms []*member) error {
	svcs := m.services.candidates(ms[0].obj.Namespace(), memberLabels(ms)...)
	mini := &model.App{}
	for _, i := range svcs {
		mini.Objects = append(mini.Objects, m.app.Objects[i])
	}
	for _, mb := range ms {
		mini.Objects = append(mini.Objects, mb.obj)
	}
	inits := map[model.Key]map[string]bool{} // object -> init container names
	for _, mb := range ms {
		inits[mb.obj.Key()] = map[string]bool{}
		for _, c := range mb.d.Spec.Template.Spec.InitContainers {
			if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
				inits[mb.obj.Key()][c.Name] = true
			}
		}
	}
	for _, r := range names.Check(mini) {
		if !inits[r.Object][r.Container] || !strings.HasPrefix(r.Resolves, "Service/") {
			continue
		}
		svcName := r.Resolves[strings.LastIndex(r.Resolves, "/")+1:]
		for _, i := range svcs {
			s, ok := m.app.Objects[i].Obj.(*corev1.Service)
			if !ok || s.Name != svcName {
				continue
			}
			for _, mb := range ms {
				if mb.obj.Key() != r.Object && names.Selects(s.Spec.Selector, mb.d.Spec.Template.Labels) {
					return conflictf("%s init container %s waits for %q, served by %s: in one pod it would wait for ever", r.Object, r.Container, r.Host, mb.obj.Ref())
				}
			}
		}
	}
	return nil
}

func memberLabels(ms []*member) []map[string]string {
	var out []map[string]string
	for _, mb := range ms {
		out = append(out, mb.d.Spec.Template.Labels)
	}
	return out
}

// checkSelectors: no other controller may select the merged pods.
func (m *Merger) checkSelectors(ms []*member, inGroup map[int]bool, lbls map[string]string) error {
	for _, i := range m.controllers.candidates(ms[0].obj.Namespace(), lbls) {
		if !inGroup[i] && m.selectors[i].Matches(labels.Set(lbls)) {
			return conflictf("%s's selector would also select the merged pods", m.app.Objects[i].Ref())
		}
	}
	return nil
}

// controllerSelector is the pod selector of a controller, nil for others.
func controllerSelector(o *model.Object) *metav1.LabelSelector {
	switch t := o.Obj.(type) {
	case *appsv1.Deployment:
		return t.Spec.Selector
	case *appsv1.ReplicaSet:
		return t.Spec.Selector
	case *appsv1.StatefulSet:
		return t.Spec.Selector
	case *appsv1.DaemonSet:
		return t.Spec.Selector
	case *corev1.ReplicationController:
		return &metav1.LabelSelector{MatchLabels: t.Spec.Selector}
	}
	return nil
}

// selected lists, in app order, the pod-creating objects a Service
// selector selects.
func (m *Merger) selected(selector map[string]string, ns string) []int {
	k := slices.Min(slices.Collect(maps.Keys(selector)))
	var out []int
	for _, i := range m.pods[pairKey(ns, k, selector[k])] {
		if _, md, _ := footprint.PodSpec(m.app.Objects[i]); names.Selects(selector, md.Labels) {
			out = append(out, i)
		}
	}
	return out
}

// portsOf lists the ports the pods of the Deployment at i listen on:
// declared container ports, probe ports, and the target ports of the
// Services that select it (a process may listen on a port it never
// declares). The Merger's app never changes, so the answer is kept.
func (m *Merger) portsOf(i int) map[string]string {
	if p, ok := m.ports[i]; ok {
		return p
	}
	o := m.app.Objects[i]
	mb := &member{index: i, obj: o, d: o.Obj.(*appsv1.Deployment)}
	svcs := m.services.candidates(o.Namespace(), mb.d.Spec.Template.Labels)
	out := map[string]string{}
	m.ports[i] = out
	spec := &mb.d.Spec.Template.Spec
	named := map[string]string{}
	for _, c := range allContainers(spec) {
		where := mb.obj.Ref() + " container " + c.Name
		for _, p := range c.Ports {
			out[portKey(p.ContainerPort, p.Protocol)] = where
			if p.Name != "" {
				named[p.Name] = where
			}
		}
		for _, pr := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if pr == nil {
				continue
			}
			switch {
			case pr.HTTPGet != nil && pr.HTTPGet.Port.Type == intstr.Int:
				out[portKey(pr.HTTPGet.Port.IntVal, "")] = where + " (probe)"
			case pr.TCPSocket != nil && pr.TCPSocket.Port.Type == intstr.Int:
				out[portKey(pr.TCPSocket.Port.IntVal, "")] = where + " (probe)"
			case pr.GRPC != nil:
				out[portKey(pr.GRPC.Port, "")] = where + " (probe)"
			}
		}
	}
	for _, i := range svcs {
		s, ok := m.app.Objects[i].Obj.(*corev1.Service)
		if !ok || !names.Selects(s.Spec.Selector, mb.d.Spec.Template.Labels) {
			continue
		}
		for _, p := range s.Spec.Ports {
			tp := p.TargetPort
			switch {
			case tp.Type == intstr.String && tp.StrVal != "":
				continue // a named port is declared, so listed above
			case tp.Type == intstr.Int && tp.IntVal != 0:
				out[portKey(tp.IntVal, p.Protocol)] = mb.obj.Ref() + " (target of " + m.app.Objects[i].Ref() + ")"
			default:
				out[portKey(p.Port, p.Protocol)] = mb.obj.Ref() + " (target of " + m.app.Objects[i].Ref() + ")"
			}
		}
	}
	return out
}
