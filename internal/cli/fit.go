package cli

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize"
)

type fitFlags struct {
	load loadFlags
	outputFlags
	fitOutput
	allow         []string
	allowDataLoss bool
	rollout       string
	minStorage    string
	minCPU        string
	minMemory     string
	usage         string
	usageFrom     usageFlags
}

func newFit(s Streams) *cobra.Command {
	f := &fitFlags{}
	cmd := &cobra.Command{
		Use:   "fit PATH...",
		Short: "Rewrite an application, as little as possible, so that it fits a target",
		Long: `Fit rewrites the application at PATH so that the target admits all of it:
it fills missing requests and limits, scales them down with an exact solver
(the largest common retained fraction under every quota key, never below a
floor), reduces replicas, merges Deployments into multi-container pods while
a pod or object count binds, turns NodePort/LoadBalancer Services into
ClusterIP plus an Ingress, and folds namespaces into the target's. Every change is
reported with its reason; a change that would break a host name a container
uses is not made. A PersistentVolumeClaim becomes emptyDir only with
--allow-data-loss. On a target with nodes, pods that the nodes cannot all
take because each binds a host port (or required anti-affinity keeps them
apart) cost replicas, with a finding; --allow host-ports drops the host
ports instead.

Manifests go to standard output (-o yaml|json) or, one file per object, to
--out DIR (written atomically; a non-empty DIR needs --force). With
--out-format kustomize, DIR is a Kustomize overlay instead: its
kustomization.yaml names the input files by relative path and carries one
JSON 6902 patch per changed object (commented with the reasons), the
objects fit created, and a delete per object it removed; inputs that are
not Kubernetes files are written converted under DIR/base. --diff writes a
unified diff of every object before and after, as kubectl diff does. The report
goes to --report FILE, else to standard error when manifests are on standard
output, else to standard output.

Exit codes: 0 fits, 3 no allowed rewrite fits, 1 error, 2 usage.`,
		Example: `  rightsize fit examples/shop --target sandbox --out shop-fitted
  rightsize fit app.yaml --target okteto-free --allow resources,replicas -o json
  rightsize fit app.yaml --min-memory 64Mi --report report.json --report-format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.progress = newProgress(cmd, s)
			f.usageFrom.progress = f.progress
			defer f.progress.Close()
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	f.outputFlags.register(fs, "write the report to this file")
	f.fitOutput.register(fs)
	fs.StringSliceVar(&f.allow, "allow", rightsize.ChangeKinds(), "change kinds allowed: "+strings.Join(rightsize.ChangeKinds(), ", ")+"; opt-in, never by default: "+strings.Join(rightsize.OptInChangeKinds(), ", ")+" (named alone, added to the defaults)")
	fs.StringVar(&f.rollout, "rollout", rightsize.RolloutHeadroom, "keep rolling updates from stalling at the quota: headroom (room for a surge pod, else a strategy that needs none), recreate (switch the strategy), ignore (only warn)")
	fs.StringVar(&f.minStorage, "min-storage", "", "never shrink a new claim below this, with --allow storage (default 1Gi)")
	fs.BoolVar(&f.allowDataLoss, "allow-data-loss", false, "allow replacing PersistentVolumeClaims with emptyDir when storage binds")
	fs.StringVar(&f.minCPU, "min-cpu", "", "never scale a container's CPU below this (default "+"10m"+")")
	fs.StringVar(&f.minMemory, "min-memory", "", "never scale a container's memory below this (default 32Mi)")
	f.usageFrom.register(fs)
	// --usage (a hand-written YAML file of floors) was replaced by
	// --usage-from; the hidden flag is kept to say so.
	fs.StringVar(&f.usage, "usage", "", "removed: use --usage-from")
	_ = fs.MarkHidden("usage")
	return cmd
}

func (f *fitFlags) options() ([]rightsize.FitOption, error) {
	opts := []rightsize.FitOption{rightsize.WithAllow(f.allow...)}
	if ns := f.load.namespace(); ns != "" {
		opts = append(opts, rightsize.WithNamespace(ns))
	}
	if f.allowDataLoss {
		opts = append(opts, rightsize.WithAllowDataLoss())
	}
	if f.rollout != "" {
		opts = append(opts, rightsize.WithRollout(f.rollout))
	}
	for _, q := range []struct {
		flag, val string
		opt       func(resource.Quantity) rightsize.FitOption
	}{{"--min-cpu", f.minCPU, rightsize.WithMinCPU}, {"--min-memory", f.minMemory, rightsize.WithMinMemory}, {"--min-storage", f.minStorage, rightsize.WithMinStorage}} {
		if q.val == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.val)
		if err != nil {
			return nil, usageError("%s %q: invalid quantity", q.flag, q.val)
		}
		opts = append(opts, q.opt(v))
	}
	if f.usage != "" {
		return nil, usageError("--usage %s: the YAML file of floors was removed; give observed usage with --usage-from SOURCE "+
			"(a recorded OpenMetrics/Prometheus text file or Prometheus query_range JSON answer, an http(s):// Prometheus, or metrics-server[:CONTEXT]): "+
			"the recommendations' lower bounds are the floors, their targets what the solver aims for", f.usage)
	}
	return opts, nil
}

func (f *fitFlags) run(ctx context.Context, s Streams, args []string) error {
	given := f.inputs(args)
	if err := f.outputFlags.check(given); err != nil {
		return err
	}
	if err := f.fitOutput.check(f.out); err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	app, t, err := f.load.loadAppAndTarget(ctx, s, args)
	if err != nil {
		return err
	}
	// The given inputs passed check; the files loading read besides them
	// are checked now.
	found := app.Inputs()
	if err := f.checkOutputs(found); err != nil {
		return err
	}
	inputs := append(given, found...)
	if len(app.Keys()) >= bigApp {
		opts = append(opts, rightsize.WithFitProgress(f.progress.Event))
	}
	res, err := f.fit(ctx, s, app, t, opts)
	if err != nil {
		return optionUsage(err)
	}
	var rep bytes.Buffer
	if err := writeReport(&rep, f.reportFormat, res.Report); err != nil {
		return err
	}
	if res.Report.Fits {
		if err := f.writeFitted(ctx, s, app, res, inputs); err != nil {
			return err
		}
	}
	var rw io.Writer = s.Err
	switch {
	case f.report != "":
		if err := rightsize.WriteFile(ctx, f.report, rep.Bytes()); err != nil {
			return err
		}
		rw = nil
	case !f.manifestsOnStdout() || !res.Report.Fits:
		rw = s.Out
	}
	if rw != nil {
		if _, err := rw.Write(rep.Bytes()); err != nil {
			return err
		}
	}
	if !res.Report.Fits {
		return noFit
	}
	return nil
}

// fit fits the app; with --usage-from, the usage-based recommendations are
// the solver's targets and lower bounds.
func (f *fitFlags) fit(ctx context.Context, s Streams, app *rightsize.App, t *rightsize.Target, opts []rightsize.FitOption) (*rightsize.FitResult, error) {
	if f.usageFrom.from == "" {
		return rightsize.Fit(ctx, app, t, opts...)
	}
	ropts, err := f.usageFrom.options(s, f.load.kube)
	if err != nil {
		return nil, err
	}
	return rightsize.FitFromUsage(ctx, app, t, ropts, opts...)
}
