package rightsize

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// Change kinds for WithAllow.
const (
	AllowResources    = fit.AllowResources
	AllowReplicas     = fit.AllowReplicas
	AllowMerge        = fit.AllowMerge
	AllowServiceTypes = fit.AllowServiceTypes
	AllowNamespaces   = fit.AllowNamespaces
	AllowServices     = fit.AllowServices
	// AllowStorage is not allowed unless asked for (see OptInChangeKinds).
	AllowStorage = fit.AllowStorage
	// AllowHostPorts is opt-in: never allowed unless named.
	AllowHostPorts = fit.AllowHostPorts
)

// Rollout modes for WithRollout.
const (
	RolloutHeadroom = solve.RolloutHeadroom
	RolloutRecreate = solve.RolloutRecreate
	RolloutIgnore   = solve.RolloutIgnore
)

// ChangeKinds lists the change kinds Fit makes by default.
func ChangeKinds() []string { return append([]string(nil), fit.Kinds...) }

// OptInChangeKinds lists the change kinds WithAllow accepts that are not
// made by default.
func OptInChangeKinds() []string { return append([]string(nil), fit.OptIn...) }

// WithRollout says how rolling updates are kept from stalling at the quota:
// RolloutHeadroom (default) leaves room for a surge pod, else switches the
// strategy; RolloutRecreate switches the strategy; RolloutIgnore only warns.
func WithRollout(mode string) FitOption {
	return func(o *fit.Options) error {
		for _, m := range solve.RolloutModes {
			if m == mode {
				o.Rollout = mode
				return nil
			}
		}
		return &OptionError{Option: "Rollout", Reason: "unknown rollout mode " + mode}
	}
}

// WithMinStorage sets the floor of a claim shrunk under AllowStorage
// (default 1Gi).
func WithMinStorage(q resource.Quantity) FitOption {
	return func(o *fit.Options) error { o.MinStorage = &q; return nil }
}

// FitOption configures Fit.
type FitOption func(*fit.Options) error

// WithAllow limits the kinds of change Fit may make (default: all of
// ChangeKinds).
func WithAllow(kinds ...string) FitOption {
	return func(o *fit.Options) error {
		for _, k := range kinds {
			ok := false
			for _, known := range append(ChangeKinds(), fit.OptIn...) {
				ok = ok || k == known
			}
			if !ok {
				return &OptionError{Option: "Allow", Reason: "unknown change kind " + k}
			}
		}
		o.Allow = append([]string{}, kinds...)
		return nil
	}
}

// WithAllowDataLoss lets Fit replace PersistentVolumeClaims with emptyDir
// when storage binds.
func WithAllowDataLoss() FitOption {
	return func(o *fit.Options) error { o.AllowDataLoss = true; return nil }
}

// WithNamespace sets the namespace the fitted objects carry (default: the
// target's, else none).
func WithNamespace(ns string) FitOption {
	return func(o *fit.Options) error { o.Namespace = ns; return nil }
}

// WithMinCPU and WithMinMemory set floors no container is scaled below.
func WithMinCPU(q resource.Quantity) FitOption {
	return func(o *fit.Options) error { o.MinCPU = &q; return nil }
}

// WithMinMemory: see WithMinCPU.
func WithMinMemory(q resource.Quantity) FitOption {
	return func(o *fit.Options) error { o.MinMemory = &q; return nil }
}

// WithUsage gives observed usage per "Kind/name/container", used as floors.
func WithUsage(usage map[string]corev1.ResourceList) FitOption {
	return func(o *fit.Options) error { o.Usage = usage; return nil }
}

// FitResult is what Fit made.
type FitResult struct {
	// Report says what changed and why, with each quota before and after.
	Report *Report
	// App is the rewritten app; the input is never changed.
	App *App
}

// Fit rewrites app, as little as possible, so that t admits all of it:
// fill missing requests and limits, scale them down, fewer replicas, merge
// Deployments into multi-container pods, change Service types, fold
// namespaces. Report.Fits says whether it succeeded.
func Fit(ctx context.Context, app *App, t *Target, opts ...FitOption) (*FitResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var o fit.Options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	res, err := fit.Run(app.app, t.t, o)
	if err != nil {
		return nil, err
	}
	return &FitResult{Report: fitReport(app.app, res), App: &App{app: res.App, formats: app.formats}}, nil
}

func fitReport(in *model.App, res *fit.Result) *Report {
	r := analyzeReport(res.After)
	r.Command = report.Fit
	before := analyzeReport(res.Before)
	for i := range r.Quotas {
		if i < len(before.Quotas) && before.Quotas[i].Name == r.Quotas[i].Name {
			r.Quotas[i].Before = before.Quotas[i].Requested
		}
	}
	r.Summarize()
	r.Findings = append(append([]Finding{}, res.Findings...), r.Findings...)
	r.Changes = changes(res.Changes)
	r.Fit = &report.FitDetail{Fractions: res.Fractions, Binding: res.Binding, Over: list(res.Over), Needs: list(res.Needs), Cost: &res.Cost}
	return r
}

func list(m map[string]resource.Quantity) corev1.ResourceList {
	if len(m) == 0 {
		return nil
	}
	out := corev1.ResourceList{}
	for k, v := range m {
		out[corev1.ResourceName(k)] = v.DeepCopy()
	}
	return out
}

// changes converts rewrite's changes to the report's.
func changes(cs []rewrite.Change) []Change {
	out := make([]Change, 0, len(cs))
	for _, c := range cs {
		out = append(out, Change{Object: c.Object, Field: c.Field, Before: c.Before, After: c.After, Reason: c.Reason})
	}
	return out
}

func splitRef(ref string) (string, string) {
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			return ref[:i], ref[i+1:]
		}
	}
	return "", ref
}
