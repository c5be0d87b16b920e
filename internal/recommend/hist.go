package recommend

import (
	"math"
	"time"
)

// expHist is the VPA recommender's exponential histogram
// (pkg/recommender/util/histogram.go): bucket i starts at
// first*(ratio^i-1)/(ratio-1); a percentile is the end of the first bucket
// whose cumulative weight reaches p x total.
type expHist struct {
	first, ratio, eps float64
	n                 int
	w                 []float64
	total             float64
	minB, maxB        int
	// Decay: weight x 2^((t-ref)/halfLife); ref moves in whole half-lives
	// when t passes ref + 100 half-lives, as VPA's decaying histogram does.
	halfLife time.Duration
	ref      time.Time
}

func newExpHist(maxV, first, ratio, eps float64, halfLife time.Duration) *expHist {
	n := int(math.Ceil(math.Log(maxV*(ratio-1)/first+1)/math.Log(ratio))) + 1
	return &expHist{first: first, ratio: ratio, eps: eps, n: n, w: make([]float64, n), minB: n - 1, maxB: 0, halfLife: halfLife}
}

// VPA's histogram options: CPU from 0.01 core to 1000 cores, memory from
// 1e7 bytes to 1e12, buckets 5% wider each, epsilon 1e-4; both decay with
// a half-life of 24 h.
func newCPUHist() *expHist { return newExpHist(1000, 0.01, 1.05, 0.0001, 24*time.Hour) }
func newMemHist() *expHist { return newExpHist(1e12, 1e7, 1.05, 0.0001, 24*time.Hour) }

func (h *expHist) bucket(v float64) int {
	if v < h.first {
		return 0
	}
	b := int(math.Log(v*(h.ratio-1)/h.first+1) / math.Log(h.ratio))
	if b >= h.n {
		return h.n - 1
	}
	return b
}

func (h *expHist) start(b int) float64 {
	if b == 0 {
		return 0
	}
	return h.first * (math.Pow(h.ratio, float64(b)) - 1) / (h.ratio - 1)
}

func (h *expHist) decay(t time.Time) float64 {
	if t.After(h.ref.Add(time.Duration(int64(h.halfLife) * 100))) {
		nr := t.Round(h.halfLife)
		exp := math.Round(float64(h.ref.Sub(nr)) / float64(h.halfLife))
		scale := math.Ldexp(1, int(exp))
		h.total = 0
		for i := range h.w {
			h.w[i] *= scale
			h.total += h.w[i]
		}
		h.ref = nr
	}
	return math.Exp2(float64(t.Sub(h.ref)) / float64(h.halfLife))
}

func (h *expHist) add(v, weight float64, t time.Time) {
	weight *= h.decay(t)
	b := h.bucket(v)
	h.w[b] += weight
	h.total += weight
	if b < h.minB && h.w[b] >= h.eps {
		h.minB = b
	}
	if b > h.maxB && h.w[b] >= h.eps {
		h.maxB = b
	}
}

func (h *expHist) empty() bool { return h.total < h.eps }

func (h *expHist) percentile(p float64) float64 {
	if h.empty() {
		return 0
	}
	sum, threshold := 0.0, p*h.total
	b := h.minB
	for ; b < h.maxB; b++ {
		sum += h.w[b]
		if sum >= threshold {
			break
		}
	}
	if b < h.n-1 {
		return h.start(b + 1)
	}
	return h.start(b)
}

// fineHist counts samples in buckets 1% wide from lo: percentiles and
// exceedance fractions within 1% without keeping the samples.
type fineHist struct {
	lo    float64
	zero  int64 // samples <= lo
	c     []uint32
	n     int64
	max   float64
	first bool
}

const fineRatio = 1.01

var logFine = math.Log(fineRatio)

func (h *fineHist) add(v float64) { h.addAt(v, h.bucket(v)) }

// bucket is v's bucket, -1 at or below lo.
func (h *fineHist) bucket(v float64) int {
	if v <= h.lo {
		return -1
	}
	return int(math.Log(v/h.lo) / logFine)
}

// addAt adds v, whose bucket (of a histogram with the same lo) is b.
func (h *fineHist) addAt(v float64, b int) {
	h.n++
	if v > h.max || h.n == 1 {
		h.max = v
	}
	if b < 0 {
		h.zero++
		return
	}
	if b >= len(h.c) {
		n := max(b+1, 2*len(h.c), 64)
		c := make([]uint32, n)
		copy(c, h.c)
		h.c = c
	}
	h.c[b]++
}

// upper returns the upper edge of bucket b.
func (h *fineHist) upper(b int) float64 { return h.lo * math.Pow(fineRatio, float64(b+1)) }

// percentile returns the smallest bucket edge below which a fraction p of
// the samples lies, never above the maximum seen.
func (h *fineHist) percentile(p float64) float64 {
	if h.n == 0 {
		return 0
	}
	need := int64(math.Ceil(p * float64(h.n)))
	cum := h.zero
	if cum >= need {
		return math.Min(h.lo, h.max)
	}
	for b, c := range h.c {
		cum += int64(c)
		if cum >= need {
			return math.Min(h.upper(b), h.max)
		}
	}
	return h.max
}

// above returns the fraction of samples above x (to within the bucket that
// holds x, which counts as not above).
func (h *fineHist) above(x float64) float64 {
	if h.n == 0 || x >= h.max {
		return 0
	}
	if x < h.lo {
		return float64(h.n-h.zero) / float64(h.n)
	}
	b := int(math.Log(x/h.lo) / logFine)
	var n int64
	for i := b + 1; i < len(h.c); i++ {
		n += int64(h.c[i])
	}
	return float64(n) / float64(h.n)
}
