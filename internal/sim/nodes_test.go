package sim

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// TestNodeLabels: nodes the simulator makes carry every label a kubelet
// sets; a target's nodes are registered with exactly their own labels, as
// the footprint sees them.
func TestNodeLabels(t *testing.T) {
	for _, n := range append(Nodes(nil, 2, corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}), Nodes(nil, 0, nil)...) {
		r := readyNode(n, 0)
		if r.Labels[corev1.LabelHostname] != r.Name || r.Labels["beta.kubernetes.io/os"] != "linux" || r.Labels[corev1.LabelArchStable] != r.Labels["beta.kubernetes.io/arch"] {
			t.Errorf("generated node %s: labels %v lack the kubelet's", r.Name, r.Labels)
		}
	}
	given := &model.Target{Nodes: []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "bare", Labels: map[string]string{"pool": "a"}}}}}
	r := readyNode(Nodes(given, 0, nil)[0], 0)
	if len(r.Labels) != 1 || r.Labels["pool"] != "a" {
		t.Errorf("target node registered with labels %v, want only pool=a", r.Labels)
	}
}
