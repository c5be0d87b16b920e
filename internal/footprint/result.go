package footprint

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// Result is the footprint of an app in a target.
type Result struct {
	// Target is the target's name.
	Target string
	// Fits is true when every object and every pod would be admitted, and
	// every pod fits a node of the target (when the target gives nodes).
	Fits bool
	// Quota has one entry for every key that a quota of the target limits:
	// the most binding quota's, when several limit the key.
	Quota map[corev1.ResourceName]Usage
	// Quotas has one entry per ResourceQuota object, the target's then the
	// app's own, each charged only with what its scopes match.
	Quotas []QuotaUsage
	// Findings explain every problem, most severe first.
	Findings []model.Finding
	// Workloads lists every pod-creating object, in app order.
	Workloads []Workload
	// Nodes sums the pods' requests against the target's nodes; nil when the
	// target gives no nodes.
	Nodes *NodeUsage
	// Refusals are the creations admission would refuse, in apply order,
	// with the message Kubernetes would give.
	Refusals []Refusal
}

// Usage is one quota key's whole-app charge against its hard limit.
type Usage struct {
	// Requested is the app's steady-state charge, as if everything were admitted.
	Requested resource.Quantity
	// Admitted is what the quota's status.used shows once the app has been
	// applied in order and admission has refused what does not fit; it
	// equals Requested when the app fits.
	Admitted resource.Quantity
	Hard     resource.Quantity
	// Quota names the ResourceQuota this entry is for.
	Quota string
}

// QuotaUsage is one ResourceQuota object's charge.
type QuotaUsage struct {
	Quota *corev1.ResourceQuota
	// FromApp is true for a quota the app brings itself.
	FromApp bool
	// Requested and Admitted are as in Usage, one entry per key of the
	// quota's spec.hard: Admitted is what its status.used shows once the
	// app has been applied in order.
	Requested, Admitted corev1.ResourceList
}

// Over reports whether the charge exceeds the hard limit.
func (u Usage) Over() bool { return u.Requested.Cmp(u.Hard) > 0 }

// Workload is a pod-creating object with its expanded pod count and the
// effective size of one of its pods after admission defaulting.
type Workload struct {
	Object   *model.Object
	Kind     string
	Name     string
	Replicas int32
	// PodRequests and PodLimits are one pod's effective values, as
	// k8s.io/component-helpers/resource computes them, after LimitRange
	// defaulting (overhead included).
	PodRequests corev1.ResourceList
	PodLimits   corev1.ResourceList
	// Pod is one pod as admission would store it (defaults applied).
	Pod *corev1.Pod
	// Refused is the reason admission refuses every pod of the workload
	// whatever the quota's state (LimitRange, "must specify"), "" otherwise.
	Refused string
	// Pending counts, by cause, the admitted pods that no node of the
	// target takes (empty when the target gives no nodes).
	Pending []Pending
}

// Refusal is one object admission would refuse.
type Refusal struct {
	// Object is the object refused (Pod web-0), or the controller whose pods
	// are refused (Deployment web).
	Object model.Key `json:"object"`
	// Count is how many such objects are refused.
	Count int `json:"count"`
	// Message is the reason, worded as Kubernetes words it.
	Message string `json:"message"`
}

// NodeUsage is the whole app's pod requests next to the nodes' allocatable.
type NodeUsage struct {
	Requested   corev1.ResourceList
	Allocatable corev1.ResourceList
}
