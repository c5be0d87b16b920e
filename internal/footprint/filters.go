package footprint

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
)

// The scheduler's filter reasons, word for word (pkg/scheduler/framework/plugins).
const (
	reasonUnschedulable = "node(s) were unschedulable"
	reasonNodeName      = "node(s) didn't match the requested node name"
	reasonTaint         = "node(s) had untolerated taint(s)"
	reasonNodeAffinity  = "node(s) didn't match Pod's node affinity/selector"
	reasonNodePorts     = "node(s) didn't have free ports for the requested pod ports"
	reasonTooManyPods   = "Too many pods"
	// reasonPreFilterNodeAffinity counts the nodes a PreFilter ruled out.
	reasonPreFilterNodeAffinity = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
)

// noLog discards the helpers' logging: a zero logr.Logger is a no-op.
var noLog klog.Logger

// nodeUnschedulable is the NodeUnschedulable filter: a cordoned node takes
// only pods that tolerate its unschedulable taint.
func nodeUnschedulable(p *podToPlace, n *nodeState) *rejection {
	if !n.node.Spec.Unschedulable {
		return nil
	}
	t := corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	if corev1helpers.TolerationsTolerateTaint(noLog, p.pod.Spec.Tolerations, &t, false) {
		return nil
	}
	return &rejection{plugin: "NodeUnschedulable", reasons: []string{reasonUnschedulable}, static: true,
		detail: fmt.Sprintf("node %s is cordoned (spec.unschedulable)", n.node.Name)}
}

// nodeName is the NodeName filter, for pods that name their node.
func nodeName(p *podToPlace, n *nodeState) *rejection {
	if p.pod.Spec.NodeName == "" || p.pod.Spec.NodeName == n.node.Name {
		return nil
	}
	return &rejection{plugin: "NodeName", reasons: []string{reasonNodeName}, static: true, elsewhere: true,
		detail: fmt.Sprintf("its spec.nodeName is %q", p.pod.Spec.NodeName)}
}

// doNotSchedule is the scheduler's DoNotScheduleTaintsFilterFunc.
func doNotSchedule(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

// taintToleration is the TaintToleration filter.
func taintToleration(p *podToPlace, n *nodeState) *rejection {
	t, untolerated := corev1helpers.FindMatchingUntoleratedTaint(noLog, n.node.Spec.Taints, p.pod.Spec.Tolerations, doNotSchedule, false)
	if !untolerated {
		return nil
	}
	return &rejection{plugin: "TaintToleration", reasons: []string{reasonTaint}, static: true,
		detail: fmt.Sprintf("node %s has taint {%s: %s} (%s), which the pod does not tolerate", n.node.Name, t.Key, t.Value, t.Effect)}
}

// nodeAffinity is the NodeAffinity filter: nodeSelector and required node
// affinity.
func nodeAffinity(p *podToPlace, n *nodeState) *rejection {
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(p.pod).Match(n.node); ok && err == nil {
		return nil
	}
	return &rejection{plugin: "NodeAffinity", reasons: []string{reasonNodeAffinity}, static: true,
		detail: unmatchedLabel(&p.pod.Spec, n.node)}
}

// unmatchedLabel says which of the pod's node requirements node n fails.
func unmatchedLabel(spec *corev1.PodSpec, n *corev1.Node) string {
	keys := make([]string, 0, len(spec.NodeSelector))
	for k := range spec.NodeSelector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want := spec.NodeSelector[k]
		got, ok := n.Labels[k]
		switch {
		case !ok:
			return fmt.Sprintf("nodeSelector %s=%s: node %s has no label %s", k, want, n.Name, k)
		case got != want:
			return fmt.Sprintf("nodeSelector %s=%s: node %s has %s=%s", k, want, n.Name, k, got)
		}
	}
	var terms []string
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			var reqs []string
			for _, r := range t.MatchExpressions {
				reqs = append(reqs, fmt.Sprintf("%s %s %v", r.Key, r.Operator, r.Values))
			}
			for _, r := range t.MatchFields {
				reqs = append(reqs, fmt.Sprintf("field %s %s %v", r.Key, r.Operator, r.Values))
			}
			terms = append(terms, "{"+strings.Join(reqs, ", ")+"}")
		}
	}
	return fmt.Sprintf("node %s matches none of the required node affinity terms %s", n.Name, strings.Join(terms, " or "))
}

// nodePorts is the NodePorts filter.
func nodePorts(p *podToPlace, n *nodeState) *rejection {
	for _, want := range p.ports {
		for _, used := range n.ports {
			if want.conflicts(used.HostPort) {
				who := "another pod of " + used.owner
				if used.owner != p.owner {
					who = "a pod of " + used.owner
				}
				return &rejection{plugin: "NodePorts", reasons: []string{reasonNodePorts},
					detail: fmt.Sprintf("%s is taken on node %s by %s", want, n.node.Name, who)}
			}
		}
	}
	return nil
}

// nodeResourcesFit is the NodeResourcesFit filter on requests: the pod
// count first, then every requested resource the node has too little of,
// each a reason of its own.
func nodeResourcesFit(p *podToPlace, n *nodeState) *rejection {
	r := &rejection{plugin: "NodeResourcesFit"}
	var details []string
	for _, k := range resourceOrder(p.need) {
		need := p.need[k]
		if need.IsZero() && k != corev1.ResourcePods {
			continue
		}
		free, alloc := n.free[k], n.alloc[k]
		if need.Cmp(free) <= 0 {
			continue
		}
		if k == corev1.ResourcePods {
			r.reasons = append(r.reasons, reasonTooManyPods)
			details = append(details, fmt.Sprintf("node %s takes %s pods", n.node.Name, alloc.String()))
		} else {
			r.reasons = append(r.reasons, "Insufficient "+string(k))
			details = append(details, fmt.Sprintf("%s: the pod requests %s, node %s has %s allocatable, %s of it free", k, need.String(), n.node.Name, alloc.String(), free.String()))
		}
		if need.Cmp(alloc) > 0 {
			r.static = true // no placement of the others makes room
		}
	}
	if len(r.reasons) == 0 {
		return nil
	}
	r.detail = strings.Join(details, "; ")
	return r
}

// resourceOrder is the order the scheduler checks resources in: pods, cpu,
// memory, ephemeral-storage, then the rest by name.
func resourceOrder(l corev1.ResourceList) []corev1.ResourceName {
	rank := map[corev1.ResourceName]int{corev1.ResourcePods: 0, corev1.ResourceCPU: 1, corev1.ResourceMemory: 2, corev1.ResourceEphemeralStorage: 3}
	names := sortedNames(l)
	sort.SliceStable(names, func(i, j int) bool {
		ri, ok := rank[names[i]]
		if !ok {
			ri = 4
		}
		rj, ok := rank[names[j]]
		if !ok {
			rj = 4
		}
		return ri < rj
	})
	return names
}

// daemonTolerations are the tolerations the DaemonSet controller adds to
// its pods (AddOrUpdateDaemonPodTolerations).
func daemonTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	out := []corev1.Toleration{
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	}
	if spec.HostNetwork {
		out = append(out, corev1.Toleration{Key: corev1.TaintNodeNetworkUnavailable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return out
}

// DaemonRunsOn is the DaemonSet controller's NodeShouldRunDaemonPod: the
// pod's node name, required node affinity and the node's NoSchedule and
// NoExecute taints, with the tolerations the controller adds.
func DaemonRunsOn(spec *corev1.PodSpec, node *corev1.Node) bool {
	if spec.NodeName != "" && spec.NodeName != node.Name {
		return false
	}
	pod := &corev1.Pod{Spec: *spec}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); !ok || err != nil {
		return false
	}
	tolerations := append(append([]corev1.Toleration(nil), spec.Tolerations...), daemonTolerations(spec)...)
	_, untolerated := corev1helpers.FindMatchingUntoleratedTaint(noLog, node.Spec.Taints, tolerations, doNotSchedule, false)
	return !untolerated
}
