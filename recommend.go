package rightsize

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/recommend"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/usage"
)

type (
	// PrometheusOptions say how to reach a Prometheus server: bearer token
	// (or a file holding it), CA file, or skipping TLS verification.
	PrometheusOptions = usage.PrometheusConfig
	// UsageLabels rename the labels and metrics usage is read from; the
	// zero value means cAdvisor's and kube-state-metrics' names.
	UsageLabels = usage.Labels
	// RecommendDetail is the recommend part of a Report.
	RecommendDetail = report.RecommendDetail
	// ContainerSizing is one container's sizes from usage.
	ContainerSizing = report.ContainerSizing
)

// Strategies lists the sizing strategies, the default first: rightsize
// (lower bound and target for the solver), vpa (the Vertical Pod
// Autoscaler recommender's), krr (krr's simple strategy).
func Strategies() []string { return append([]string(nil), recommend.Strategies...) }

// RecommendOption configures Recommend.
type RecommendOption func(*recommendOptions) error

type recommendOptions struct {
	source       string
	strategy     string
	target       *Target
	fit          []FitOption
	since, until time.Time
	prom         PrometheusOptions
	labels       UsageLabels
	namespace    string
	progress     func(done, total int, what string)
	metrics      *MetricsServerOptions
}

// WithUsageFrom names the usage source: a recorded file (OpenMetrics or
// Prometheus text with timestamps, or a Prometheus query_range JSON answer),
// an http(s):// Prometheus URL, or metrics-server[:CONTEXT].
func WithUsageFrom(source string) RecommendOption {
	return func(o *recommendOptions) error { o.source = source; return nil }
}

// WithStrategy picks a strategy (see Strategies).
func WithStrategy(name string) RecommendOption {
	return func(o *recommendOptions) error {
		for _, s := range recommend.Strategies {
			if s == name {
				o.strategy = name
				return nil
			}
		}
		return &OptionError{Option: "Strategy", Reason: fmt.Sprintf("unknown strategy %q: want one of %s", name, strings.Join(recommend.Strategies, ", "))}
	}
}

// WithRecommendTarget sizes under t's quota: the recommendations become
// the targets and lower bounds of Fit (with opts), and the report says what
// the solver gave each container and the risk left.
func WithRecommendTarget(t *Target, opts ...FitOption) RecommendOption {
	return func(o *recommendOptions) error { o.target, o.fit = t, opts; return nil }
}

// WithUsageWindow bounds the samples read; a zero time leaves that end
// open (files: the whole recording; live sources: the strategy's history,
// ending now).
func WithUsageWindow(since, until time.Time) RecommendOption {
	return func(o *recommendOptions) error {
		if !since.IsZero() && !until.IsZero() && !since.Before(until) {
			return &OptionError{Option: "UsageWindow", Reason: "since is not before until"}
		}
		o.since, o.until = since, until
		return nil
	}
}

// WithPrometheus sets how to reach a Prometheus source.
func WithPrometheus(p PrometheusOptions) RecommendOption {
	return func(o *recommendOptions) error { o.prom = p; return nil }
}

// WithUsageLabels renames the labels and metrics read.
func WithUsageLabels(l UsageLabels) RecommendOption {
	return func(o *recommendOptions) error { o.labels = l; return nil }
}

// WithUsageNamespace keeps only usage of one namespace.
func WithUsageNamespace(ns string) RecommendOption {
	return func(o *recommendOptions) error { o.namespace = ns; return nil }
}

// WithProgress is called as slow sources (Prometheus, metrics-server) read.
func WithProgress(fn func(done, total int, what string)) RecommendOption {
	return func(o *recommendOptions) error { o.progress = fn; return nil }
}

// RecommendResult is what Recommend made.
type RecommendResult struct {
	// Report holds Recommend (per container: current, observed,
	// recommended, fitted, risk) and, with a target, the fit report.
	Report *Report
	// App is the app with the sizes written in: the strategy's, or with a
	// target the solver's.
	App *App
}

// history is the window a live source reads by default, per strategy.
var history = map[string]time.Duration{"rightsize": 8 * 24 * time.Hour, "vpa": 8 * 24 * time.Hour, "krr": 14 * 24 * time.Hour}

// Recommend sizes app's containers from observed usage.
func Recommend(ctx context.Context, app *App, opts ...RecommendOption) (*RecommendResult, error) {
	o := recommendOptions{strategy: "rightsize"}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.source == "" {
		return nil, &OptionError{Option: "UsageFrom", Reason: "a usage source is required"}
	}
	containers, workloads := appContainers(app.app)
	acc := recommend.NewAccumulator()
	// Reading (parsing) and accumulating run on two goroutines, in order.
	sink, wait := usage.Pipe(acc.Sink())
	sum, err := o.read(ctx, workloads, sink)
	wait()
	if err != nil {
		return nil, err
	}
	rec, err := recommend.Recommend(acc, recommend.Options{Strategy: o.strategy, Containers: containers, Source: sum.Source})
	if err != nil {
		return nil, err
	}
	detail := &report.RecommendDetail{Strategy: rec.Strategy, Source: sum.Source, Start: sum.Start, End: sum.End, Samples: sum.Samples}
	for i := range rec.Containers {
		detail.Containers = append(detail.Containers, sizing(&rec.Containers[i]))
	}
	findings := append(append([]Finding{}, sum.Findings...), rec.Findings...)
	if o.target == nil {
		out := rewrite.Copy(app.app)
		writeSizes(out, rec)
		r := &Report{Command: report.Recommend, Quotas: []Quota{}, Refusals: []Refusal{}, Findings: findings, Recommend: detail}
		r.Fits = true
		return &RecommendResult{Report: r, App: &App{app: out, formats: app.formats}}, nil
	}
	return fitUsage(ctx, app, o, rec, detail, findings)
}

// FitFromUsage fits app to t as Fit does, with each container's sizes from
// its observed usage (read as usage's options say) as the solver's targets
// and lower bounds instead of one retained fraction of the written sizes.
// The report is fit's, with per container the lower bound, the size given
// and the risk left in Report.Recommend.
func FitFromUsage(ctx context.Context, app *App, t *Target, usage []RecommendOption, opts ...FitOption) (*FitResult, error) {
	res, err := Recommend(ctx, app, append(append([]RecommendOption(nil), usage...), WithRecommendTarget(t, opts...))...)
	if err != nil {
		return nil, err
	}
	res.Report.Command = report.Fit
	return &FitResult{Report: res.Report, App: res.App}, nil
}

func (o *recommendOptions) read(ctx context.Context, ws []usage.Workload, sink usage.Sink) (*usage.Summary, error) {
	src, err := usage.ParseSource(o.source)
	if err != nil {
		return nil, err
	}
	uo := usage.Options{Namespace: o.namespace, Since: o.since, Until: o.until, Labels: o.labels,
		Mapper: usage.NewMapper(ws), Progress: o.progress, Window: history[o.strategy]}
	switch src.Kind {
	case "prometheus":
		p := o.prom
		p.URL = src.URL
		return usage.ReadPrometheus(ctx, p, uo, sink)
	case "metrics-server":
		return o.readMetricsServer(ctx, src.Context, uo, sink)
	}
	return usage.ReadFile(src.Path, uo, sink)
}

// appContainers lists every container of the app's pod-creating objects,
// and the workloads pods map to.
func appContainers(app *model.App) ([]recommend.Container, []usage.Workload) {
	var cs []recommend.Container
	var ws []usage.Workload
	for _, obj := range app.Objects {
		spec, _, ok := footprint.PodSpec(obj)
		if !ok {
			continue
		}
		ws = append(ws, usage.Workload{Namespace: obj.Namespace(), Kind: obj.Kind(), Name: obj.Name()})
		running := len(spec.Containers)
		for _, c := range spec.InitContainers {
			if isSidecar(c) {
				running++
			}
		}
		add := func(c corev1.Container, init bool) {
			cs = append(cs, recommend.Container{Key: usage.Key{Namespace: obj.Namespace(), Kind: obj.Kind(), Name: obj.Name(), Container: c.Name},
				Init: init, Sidecar: init && isSidecar(c), Requests: c.Resources.Requests, Limits: c.Resources.Limits, PodContainers: running})
		}
		for _, c := range spec.InitContainers {
			add(c, true)
		}
		for _, c := range spec.Containers {
			add(c, false)
		}
	}
	return cs, ws
}

func isSidecar(c corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// writeSizes writes the strategy's requests and limits into app: CPU and
// memory as the strategy gives them (a limit it does not give is removed),
// other resources untouched.
func writeSizes(app *model.App, rec *recommend.Result) {
	byKey := map[string]*recommend.Recommendation{}
	for i := range rec.Containers {
		r := &rec.Containers[i]
		if r.Requests != nil {
			byKey[r.Key.Ref()+"/"+r.Key.Container] = r
		}
	}
	for _, obj := range app.Objects {
		spec, _, ok := footprint.PodSpec(obj)
		if !ok {
			continue
		}
		for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for i := range list {
				r, ok := byKey[obj.Ref()+"/"+list[i].Name]
				if !ok {
					continue
				}
				res := &list[i].Resources
				for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					if res.Requests == nil {
						res.Requests = corev1.ResourceList{}
					}
					res.Requests[name] = r.Requests[name]
					if q, ok := r.Limits[name]; ok {
						if res.Limits == nil {
							res.Limits = corev1.ResourceList{}
						}
						res.Limits[name] = q
					} else {
						delete(res.Limits, name)
					}
				}
			}
		}
	}
}

func sizing(r *recommend.Recommendation) report.ContainerSizing {
	s := report.ContainerSizing{Object: r.Key.Object(), Container: r.Key.Container, Init: r.Init, Sidecar: r.Sidecar, Status: r.Status,
		Current: report.Requirements{Requests: r.Current.Requests, Limits: r.Current.Limits}, Risk: report.Risk(r.Risk),
		Notes: r.Notes}
	if o := r.Observed; o != nil {
		s.Observed = &report.Observed{CPUSamples: o.CPUSamples, MemorySamples: o.MemorySamples, Pods: o.Pods, Start: o.Start, End: o.End,
			CPU: report.Percentiles(o.CPU), Memory: report.Percentiles(o.Memory), OOMKills: o.OOMKills}
	}
	if r.CPU != nil {
		b := report.Bounds(*r.CPU)
		s.CPU = &b
	}
	if r.Memory != nil {
		b := report.Bounds(*r.Memory)
		s.Memory = &b
	}
	if r.Requests != nil {
		s.Recommended = &report.Requirements{Requests: r.Requests, Limits: r.Limits}
	}
	return s
}

// fitUsage fits the app under the target with the recommendations as
// targets and lower bounds, then reports what each container got and the
// risk left.
func fitUsage(ctx context.Context, app *App, o recommendOptions, rec *recommend.Result, detail *report.RecommendDetail, findings []Finding) (*RecommendResult, error) {
	var fo fit.Options
	for _, opt := range o.fit {
		if err := opt(&fo); err != nil {
			return nil, err
		}
	}
	fo.Usage, fo.Targets = map[string]corev1.ResourceList{}, map[string]corev1.ResourceRequirements{}
	for _, r := range rec.Containers {
		if r.Requests == nil || r.CPU == nil {
			continue
		}
		k := r.Key.Ref() + "/" + r.Key.Container
		fo.Usage[k] = corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(math.Ceil(r.CPU.Lower*1000)), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(int64(math.Ceil(r.Memory.Lower)), resource.BinarySI),
		}
		fo.Targets[k] = corev1.ResourceRequirements{Requests: r.Requests, Limits: r.Limits}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := fit.Run(app.app, o.target.t, fo)
	if err != nil {
		return nil, err
	}
	if !res.Fits {
		var bound []Finding
		res, bound, err = fitBelowBounds(app.app, o.target.t, fo, res)
		if err != nil {
			return nil, err
		}
		findings = append(findings, bound...)
	}
	r := fitReport(app.app, res)
	r.Command = report.Recommend
	renamed, merged := fittedLocations(res.Changes)
	for i := range rec.Containers {
		rc := &rec.Containers[i]
		s := &detail.Containers[i]
		ref, name := rc.Key.Ref(), rc.Key.Container
		if to, ok := renamed[ref+"/"+name]; ok {
			ref, name = to[0], to[1]
		} else if into, ok := merged[ref]; ok {
			ref = into
		}
		c := findContainer(res.App, ref, name)
		if c == nil {
			continue
		}
		s.Fitted = &report.Requirements{Requests: c.Resources.Requests, Limits: c.Resources.Limits}
		s.Risk = report.Risk(rc.RiskAt(c.Resources.Requests, c.Resources.Limits))
		if rc.CPU == nil || rc.Requests == nil {
			continue
		}
		if below := belowLower(rc, c.Resources); len(below) > 0 {
			s.BelowLowerBound = below
			findings = append(findings, Finding{Severity: model.Warning, Key: "usage-risk", Object: rc.Key.Object(),
				Message: fmt.Sprintf("container %s: sized below its observed need (%s): the quota cannot hold its lower bound; risk left: %s",
					rc.Key.Container, strings.Join(below, ", "), riskText(s.Risk))})
		}
	}
	r.Findings = append(findings, r.Findings...)
	r.Recommend = detail
	return &RecommendResult{Report: r, App: &App{app: res.App, formats: app.formats}}, nil
}

// fitBelowBounds fits again when the quota cannot hold the lower bounds
// (bound is that fit): with every lower bound scaled by the largest common
// fraction that fits (found by bisection, as the solver's water level; the
// containers closest to their need), else without lower bounds. When that
// fits, it is the result, with findings that say which keys the lower
// bounds overrun, by how much, and the fraction kept; the caller then names
// each container sized below its observed need. When nothing fits, bound
// stays the result.
func fitBelowBounds(in *model.App, t *model.Target, fo fit.Options, bound *fit.Result) (*fit.Result, []Finding, error) {
	lower := fo.Usage
	var best *fit.Result
	kept := 0.0
	for lo, hi, i := 0.0, 1.0, 0; i < 12; i++ {
		mid := (lo + hi) / 2
		fo.Usage = scaleBounds(lower, mid, bound.Over)
		res, err := fit.Run(in, t, fo)
		if err != nil {
			return nil, nil, err
		}
		if res.Fits {
			best, kept, lo = res, mid, mid
		} else {
			hi = mid
		}
	}
	if best == nil {
		return bound, nil, nil
	}
	var out []Finding
	for _, f := range bound.After.Findings {
		if _, over := bound.Over[f.Key]; over && f.Severity == model.Error {
			out = append(out, Finding{Severity: model.Warning, Key: "usage-bounds", Object: f.Object,
				Message: fmt.Sprintf("the quota cannot hold every container's lower bound from usage: with them %s; "+
					"the lower bounds are scaled to %.1f%%, the most that fits, and containers are sized below their observed need where said", f.Message, kept*100)})
		}
	}
	return best, out, nil
}

// scaleBounds is every lower bound of a resource that an over key names
// (requests.cpu, limits.memory, ...) times f, rounded up; the others stay.
func scaleBounds(lower map[string]corev1.ResourceList, f float64, over map[string]resource.Quantity) map[string]corev1.ResourceList {
	by := func(r corev1.ResourceName) float64 {
		for k := range over {
			if strings.HasSuffix(k, "."+string(r)) || k == string(r) {
				return f
			}
		}
		return 1
	}
	fc, fm := by(corev1.ResourceCPU), by(corev1.ResourceMemory)
	out := make(map[string]corev1.ResourceList, len(lower))
	for k, l := range lower {
		cpu, mem := l[corev1.ResourceCPU], l[corev1.ResourceMemory]
		out[k] = corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(math.Ceil(float64(cpu.MilliValue())*fc)), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(int64(math.Ceil(float64(mem.Value())*fm)), resource.BinarySI),
		}
	}
	return out
}

// fittedLocations tells where the containers of merged workloads went:
// renamed maps "Kind/name/container" to [new object, new container name];
// merged maps "Kind/name" to the object it was merged into (containers that
// kept their names).
func fittedLocations(cs []rewrite.Change) (renamed map[string][2]string, merged map[string]string) {
	renamed, merged = map[string][2]string{}, map[string]string{}
	for _, c := range cs {
		if c.Field == "(object)" && strings.HasPrefix(c.After, "merged into ") {
			merged[c.Object.String()] = strings.TrimPrefix(c.After, "merged into ")
		}
		if strings.HasSuffix(c.Field, "].name") && strings.Contains(c.Before, " (of ") {
			old, of, _ := strings.Cut(c.Before, " (of ")
			renamed[strings.TrimSuffix(of, ")")+"/"+old] = [2]string{c.Object.String(), c.After}
		}
	}
	return renamed, merged
}

func findContainer(app *model.App, ref, name string) *corev1.Container {
	for _, obj := range app.Objects {
		if obj.Ref() != ref {
			continue
		}
		spec, _, ok := footprint.PodSpec(obj)
		if !ok {
			return nil
		}
		for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for i := range list {
				if list[i].Name == name {
					return &list[i]
				}
			}
		}
	}
	return nil
}

// belowLower lists the fitted values below the strategy's lower bound.
func belowLower(r *recommend.Recommendation, res corev1.ResourceRequirements) []string {
	var out []string
	check := func(field string, l corev1.ResourceList, name corev1.ResourceName, lower float64) {
		q, ok := l[name]
		if !ok {
			return
		}
		v := float64(q.Value())
		if name == corev1.ResourceCPU {
			v = float64(q.MilliValue()) / 1000
			lower = math.Ceil(lower*1000) / 1000
		}
		if v < lower*(1-1e-9) {
			out = append(out, fmt.Sprintf("%s %s < lower bound %s", field, q.String(), quantityOf(name, lower)))
		}
	}
	check("requests.cpu", res.Requests, corev1.ResourceCPU, r.CPU.Lower)
	check("requests.memory", res.Requests, corev1.ResourceMemory, r.Memory.Lower)
	check("limits.memory", res.Limits, corev1.ResourceMemory, r.Memory.Lower)
	return out
}

func quantityOf(name corev1.ResourceName, v float64) string {
	if name == corev1.ResourceCPU {
		return resource.NewMilliQuantity(int64(math.Ceil(v*1000)), resource.DecimalSI).String()
	}
	return fmt.Sprintf("%.1fMi", v/(1<<20))
}

func riskText(r report.Risk) string {
	var parts []string
	add := func(name string, f *float64) {
		if f != nil {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", name, *f*100))
		}
	}
	add("CPU over request", r.CPUOverRequest)
	add("CPU throttled", r.CPUThrottled)
	add("memory over request", r.MemoryOverRequest)
	add("memory over limit", r.MemoryOverLimit)
	if len(parts) == 0 {
		return "none measurable"
	}
	return strings.Join(parts, ", ")
}
