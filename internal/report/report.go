package report

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// Commands that produce a Report.
const (
	Analyze   = "analyze"
	Fit       = "fit"
	Verify    = "verify"
	Convert   = "convert"
	Recommend = "recommend"
)

// Report is what a command found about an app in a target.
type Report struct {
	// Command is the command that made the report: analyze, fit, verify,
	// convert, recommend.
	Command string `json:"command"`
	// Target is the target's name (a plan's name, or the file it was read
	// from); empty for convert.
	Target string `json:"target,omitempty"`
	// Namespace is the namespace the app runs in (verify), when known.
	Namespace string `json:"namespace,omitempty"`
	// Fits is the verdict: analyze, every object and pod would be admitted
	// and placed; fit, the rewritten app fits; verify, the control plane
	// admitted and scheduled everything.
	Fits bool `json:"fits"`
	// Quotas has one entry per ResourceQuota object that constrains the app
	// (the target's, then the app's own), in that order.
	Quotas []Quota `json:"quotas"`
	// Quota summarizes Quotas per key for the common single-quota case: the
	// most binding quota of each key.
	Quota map[corev1.ResourceName]KeyUsage `json:"quota"`
	// Findings explain every problem, most severe first.
	Findings []model.Finding `json:"findings"`
	// Changes are the edits fit made, in order.
	Changes []Change `json:"changes,omitempty"`
	// Workloads lists every pod-creating object, in app order.
	Workloads []Workload `json:"workloads,omitempty"`
	// Refusals are the creations admission refuses (analyze: would refuse).
	Refusals []Refusal `json:"refusals"`
	// Nodes sums the pods' requests against the target's nodes.
	Nodes *Nodes `json:"nodes,omitempty"`
	// Fit holds what only fit reports.
	Fit *FitDetail `json:"fit,omitempty"`
	// Verify holds what only verify reports.
	Verify *VerifyDetail `json:"verify,omitempty"`
	// Recommend holds what recommend and fit --usage-from report.
	Recommend *RecommendDetail `json:"recommend,omitempty"`
	// Objects lists the objects the app is made of (convert).
	Objects []Object `json:"objects,omitempty"`
	// Names lists the host names the app's containers use (convert).
	Names []Name `json:"names,omitempty"`
}

// Quota is one ResourceQuota object, charged on its own: only what its
// scopes match counts against it, as the quota admission plugin does.
type Quota struct {
	// Name is the ResourceQuota's metadata.name.
	Name string `json:"name"`
	// Origin says where the object comes from: "target" or "app".
	Origin string `json:"origin"`
	// Scopes and ScopeSelector are the quota's spec.scopes and
	// spec.scopeSelector.matchExpressions.
	Scopes        []corev1.ResourceQuotaScope                `json:"scopes,omitempty"`
	ScopeSelector []corev1.ScopedResourceSelectorRequirement `json:"scopeSelector,omitempty"`
	// Hard is spec.hard.
	Hard corev1.ResourceList `json:"hard"`
	// Requested is the app's whole charge against this quota, as its
	// status.used shows it once everything is admitted (with what every
	// namespace holds anyway); one entry per key of Hard.
	Requested corev1.ResourceList `json:"requested"`
	// Admitted is status.used after the app has been applied in order and
	// admission has refused what does not fit; equal to Requested when the
	// app fits. Empty when not computed (verify of a live cluster only).
	Admitted corev1.ResourceList `json:"admitted"`
	// Used is status.used as the control plane shows it (verify only).
	Used corev1.ResourceList `json:"used,omitempty"`
	// Before is Requested for the app before fit rewrote it (fit only).
	Before corev1.ResourceList `json:"before,omitempty"`
}

// Over lists the keys whose requested amount exceeds the hard limit.
func (q *Quota) Over() []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, k := range SortedKeys(q.Hard) {
		r, h := q.Requested[k], q.Hard[k]
		if r.Cmp(h) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// KeyUsage is one quota key, from the quota that binds it most.
type KeyUsage struct {
	// Quota names the ResourceQuota the entry is taken from.
	Quota     string            `json:"quota"`
	Hard      resource.Quantity `json:"hard"`
	Requested resource.Quantity `json:"requested"`
	Admitted  resource.Quantity `json:"admitted"`
	// Used and Before as in Quota.
	Used   *resource.Quantity `json:"used,omitempty"`
	Before *resource.Quantity `json:"before,omitempty"`
}

// Over reports whether the charge exceeds the hard limit.
func (u KeyUsage) Over() bool { return u.Requested.Cmp(u.Hard) > 0 }

// Change is one edit fit made to the app.
type Change struct {
	Object model.Key `json:"object"`
	// Field is the path of the edited field ("spec.replicas",
	// "containers[web].resources.requests.cpu"), or "(object)" when the
	// object was created, merged or dropped.
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
	Reason string `json:"reason"`
}

// Workload is one pod-creating object.
type Workload struct {
	Object model.Key `json:"object"`
	// Replicas is the number of pods the object keeps (DaemonSet: eligible
	// nodes; Job: parallelism; CronJob: 0 between runs).
	Replicas int32 `json:"replicas"`
	// PodRequests and PodLimits are one pod's effective values after
	// defaulting (overhead included).
	PodRequests corev1.ResourceList `json:"podRequests,omitempty"`
	PodLimits   corev1.ResourceList `json:"podLimits,omitempty"`
	// Refused is why admission refuses every pod whatever the quota's state.
	Refused string `json:"refused,omitempty"`
	// Status is what the control plane did with the workload (verify).
	Status *WorkloadStatus `json:"status,omitempty"`
}

// WorkloadStatus counts a workload's pods on a control plane.
type WorkloadStatus struct {
	Created   int32 `json:"created"`
	Scheduled int32 `json:"scheduled"`
	Ready     int32 `json:"ready"`
	// Unschedulable gives the scheduler's reasons, with how many pods each.
	Unschedulable []Reason `json:"unschedulable,omitempty"`
}

// Reason is a message and how many pods it applies to.
type Reason struct {
	Count   int    `json:"count"`
	Message string `json:"message"`
}

// Refusal is one object, or the pods of one workload, that admission refused.
type Refusal struct {
	Object model.Key `json:"object"`
	// Count is how many creations were refused.
	Count int `json:"count"`
	// Message is the reason, worded as Kubernetes words it.
	Message string `json:"message"`
}

// Nodes sums the pods' requests against the nodes' allocatable.
type Nodes struct {
	Requested   corev1.ResourceList `json:"requested"`
	Allocatable corev1.ResourceList `json:"allocatable"`
}

// FitDetail is what fit reports beyond the common fields.
type FitDetail struct {
	// Fractions is the retained fraction per scaled field, Binding the quota
	// key that bound it.
	Fractions map[string]float64 `json:"fractions,omitempty"`
	Binding   map[string]string  `json:"binding,omitempty"`
	// Over is how much each key exceeds its hard limit when nothing allowed
	// fits; Needs is the smallest hard value per key that would fit.
	Over  corev1.ResourceList `json:"over,omitempty"`
	Needs corev1.ResourceList `json:"needs,omitempty"`
	// Cost is how invasive the changes are.
	Cost *Cost `json:"cost,omitempty"`
}

// Cost is how invasive a fit's changes are, in the order fit minimises
// them: lost replicas first (availability), then workloads merged away,
// then Services removed, then update strategies switched, then claims
// shrunk, then ConfigMaps and Secrets merged; among equals, the highest
// retained fraction of requests.
type Cost struct {
	LostReplicas    int `json:"lostReplicas"`
	Merged          int `json:"merged"`
	ServicesRemoved int `json:"servicesRemoved"`
	Strategies      int `json:"strategies"`
	ClaimsShrunk    int `json:"claimsShrunk"`
	// ConfigsMerged counts ConfigMaps and Secrets merged into others.
	ConfigsMerged int                `json:"configsMerged,omitempty"`
	Retained      map[string]float64 `json:"retained,omitempty"`
}

// VerifyDetail is what verify reports beyond the common fields.
type VerifyDetail struct {
	// Settled is false when the wait ended while the controllers were still
	// making progress.
	Settled bool `json:"settled"`
	// Skipped lists objects not created, with why.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Skipped is an object verify did not create.
type Skipped struct {
	Object model.Key `json:"object"`
	Reason string    `json:"reason"`
}

// Object is one object of a converted app.
type Object struct {
	Object model.Key `json:"object"`
	// Format is the input format it was converted from; Source the file and
	// document.
	Format string `json:"format"`
	Source string `json:"source"`
}

// Name is one host name a container uses to reach another.
type Name struct {
	Object    model.Key `json:"object"`
	Container string    `json:"container,omitempty"`
	// Field is where the name is written: "env[DB_HOST]", "args[2]".
	Field string `json:"field"`
	Host  string `json:"host"`
	// Resolves names what the host resolves to, "" when it does not.
	Resolves string `json:"resolves,omitempty"`
}
