package footprint

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// nodes checks the admitted pods against the target's node shapes: a pod
// larger than every node never schedules; pods that fit one by one may still
// not all fit together.
func (a *analyzer) nodes() {
	if len(a.t.Nodes) == 0 {
		return
	}
	free := make([]corev1.ResourceList, len(a.t.Nodes))
	for i, n := range a.t.Nodes {
		free[i] = n.Status.Allocatable.DeepCopy()
		if _, ok := free[i][corev1.ResourcePods]; !ok {
			free[i][corev1.ResourcePods] = *resource.NewQuantity(110, resource.DecimalSI)
		}
	}
	unschedulable := 0
	nu := &NodeUsage{Requested: corev1.ResourceList{}, Allocatable: corev1.ResourceList{}}
	for _, n := range a.t.Nodes {
		addTo(nu.Allocatable, n.Status.Allocatable, 1)
	}
	a.res.Nodes = nu
	for _, w := range a.res.Workloads {
		if w.Refused != "" || w.Replicas == 0 {
			continue
		}
		need := w.PodRequests.DeepCopy()
		need[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
		addTo(nu.Requested, need, int64(w.Replicas))
		if !fitsAny(a.t.Nodes, w.Pod, need) {
			a.res.Findings = append(a.res.Findings, model.Finding{
				Severity: model.Error, Key: "node-size", Object: w.Object.Key(),
				Message: fmt.Sprintf("one pod requests %s, more than any node of the target offers (%s)", describe(w.PodRequests), describeNodes(a.t.Nodes)),
			})
			continue
		}
		for i := int32(0); i < w.Replicas; i++ {
			best := -1
			bestScore := -1.0
			for j, n := range a.t.Nodes {
				if !nodeSelectorMatches(&w.Pod.Spec, n) || !fitsIn(free[j], need) {
					continue
				}
				if s := leastAllocated(free[j], n.Status.Allocatable, need); s > bestScore {
					best, bestScore = j, s
				}
			}
			if best < 0 {
				unschedulable++
				continue
			}
			for k, v := range need {
				q := free[best][k]
				q.Sub(v)
				free[best][k] = q
			}
		}
	}
	if unschedulable > 0 {
		a.res.Findings = append(a.res.Findings, model.Finding{
			Severity: model.Error, Key: "nodes",
			Message: fmt.Sprintf("%d pod(s) fit no node once the others are placed: the target's nodes (%s) are too small for the whole app", unschedulable, describeNodes(a.t.Nodes)),
		})
	}
}

func fitsAny(nodes []*corev1.Node, pod *corev1.Pod, need corev1.ResourceList) bool {
	for _, n := range nodes {
		alloc := n.Status.Allocatable.DeepCopy()
		if _, ok := alloc[corev1.ResourcePods]; !ok {
			alloc[corev1.ResourcePods] = *resource.NewQuantity(110, resource.DecimalSI)
		}
		if nodeSelectorMatches(&pod.Spec, n) && fitsIn(alloc, need) {
			return true
		}
	}
	return false
}

// fitsIn is the scheduler's NodeResourcesFit filter on requests.
func fitsIn(free, need corev1.ResourceList) bool {
	for k, v := range need {
		if v.IsZero() {
			continue
		}
		f, ok := free[k]
		if !ok {
			if k == corev1.ResourceCPU || k == corev1.ResourceMemory || k == corev1.ResourceEphemeralStorage {
				return false
			}
			if isExtended(k) || strings.HasPrefix(string(k), corev1.ResourceHugePagesPrefix) {
				return false
			}
			continue
		}
		if v.Cmp(f) > 0 {
			return false
		}
	}
	return true
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

func describe(l corev1.ResourceList) string {
	var parts []string
	for _, k := range sortedNames(l) {
		v := l[k]
		parts = append(parts, fmt.Sprintf("%s=%s", k, v.String()))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " ")
}

func describeNodes(nodes []*corev1.Node) string {
	var parts []string
	for _, n := range nodes {
		a := n.Status.Allocatable
		cpu, mem := a[corev1.ResourceCPU], a[corev1.ResourceMemory]
		parts = append(parts, fmt.Sprintf("%s: cpu=%s memory=%s", n.Name, cpu.String(), mem.String()))
	}
	return strings.Join(parts, "; ")
}

// FitsSomeNode reports whether one pod, as admission stores it, passes the
// scheduler's resource and node-selector filters on at least one of nodes.
func FitsSomeNode(pod *corev1.Pod, nodes []*corev1.Node) bool {
	need := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	need[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
	return fitsAny(nodes, pod, need)
}
