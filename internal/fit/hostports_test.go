package fit

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// edgeNode is the edge plan's one node, as a --target file would give it.
func edgeNode() *model.Target {
	alloc := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110")}
	return &model.Target{Name: "edge", Nodes: []*corev1.Node{{
		ObjectMeta: metav1.ObjectMeta{Name: "edge", Labels: map[string]string{corev1.LabelHostname: "edge"}},
		Status:     corev1.NodeStatus{Allocatable: alloc},
	}}}
}

// worker is a stream-processing worker: 2 replicas, each binding hostPort
// 6700 (as Storm supervisors do), optionally kept apart by anti-affinity.
func worker(anti bool) *model.App {
	d := deployment("supervisor", 2, "500m", "512Mi")
	spec := &d.Obj.(*appsv1.Deployment).Spec.Template.Spec
	spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 6700, HostPort: 6700}}
	if anti {
		spec.Containers[0].Ports = nil
		spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "supervisor"}}, TopologyKey: corev1.LabelHostname,
		}}}}
	}
	return &model.App{Objects: []*model.Object{d}}
}

// TestHostPortsNeverClaimedToFit: two pods binding one host port cannot
// share the one node. fit keeps one replica and says one is lost; with
// --allow host-ports it drops the port and keeps both; allowed neither, it
// says the app does not fit.
func TestHostPortsNeverClaimedToFit(t *testing.T) {
	cases := []struct {
		name     string
		anti     bool
		allow    []string
		fits     bool
		replicas int32
		hostPort int32
		finding  string
	}{
		{name: "replicas reduced", allow: nil, fits: true, replicas: 1, hostPort: 6700, finding: "1 of 2 replicas lost: each pod binds hostPort 6700/TCP"},
		{name: "host port dropped", allow: []string{AllowHostPorts}, fits: true, replicas: 2, hostPort: 0, finding: "host ports hostPort 6700/TCP removed"},
		{name: "host port dropped among explicit kinds", allow: []string{AllowResources, AllowHostPorts}, fits: true, replicas: 2, hostPort: 0},
		{name: "nothing allowed that helps", allow: []string{AllowResources}, fits: false, replicas: 2, hostPort: 6700, finding: "didn't have free ports for the requested pod ports"},
		{name: "anti-affinity keeps replicas apart", anti: true, fits: true, replicas: 1, finding: "required anti-affinity keeps them apart"},
		{name: "anti-affinity is not a host port", anti: true, allow: []string{AllowHostPorts}, fits: true, replicas: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := worker(tc.anti)
			res, err := Run(app, edgeNode(), Options{Allow: tc.allow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tc.fits || res.After.Fits != tc.fits {
				t.Fatalf("fits = %v (after: %v), want %v; findings %v", res.Fits, res.After.Fits, tc.fits, append(res.Findings, res.After.Findings...))
			}
			d := res.App.Objects[0].Obj.(*appsv1.Deployment)
			if got := *d.Spec.Replicas; got != tc.replicas {
				t.Errorf("replicas = %d, want %d", got, tc.replicas)
			}
			if got := footprint.HostPorts(&d.Spec.Template.Spec); !tc.anti && (len(got) > 0) != (tc.hostPort > 0) {
				t.Errorf("host ports after the fit: %v, want %d", got, tc.hostPort)
			}
			all := append(append([]model.Finding(nil), res.Findings...), res.After.Findings...)
			found := tc.finding == ""
			for _, f := range all {
				found = found || strings.Contains(f.Message, tc.finding)
			}
			if !found {
				t.Errorf("no finding says %q: %v", tc.finding, all)
			}
			if *app.Objects[0].Obj.(*appsv1.Deployment).Spec.Replicas != 2 {
				t.Error("the input app was changed")
			}
		})
	}
}
