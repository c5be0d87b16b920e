// Package rightsize is the library behind the rightsize command: it tells
// whether a multi-container application fits a constrained Kubernetes
// target (a namespace's ResourceQuotas and LimitRanges, and optionally its
// nodes), rewrites it so that it does, and proves the verdict on a real
// control plane.
//
// The entry points mirror the commands:
//
//	app, err := rightsize.LoadApp(ctx, []string{"app/"})          // any format
//	t, err := rightsize.LoadTarget(ctx, "sandbox")                // a plan, or a file
//	r, err := rightsize.Analyze(ctx, app, t)                      // what admission would do
//	f, err := rightsize.Fit(ctx, app, t)                          // the smallest rewrite that fits
//	v, err := rightsize.Verify(ctx, cluster, f.App, t)            // what a control plane does
//
// Every command returns a *Report of one shape (see docs/report.md): a
// `quotas` list with one entry per ResourceQuota object, a per-key summary,
// findings and changes that name objects by Key. Report writers (text, JSON,
// YAML) are in WriteReport.
//
// The library never prints, never reads flags or the environment (except
// where an option says so) and never changes process-wide state. Options
// that do not apply to the input or the call are refused with an
// *OptionError naming the option.
package rightsize
