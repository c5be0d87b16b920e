package rightsize

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/report"
)

// Analyze computes what Kubernetes admission would charge and refuse for
// app in t, without a cluster: LimitRange defaulting and validation, each
// ResourceQuota charged with what its scopes match, replicas and
// controllers, node fit. Report.Fits is the verdict; that the app does not
// fit is not an error.
func Analyze(ctx context.Context, app *App, t *Target) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := footprint.Analyze(app.app, t.t)
	if err != nil {
		return nil, err
	}
	return analyzeReport(res), nil
}

// analyzeReport turns a footprint into the report shape. The report takes
// over the lists the Result computed (requests, limits, charges): every
// caller makes the Result for this report alone and nothing changes them
// afterwards. What the Result only points to (the target's quotas) is
// copied.
func analyzeReport(res *footprint.Result) *Report {
	r := &Report{
		Command: report.Analyze, Target: res.Target, Fits: res.Fits,
		Quotas:    quotas(res),
		Findings:  append([]Finding{}, res.Findings...),
		Workloads: make([]Workload, 0, len(res.Workloads)),
		Refusals:  refusals(res.Refusals),
	}
	if res.Nodes != nil {
		r.Nodes = &report.Nodes{Requested: res.Nodes.Requested, Allocatable: res.Nodes.Allocatable}
	}
	for _, w := range res.Workloads {
		r.Workloads = append(r.Workloads, Workload{
			Object: w.Object.Key(), Replicas: w.Replicas,
			PodRequests: w.PodRequests, PodLimits: w.PodLimits, Refused: w.Refused,
		})
	}
	r.Summarize()
	return r
}

// quotas lists the footprint's ResourceQuotas, each charged on its own.
func quotas(res *footprint.Result) []Quota {
	out := []Quota{}
	for _, qu := range res.Quotas {
		q := Quota{
			Name: qu.Quota.Name, Origin: "target",
			Scopes: append([]corev1.ResourceQuotaScope(nil), qu.Quota.Spec.Scopes...),
			Hard:   qu.Quota.Spec.Hard.DeepCopy(), Requested: qu.Requested, Admitted: qu.Admitted,
		}
		if qu.FromApp {
			q.Origin = "app"
		}
		if sel := qu.Quota.Spec.ScopeSelector; sel != nil {
			for _, e := range sel.MatchExpressions {
				q.ScopeSelector = append(q.ScopeSelector, *e.DeepCopy())
			}
		}
		out = append(out, q)
	}
	return out
}

func refusals(rs []footprint.Refusal) []Refusal {
	out := []Refusal{}
	for _, r := range rs {
		out = append(out, Refusal{Object: r.Object, Count: r.Count, Message: r.Message})
	}
	return out
}
