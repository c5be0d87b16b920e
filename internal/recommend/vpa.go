package recommend

import (
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// The VPA recommender's constants (pkg/recommender/logic and model).
const (
	vpaTargetPct     = 0.9
	vpaLowerPct      = 0.5
	vpaUpperPct      = 0.95
	vpaMargin        = 0.15
	vpaPodMinCPU     = 25  // millicores per pod
	vpaPodMinMemMB   = 250 // MiB per pod
	vpaOOMMinBumpUp  = 100 << 20
	vpaOOMBumpRatio  = 1.2
	vpaMemPeakWeight = 1.0
)

// vpaState is the aggregate VPA builds for one container: CPU samples in a
// decaying histogram (accumulated as they stream), memory as one peak per
// pod per 24 h window, OOM kills as extra peaks.
func (s *stats) vpaMemHist(request float64) *expHist {
	h := newMemHist()
	for _, p := range s.podOrder {
		peaks := append([]peak(nil), p.vpa.peaks...)
		for _, o := range s.ooms {
			if o.pod == p.name {
				peaks = vpaOOM(peaks, o.t, request)
			}
		}
		for _, pk := range peaks {
			h.add(pk.v, vpaMemPeakWeight, time.UnixMilli(pk.end))
		}
	}
	return h
}

// vpaOOM applies ContainerState.RecordOOM: a sample of
// max(used + 100 MiB, 1.2 x used), used = max(request, the window's peak),
// in the window of the kill.
func vpaOOM(peaks []peak, t int64, request float64) []peak {
	for i := range peaks {
		if t < peaks[i].end && t >= peaks[i].end-day {
			used := math.Max(request, peaks[i].v)
			need := math.Max(used+vpaOOMMinBumpUp, math.Floor(used*vpaOOMBumpRatio))
			if need > peaks[i].v {
				peaks[i].v = need
			}
			return peaks
		}
	}
	return peaks
}

// vpa is the VPA recommender: target p90, lower p50, upper p95 of the
// decaying histograms, each + 15%; upper x (1 + 1/confidence), lower x
// (1 + 0.001/confidence)^-2; target, lower and upper at least 25m CPU and
// 250 MiB per pod split among its containers (vpaMinimums). Requests =
// target; limits keep their ratio to the request, as VPA's
// RequestsAndLimits does.
func vpa(r *Recommendation) {
	r.Status = StatusOK
	o := r.Observed
	conf := confidence(o)
	memReq := 0.0
	if q, ok := r.Current.Requests[corev1.ResourceMemory]; ok {
		memReq = float64(q.Value())
	}
	mh := r.st.vpaMemHist(memReq)
	est := func(cpuPct, memPct float64) (int64, int64) {
		c := int64(r.st.vpaCPU.percentile(cpuPct) * 1000)
		m := int64(mh.percentile(memPct))
		return c + int64(float64(c)*vpaMargin), m + int64(float64(m)*vpaMargin)
	}
	scale := func(a int64, f float64) int64 { return int64(float64(a) * f) }
	tc, tm := est(vpaTargetPct, vpaTargetPct)
	lc, lm := est(vpaLowerPct, vpaLowerPct)
	uc, um := est(vpaUpperPct, vpaUpperPct)
	lf, uf := math.Pow(1+0.001/conf, -2), math.Pow(1+1/conf, 1)
	lc, lm, uc, um = scale(lc, lf), scale(lm, lf), scale(uc, uf), scale(um, uf)
	r.CPU = &Bounds{Lower: float64(lc) / 1000, Target: float64(tc) / 1000, Upper: float64(uc) / 1000}
	r.Memory = &Bounds{Lower: float64(lm), Target: float64(tm), Upper: float64(um)}
	if conf < 1 {
		r.Status = StatusLowConfidence
		r.Notes = append(r.Notes, "low confidence (VPA's: min(days of history, samples/1440) < 1): the upper bound is widened by 1 + 1/confidence")
	}
}

// vpaMinimums raises every bound to VPA's per-pod minimums split among the
// pod's containers, then writes requests and limits.
func vpaMinimums(r *Recommendation, podContainers int) {
	if r.CPU == nil {
		return
	}
	n := max(podContainers, 1)
	frac := 1 / float64(n)
	minCPU := float64(int64(float64(int64(vpaPodMinCPU*0.001*1000))*frac)) / 1000
	minMem := float64(int64(float64(int64(vpaPodMinMemMB*1024*1024)) * frac))
	for _, b := range []*Bounds{r.CPU} {
		b.Lower, b.Target, b.Upper = math.Max(b.Lower, minCPU), math.Max(b.Target, minCPU), math.Max(b.Upper, minCPU)
	}
	for _, b := range []*Bounds{r.Memory} {
		b.Lower, b.Target, b.Upper = math.Max(b.Lower, minMem), math.Max(b.Target, minMem), math.Max(b.Upper, minMem)
	}
	r.Requests = corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(math.Round(r.CPU.Target*1000)), resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(int64(r.Memory.Target), resource.BinarySI),
	}
	for res, q := range r.Current.Limits {
		if res != corev1.ResourceCPU && res != corev1.ResourceMemory {
			continue
		}
		if r.Limits == nil {
			r.Limits = corev1.ResourceList{}
		}
		req, ok := r.Current.Requests[res]
		ratio := 1.0
		if ok && !req.IsZero() {
			ratio = float64(q.MilliValue()) / float64(req.MilliValue())
		}
		rq := r.Requests[res]
		if res == corev1.ResourceCPU {
			r.Limits[res] = *resource.NewMilliQuantity(int64(math.Ceil(float64(rq.MilliValue())*ratio)), resource.DecimalSI)
		} else {
			r.Limits[res] = *resource.NewQuantity(int64(math.Ceil(float64(rq.Value())*ratio)), resource.BinarySI)
		}
	}
}
