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
//     predicted pods and status.used equals the footprint's Admitted for
//     every key.
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
	// A workload whose own creation was refused (a count quota) has no
	// pods: the control plane refused the object, once.
	created := map[string]bool{}
	for _, w := range r.Workloads {
		created[w.Object] = true
	}
	for ref, w := range workloads {
		if created[ref] {
			continue
		}
		got, ok := real[ref]
		if ok && w.Refused == "" && strings.Contains(got.Message, "exceeded quota") {
			continue // a bare pod refused for quota: a race, judged with the others below
		}
		if !ok || got.Count != 1 || !fpRefusesWith(fp, ref, got.Message) {
			add("%s: not created by the control plane (%s), footprint refusals: %s", ref, describe(got, ok), fpRefusalList(fp, ref))
		}
		delete(workloads, ref)
	}
	// Refusals of objects and of whole workloads.
	quotaPredicted := false
	for _, f := range fp.Refusals {
		w, isWorkload := workloads[f.Object.String()]
		switch {
		case !isWorkload:
			got, ok := real[f.Object.String()]
			if !ok || !sameMessage(got.Message, f.Message) {
				add("%s: footprint refuses it (%s), control plane: %s", f.Object.String(), f.Message, describe(got, ok))
			}
		case w.Refused != "":
			// A StatefulSet's claims are created before its pods: the
			// control plane shows whichever refusal comes first.
			got, ok := real[f.Object.String()]
			if !ok || !fpRefusesWith(fp, f.Object.String(), got.Message) || got.Count != int(w.Replicas) {
				add("%s: footprint refuses all %d pods (%s), control plane: %s", f.Object.String(), w.Replicas, w.Refused, describe(got, ok))
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
		// A pod that mounts a refused claim is created but never scheduled
		// ("persistentvolumeclaim not found").
		wantScheduled := want
		if mountsRefusedClaim(w.Pod, fp) {
			wantScheduled = 0
		}
		if got.Created != want || got.Scheduled != wantScheduled {
			add("%s: footprint %d pods (%d schedulable), control plane created %d, scheduled %d", got.Object, want, wantScheduled, got.Created, got.Scheduled)
		}
	}
	// Each ResourceQuota on its own: status.used is what the footprint
	// charged that quota with its own scopes.
	for _, qu := range fp.Quotas {
		used, ok := r.QuotaUsed[qu.Quota.Name]
		if !ok {
			add("quota %s: not in the namespace", qu.Quota.Name)
			continue
		}
		for _, k := range sortedResourceNames(qu.Quota.Spec.Hard) {
			got, want := used[k], qu.Admitted[k]
			if got.Cmp(want) != 0 {
				add("quota %s %s: footprint %s, control plane status.used %s", qu.Quota.Name, k, want.String(), got.String())
			}
		}
	}
	if len(r.QuotaUsed) != len(fp.Quotas) {
		add("control plane has %d quotas, footprint %d", len(r.QuotaUsed), len(fp.Quotas))
	}
	return bad
}

func mountsRefusedClaim(pod *corev1.Pod, fp *footprint.Result) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && fpRefuses(fp, "PersistentVolumeClaim/"+v.PersistentVolumeClaim.ClaimName) {
			return true
		}
	}
	return false
}

func fpRefuses(fp *footprint.Result, ref string) bool {
	for _, f := range fp.Refusals {
		if f.Object.String() == ref {
			return true
		}
	}
	return false
}

func fpRefusesWith(fp *footprint.Result, ref, msg string) bool {
	for _, f := range fp.Refusals {
		if f.Object.String() == ref && sameMessage(f.Message, msg) {
			return true
		}
	}
	return false
}

// sameMessage compares refusal messages, taking a bracketed list in any
// order: Kubernetes ranges over maps when it validates a container's
// resources (field errors) and its LimitRange items, so it words cpu and
// memory errors in random order. Items contain ", " themselves; as a
// multiset of ", "-separated fragments, a reordered list is still equal.
//
// A pod that fails the "must specify" rule of several quotas is refused
// naming whichever of them the apiserver checks first, and it checks them
// in its cache's order, which is random: any two such messages agree.
func sameMessage(a, b string) bool {
	if a == b {
		return true
	}
	mustSpecify := func(s string) bool {
		return strings.HasPrefix(s, "forbidden: failed quota: ") && strings.Contains(s, ": must specify ")
	}
	if mustSpecify(a) && mustSpecify(b) {
		return true
	}
	fragments := func(s string) (string, string) {
		i := strings.Index(s, "[")
		if i < 0 || !strings.HasSuffix(s, "]") {
			return s, ""
		}
		list := strings.Split(s[i+1:len(s)-1], ", ")
		sort.Strings(list)
		return s[:i], strings.Join(list, "|")
	}
	pa, la := fragments(a)
	pb, lb := fragments(b)
	return la != "" && pa == pb && la == lb
}

func fpRefusalList(fp *footprint.Result, ref string) string {
	var s []string
	for _, f := range fp.Refusals {
		if f.Object.String() == ref {
			s = append(s, fmt.Sprintf("x%d: %s", f.Count, f.Message))
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
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
	d := compare(c.app, c.target, c.report)
	for _, x := range d {
		t.Errorf("%s", x)
	}
	if len(d) == 0 && len(c.loaded) > 0 {
		t.Logf("agreed when run alone, after disagreeing while other apps ran (quota controller race): %s", strings.Join(c.loaded, "; "))
	}
}

func sortedResourceNames(l corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
