package recommend

import (
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Too little data, as krr refuses it: fewer than 100 CPU samples or less
// than 3 h between the first and the last.
const (
	minSamples = 100
	minSpan    = 3 * time.Hour
)

func tooLittle(r *Recommendation) bool {
	o := r.Observed
	if o.CPUSamples >= minSamples && o.MemorySamples >= minSamples && o.Span() >= minSpan {
		return false
	}
	r.Status = StatusTooLittleData
	r.Notes = append(r.Notes, fmt.Sprintf("too little data: %d CPU and %d memory samples over %s; need at least %d of each over %s; no recommendation, current values kept",
		o.CPUSamples, o.MemorySamples, o.Span().Round(time.Minute), minSamples, minSpan))
	return true
}

// confidence is VPA's: min(history span in days, samples / 1440).
func confidence(o *Observed) float64 {
	return math.Min(o.Span().Hours()/24, float64(o.CPUSamples)/1440)
}

// The rightsize strategy's constants.
const (
	rsMargin   = 0.15     // on targets, as VPA's and krr's
	rsMinCPU   = 0.010    // cores: krr's floor
	rsMinMem   = 32 << 20 // bytes
	oomBumpMin = 100 << 20
	oomBump    = 1.2 // VPA's OOM bump: max(used + 100 MiB, 1.2 x used)
)

// rightsize gives each container a lower bound the solver may not cross
// and a target it aims for:
//   - CPU: lower = p50 (below it the container waits more often than
//     not), target = p95 x 1.15, upper = max x 1.15; the CPU limit stays
//     unset when it was, else becomes the upper bound;
//   - memory: lower = the peak working set, raised after OOM kills to
//     max(limit + 100 MiB, 1.2 x limit) of the limit that was killed
//     (VPA's bump, applied to the limit so that the next run does not
//     crash-loop); target = lower x 1.15; limit = request = target;
//   - floors 10m and 32 MiB; under 100 samples or 3 h: no recommendation;
//     under a day: said to be of low confidence (daily peaks may be missing).
func rightsize(r *Recommendation) {
	if tooLittle(r) {
		return
	}
	o := r.Observed
	r.Status = StatusOK
	if c := confidence(o); c < 1 {
		r.Status = StatusLowConfidence
		r.Notes = append(r.Notes, fmt.Sprintf("low confidence: %s of data (%d CPU samples); a daily peak may be missing from it", o.Span().Round(time.Minute), o.CPUSamples))
	}
	cpu := &Bounds{Lower: math.Max(o.CPU.P50, rsMinCPU)}
	cpu.Target = math.Max(o.CPU.P95*(1+rsMargin), cpu.Lower)
	cpu.Upper = math.Max(o.CPU.Max*(1+rsMargin), cpu.Target)
	mem := &Bounds{Lower: math.Max(o.Memory.Max, rsMinMem)}
	if o.OOMKills > 0 {
		killed := currentMemory(r)
		bump := math.Max(killed+oomBumpMin, killed*oomBump)
		r.Notes = append(r.Notes, fmt.Sprintf("%d OOM kill(s): lower bound raised to %s (the limit that was killed, %s, bumped as VPA does)",
			o.OOMKills, fmtBytes(math.Max(bump, mem.Lower)), fmtBytes(killed)))
		mem.Lower = math.Max(mem.Lower, bump)
	}
	mem.Target = mem.Lower * (1 + rsMargin)
	mem.Upper = mem.Target
	r.CPU, r.Memory = cpu, mem
	r.Requests = corev1.ResourceList{corev1.ResourceCPU: cpuQ(cpu.Target), corev1.ResourceMemory: memQ(mem.Target)}
	r.Limits = corev1.ResourceList{corev1.ResourceMemory: memQ(mem.Target)}
	if _, ok := r.Current.Limits[corev1.ResourceCPU]; ok {
		r.Limits[corev1.ResourceCPU] = cpuQ(cpu.Upper)
	}
}

// currentMemory is the memory limit (else request, else 0) as written.
func currentMemory(r *Recommendation) float64 {
	if q, ok := r.Current.Limits[corev1.ResourceMemory]; ok {
		return float64(q.Value())
	}
	if q, ok := r.Current.Requests[corev1.ResourceMemory]; ok {
		return float64(q.Value())
	}
	return r.Observed.Memory.Max
}

// krr's simple strategy: CPU request = the highest per-pod p95, no CPU
// limit; memory request = limit = the highest per-pod peak x 1.15, after an
// OOM kill at least the killed limit x 1.25; floors 10m and 100 MiB; no
// answer ("?") under 100 samples or 3 h.
func krr(r *Recommendation) {
	if tooLittle(r) {
		return
	}
	r.Status = StatusOK
	cpu, mem := 0.0, 0.0
	for _, p := range r.st.podOrder {
		cpu = math.Max(cpu, p.cpu.percentile(0.95))
		mem = math.Max(mem, p.memMax)
	}
	cpu = math.Max(cpu, 0.010)
	mem *= 1.15
	if r.Observed.OOMKills > 0 {
		mem = math.Max(mem, currentMemory(r)*1.25)
	}
	mem = math.Max(mem, 100<<20)
	r.CPU = &Bounds{Lower: cpu, Target: cpu}
	r.Memory = &Bounds{Lower: mem, Target: mem, Upper: mem}
	r.Requests = corev1.ResourceList{corev1.ResourceCPU: cpuQ(cpu), corev1.ResourceMemory: memQ(mem)}
	r.Limits = corev1.ResourceList{corev1.ResourceMemory: memQ(mem)}
}

func fmtBytes(b float64) string {
	return fmt.Sprintf("%.1fMi", b/(1<<20))
}
