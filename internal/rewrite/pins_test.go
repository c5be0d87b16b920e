package rewrite

import (
	"fmt"
	"math/rand"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

// scanPinned is what Pins computes, the plain way: every reference against
// every pod-creating object, first reference in app order wins.
func scanPinned(app *model.App) map[int]string {
	p := &Pins{app: app, pinned: map[int]string{}, boundSAs: map[string]bool{}}
	var refs []podRef
	for _, o := range app.Objects {
		refs = append(refs, p.references(o)...)
	}
	out := map[int]string{}
	for i, o := range app.Objects {
		spec, md, ok := footprint.PodSpec(o)
		if !ok {
			continue
		}
		if why := unmergeable(o, spec); why != "" {
			out[i] = why
			continue
		}
		for _, r := range refs {
			if r.ns != o.Namespace() {
				continue
			}
			if r.kind == o.Kind() && r.name == o.Name() {
				out[i] = r.what
				break
			}
			if r.selector == nil {
				continue
			}
			var ls metav1.LabelSelector
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(r.selector, &ls); err != nil {
				continue
			}
			if sel, err := metav1.LabelSelectorAsSelector(&ls); err == nil && !sel.Empty() && sel.Matches(labels.Set(md.Labels)) {
				out[i] = r.what
				break
			}
		}
	}
	return out
}

// TestPinsIndex: the index finds, for every workload, the reference the
// plain scan finds, over random apps of Deployments sharing labels and
// PodDisruptionBudgets (by labels and by expressions), NetworkPolicies
// (one with an empty selector, which selects nothing here) and
// HorizontalPodAutoscalers in two namespaces.
func TestPinsIndex(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	pinnedByRef := 0
	for round := 0; round < 40; round++ {
		app := &model.App{}
		ns := func() string { return []string{"", "b"}[r.Intn(2)] }
		for i := 0; i < 30; i++ {
			d := mdep(fmt.Sprintf("d%d", i), 0)
			d.Namespace = ns()
			d.Spec.Template.Labels = map[string]string{"app": d.Name, "tier": fmt.Sprint(r.Intn(4)), "team": fmt.Sprint(r.Intn(3))}
			app.Objects = append(app.Objects, &model.Object{Obj: d})
			if r.Intn(8) == 0 {
				ss := &appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"}, ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-s", Namespace: d.Namespace}}
				ss.Spec.Template.Labels = d.Spec.Template.Labels
				app.Objects = append(app.Objects, &model.Object{Obj: ss})
			}
		}
		for i := 0; i < 12; i++ {
			var o runtime.Object
			switch k := r.Intn(5); k {
			case 0:
				o = &policyv1.PodDisruptionBudget{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("p", i), Namespace: ns()},
					Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": fmt.Sprint(r.Intn(4)), "team": fmt.Sprint(r.Intn(3))}}}}
			case 1:
				o = &policyv1.PodDisruptionBudget{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("e", i), Namespace: ns()},
					Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{fmt.Sprint(r.Intn(4))}}}}}}
			case 2:
				o = &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("n", i), Namespace: ns()},
					Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprint("d", r.Intn(30))}}}}
			case 3:
				o = &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("all", i), Namespace: ns()}}
			default:
				o = &autoscalingv2.HorizontalPodAutoscaler{TypeMeta: metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("h", i), Namespace: ns()},
					Spec: autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: fmt.Sprint("d", r.Intn(30))}}}
			}
			// References go anywhere in app order: first in order wins.
			at := r.Intn(len(app.Objects) + 1)
			app.Objects = append(app.Objects[:at], append([]*model.Object{{Obj: o}}, app.Objects[at:]...)...)
		}
		want := scanPinned(app)
		p := NewPins(app, nil)
		for i, o := range app.Objects {
			if _, _, ok := footprint.PodSpec(o); !ok {
				continue
			}
			if got := p.Pinned(i); got != want[i] {
				t.Fatalf("round %d: %s pinned %q, the scan says %q", round, o.Ref(), got, want[i])
			}
			if want[i] != "" && want[i] != "only Deployments are merged" {
				pinnedByRef++
			}
		}
	}
	if pinnedByRef < 100 {
		t.Errorf("only %d workloads pinned by a reference: the test says little", pinnedByRef)
	}
}

// TestApplySharesUnchanged: Apply copies the objects its ops change and
// shares the rest with its input, which it leaves as it was; objects of a
// namespace fold are all copied.
func TestApplySharesUnchanged(t *testing.T) {
	app := mapp(mdep("a", 80), mdep("b", 81), msvc("a", map[string]string{"app": "a"}, 80, 80))
	orig := Copy(app)
	out, _, err := Apply(app, []solve.Op{{Object: 1, Field: "replicas", Replicas: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Objects[0] != app.Objects[0] || out.Objects[2] != app.Objects[2] {
		t.Error("unchanged objects were copied")
	}
	if out.Objects[1] == app.Objects[1] || *out.Objects[1].Obj.(*appsv1.Deployment).Spec.Replicas != 3 {
		t.Error("the changed object is not a changed copy")
	}
	if *app.Objects[1].Obj.(*appsv1.Deployment).Spec.Replicas != 1 {
		t.Error("Apply changed its input")
	}
	out, _, err = Apply(app, []solve.Op{{Kind: solve.OpNamespace, Object: -1, Namespace: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out.Objects {
		if o == app.Objects[i] || o.Namespace() != "x" {
			t.Errorf("%s: shared or not moved after a fold", o.Ref())
		}
	}
	if app.Objects[0].Namespace() != "" || len(Copy(app).Objects) != len(orig.Objects) {
		t.Error("the fold changed its input")
	}
}

// TestSameSAUnstructured: ServiceAccounts the loader left Unstructured
// compare as typed ones do, every time a planner asks, and stay as they
// were.
func TestSameSAUnstructured(t *testing.T) {
	a, b := mdep("a", 80), mdep("b", 81)
	a.Spec.Template.Spec.ServiceAccountName, b.Spec.Template.Spec.ServiceAccountName = "a", "b"
	app := mapp(a, b)
	for _, name := range []string{"a", "b"} {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": name}}}
		app.Objects = append(app.Objects, &model.Object{Obj: u})
	}
	m := NewMerger(app, nil)
	for try := 0; try < 2; try++ {
		if !m.sameSA("", "a", "b") {
			t.Fatalf("try %d: look-alike ServiceAccounts differ", try)
		}
	}
	if app.Objects[2].Name() != "a" || app.Objects[3].Name() != "b" {
		t.Error("comparing ServiceAccounts changed them")
	}
}
