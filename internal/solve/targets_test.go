package solve

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// Targets replace the values scaling starts from, up or down; Usage stays
// the floor when the quota binds.
func TestResourcesTargets(t *testing.T) {
	pod := func(cpu, mem string) *corev1.Pod {
		return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)}}}}}}
	}
	ws := []Workload{
		{Object: 0, Ref: "Deployment/big", Kind: "Deployment", Pod: pod("1", "1Gi"), Replicas: 1},
		{Object: 1, Ref: "Deployment/small", Kind: "Deployment", Pod: pod("10m", "16Mi"), Replicas: 1},
	}
	quota := func(cpu string) *model.Target {
		return &model.Target{Quotas: []*corev1.ResourceQuota{{ObjectMeta: metav1.ObjectMeta{Name: "q"},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse(cpu)}}}}}
	}
	targets := map[string]corev1.ResourceRequirements{
		"Deployment/big/c": {Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("100Mi")},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("100Mi")}},
		"Deployment/small/c": {Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("300m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}},
	}
	floors := map[string]corev1.ResourceList{
		"Deployment/big/c":   {corev1.ResourceCPU: resource.MustParse("150m"), corev1.ResourceMemory: resource.MustParse("90Mi")},
		"Deployment/small/c": {corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("60Mi")},
	}
	values := func(p *Plan) map[string]string {
		out := map[string]string{}
		for _, op := range p.Ops {
			out[ws[op.Object].Ref+"/"+op.Field] = op.Value.String()
		}
		return out
	}
	// Room for both targets: each gets its target, the small one sized up.
	got := values(Resources(ws, quota("2"), Options{Targets: targets, Usage: floors}))
	for k, want := range map[string]string{"Deployment/big/requests.cpu": "200m", "Deployment/small/requests.cpu": "300m",
		"Deployment/big/limits.memory": "100Mi", "Deployment/small/requests.memory": "64Mi"} {
		if got[k] != want {
			t.Errorf("roomy quota: %s = %q, want %s (all: %v)", k, got[k], want, got)
		}
	}
	// 450m: the targets (500m) do not fit; scaled down toward the floors
	// (400m), never below them.
	p := Resources(ws, quota("450m"), Options{Targets: targets, Usage: floors})
	got = values(p)
	big, small := resource.MustParse(got["Deployment/big/requests.cpu"]), resource.MustParse(got["Deployment/small/requests.cpu"])
	if big.MilliValue() < 150 || small.MilliValue() < 250 || big.MilliValue()+small.MilliValue() > 450 || p.Over != nil {
		t.Errorf("tight quota: big %s small %s (floors 150m, 250m; quota 450m), over %v", &big, &small, p.Over)
	}
	// 300m cannot hold the floors: the plan says by how much.
	p = Resources(ws, quota("300m"), Options{Targets: targets, Usage: floors})
	if over, ok := p.Over["requests.cpu"]; !ok || over.MilliValue() != 100 {
		t.Errorf("quota below the floors: over %v, want requests.cpu 100m", p.Over)
	}
}
