package recommend

import (
	"math"
	"sort"
	"time"

	"github.com/rightsize/rightsize/internal/usage"
)

// Accumulator gathers, per container, what every strategy needs from the
// samples, as they stream: fine histograms of CPU and memory (percentiles
// and risks), per-pod CPU histograms and peaks (krr), VPA's decaying
// histograms and daily memory peaks, OOM kills. Memory stays bounded by the
// number of containers and pods, not samples.
type Accumulator struct {
	byKey map[usage.Key]*stats
	order []*stats
}

// NewAccumulator returns an empty accumulator.
func NewAccumulator() *Accumulator { return &Accumulator{byKey: map[usage.Key]*stats{}} }

type stats struct {
	key       usage.Key
	cpu, mem  fineHist
	pods      map[string]*podStats
	podOrder  []*podStats
	firstCPU  int64
	lastCPU   int64
	firstMem  int64
	lastMem   int64
	cpuN      int
	vpaCPU    *expHist
	ooms      []oom
	lastStats *podStats
	lastPod   string
}

type oom struct {
	pod string
	t   int64
}

// podStats are one pod's: its CPU histogram and peak for krr, and its
// VPA memory windows.
type podStats struct {
	name   string
	cpu    fineHist
	memMax float64
	vpa    vpaMemory
}

// vpaMemory follows VPA's ContainerState: one peak per 24 h window, the
// first window starting at the pod's first memory sample.
type vpaMemory struct {
	windowEnd int64
	last      int64
	peaks     []peak
}

type peak struct {
	end int64
	v   float64
	oom bool
}

const day = int64(24 * time.Hour / time.Millisecond)

func (m *vpaMemory) add(t int64, v float64) {
	if len(m.peaks) > 0 && t < m.last {
		return
	}
	m.last = t
	if m.windowEnd == 0 {
		m.windowEnd = t
	}
	if t < m.windowEnd {
		p := &m.peaks[len(m.peaks)-1]
		if p.v != 0 && v > p.v {
			p.v = v
		}
		return
	}
	m.windowEnd += (t-m.windowEnd)/day*day + day
	m.peaks = append(m.peaks, peak{end: m.windowEnd, v: v})
}

func (a *Accumulator) stats(k *usage.Key) *stats {
	s, ok := a.byKey[*k]
	if !ok {
		s = &stats{key: *k, cpu: fineHist{lo: 1e-6}, mem: fineHist{lo: 1024}, pods: map[string]*podStats{}, vpaCPU: newCPUHist()}
		a.byKey[*k] = s
		a.order = append(a.order, s)
	}
	return s
}

func (s *stats) pod(name string) *podStats {
	if s.lastStats != nil && s.lastPod == name {
		return s.lastStats
	}
	p, ok := s.pods[name]
	if !ok {
		p = &podStats{name: name, cpu: fineHist{lo: 1e-6}}
		s.pods[name] = p
		s.podOrder = append(s.podOrder, p)
	}
	s.lastStats, s.lastPod = p, name
	return p
}

// Sink returns the usage.Sink that feeds the accumulator.
func (a *Accumulator) Sink() usage.Sink {
	var last *stats
	var lastKey *usage.Key
	return func(smp usage.Sample) {
		s := last
		if smp.Key != lastKey {
			s = a.stats(smp.Key)
			last, lastKey = s, smp.Key
		}
		switch smp.Metric {
		case usage.CPU:
			// The pod's histogram has the container's buckets.
			b := s.cpu.bucket(smp.V)
			s.cpu.addAt(smp.V, b)
			s.pod(smp.Pod).cpu.addAt(smp.V, b)
			if s.cpuN == 0 || smp.T < s.firstCPU {
				s.firstCPU = smp.T
			}
			if smp.T > s.lastCPU {
				s.lastCPU = smp.T
			}
			s.cpuN++
			// VPA weighs CPU samples by max(request, minSampleWeight
			// 0.1 core); with no request known, 0.1 (a constant weight
			// does not move percentiles).
			// VPA keeps CPU usage in whole millicores.
			s.vpaCPU.add(math.Floor(smp.V*1000)/1000, 0.1, time.UnixMilli(smp.T))
		case usage.Memory:
			s.mem.add(smp.V)
			p := s.pod(smp.Pod)
			if smp.V > p.memMax {
				p.memMax = smp.V
			}
			p.vpa.add(smp.T, smp.V)
			if s.mem.n == 1 || smp.T < s.firstMem {
				s.firstMem = smp.T
			}
			if smp.T > s.lastMem {
				s.lastMem = smp.T
			}
		case usage.OOM:
			s.ooms = append(s.ooms, oom{pod: smp.Pod, t: smp.T})
		}
	}
}

// Keys lists the containers seen, sorted.
func (a *Accumulator) Keys() []usage.Key {
	out := make([]usage.Key, 0, len(a.order))
	for _, s := range a.order {
		out = append(out, s.key)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
