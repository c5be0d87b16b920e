package rewrite

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// Pins says why pod-creating objects of an app may never be merged: their
// own shape, or another object that refers to them. It is the part of a
// Merger that planners need before they try a merge.
type Pins struct {
	app *model.App
	// pinned says why an object may not be merged at all.
	pinned map[int]string
	// boundSAs are the ServiceAccounts ("ns/name") a binding of the app names.
	boundSAs map[string]bool
}

// NewPins reads app; objects in skip are treated as gone.
func NewPins(app *model.App, skip map[int]bool) *Pins {
	p := &Pins{app: app, pinned: map[int]string{}, boundSAs: map[string]bool{}}
	var refs []podRef
	for i, o := range app.Objects {
		if !skip[i] {
			refs = append(refs, p.references(o)...)
		}
	}
	ix := newRefIndex(refs)
	for i, o := range app.Objects {
		if !skip[i] {
			p.pin(i, o, refs, ix)
		}
	}
	return p
}

// Pinned says why the object at index i may never be merged, "" when it may.
func (p *Pins) Pinned(i int) string {
	if _, _, ok := footprint.PodSpec(p.app.Objects[i]); !ok {
		return "it creates no pods"
	}
	return p.pinned[i]
}

// podRef is an object other than a Service or a controller that refers to
// pods or to a workload: a merge would leave it pointing at nothing.
type podRef struct {
	kind, name, ns string
	selector       map[string]any
	what           string
}

// references lists what o refers to by selector (PodDisruptionBudget,
// NetworkPolicy, ...) or by name (HorizontalPodAutoscaler, VPA, ...), and
// notes the ServiceAccounts a binding names.
func (p *Pins) references(o *model.Object) []podRef {
	if _, _, ok := footprint.PodSpec(o); ok || o.Kind() == "Service" {
		return nil
	}
	switch o.Obj.(type) {
	case *corev1.ConfigMap, *corev1.Secret, *corev1.ServiceAccount:
		return nil // no spec, and not a binding
	}
	var u map[string]any
	if un, ok := o.Obj.(*unstructured.Unstructured); ok {
		u = un.Object // read only
	} else {
		var err error
		if u, err = runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj); err != nil {
			return nil
		}
	}
	var refs []podRef
	spec, _ := u["spec"].(map[string]any)
	for _, f := range []string{"selector", "podSelector"} {
		if sel, ok := spec[f].(map[string]any); ok {
			refs = append(refs, podRef{ns: o.Namespace(), selector: sel, what: o.Ref() + " selects its pods"})
		}
	}
	for _, f := range []string{"scaleTargetRef", "targetRef"} {
		if t, ok := spec[f].(map[string]any); ok {
			k, _ := t["kind"].(string)
			n, _ := t["name"].(string)
			refs = append(refs, podRef{kind: k, name: n, ns: o.Namespace(), what: o.Ref() + " targets it"})
		}
	}
	if o.Kind() == "RoleBinding" || o.Kind() == "ClusterRoleBinding" {
		p.noteBoundSAs(o, u)
	}
	return refs
}

// noteBoundSAs records the ServiceAccounts the subjects of a binding name.
func (p *Pins) noteBoundSAs(o *model.Object, u map[string]any) {
	subjects, _ := u["subjects"].([]any)
	for _, s := range subjects {
		sm, _ := s.(map[string]any)
		if sm["kind"] == "ServiceAccount" {
			ns, _ := sm["namespace"].(string)
			if ns == "" {
				ns = o.Namespace()
			}
			p.boundSAs[ns+"/"+fmt.Sprint(sm["name"])] = true
		}
	}
}

// refIndex finds the references that may concern an object without
// looking at every reference: by namespace, kind and name, and, for a
// selector, by one label pair it requires (or the namespace alone when it
// requires none). Each selector is parsed once.
type refIndex struct {
	byName map[string][]int
	byPair map[string][]int
	scan   map[string][]int
	// sels holds each selector reference's parsed selector; nil when it
	// selects nothing (unparsable or empty).
	sels []labels.Selector
}

func newRefIndex(refs []podRef) *refIndex {
	ix := &refIndex{byName: map[string][]int{}, byPair: map[string][]int{}, scan: map[string][]int{}, sels: make([]labels.Selector, len(refs))}
	for i, r := range refs {
		ix.byName[r.ns+"\x00"+r.kind+"\x00"+r.name] = append(ix.byName[r.ns+"\x00"+r.kind+"\x00"+r.name], i)
		if r.selector == nil {
			continue
		}
		var ls metav1.LabelSelector
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(r.selector, &ls); err != nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err != nil || sel.Empty() {
			continue
		}
		ix.sels[i] = sel
		if len(ls.MatchLabels) == 0 {
			ix.scan[r.ns] = append(ix.scan[r.ns], i)
			continue
		}
		k := slices.Min(slices.Collect(maps.Keys(ls.MatchLabels)))
		ix.byPair[pairKey(r.ns, k, ls.MatchLabels[k])] = append(ix.byPair[pairKey(r.ns, k, ls.MatchLabels[k])], i)
	}
	return ix
}

// first returns the first reference, in app order, that concerns o (whose
// pods carry lbls), or -1.
func (ix *refIndex) first(o *model.Object, lbls map[string]string) int {
	ns := o.Namespace()
	best := -1
	consider := func(list []int, sel bool) {
		for _, i := range list {
			if best >= 0 && i >= best {
				return // lists are in app order
			}
			if !sel || ix.sels[i].Matches(labels.Set(lbls)) {
				best = i
				return
			}
		}
	}
	consider(ix.byName[ns+"\x00"+o.Kind()+"\x00"+o.Name()], false)
	consider(ix.scan[ns], true)
	for k, v := range lbls {
		consider(ix.byPair[pairKey(ns, k, v)], true)
	}
	return best
}

// pin records why the pod-creating object at i may not be merged: its own
// shape, or another object that refers to it.
func (p *Pins) pin(i int, o *model.Object, refs []podRef, ix *refIndex) {
	spec, md, ok := footprint.PodSpec(o)
	if !ok {
		return
	}
	if why := unmergeable(o, spec); why != "" {
		p.pinned[i] = why
		return
	}
	if r := ix.first(o, md.Labels); r >= 0 {
		p.pinned[i] = refs[r].what
	}
}
