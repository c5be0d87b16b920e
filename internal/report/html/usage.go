package html

import (
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/report"
)

// usageView is the usage section: per container, the observed
// percentiles against the requests and limits before and after.
type usageView struct {
	Source, Strategy, Window string
	Samples                  int
	Containers               []containerUsage
}

type containerUsage struct {
	Name, Status string
	Rows         []usageRow
	Risk         string
	Notes        []string
}

// usageRow is one resource of one container, as widths in percent of the
// largest value shown.
type usageRow struct {
	Resource                       string
	Text                           string
	P50W, P95W, MaxW               float64
	ReqX, LimX, CurReqX            float64
	HasReq, HasLim, HasCur, HasObs bool
}

func usageOf(d *report.RecommendDetail) *usageView {
	if d == nil {
		return nil
	}
	v := &usageView{Source: d.Source, Strategy: d.Strategy, Samples: d.Samples,
		Window: d.Start.UTC().Format(time.RFC3339) + " .. " + d.End.UTC().Format(time.RFC3339)}
	for _, c := range d.Containers {
		name := c.Object.String() + "/" + c.Container
		if c.Init {
			name += " (init)"
		}
		if c.Sidecar {
			name += " (sidecar)"
		}
		after := c.Fitted
		if after == nil {
			after = c.Recommended
		}
		if after == nil {
			after = &c.Current
		}
		cu := containerUsage{Name: name, Status: c.Status, Risk: riskText(c.Risk), Notes: c.Notes}
		var cpu, mem *report.Percentiles
		if c.Observed != nil {
			cpu, mem = &c.Observed.CPU, &c.Observed.Memory
		}
		cu.Rows = append(cu.Rows, usageRowOf("cpu", cpu, &c.Current, after, millicores),
			usageRowOf("memory", mem, &c.Current, after, mebibytes))
		v.Containers = append(v.Containers, cu)
	}
	return v
}

func usageRowOf(res string, p *report.Percentiles, cur, after *report.Requirements, unit func(float64) string) usageRow {
	k := corev1.ResourceName(res)
	r := usageRow{Resource: res}
	req, hasReq := after.Requests[k]
	lim, hasLim := after.Limits[k]
	creq, hasCur := cur.Requests[k]
	vals := []float64{req.AsApproximateFloat64(), lim.AsApproximateFloat64(), creq.AsApproximateFloat64()}
	if p != nil {
		vals = append(vals, p.Max, p.P95, p.P50)
	}
	scale := 0.0
	for _, x := range vals {
		scale = math.Max(scale, x)
	}
	w := func(x float64) float64 {
		if scale == 0 {
			return 0
		}
		return round(100 * x / scale)
	}
	r.HasReq, r.HasLim, r.HasCur, r.HasObs = hasReq, hasLim, hasCur, p != nil
	r.ReqX, r.LimX, r.CurReqX = w(req.AsApproximateFloat64()), w(lim.AsApproximateFloat64()), w(creq.AsApproximateFloat64())
	text := "no usage data"
	if p != nil {
		r.P50W, r.P95W, r.MaxW = w(p.P50), w(p.P95), w(p.Max)
		text = fmt.Sprintf("p50 %s · p95 %s · max %s", unit(p.P50), unit(p.P95), unit(p.Max))
	}
	sizes := fmt.Sprintf("request %s", orUnset(hasCur, creq.String()))
	if after != cur {
		sizes += " → " + orUnset(hasReq, req.String())
	}
	r.Text = text + " | " + sizes + ", limit " + orUnset(hasLim, lim.String())
	return r
}

func orUnset(ok bool, s string) string {
	if !ok {
		return "unset"
	}
	return s
}

func millicores(c float64) string { return fmt.Sprintf("%.0fm", math.Ceil(c*1000)) }

func mebibytes(b float64) string { return fmt.Sprintf("%.0fMi", math.Ceil(b/(1<<20))) }

func riskText(r report.Risk) string {
	s := ""
	add := func(label string, v *float64) {
		if v == nil {
			return
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %.1f%%", label, 100**v)
	}
	add("CPU over request", r.CPUOverRequest)
	add("CPU throttled", r.CPUThrottled)
	add("memory over request", r.MemoryOverRequest)
	add("memory over limit", r.MemoryOverLimit)
	return s
}
