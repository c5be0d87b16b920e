package footprint

import (
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// Report is the JSON form of a Result (documented in docs/analyze-json.md).
type Report struct {
	Fits      bool                   `json:"fits"`
	Target    string                 `json:"target"`
	Quota     map[string]QuotaReport `json:"quota"`
	Findings  []model.Finding        `json:"findings"`
	Workloads []WorkloadReport       `json:"workloads"`
	Refusals  []Refusal              `json:"refusals"`
	Nodes     *NodeReport            `json:"nodes,omitempty"`
}

// NodeReport sums pod requests against the nodes' allocatable.
type NodeReport struct {
	Requested   map[string]string `json:"requested"`
	Allocatable map[string]string `json:"allocatable"`
}

// QuotaReport is one quota key: Kubernetes quantity strings.
type QuotaReport struct {
	Requested string `json:"requested"`
	Admitted  string `json:"admitted"`
	Hard      string `json:"hard"`
	Quota     string `json:"quota"`
}

// WorkloadReport is one pod-creating object.
type WorkloadReport struct {
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Replicas    int32             `json:"replicas"`
	PodRequests map[string]string `json:"podRequests"`
	PodLimits   map[string]string `json:"podLimits"`
	Refused     string            `json:"refused,omitempty"`
}

// Report returns the result in its JSON form; maps marshal with sorted keys.
func (r *Result) Report() Report {
	out := Report{
		Fits: r.Fits, Target: r.Target,
		Quota:     map[string]QuotaReport{},
		Findings:  append([]model.Finding{}, r.Findings...),
		Workloads: []WorkloadReport{},
		Refusals:  append([]Refusal{}, r.Refusals...),
	}
	if r.Nodes != nil {
		out.Nodes = &NodeReport{Requested: quantities(r.Nodes.Requested), Allocatable: quantities(r.Nodes.Allocatable)}
	}
	for k, u := range r.Quota {
		out.Quota[string(k)] = QuotaReport{Requested: u.Requested.String(), Admitted: u.Admitted.String(), Hard: u.Hard.String(), Quota: u.Quota}
	}
	for _, w := range r.Workloads {
		out.Workloads = append(out.Workloads, WorkloadReport{
			Kind: w.Kind, Name: w.Name, Replicas: w.Replicas,
			PodRequests: quantities(w.PodRequests), PodLimits: quantities(w.PodLimits),
			Refused: w.Refused,
		})
	}
	return out
}

func quantities(l corev1.ResourceList) map[string]string {
	m := map[string]string{}
	for k, v := range l {
		m[string(k)] = v.String()
	}
	return m
}

// QuotaKeys returns the result's quota keys, sorted.
func (r *Result) QuotaKeys() []corev1.ResourceName {
	keys := make([]corev1.ResourceName, 0, len(r.Quota))
	for k := range r.Quota {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
