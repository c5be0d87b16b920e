package usage

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rightsize/rightsize/internal/model"
)

// Key identifies one container of one workload.
type Key struct {
	Namespace string `json:"namespace,omitempty"`
	// Kind and Name name the workload ("Deployment", "web"); Kind is empty
	// when the pod name matched no controller pattern (Name is then the pod).
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Container string `json:"container"`
}

// Ref is "Kind/name", the form model and solve use for objects.
func (k Key) Ref() string { return k.Kind + "/" + k.Name }

// String is "Kind/name/container".
func (k Key) String() string { return k.Ref() + "/" + k.Container }

// Metric says what a sample measures.
type Metric uint8

const (
	// CPU samples are cores, the rate of the CPU counter over the interval
	// that ends at the sample's time.
	CPU Metric = iota
	// Memory samples are working-set bytes.
	Memory
	// OOM samples mark an OOM kill at the sample's time (V is 1).
	OOM
)

func (m Metric) String() string {
	return [...]string{"cpu", "memory", "oom"}[m]
}

// Sample is one observation of one pod's container.
type Sample struct {
	Key    *Key
	Pod    string
	Metric Metric
	// T is Unix milliseconds.
	T int64
	V float64
	// Start is, for CPU, the start of the interval (Unix ms).
	Start int64
}

// Sink receives samples in the order they are read: series after series or
// interleaved, each series in time order.
type Sink func(Sample)

// Labels are the label and metric names a source reads; the zero value
// means cAdvisor's and kube-state-metrics' names.
type Labels struct {
	Namespace, Pod, Container string
	CPUMetric, MemoryMetric   string
	OOMMetric                 string
}

func (l Labels) withDefaults() Labels {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&l.Namespace, "namespace")
	def(&l.Pod, "pod")
	def(&l.Container, "container")
	def(&l.CPUMetric, "container_cpu_usage_seconds_total")
	def(&l.MemoryMetric, "container_memory_working_set_bytes")
	def(&l.OOMMetric, "kube_pod_container_status_last_terminated_reason")
	return l
}

// Options select what a source reads.
type Options struct {
	// Namespace keeps only series of this namespace (all when empty).
	Namespace string
	// Since and Until bound the window; zero means the whole recording
	// (files) or Default window (live sources).
	Since, Until time.Time
	// Window is the history a live source reads when Since is zero,
	// ending at Until or now (the strategy's history).
	Window time.Duration
	// Step is the resolution a live source asks for (default 1 minute).
	Step   time.Duration
	Labels Labels
	// Mapper maps pods to workloads; nil maps by name pattern alone.
	Mapper *Mapper
	// Progress, when set, is called by sources that take time (metrics-server
	// sampling, Prometheus chunks) with how far they are.
	Progress func(done, total int, what string)
	// Now is the clock of live sources (time.Now when nil).
	Now func() time.Time
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Summary says what a source read.
type Summary struct {
	Source string `json:"source"`
	// Start and End are the first and last sample times kept.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Series is the number of (pod, container, metric) series read.
	Series  int `json:"series"`
	Samples int `json:"samples"`
	// Gaps counts intervals longer than a series' step over which no CPU
	// rate was taken; Resets counts CPU counter resets.
	Gaps   int `json:"gaps"`
	Resets int `json:"resets"`
	// Invalid counts samples skipped for not being a finite, non-negative
	// number (NaN staleness markers, negative gauges).
	Invalid  int `json:"invalid,omitempty"`
	OOMKills int `json:"oomKills"`
	// Containers lists every container seen, sorted.
	Containers []Key           `json:"containers"`
	Findings   []model.Finding `json:"findings,omitempty"`
	keys       map[Key]*Key
}

// key interns k so that every sample of one container shares one *Key.
func (s *Summary) key(k Key) *Key {
	if s.keys == nil {
		s.keys = map[Key]*Key{}
	}
	if p, ok := s.keys[k]; ok {
		return p
	}
	p := &k
	s.keys[k] = p
	return p
}

func (s *Summary) observe(t int64) {
	tt := time.UnixMilli(t).UTC()
	if s.Start.IsZero() || tt.Before(s.Start) {
		s.Start = tt
	}
	if tt.After(s.End) {
		s.End = tt
	}
	s.Samples++
}

// finish sorts the containers and adds the summary findings.
func (s *Summary) finish() {
	s.Containers = s.Containers[:0]
	for k := range s.keys {
		s.Containers = append(s.Containers, k)
	}
	sort.Slice(s.Containers, func(a, b int) bool { return s.Containers[a].String() < s.Containers[b].String() })
	if s.Gaps > 0 {
		s.Findings = append(s.Findings, model.Finding{Severity: model.Info, Key: "usage-gap",
			Message: fmt.Sprintf("%s: %d gap(s) in the CPU series; no rate was taken across them", s.Source, s.Gaps)})
	}
	if s.Resets > 0 {
		s.Findings = append(s.Findings, model.Finding{Severity: model.Info, Key: "usage-reset",
			Message: fmt.Sprintf("%s: %d CPU counter reset(s) (container restarts); the rate after each counts from zero", s.Source, s.Resets)})
	}
	if s.Invalid > 0 {
		s.Findings = append(s.Findings, model.Finding{Severity: model.Warning, Key: "usage-invalid",
			Message: fmt.Sprintf("%s: %d sample(s) skipped: not a finite, non-negative number (NaN staleness markers, infinities, negative values)", s.Source, s.Invalid)})
	}
	if s.Samples == 0 {
		s.Findings = append(s.Findings, model.Finding{Severity: model.Error, Key: "usage",
			Message: fmt.Sprintf("%s: no CPU or memory samples of any container in the window", s.Source)})
	}
}

// series is the state of one (pod, container, metric) series being read.
type series struct {
	key    *Key
	pod    string
	metric Metric
	// lastT and lastV are the previous sample; minDT the shortest interval
	// seen, which sets the gap threshold.
	lastT int64
	lastV float64
	minDT int64
	seen  bool
}

// minGap is the shortest interval treated as a gap: Prometheus' lookback.
const minGap = 5 * time.Minute

// add feeds one raw sample of the series to sink: counters become rates.
func (s *series) add(sum *Summary, t int64, v float64, since, until int64, sink Sink) {
	if s.seen && t <= s.lastT {
		return // duplicate or out of order: Prometheus would refuse it too
	}
	if invalid(v) {
		sum.Invalid++
		return
	}
	defer func() { s.lastT, s.lastV, s.seen = t, v, true }()
	inWindow := (since == 0 || t >= since) && (until == 0 || t <= until)
	switch s.metric {
	case Memory:
		if inWindow {
			sum.observe(t)
			sink(Sample{Key: s.key, Pod: s.pod, Metric: Memory, T: t, V: v})
		}
		return
	case OOM:
		// kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}
		// is 1 while the last termination was an OOM kill: a kill each time
		// it turns 1.
		if v >= 1 && (!s.seen || s.lastV < 1) && inWindow {
			sum.OOMKills++
			sink(Sample{Key: s.key, Pod: s.pod, Metric: OOM, T: t, V: 1})
		}
		return
	}
	if !s.seen {
		return
	}
	dt := t - s.lastT
	if s.minDT == 0 || dt < s.minDT {
		s.minDT = dt
	}
	if dt > max(minGap.Milliseconds(), 3*s.minDT) {
		sum.Gaps++
		return
	}
	inc := v - s.lastV
	if inc < 0 {
		// A reset: the counter restarted from zero within the interval.
		sum.Resets++
		inc = v
	}
	if (since == 0 || s.lastT >= since) && inWindow {
		sum.observe(t)
		sink(Sample{Key: s.key, Pod: s.pod, Metric: CPU, T: t, V: inc / (float64(dt) / 1000), Start: s.lastT})
	}
}

// reader holds what every source shares: the series states and the mapper.
type reader struct {
	opts         Options
	labels       Labels
	sum          *Summary
	sink         Sink
	series       map[string]*series
	since, until int64
	unmatched    map[string]bool
}

func newReader(source string, opts Options, sink Sink) *reader {
	r := &reader{opts: opts, labels: opts.Labels.withDefaults(), sum: &Summary{Source: source}, sink: sink,
		series: map[string]*series{}, unmatched: map[string]bool{}}
	if !opts.Since.IsZero() {
		r.since = opts.Since.UnixMilli()
	}
	if !opts.Until.IsZero() {
		r.until = opts.Until.UnixMilli()
	}
	return r
}

// lookup returns the state of the series of metric m for (ns, pod,
// container), creating it; nil when the series is to be skipped.
func (r *reader) lookup(id string, m Metric, ns, pod, ctr string) *series {
	if s, ok := r.series[id]; ok {
		return s
	}
	var s *series
	if (r.opts.Namespace == "" || ns == r.opts.Namespace) && pod != "" && ctr != "" && ctr != "POD" {
		kind, name, ok := r.opts.Mapper.Owner(ns, pod)
		if !ok {
			r.unmatched[pod] = true
		}
		r.sum.Series++
		s = &series{key: r.sum.key(Key{Namespace: ns, Kind: kind, Name: name, Container: ctr}), pod: pod, metric: m}
	}
	r.series[strings.Clone(id)] = s
	return s
}

func (r *reader) finish() *Summary {
	if len(r.unmatched) > 0 {
		pods := make([]string, 0, len(r.unmatched))
		for p := range r.unmatched {
			pods = append(pods, p)
		}
		sort.Strings(pods)
		msg := "pods that match no workload"
		if r.opts.Mapper != nil && len(r.opts.Mapper.workloads) > 0 {
			msg += " of the app"
		}
		r.sum.Findings = append(r.sum.Findings, model.Finding{Severity: model.Warning, Key: "usage-pod",
			Message: fmt.Sprintf("%s: %s (their usage is kept under the pod's own name): %s", r.sum.Source, msg, strings.Join(pods, ", "))})
	}
	r.sum.finish()
	return r.sum
}

// addRate feeds a CPU sample that is already a rate over (start, t]
// (metrics-server's), once per timestamp.
func (s *series) addRate(sum *Summary, start, t int64, cores float64, since, until int64, sink Sink) {
	if s.seen && t <= s.lastT {
		return
	}
	if invalid(cores) {
		sum.Invalid++
		return
	}
	s.lastT, s.lastV, s.seen = t, cores, true
	if (since == 0 || t >= since) && (until == 0 || t <= until) {
		sum.observe(t)
		sink(Sample{Key: s.key, Pod: s.pod, Metric: CPU, T: t, V: cores, Start: start})
	}
}

// invalid tells a value that is no usage: not a finite, non-negative
// number (a NaN staleness marker, a negative gauge); Summary.Invalid
// counts them.
func invalid(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
