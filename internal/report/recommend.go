package report

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// RecommendDetail is what recommend (and fit --usage-from) report beyond the
// common fields: where the usage came from and, per container, what it says
// and what the strategy (and, with a target, the solver) made of it.
type RecommendDetail struct {
	Strategy string `json:"strategy"`
	Source   string `json:"source"`
	// Start and End bound the samples read.
	Start      time.Time         `json:"start"`
	End        time.Time         `json:"end"`
	Samples    int               `json:"samples"`
	Containers []ContainerSizing `json:"containers"`
}

// ContainerSizing is one container's sizes from usage. CPU is in cores,
// memory in bytes; risks are fractions of the recorded samples (CPU: of the
// time) that exceeded a size, to within 1%.
type ContainerSizing struct {
	Object    model.Key `json:"object"`
	Container string    `json:"container"`
	Init      bool      `json:"init,omitempty"`
	Sidecar   bool      `json:"sidecar,omitempty"`
	// Status: ok, low-confidence, too-little-data, no-data.
	Status  string       `json:"status"`
	Current Requirements `json:"current"`
	// Observed percentiles and peaks; absent without data.
	Observed *Observed `json:"observed,omitempty"`
	// CPU and Memory are the strategy's lower bound, target and upper bound.
	CPU    *Bounds `json:"cpu,omitempty"`
	Memory *Bounds `json:"memory,omitempty"`
	// Recommended is what the strategy writes; Fitted what the solver gave
	// under the target's quota (with a target only).
	Recommended *Requirements `json:"recommended,omitempty"`
	Fitted      *Requirements `json:"fitted,omitempty"`
	// Risk is of Fitted when there is a target, else of Recommended (else
	// of Current).
	Risk Risk `json:"risk"`
	// BelowLowerBound names the resources the solver had to size below the
	// lower bound (the quota could not hold it).
	BelowLowerBound []string `json:"belowLowerBound,omitempty"`
	Notes           []string `json:"notes,omitempty"`
}

// Requirements are requests and limits.
type Requirements struct {
	Requests corev1.ResourceList `json:"requests,omitempty"`
	Limits   corev1.ResourceList `json:"limits,omitempty"`
}

// Observed is what the usage says of a container.
type Observed struct {
	CPUSamples    int         `json:"cpuSamples"`
	MemorySamples int         `json:"memorySamples"`
	Pods          int         `json:"pods"`
	Start         time.Time   `json:"start"`
	End           time.Time   `json:"end"`
	CPU           Percentiles `json:"cpuCores"`
	Memory        Percentiles `json:"memoryBytes"`
	OOMKills      int         `json:"oomKills,omitempty"`
}

// Percentiles of one resource.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Bounds are a lower bound the solver may not cross, a target it aims for,
// and an upper bound.
type Bounds struct {
	Lower  float64 `json:"lower"`
	Target float64 `json:"target"`
	Upper  float64 `json:"upper,omitempty"`
}

// Risk is how often the recorded usage exceeded a size.
type Risk struct {
	CPUOverRequest    *float64 `json:"cpuOverRequest,omitempty"`
	CPUThrottled      *float64 `json:"cpuThrottled,omitempty"`
	MemoryOverRequest *float64 `json:"memoryOverRequest,omitempty"`
	MemoryOverLimit   *float64 `json:"memoryOverLimit,omitempty"`
}
