package html

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/report"
)

// page is what the template shows, computed from a report.
type page struct {
	Title   string
	Command string
	Target  string
	Fits    bool
	Verdict string
	Warning string
	Quotas  []quotaView
	// HasBefore and HasUsed say whether any bar shows them (the legend).
	HasBefore, HasUsed bool
	Nodes              []bar
	Changes            []changeGroup
	Fit                *fitView
	Work               []workloadView
	Refused            []report.Refusal
	Skipped            []report.Skipped
	Findings           []severityGroup
	Objects            []report.Object
	Names              []report.Name
	NChanges           int
	Usage              *usageView
}

type quotaView struct {
	Name, Origin, Scopes string
	Bars                 []bar
}

// bar is one quota key (or node resource): values as text and the widths
// of the bars in percent of the largest of them.
type bar struct {
	Key                                string
	Before, Requested, Used, Hard, Pct string
	HasBefore, HasUsed, Over           bool
	BeforeW, RequestedW, UsedW, HardX  float64
}

type changeGroup struct {
	Object  string
	Changes []report.Change
}

type fitView struct {
	Fractions []fraction
	Over      []string
	Needs     []string
}

type fraction struct {
	Key, Binding string
	Value        float64
}

type workloadView struct {
	Object             string
	Replicas           int32
	Requests, Limits   string
	Refused            string
	Status             *report.WorkloadStatus
	RequestsW, LimitsW float64
}

type severityGroup struct {
	Severity string
	Findings []model.Finding
}

func view(r *report.Report) *page {
	p := &page{Command: r.Command, Target: r.Target, Fits: r.Fits, Verdict: verdict(r)}
	p.Title = "rightsize " + r.Command
	if r.Target != "" {
		p.Title += ": " + r.Target
	}
	if r.Verify != nil && !r.Verify.Settled {
		p.Warning = "The controllers were still making progress when the wait ended."
	}
	if r.Command != report.Convert {
		for _, q := range r.Quotas {
			p.Quotas = append(p.Quotas, quotaOf(q))
			p.HasBefore = p.HasBefore || q.Before != nil
			p.HasUsed = p.HasUsed || q.Used != nil
		}
	}
	if r.Nodes != nil {
		for _, k := range report.SortedKeys(r.Nodes.Allocatable) {
			p.Nodes = append(p.Nodes, barOf(string(k), nil, r.Nodes.Requested, nil, r.Nodes.Allocatable, corev1.ResourceName(k)))
		}
	}
	p.Changes, p.NChanges = groupChanges(r.Changes), len(r.Changes)
	p.Fit = fitOf(r.Fit)
	p.Work = workloads(r.Workloads)
	p.Refused = r.Refusals
	if r.Verify != nil {
		p.Skipped = r.Verify.Skipped
	}
	p.Findings = bySeverity(r.Findings)
	p.Objects, p.Names = r.Objects, r.Names
	p.Usage = usageOf(r.Recommend)
	return p
}

func verdict(r *report.Report) string {
	switch {
	case r.Command == report.Convert:
		return fmt.Sprintf("%d objects converted", len(r.Objects))
	case r.Command == report.Fit && r.Fits:
		return "The rewritten application fits"
	case r.Command == report.Fit:
		return "Does not fit with the allowed changes"
	case r.Command == report.Verify && r.Fits:
		return "Every pod admitted and scheduled"
	case r.Fits:
		return "Fits"
	}
	return "Does not fit"
}

func quotaOf(q report.Quota) quotaView {
	v := quotaView{Name: q.Name, Origin: q.Origin}
	var scopes []string
	for _, s := range q.Scopes {
		scopes = append(scopes, string(s))
	}
	for _, e := range q.ScopeSelector {
		scopes = append(scopes, strings.TrimSpace(fmt.Sprintf("%s %s %s", e.ScopeName, e.Operator, strings.Join(e.Values, ", "))))
	}
	v.Scopes = strings.Join(scopes, "; ")
	for _, k := range report.SortedKeys(q.Hard) {
		v.Bars = append(v.Bars, barOf(string(k), q.Before, q.Requested, q.Used, q.Hard, k))
	}
	return v
}

func barOf(key string, before, requested, used, hard corev1.ResourceList, k corev1.ResourceName) bar {
	b := bar{Key: key, Requested: qty(requested, k), Hard: qty(hard, k)}
	vals := []float64{f(requested, k), f(hard, k)}
	if before != nil {
		b.HasBefore, b.Before = true, qty(before, k)
		vals = append(vals, f(before, k))
	}
	if used != nil {
		b.HasUsed, b.Used = true, qty(used, k)
		vals = append(vals, f(used, k))
	}
	scale := 0.0
	for _, x := range vals {
		scale = max(scale, x)
	}
	w := func(x float64) float64 {
		if scale == 0 {
			return 0
		}
		return round(100 * x / scale)
	}
	b.RequestedW, b.HardX, b.BeforeW, b.UsedW = w(f(requested, k)), w(f(hard, k)), w(f(before, k)), w(f(used, k))
	ratio := report.Ratio(requested[k], hard[k])
	b.Over = ratio > 1
	switch {
	case ratio >= 1e18:
		b.Pct = "∞"
	default:
		b.Pct = fmt.Sprintf("%.0f%%", 100*ratio)
	}
	return b
}

func round(x float64) float64 { return float64(int(x*10+0.5)) / 10 }

func f(l corev1.ResourceList, k corev1.ResourceName) float64 {
	v, ok := l[k]
	if !ok {
		return 0
	}
	return v.AsApproximateFloat64()
}

func qty(l corev1.ResourceList, k corev1.ResourceName) string {
	v, ok := l[k]
	if !ok {
		return "0"
	}
	return v.String()
}

// groupChanges keeps the order of the first change of each object.
func groupChanges(cs []report.Change) []changeGroup {
	var out []changeGroup
	at := map[model.Key]int{}
	for _, c := range cs {
		i, ok := at[c.Object]
		if !ok {
			i = len(out)
			at[c.Object] = i
			out = append(out, changeGroup{Object: c.Object.String()})
		}
		out[i].Changes = append(out[i].Changes, c)
	}
	return out
}

func fitOf(d *report.FitDetail) *fitView {
	if d == nil {
		return nil
	}
	v := &fitView{}
	keys := make([]string, 0, len(d.Fractions))
	for k := range d.Fractions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b := d.Binding[k]
		if b == "" {
			b = "nothing"
		}
		v.Fractions = append(v.Fractions, fraction{Key: k, Value: d.Fractions[k], Binding: b})
	}
	for _, k := range report.SortedKeys(d.Over) {
		v.Over = append(v.Over, fmt.Sprintf("%s: over by %s", k, qty(d.Over, k)))
	}
	for _, k := range report.SortedKeys(d.Needs) {
		v.Needs = append(v.Needs, fmt.Sprintf("%s: %s", k, qty(d.Needs, k)))
	}
	return v
}

func workloads(ws []report.Workload) []workloadView {
	var out []workloadView
	var maxMem float64
	for _, w := range ws {
		maxMem = max(maxMem, f(w.PodLimits, corev1.ResourceMemory), f(w.PodRequests, corev1.ResourceMemory))
	}
	for _, w := range ws {
		v := workloadView{Object: w.Object.String(), Replicas: w.Replicas, Requests: list(w.PodRequests), Limits: list(w.PodLimits), Refused: w.Refused, Status: w.Status}
		if maxMem > 0 {
			v.RequestsW = round(100 * f(w.PodRequests, corev1.ResourceMemory) / maxMem)
			v.LimitsW = round(100 * f(w.PodLimits, corev1.ResourceMemory) / maxMem)
		}
		out = append(out, v)
	}
	return out
}

func list(l corev1.ResourceList) string {
	if len(l) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range report.SortedKeys(l) {
		parts = append(parts, string(k)+" "+qty(l, k))
	}
	return strings.Join(parts, ", ")
}

func bySeverity(fs []model.Finding) []severityGroup {
	var out []severityGroup
	for _, s := range []model.Severity{model.Error, model.Warning, model.Info} {
		g := severityGroup{Severity: string(s)}
		for _, x := range fs {
			if x.Severity == s {
				g.Findings = append(g.Findings, x)
			}
		}
		if len(g.Findings) > 0 {
			out = append(out, g)
		}
	}
	return out
}
