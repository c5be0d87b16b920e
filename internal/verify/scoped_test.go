package verify_test

import (
	"fmt"
	"math/rand/v2"

	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// scopedApps is how many generated apps TestDifferentialScopedQuotas
// compares, each in a loose and a tight target.
const scopedApps = 30

// TestDifferentialScopedQuotas compares the footprint with the control
// plane per ResourceQuota, on targets whose quotas share keys across
// scopes: Terminating and NotTerminating, BestEffort and NotBestEffort,
// PriorityClass In and NotIn, and an unscoped quota over all of them. The
// apps mix long-running, terminating (activeDeadlineSeconds), best-effort
// and high-priority pods, so that every quota is charged with a different
// part of the app. With loose limits nothing is refused for quota and each
// quota's status.used must equal the footprint's charge of that quota; with
// tight ones the refusals must agree.
func TestDifferentialScopedQuotas(t *testing.T) {
	var cases []*vcase
	for i := range scopedApps {
		g := &gen{r: rand.New(rand.NewPCG(uint64(i), 7))}
		app := scopedApp(g)
		cases = append(cases,
			&vcase{name: fmt.Sprintf("seed-%d/loose", i), app: app, target: scopedTarget(g, false)},
			&vcase{name: fmt.Sprintf("seed-%d/tight", i), app: app, target: scopedTarget(g, true)})
	}
	verifyAll(t, verifier, cases, time.Second)
	charged := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			report(t, c)
			if t.Failed() {
				t.Logf("app:\n%s\ntarget:\n%s\nreport:\n%s", dumpObjects(c.app), dumpTarget(c.target), dumpReport(c.report))
			}
		})
		if c.report == nil {
			continue
		}
		for name, used := range c.report.QuotaUsed {
			if p := used[corev1.ResourcePods]; !p.IsZero() {
				charged[name] = true
			}
		}
	}
	// The apps reach every scope: a quota no pod reached compares nothing.
	for _, q := range scopedTarget(&gen{r: rand.New(rand.NewPCG(0, 0))}, false).Quotas {
		if !charged[q.Name] {
			t.Errorf("quota %s: no pod of any app was charged to it", q.Name)
		}
	}
}

// scopedApp is a generated app whose pods are, at random, best-effort (no
// resources at all), terminating, or of the "high" priority class.
func scopedApp(g *gen) *model.App {
	app := g.app()
	high := false
	for _, o := range app.Objects {
		spec, _, ok := footprint.PodSpec(o)
		if !ok {
			continue
		}
		if spec.ServiceAccountName == "missing" || spec.PriorityClassName == "missing" {
			continue // refused whatever the quotas: compares no charge
		}
		if g.chance(0.3) {
			for i := range spec.Containers {
				spec.Containers[i].Resources = corev1.ResourceRequirements{}
			}
			for i := range spec.InitContainers {
				spec.InitContainers[i].Resources = corev1.ResourceRequirements{}
			}
		}
		if g.chance(0.3) {
			spec.PriorityClassName, high = "high", true
		}
		if (o.Kind() == "Pod" || o.Kind() == "Job") && g.chance(0.6) {
			// Terminating, and sized in full, so that no quota's "must
			// specify" refuses it and the Terminating quota is charged.
			spec.ActiveDeadlineSeconds = ptrInt64(3600)
			full := corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("64Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: q("200m"), corev1.ResourceMemory: q("128Mi")},
			}
			for i := range spec.Containers {
				spec.Containers[i].Resources = *full.DeepCopy()
			}
			for i := range spec.InitContainers {
				spec.InitContainers[i].Resources = *full.DeepCopy()
			}
		}
	}
	if high {
		app.Objects = append(app.Objects, typed(&schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000},
			schedulingv1.SchemeGroupVersion, "PriorityClass"))
	}
	return app
}

func ptrInt64(v int64) *int64 { return &v }

// scopedTarget has quotas that share keys (pods, requests.cpu,
// limits.memory) across scopes; tight ones bind some of them.
func scopedTarget(g *gen, tight bool) *model.Target {
	hard := func(keys ...string) corev1.ResourceList {
		l := corev1.ResourceList{}
		for _, k := range keys {
			v := map[string]string{"pods": "1000", "requests.cpu": "1000", "requests.memory": "1Ti", "limits.memory": "1Ti", "limits.cpu": "1000"}[k]
			if tight && g.chance(0.5) {
				v = map[string]string{"pods": g.pick("1", "2", "4"), "requests.cpu": g.pick("100m", "500m", "1"),
					"requests.memory": g.pick("64Mi", "256Mi"), "limits.memory": g.pick("128Mi", "512Mi"), "limits.cpu": g.pick("500m", "2")}[k]
			}
			l[corev1.ResourceName(k)] = q(v)
		}
		return l
	}
	quota := func(name string, h corev1.ResourceList, scopes ...corev1.ResourceQuotaScope) *corev1.ResourceQuota {
		return &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ResourceQuotaSpec{Hard: h, Scopes: scopes}}
	}
	priority := func(name string, op corev1.ScopeSelectorOperator, h corev1.ResourceList) *corev1.ResourceQuota {
		q := quota(name, h)
		q.Spec.ScopeSelector = &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{
			{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: op, Values: []string{"high"}},
		}}
		return q
	}
	name := "scoped-loose"
	if tight {
		name = "scoped-tight"
	}
	return &model.Target{Name: name, Quotas: []*corev1.ResourceQuota{
		// BestEffort pods set no cpu or memory: an unscoped quota on cpu would
		// refuse them ("must specify"), so it counts pods only.
		quota("all", hard("pods")),
		quota("long-running", hard("pods", "requests.cpu", "limits.memory"), corev1.ResourceQuotaScopeNotTerminating, corev1.ResourceQuotaScopeNotBestEffort),
		quota("terminating", hard("pods", "requests.cpu"), corev1.ResourceQuotaScopeTerminating),
		quota("not-terminating", hard("pods"), corev1.ResourceQuotaScopeNotTerminating),
		quota("best-effort", hard("pods"), corev1.ResourceQuotaScopeBestEffort),
		quota("burstable", hard("pods", "requests.memory", "limits.cpu"), corev1.ResourceQuotaScopeNotBestEffort),
		priority("high", corev1.ScopeSelectorOpIn, hard("pods", "requests.cpu")),
		priority("not-high", corev1.ScopeSelectorOpNotIn, hard("pods")),
	}}
}
