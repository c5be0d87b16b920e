package recommend

import (
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/usage"
)

// Strategies are the strategy names, the default first.
var Strategies = []string{"rightsize", "vpa", "krr"}

// Container is one container of the app, as written.
type Container struct {
	Key     usage.Key
	Init    bool
	Sidecar bool
	// Requests and Limits are the container's own (nil when unset).
	Requests, Limits corev1.ResourceList
	// PodContainers counts the regular containers and sidecars of its pod
	// (VPA splits its per-pod minimums among them).
	PodContainers int
}

// Options choose the strategy and the app's containers.
type Options struct {
	// Strategy is one of Strategies; empty means "rightsize".
	Strategy string
	// Containers are the app's; when nil every container seen is
	// recommended for, with no current values.
	Containers []Container
	// Source names where the usage came from, for findings.
	Source string
}

// Percentiles of one resource over the window (cores or bytes).
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Observed is what the usage says of one container.
type Observed struct {
	CPUSamples    int         `json:"cpuSamples"`
	MemorySamples int         `json:"memorySamples"`
	Pods          int         `json:"pods"`
	Start         time.Time   `json:"start"`
	End           time.Time   `json:"end"`
	CPU           Percentiles `json:"cpuCores"`
	Memory        Percentiles `json:"memoryBytes"`
	OOMKills      int         `json:"oomKills"`
}

// Span is the time between the first and the last sample.
func (o *Observed) Span() time.Duration { return o.End.Sub(o.Start) }

// Bounds are a strategy's lower bound, target and upper bound of one
// resource (cores or bytes): the solver never goes below Lower and aims for
// Target.
type Bounds struct {
	Lower  float64 `json:"lower"`
	Target float64 `json:"target"`
	Upper  float64 `json:"upper,omitempty"`
}

// Risk is how often the recorded usage exceeded a size: fractions of the
// samples (CPU: of the time), to within 1%. A field is absent when the
// value is unset.
type Risk struct {
	// CPUOverRequest: time using more CPU than requested (contention).
	CPUOverRequest *float64 `json:"cpuOverRequest,omitempty"`
	// CPUThrottled: time using more than the limit would allow.
	CPUThrottled *float64 `json:"cpuThrottled,omitempty"`
	// MemoryOverRequest: time above the request (first evicted under
	// node memory pressure).
	MemoryOverRequest *float64 `json:"memoryOverRequest,omitempty"`
	// MemoryOverLimit: samples above the limit (each one an OOM kill).
	MemoryOverLimit *float64 `json:"memoryOverLimit,omitempty"`
}

// Status values.
const (
	StatusOK            = "ok"
	StatusLowConfidence = "low-confidence"
	StatusTooLittleData = "too-little-data"
	StatusNoData        = "no-data"
)

// Recommendation is one container's.
type Recommendation struct {
	Key     usage.Key `json:"key"`
	Init    bool      `json:"init,omitempty"`
	Sidecar bool      `json:"sidecar,omitempty"`
	Current struct {
		Requests corev1.ResourceList `json:"requests,omitempty"`
		Limits   corev1.ResourceList `json:"limits,omitempty"`
	} `json:"current"`
	Status   string    `json:"status"`
	Observed *Observed `json:"observed,omitempty"`
	CPU      *Bounds   `json:"cpu,omitempty"`
	Memory   *Bounds   `json:"memory,omitempty"`
	// Requests and Limits are what the strategy writes (nil: unchanged).
	Requests corev1.ResourceList `json:"requests,omitempty"`
	Limits   corev1.ResourceList `json:"limits,omitempty"`
	// Risk is of Requests and Limits (of the current values when the
	// strategy keeps them).
	Risk  Risk     `json:"risk"`
	Notes []string `json:"notes,omitempty"`
	st    *stats
}

// Result is a strategy's recommendations for every container.
type Result struct {
	Strategy   string           `json:"strategy"`
	Containers []Recommendation `json:"containers"`
	Findings   []model.Finding  `json:"findings,omitempty"`
}

// Recommend applies a strategy to the accumulated usage.
func Recommend(acc *Accumulator, opts Options) (*Result, error) {
	name := opts.Strategy
	if name == "" {
		name = "rightsize"
	}
	var rule func(*Recommendation)
	switch name {
	case "rightsize":
		rule = rightsize
	case "vpa":
		rule = vpa
	case "krr":
		rule = krr
	default:
		return nil, fmt.Errorf("strategy %q: want one of rightsize, vpa, krr", name)
	}
	res := &Result{Strategy: name}
	cs := opts.Containers
	known := map[usage.Key]bool{}
	if cs == nil {
		for _, k := range acc.Keys() {
			cs = append(cs, Container{Key: k, PodContainers: 1})
		}
	}
	for _, c := range cs {
		k := c.Key
		k.Namespace = ""
		known[k] = true
		rec := Recommendation{Key: c.Key, Init: c.Init, Sidecar: c.Sidecar}
		rec.Current.Requests, rec.Current.Limits = c.Requests, c.Limits
		rec.st = acc.find(c.Key)
		if rec.st == nil {
			rec.Status = StatusNoData
			rec.Notes = append(rec.Notes, noDataNote(c))
			res.Findings = append(res.Findings, model.Finding{Severity: noDataSeverity(c), Key: "usage", Object: c.Key.Object(),
				Message: fmt.Sprintf("%scontainer %s: %s", from(opts.Source), c.Key.Container, noDataNote(c))})
		} else {
			rec.Observed = rec.st.observed()
			rule(&rec)
			if name == "vpa" {
				vpaMinimums(&rec, c.PodContainers)
			}
		}
		rec.Risk = rec.RiskAt(effective(rec.Requests, rec.Current.Requests), effective(rec.Limits, rec.Current.Limits))
		if rec.Status == StatusTooLittleData {
			res.Findings = append(res.Findings, model.Finding{Severity: model.Warning, Key: "usage", Object: c.Key.Object(),
				Message: fmt.Sprintf("%scontainer %s: %s", from(opts.Source), c.Key.Container, rec.Notes[0])})
		}
		res.Containers = append(res.Containers, rec)
	}
	if opts.Containers != nil {
		for _, k := range acc.Keys() {
			kk := k
			kk.Namespace = ""
			if !known[kk] {
				res.Findings = append(res.Findings, model.Finding{Severity: model.Warning, Key: "usage", Object: k.Object(),
					Message: fmt.Sprintf("%susage of %s matches no container of the app (unknown workload or container); not used", from(opts.Source), k)})
			}
		}
	}
	return res, nil
}

// from prefixes a finding with the usage source.
func from(source string) string {
	if source == "" {
		return ""
	}
	return source + ": "
}

func effective(rec, cur corev1.ResourceList) corev1.ResourceList {
	if rec != nil {
		return rec
	}
	return cur
}

func noDataNote(c Container) string {
	switch {
	case c.Init && !c.Sidecar:
		return "no usage recorded (an init container runs before the others and is rarely scraped); its current requests and limits are kept"
	case c.Sidecar:
		return "no usage recorded for this native sidecar; its current requests and limits are kept"
	}
	return "no usage recorded in the window; its current requests and limits are kept"
}

func noDataSeverity(c Container) model.Severity {
	if c.Init && !c.Sidecar {
		return model.Info
	}
	return model.Warning
}

func (a *Accumulator) find(k usage.Key) *stats {
	if s, ok := a.byKey[k]; ok {
		return s
	}
	// Recorded usage may name the namespace while the app does not.
	for _, s := range a.order {
		if s.key.Kind == k.Kind && s.key.Name == k.Name && s.key.Container == k.Container &&
			(k.Namespace == "" || s.key.Namespace == "" || s.key.Namespace == k.Namespace) {
			return s
		}
	}
	return nil
}

func (s *stats) observed() *Observed {
	o := &Observed{CPUSamples: s.cpuN, MemorySamples: int(s.mem.n), Pods: len(s.pods), OOMKills: len(s.ooms)}
	first, last := s.firstCPU, s.lastCPU
	if s.mem.n > 0 && (s.cpuN == 0 || s.firstMem < first) {
		first = s.firstMem
	}
	if s.lastMem > last {
		last = s.lastMem
	}
	o.Start, o.End = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
	pct := func(h *fineHist) Percentiles {
		return Percentiles{P50: h.percentile(0.5), P90: h.percentile(0.9), P95: h.percentile(0.95), P99: h.percentile(0.99), Max: h.max}
	}
	o.CPU, o.Memory = pct(&s.cpu), pct(&s.mem)
	return o
}

// RiskAt is the risk of the given requests and limits: how often the
// recorded usage exceeded them.
func (r *Recommendation) RiskAt(req, lim corev1.ResourceList) Risk {
	var risk Risk
	if r.st == nil {
		return risk
	}
	frac := func(h *fineHist, l corev1.ResourceList, name corev1.ResourceName, cpu bool) *float64 {
		q, ok := l[name]
		if !ok || h.n == 0 {
			return nil
		}
		x := float64(q.Value())
		if cpu {
			x = float64(q.MilliValue()) / 1000
		}
		f := h.above(x)
		return &f
	}
	risk.CPUOverRequest = frac(&r.st.cpu, req, corev1.ResourceCPU, true)
	risk.CPUThrottled = frac(&r.st.cpu, lim, corev1.ResourceCPU, true)
	risk.MemoryOverRequest = frac(&r.st.mem, req, corev1.ResourceMemory, false)
	risk.MemoryOverLimit = frac(&r.st.mem, lim, corev1.ResourceMemory, false)
	return risk
}

// cpuQ and memQ turn cores and bytes into quantities, rounded up to whole
// millicores and whole MiB.
func cpuQ(cores float64) resource.Quantity {
	return *resource.NewMilliQuantity(int64(math.Ceil(cores*1000-1e-9)), resource.DecimalSI)
}

func memQ(bytes float64) resource.Quantity {
	const mi = 1 << 20
	return *resource.NewQuantity(int64(math.Ceil(bytes/mi-1e-9))*mi, resource.BinarySI)
}
