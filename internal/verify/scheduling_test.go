package verify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
	"github.com/rightsize/rightsize/internal/target"
	"github.com/rightsize/rightsize/internal/verify"
)

// schedulingApps is how many generated apps TestDifferentialScheduling
// places on its mixed nodes.
const schedulingApps = 40

// kubeletLabels are the labels every kubelet sets on its Node.
func kubeletLabels(name, arch string) map[string]string {
	return map[string]string{
		corev1.LabelHostname: name, corev1.LabelOSStable: "linux", corev1.LabelArchStable: arch,
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": arch,
	}
}

// mixedNodes are nodes that a manifest can trip each filter on: a small
// node with few pod slots, a tainted one with an SSD label and an extended
// resource, a cordoned one in another zone, and one tainted NoExecute.
func mixedNodes() []*corev1.Node {
	mk := func(name, arch, zone, cpu, pods string, extra map[string]string, spec corev1.NodeSpec, ext corev1.ResourceList) *corev1.Node {
		l := kubeletLabels(name, arch)
		l[corev1.LabelTopologyZone] = zone
		for k, v := range extra {
			l[k] = v
		}
		alloc := corev1.ResourceList{
			corev1.ResourceCPU: q(cpu), corev1.ResourceMemory: q("4Gi"), corev1.ResourcePods: q(pods),
			corev1.ResourceEphemeralStorage: q("10Gi"),
		}
		for k, v := range ext {
			alloc[k] = v
		}
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}, Spec: spec,
			Status: corev1.NodeStatus{Capacity: alloc, Allocatable: alloc.DeepCopy()},
		}
	}
	return []*corev1.Node{
		mk("n1", "amd64", "z1", "2", "3", nil, corev1.NodeSpec{}, nil),
		mk("n2", "arm64", "z1", "4", "110", map[string]string{"disktype": "ssd"},
			corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}},
			corev1.ResourceList{"example.com/widget": q("2")}),
		mk("n3", "amd64", "z2", "8", "110", nil, corev1.NodeSpec{Unschedulable: true}, nil),
		mk("n4", "amd64", "z2", "2", "110", map[string]string{"disktype": "hdd"},
			corev1.NodeSpec{Taints: []corev1.Taint{{Key: "maintenance", Effect: corev1.TaintEffectNoExecute}}}, nil),
	}
}

// schedGen generates apps of one workload whose pods trip the scheduler's
// filters: all pods of a workload are alike, so how many of them the nodes
// take does not depend on which feasible node each one lands on, and the
// footprint's greedy placement must agree with the scheduler pod for pod.
type schedGen struct{ r *rand.Rand }

func (g *schedGen) chance(p float64) bool { return g.r.Float64() < p }
func (g *schedGen) pick(s ...string) string {
	return s[g.r.IntN(len(s))]
}

func (g *schedGen) container() corev1.Container {
	c := corev1.Container{Name: "c", Image: "registry.k8s.io/pause:3.10", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}}
	if v := g.pick("0", "100m", "700m", "1500m", "3"); v != "0" {
		c.Resources.Requests[corev1.ResourceCPU] = q(v)
	}
	if v := g.pick("0", "0", "256Mi", "3Gi"); v != "0" {
		c.Resources.Requests[corev1.ResourceMemory] = q(v)
	}
	if g.chance(0.15) {
		c.Resources.Requests[corev1.ResourceEphemeralStorage] = q(g.pick("4Gi", "12Gi"))
	}
	if g.chance(0.2) {
		c.Resources.Requests["example.com/widget"] = q("1")
		c.Resources.Limits["example.com/widget"] = q("1")
	}
	return c
}

func (g *schedGen) nodeConstraints(spec *corev1.PodSpec) {
	if g.chance(0.45) {
		k, v, _ := strings.Cut(g.pick("beta.kubernetes.io/os=linux", "kubernetes.io/os=linux", "beta.kubernetes.io/arch=arm64",
			"disktype=ssd", "disktype=nvme", "kubernetes.io/hostname=n3", "topology.kubernetes.io/zone=z2"), "=")
		spec.NodeSelector = map[string]string{k: v}
	}
	if g.chance(0.25) {
		reqs := map[string]corev1.NodeSelectorRequirement{
			"arch-in":      {Key: corev1.LabelArchStable, Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64"}},
			"arch-not-in":  {Key: "beta.kubernetes.io/arch", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"amd64"}},
			"disk-exists":  {Key: "disktype", Operator: corev1.NodeSelectorOpExists},
			"disk-missing": {Key: "disktype", Operator: corev1.NodeSelectorOpDoesNotExist},
		}
		r := reqs[g.pick("arch-in", "arch-not-in", "disk-exists", "disk-missing")]
		spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{r}}},
		}}}
	}
	if g.chance(0.5) {
		tol := map[string]corev1.Toleration{
			"db":          {Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "db", Effect: corev1.TaintEffectNoSchedule},
			"db-other":    {Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule},
			"everything":  {Operator: corev1.TolerationOpExists},
			"cordon":      {Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
			"maintenance": {Key: "maintenance", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		}
		spec.Tolerations = append(spec.Tolerations, tol[g.pick("db", "db-other", "everything", "cordon", "maintenance")])
	}
}

func (g *schedGen) ports(spec *corev1.PodSpec) {
	c := &spec.Containers[0]
	switch g.pick("none", "none", "host", "host-udp", "host-ip", "network") {
	case "host":
		c.Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}
	case "host-udp":
		c.Ports = []corev1.ContainerPort{{ContainerPort: 53, HostPort: 53, Protocol: corev1.ProtocolUDP}, {ContainerPort: 53, HostPort: 53}}
	case "host-ip":
		c.Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080, HostIP: "127.0.0.1"}}
	case "network":
		spec.HostNetwork = true
		c.Ports = []corev1.ContainerPort{{ContainerPort: 9000}}
	}
}

func (g *schedGen) antiAffinity(spec *corev1.PodSpec, labels map[string]string) {
	if !g.chance(0.3) {
		return
	}
	if spec.Affinity == nil {
		spec.Affinity = &corev1.Affinity{}
	}
	spec.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		LabelSelector: &metav1.LabelSelector{MatchLabels: labels},
		TopologyKey:   g.pick(corev1.LabelHostname, corev1.LabelTopologyZone),
	}}}
}

func (g *schedGen) app(i int) *model.App {
	name := fmt.Sprintf("w%d", i)
	labels := map[string]string{"app": name}
	spec := corev1.PodSpec{Containers: []corev1.Container{g.container()}, TerminationGracePeriodSeconds: ptr.To[int64](0)}
	g.nodeConstraints(&spec)
	g.ports(&spec)
	g.antiAffinity(&spec, labels)
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
	meta := metav1.ObjectMeta{Name: name}
	sel := &metav1.LabelSelector{MatchLabels: labels}
	var o *model.Object
	switch g.pick("Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet") {
	case "DaemonSet":
		o = typed(&appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}, appsv1.SchemeGroupVersion, "DaemonSet")
	case "StatefulSet":
		o = typed(&appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(int32(1 + g.r.IntN(5))), Selector: sel, ServiceName: name, Template: tmpl,
			PodManagementPolicy: appsv1.ParallelPodManagement,
		}}, appsv1.SchemeGroupVersion, "StatefulSet")
	default:
		o = typed(&appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(1 + g.r.IntN(5))), Selector: sel, Template: tmpl,
		}}, appsv1.SchemeGroupVersion, "Deployment")
	}
	return &model.App{Objects: []*model.Object{o}}
}

// edgeApps are the two cases on the edge plan: a demo app whose
// pods select beta.kubernetes.io/os (fits), and a two-replica worker with a
// host port (one pod stays Pending on the single node).
const edgeApps = `apiVersion: apps/v1
kind: Deployment
metadata: {name: front-end}
spec:
  replicas: 1
  selector: {matchLabels: {name: front-end}}
  template:
    metadata: {labels: {name: front-end}}
    spec:
      nodeSelector: {beta.kubernetes.io/os: linux}
      containers: [{name: c, image: x, resources: {requests: {cpu: 100m, memory: 300Mi}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: supervisor}
spec:
  replicas: 2
  selector: {matchLabels: {app: supervisor}}
  template:
    metadata: {labels: {app: supervisor}}
    spec:
      containers: [{name: c, image: x, ports: [{containerPort: 6700, hostPort: 6700}], resources: {requests: {cpu: 500m, memory: 512Mi}}}]
`

// TestDifferentialScheduling places apps that trip every scheduler filter a
// manifest can (node selector with stable and beta kubelet labels, required
// node affinity, taints and tolerations, a cordoned node, host ports by
// protocol and address, host network, required pod anti-affinity by host
// and zone, extended resources, ephemeral storage, pod slots) on a real
// control plane, and checks per workload that the footprint leaves exactly
// as many pods Pending as the scheduler does, with the scheduler's message.
func TestDifferentialScheduling(t *testing.T) {
	type run struct {
		name string
		app  *model.App
	}
	edge, err := target.Load("edge-4cpu-4gi")
	if err != nil {
		t.Fatal(err)
	}
	demo, err := load.Load([]string{"-"}, load.Options{Stdin: strings.NewReader(edgeApps)})
	if err != nil {
		t.Fatal(err)
	}
	var mixed []run
	for i := range schedulingApps {
		g := &schedGen{r: rand.New(rand.NewPCG(uint64(i), 11))}
		mixed = append(mixed, run{fmt.Sprintf("seed-%d", i), g.app(i)})
	}
	// keys counts the causes the footprint reported, so that the test
	// shows it covered each.
	keys := map[string]int{}
	for _, tc := range []struct {
		name string
		tg   *model.Target
		runs []run
	}{
		{"edge", edge, []run{{"issue-9", demo}}},
		{"mixed", &model.Target{Name: "mixed", Nodes: mixedNodes()}, mixed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := simtest.Start(sim.Options{Nodes: sim.Nodes(tc.tg, 0, nil)})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Stop()
			v, err := verify.New(c)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range tc.runs {
				tg := *tc.tg
				tg.Namespace = fmt.Sprintf("s%d", i)
				t.Run(r.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					rep, err := v.Run(ctx, r.app, &tg, verify.Options{Quiet: 500 * time.Millisecond})
					if err != nil {
						t.Fatal(err)
					}
					for _, d := range compareScheduling(r.app, &tg, rep, keys) {
						t.Error(d)
					}
					if t.Failed() {
						t.Log(dumpObjects(r.app))
					}
					if err := vacate(ctx, c, tg.Namespace); err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
	t.Logf("pending pods by cause: %v", keys)
	for _, k := range []string{footprint.KeyNodeSize, footprint.KeyNodes, footprint.KeyNodeAffinity, footprint.KeyNodeTaint, footprint.KeyNodePorts, footprint.KeyPodAffinity} {
		if keys[k] == 0 && !t.Failed() {
			t.Errorf("no generated app left a pod Pending for %s: the test does not cover it", k)
		}
	}
}

// compareScheduling returns the disagreements between the footprint's
// placement and the control plane's, workload by workload.
func compareScheduling(app *model.App, tg *model.Target, r *verify.Report, keys map[string]int) []string {
	fp, err := footprint.Analyze(app, tg)
	if err != nil {
		return []string{err.Error()}
	}
	byRef := map[string]footprint.Workload{}
	for _, w := range fp.Workloads {
		byRef[w.Object.Ref()] = w
	}
	var bad []string
	allScheduled := true
	for _, cw := range r.Workloads {
		fw := byRef[cw.Object]
		if cw.Created != cw.Desired || cw.Desired != fw.Replicas {
			bad = append(bad, fmt.Sprintf("%s: footprint expects %d pods, control plane wants %d and created %d", cw.Object, fw.Replicas, cw.Desired, cw.Created))
			continue
		}
		var fpPending int32
		var reasons []string
		for _, p := range fw.Pending {
			fpPending += p.Count
			keys[p.Key] += int(p.Count)
			reasons = append(reasons, fmt.Sprintf("%d: %s (%s)", p.Count, p.Reason, p.Detail))
		}
		if cw.Scheduled < cw.Desired {
			allScheduled = false
		}
		if cpPending := cw.Desired - cw.Scheduled; cpPending != fpPending {
			bad = append(bad, fmt.Sprintf("%s: footprint leaves %d of %d pods Pending %v, the scheduler %d %v", cw.Object, fpPending, fw.Replicas, reasons, cpPending, cw.Unschedulable))
			continue
		}
		for _, u := range cw.Unschedulable {
			ok := false
			for _, p := range fw.Pending {
				ok = ok || strings.HasPrefix(u.Message, p.Reason)
			}
			if !ok {
				bad = append(bad, fmt.Sprintf("%s: the scheduler says %q, the footprint %v", cw.Object, u.Message, reasons))
			}
		}
	}
	if fp.Fits != allScheduled {
		bad = append(bad, fmt.Sprintf("footprint fits=%v, control plane scheduled every pod=%v; findings %v", fp.Fits, allScheduled, fp.Findings))
	}
	return bad
}
