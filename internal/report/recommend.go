package report

import (
	"bufio"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
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

// recommendText shows, per container, what usage says and what it got.
func recommendText(b *bufio.Writer, d *RecommendDetail) {
	tw := usageTable(b, d, "Usage", "CPU P50/P95/MAX\tMEM MAX\tCURRENT REQ/LIM\tLOWER\tRECOMMENDED REQ/LIM\tFITTED REQ/LIM\tRISK")
	if tw == nil {
		return
	}
	for _, c := range d.Containers {
		name := sizingName(c)
		obs, mem, lower := "-", "-", "-"
		if o := c.Observed; o != nil {
			obs = fmt.Sprintf("%s/%s/%s", millis(o.CPU.P50), millis(o.CPU.P95), millis(o.CPU.Max))
			mem = mebis(o.Memory.Max)
		}
		if c.CPU != nil && c.Memory != nil {
			lower = millis(c.CPU.Lower) + " " + mebis(c.Memory.Lower)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, c.Status, obs, mem, reqLim(&c.Current), lower,
			reqLim(c.Recommended), reqLim(c.Fitted), riskShort(c.Risk))
	}
	_ = tw.Flush()
	for _, c := range d.Containers {
		for _, n := range c.Notes {
			fmt.Fprintf(b, "  %s/%s: %s\n", c.Object, c.Container, n)
		}
	}
}

// fitUsageText shows, per container of a fit from usage, the lower bound
// from its usage, the size the solver gave and the risk left.
func fitUsageText(b *bufio.Writer, d *RecommendDetail) {
	tw := usageTable(b, d, "Sized from usage", "LOWER BOUND\tGIVEN REQ/LIM\tVS LOWER\tRISK LEFT")
	if tw == nil {
		return
	}
	for _, c := range d.Containers {
		lower, vs := "-", "none (no usage)"
		if c.CPU != nil && c.Memory != nil {
			lower = millis(c.CPU.Lower) + " " + mebis(c.Memory.Lower)
			vs = "at or above"
			if len(c.BelowLowerBound) > 0 {
				vs = "BELOW: " + strings.Join(c.BelowLowerBound, "; ")
			}
		} else if c.Observed != nil {
			vs = "none (too little data)"
		}
		given := c.Fitted
		if given == nil {
			given = &c.Current
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", sizingName(c), c.Status, lower, reqLim(given), vs, riskShort(c.Risk))
	}
	_ = tw.Flush()
}

// usageTable writes the title line of the usage section and returns its
// table with the header written (nil without usage).
func usageTable(b *bufio.Writer, d *RecommendDetail, title, columns string) *tabwriter.Writer {
	if d == nil {
		return nil
	}
	fmt.Fprintf(b, "\n%s: %s, %s .. %s, %d samples; strategy %s\n", title, d.Source, d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339), d.Samples, d.Strategy)
	tw := newTab(b)
	fmt.Fprintln(tw, "  CONTAINER\tSTATUS\t"+columns)
	return tw
}

func sizingName(c ContainerSizing) string {
	name := c.Object.String() + "/" + c.Container
	if c.Init {
		name += " (init)"
	}
	if c.Sidecar {
		name += " (sidecar)"
	}
	return name
}

func millis(cores float64) string { return fmt.Sprintf("%.0fm", math.Ceil(cores*1000)) }

func mebis(bytes float64) string { return fmt.Sprintf("%.1fMi", bytes/(1<<20)) }

// reqLim is "cpu,memory/cpu,memory" of requests and limits.
func reqLim(r *Requirements) string {
	if r == nil {
		return "-"
	}
	side := func(l corev1.ResourceList) string {
		cpu, mem := "-", "-"
		if q, ok := l[corev1.ResourceCPU]; ok {
			cpu = q.String()
		}
		if q, ok := l[corev1.ResourceMemory]; ok {
			mem = q.String()
		}
		return cpu + "," + mem
	}
	return side(r.Requests) + " / " + side(r.Limits)
}

// riskShort is CPU over request / throttled and memory over limit, in %.
func riskShort(r Risk) string {
	pct := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", *f*100)
	}
	return fmt.Sprintf("cpu>req %s thr %s mem>lim %s", pct(r.CPUOverRequest), pct(r.CPUThrottled), pct(r.MemoryOverLimit))
}
