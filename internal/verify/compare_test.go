package verify_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/verify"
)

// compare checks the control plane's report against the footprint, on
// what does not depend on the order in which controllers race for quota:
//
//   - a workload the footprint refuses whatever the quota's state
//     (LimitRange, "must specify", missing ServiceAccount) has every pod
//     refused, with the same message;
//   - a non-pod object (Service, claim, ConfigMap) is refused exactly when
//     the footprint says, with the same message: verify creates them one by
//     one in the footprint's order, before any pod;
//   - some pod is refused for quota exactly when the footprint says so: the
//     total either fits or does not, whoever comes first;
//   - when nothing is refused for quota, every workload has exactly the
//     predicted pods and status.used equals the prediction for every key,
//     less the pods of refused workloads.
//
// It returns the disagreements, one line each.
func compare(app *model.App, t *model.Target, r *verify.Report) []string {
	fp, err := footprint.Analyze(app, t)
	if err != nil {
		return []string{"footprint: " + err.Error()}
	}
	var bad []string
	add := func(format string, a ...any) { bad = append(bad, fmt.Sprintf(format, a...)) }
	workloads := map[string]footprint.Workload{}
	for _, w := range fp.Workloads {
		workloads[w.Object.Ref()] = w
	}
	real := map[string]verify.Refusal{}
	for _, f := range r.Refusals {
		real[f.Object] = f
	}
	// Refusals of objects and of whole workloads.
	quotaPredicted := false
	for _, f := range fp.Refusals {
		w, isWorkload := workloads[f.Object]
		switch {
		case !isWorkload:
			got, ok := real[f.Object]
			if !ok || got.Message != f.Message {
				add("%s: footprint refuses it (%s), control plane: %s", f.Object, f.Message, describe(got, ok))
			}
		case w.Refused != "":
			got, ok := real[f.Object]
			if !ok || got.Message != w.Refused || got.Count != int(w.Replicas) {
				add("%s: footprint refuses all %d pods (%s), control plane: %s", f.Object, w.Replicas, w.Refused, describe(got, ok))
			}
		default:
			quotaPredicted = true
		}
	}
	quotaReal := false
	for _, f := range r.Refusals {
		w, isWorkload := workloads[f.Object]
		if !isWorkload || w.Refused != "" {
			if !fpRefuses(fp, f.Object) {
				add("%s: control plane refuses it (%d: %s), footprint admits it", f.Object, f.Count, f.Message)
			}
			continue
		}
		quotaReal = true
	}
	if quotaPredicted != quotaReal {
		add("quota refusals: footprint %v, control plane %v (%s)", quotaPredicted, quotaReal, refusalList(r))
	}
	if quotaPredicted || quotaReal {
		return bad
	}
	// Nothing refused for quota: counts and charges are exact.
	for _, got := range r.Workloads {
		w, ok := workloads[got.Object]
		if !ok {
			add("%s: not a workload of the footprint", got.Object)
			continue
		}
		want := w.Replicas
		if w.Refused != "" {
			want = 0
		}
		if got.Created != want || got.Scheduled != want {
			add("%s: footprint %d pods, control plane created %d, scheduled %d", got.Object, want, got.Created, got.Scheduled)
		}
	}
	expected := map[corev1.ResourceName]resource.Quantity{}
	for k, u := range fp.Quota {
		expected[k] = u.Requested.DeepCopy()
	}
	for _, w := range fp.Workloads {
		if w.Refused == "" || w.Replicas == 0 {
			continue
		}
		for k, v := range footprint.PodUsage(w.Pod) {
			if e, ok := expected[k]; ok {
				for range w.Replicas {
					e.Sub(v)
				}
				expected[k] = e
			}
		}
	}
	// Objects refused outright were never charged either.
	for _, f := range fp.Refusals {
		if _, isWorkload := workloads[f.Object]; !isWorkload {
			for _, o := range app.Objects {
				if o.Ref() != f.Object {
					continue
				}
				for k, v := range objectUsage(o) {
					if e, ok := expected[k]; ok {
						e.Sub(v)
						expected[k] = e
					}
				}
			}
		}
	}
	keys := make([]string, 0, len(r.Hard))
	for k := range r.Hard {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		used := resource.MustParse(r.Used[k])
		want, ok := expected[corev1.ResourceName(k)]
		if !ok {
			add("%s: no prediction, control plane uses %s", k, used.String())
			continue
		}
		if used.Cmp(want) != 0 {
			add("%s: footprint %s, control plane status.used %s", k, want.String(), used.String())
		}
	}
	return bad
}

func objectUsage(o *model.Object) corev1.ResourceList {
	switch obj := o.Obj.(type) {
	case *corev1.Service:
		return footprint.ServiceUsage(obj)
	case *corev1.PersistentVolumeClaim:
		return footprint.PVCUsage(obj)
	}
	u := corev1.ResourceList{footprint.CountKey(o.GVK()): resource.MustParse("1")}
	switch o.Kind() {
	case "ConfigMap":
		u[corev1.ResourceConfigMaps] = resource.MustParse("1")
	case "Secret":
		u[corev1.ResourceSecrets] = resource.MustParse("1")
	}
	return u
}

func fpRefuses(fp *footprint.Result, ref string) bool {
	for _, f := range fp.Refusals {
		if f.Object == ref {
			return true
		}
	}
	return false
}

func describe(f verify.Refusal, ok bool) string {
	if !ok {
		return "admitted"
	}
	return fmt.Sprintf("%d refused: %s", f.Count, f.Message)
}

func refusalList(r *verify.Report) string {
	var s []string
	for _, f := range r.Refusals {
		s = append(s, fmt.Sprintf("%s x%d: %s", f.Object, f.Count, f.Message))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
}

// huge returns t with every quota limit made so large that nothing binds:
// what remains to compare is the exact charge of every object.
func huge(t *model.Target) *model.Target {
	h := *t
	h.Name = t.Name + "+huge"
	h.Quotas = nil
	for _, q := range t.Quotas {
		q = q.DeepCopy()
		for k := range q.Spec.Hard {
			v := resource.MustParse("1M")
			if strings.Contains(string(k), "memory") || strings.Contains(string(k), "storage") {
				v = resource.MustParse("1Pi")
			}
			q.Spec.Hard[k] = v
		}
		h.Quotas = append(h.Quotas, q)
	}
	return &h
}

func report(t *testing.T, c *vcase) {
	t.Helper()
	if c.err != nil {
		t.Fatalf("verifying: %v", c.err)
	}
	if !c.report.Settled {
		t.Errorf("the controllers did not settle")
	}
	for _, d := range compare(c.app, c.target, c.report) {
		t.Errorf("%s", d)
	}
}
