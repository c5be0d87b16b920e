package footprint

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// Finding keys of the node check, one per cause. Static causes hold on
// empty nodes (KeyNodeSize, KeyNodeAffinity, KeyNodeTaint,
// KeyNodeUnschedulable, KeyNodeName); the others arise from the app's own
// pods placed before (KeyNodes: resources or pod count together,
// KeyNodePorts, KeyPodAffinity).
const (
	KeyNodeSize          = "node-size"
	KeyNodes             = "nodes"
	KeyNodeAffinity      = "node-affinity"
	KeyNodeTaint         = "node-taint"
	KeyNodeUnschedulable = "node-unschedulable"
	KeyNodeName          = "node-name"
	KeyNodePorts         = "node-ports"
	KeyPodAffinity       = "pod-affinity"
)

// Pending is a number of a workload's pods that the scheduler would leave
// Pending, with the cause (a Key* constant), the scheduler's own message
// ("0/1 nodes are available: 1 Insufficient cpu.") and rightsize's detail
// (the numbers, the label, the taint, the port and who holds it).
type Pending struct {
	Count  int32
	Key    string
	Reason string
	Detail string
}

// podToPlace is one pod as the scheduler's filters see it.
type podToPlace struct {
	pod   *corev1.Pod
	owner string
	// need is the pod's requests plus one "pods".
	need                   corev1.ResourceList
	ports                  []HostPort
	antiAffinity, affinity []affinityTerm
	// pin is the node a DaemonSet's controller made the pod for (daemon),
	// or the pod's spec.nodeName.
	pin    string
	daemon bool
}

type placedPort struct {
	HostPort
	owner string
}

// nodeState is one node with the pods placed on it so far.
type nodeState struct {
	node  *corev1.Node
	alloc corev1.ResourceList
	free  corev1.ResourceList
	ports []placedPort
	pods  []*podToPlace
}

// rejection is why one filter refuses a pod on one node: reasons in the
// scheduler's words (as counted in "0/N nodes are available: ..."), and
// detail in rightsize's (the numbers, the label, the taint, the port).
type rejection struct {
	plugin  string
	reasons []string
	detail  string
	// static is true when the node would refuse the pod even empty.
	static bool
	// elsewhere is true when the node is not the one the pod is pinned to.
	elsewhere bool
}

func (r *rejection) key() string {
	switch r.plugin {
	case "NodeResourcesFit":
		if r.static {
			return KeyNodeSize
		}
		return KeyNodes
	case "NodePorts":
		return KeyNodePorts
	case "InterPodAffinity":
		return KeyPodAffinity
	case "TaintToleration":
		return KeyNodeTaint
	case "NodeAffinity":
		return KeyNodeAffinity
	case "NodeUnschedulable":
		return KeyNodeUnschedulable
	}
	return KeyNodeName
}

// scheduler places pods one by one as kube-scheduler's default profile
// filters them: a deterministic greedy stand-in for its scoring, exact in
// what it refuses.
type scheduler struct {
	nodes []*nodeState
}

func newScheduler(nodes []*corev1.Node) *scheduler {
	s := &scheduler{}
	for _, n := range nodes {
		alloc := n.Status.Allocatable.DeepCopy()
		if alloc == nil {
			alloc = corev1.ResourceList{}
		}
		if _, ok := alloc[corev1.ResourcePods]; !ok {
			// Every kubelet reports it; 110 is its default.
			alloc[corev1.ResourcePods] = *resource.NewQuantity(110, resource.DecimalSI)
		}
		s.nodes = append(s.nodes, &nodeState{node: n, alloc: alloc, free: alloc.DeepCopy()})
	}
	return s
}

func newPodToPlace(pod *corev1.Pod, owner string) *podToPlace {
	need := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	need[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
	return &podToPlace{
		pod: pod, owner: owner, need: need, ports: HostPorts(&pod.Spec),
		antiAffinity: newAffinityTerms(pod, requiredAntiAffinity(pod)),
		affinity:     newAffinityTerms(pod, requiredAffinity(pod)),
		pin:          pod.Spec.NodeName,
	}
}

// filter runs the default profile's filters in its order and returns the
// first that refuses p on n, or nil.
func (s *scheduler) filter(p *podToPlace, n *nodeState) *rejection {
	for _, f := range []func(*podToPlace, *nodeState) *rejection{
		nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, s.interPodAffinity,
	} {
		if r := f(p, n); r != nil {
			return r
		}
	}
	return nil
}

// place puts p on the feasible node the default profile would most likely
// pick (least allocated), or returns every node's rejection.
func (s *scheduler) place(p *podToPlace) (*nodeState, []*rejection) {
	var best *nodeState
	bestScore := -1.0
	var rs []*rejection
	for _, n := range s.nodes {
		if p.daemon && n.node.Name != p.pin {
			// The DaemonSet controller pins its pod by node affinity on
			// metadata.name; the NodeAffinity PreFilter rules out every
			// other node before any filter runs.
			rs = append(rs, &rejection{plugin: "NodeAffinity", reasons: []string{reasonPreFilterNodeAffinity}, static: true, elsewhere: true})
			continue
		}
		if r := s.filter(p, n); r != nil {
			rs = append(rs, r)
			continue
		}
		if sc := leastAllocated(n.free, n.alloc, p.need); sc > bestScore {
			best, bestScore = n, sc
		}
	}
	if best == nil {
		return nil, rs
	}
	for k, v := range p.need {
		q := best.free[k]
		q.Sub(v)
		best.free[k] = q
	}
	for _, hp := range p.ports {
		best.ports = append(best.ports, placedPort{hp, p.owner})
	}
	best.pods = append(best.pods, p)
	return best, nil
}

// fitError is the scheduler's FitError message: a sorted histogram of
// every node's reasons.
func fitError(rs []*rejection, nodes int) string {
	hist := map[string]int{}
	for _, r := range rs {
		for _, reason := range r.reasons {
			hist[reason]++
		}
	}
	parts := make([]string, 0, len(hist))
	for reason, n := range hist {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	return fmt.Sprintf("0/%d nodes are available: %s.", nodes, strings.Join(parts, ", "))
}

// cause picks the rejection that explains a pod best: the one on its pinned
// node, else one from the plugin that refuses most nodes (contention before
// static causes when both occur, as contention is what the app can change).
func cause(p *podToPlace, rs []*rejection) (string, string) {
	count := map[string]int{}
	for _, r := range rs {
		count[r.key()]++
	}
	var primary *rejection
	for _, r := range rs {
		if p.pin != "" && !r.elsewhere {
			primary = r
			break
		}
		if r.elsewhere {
			continue
		}
		if primary == nil || (primary.static && !r.static) || (primary.static == r.static && count[r.key()] > count[primary.key()]) {
			primary = r
		}
	}
	if primary == nil { // pinned to a node the target does not have
		primary = rs[0]
	}
	var details []string
	seen := map[string]bool{}
	for _, r := range rs {
		if r.key() == primary.key() && r.detail != "" && !seen[r.detail] && len(details) < 3 {
			seen[r.detail] = true
			details = append(details, r.detail)
		}
	}
	return primary.key(), strings.Join(details, "; ")
}

// nodes checks the admitted pods against the target's nodes: each pod is
// placed in app order, as the scheduler would, and every pod that no node
// takes is reported with the scheduler's reason and its cause.
func (a *analyzer) nodes() {
	if len(a.t.Nodes) == 0 {
		return
	}
	s := newScheduler(a.t.Nodes)
	nu := &NodeUsage{Requested: corev1.ResourceList{}, Allocatable: corev1.ResourceList{}}
	for _, n := range s.nodes {
		addTo(nu.Allocatable, n.alloc, 1)
	}
	a.res.Nodes = nu
	refused := map[model.Key]int{}
	for _, r := range a.res.Refusals {
		refused[r.Object] += r.Count
	}
	for i := range a.res.Workloads {
		w := &a.res.Workloads[i]
		if w.Refused != "" || w.Replicas == 0 || a.noPods[w.Object] {
			continue
		}
		n := max(0, w.Replicas-int32(refused[w.Object.Key()]))
		need := w.PodRequests.DeepCopy()
		need[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
		addTo(nu.Requested, need, int64(n))
		if a.mountsRefusedClaim(w.Pod) {
			continue // never scheduled; claimReferences says why
		}
		w.Pending = a.placeWorkload(s, w, n)
	}
}

// placeWorkload places n pods of w and reports those left Pending.
func (a *analyzer) placeWorkload(s *scheduler, w *Workload, n int32) []Pending {
	pod := w.Pod
	var pins []string
	if _, ok := w.Object.Obj.(*appsv1.DaemonSet); ok {
		pod = pod.DeepCopy()
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, daemonTolerations(&pod.Spec)...)
		for _, node := range a.t.Nodes {
			if DaemonRunsOn(&pod.Spec, node) {
				pins = append(pins, node.Name)
			}
		}
	}
	if _, ok := w.Object.Obj.(*appsv1.Deployment); ok {
		// matchLabelKeys: [pod-template-hash] selects the pods of one
		// ReplicaSet, which label them with its hash.
		pod = pod.DeepCopy()
		if pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		pod.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = "rs-" + w.Name
	}
	var pending []Pending
	index := map[string]int{}
	for i := int32(0); i < n; i++ {
		p := newPodToPlace(pod, w.Object.Ref())
		if int(i) < len(pins) {
			p.pin, p.daemon = pins[i], true
		}
		node, rs := s.place(p)
		if node != nil {
			continue
		}
		key, detail := cause(p, rs)
		reason := fitError(rs, len(s.nodes))
		k := key + "\x00" + reason + "\x00" + detail
		if j, ok := index[k]; ok {
			pending[j].Count++
			continue
		}
		index[k] = len(pending)
		pending = append(pending, Pending{Count: 1, Key: key, Reason: reason, Detail: detail})
	}
	for _, pd := range pending {
		msg := fmt.Sprintf("%d of %d pod(s) stay Pending: %s", pd.Count, n, pd.Reason)
		if pd.Detail != "" {
			msg += " (" + pd.Detail + ")"
		}
		a.res.Findings = append(a.res.Findings, model.Finding{
			Severity: model.Error, Key: pd.Key, Object: w.Object.Key(), Message: msg,
		})
	}
	return pending
}

func (a *analyzer) mountsRefusedClaim(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && a.missingClaims[v.PersistentVolumeClaim.ClaimName] == "refused" {
			return true
		}
	}
	return false
}

// leastAllocated scores a node as the default scheduler profile prefers:
// the more free cpu and memory after placing the pod, the better.
func leastAllocated(free, alloc, need corev1.ResourceList) float64 {
	score := 0.0
	for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		a := alloc[k]
		f := free[k]
		n := need[k]
		total := a.AsApproximateFloat64()
		if total <= 0 {
			continue
		}
		score += (f.AsApproximateFloat64() - n.AsApproximateFloat64()) / total
	}
	return score
}

// FitsSomeNode reports whether one pod, as admission stores it, passes the
// scheduler's filters on at least one of nodes, empty.
func FitsSomeNode(pod *corev1.Pod, nodes []*corev1.Node) bool {
	s := newScheduler(nodes)
	n, _ := s.place(newPodToPlace(pod, ""))
	return n != nil
}
