package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/verify"
)

type verifyFlags struct {
	load    loadFlags
	nodes   nodeFlags
	fit     bool
	output  string
	kubeBin string
	timeout time.Duration
}

func newVerify(s Streams) *cobra.Command {
	f := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Prove that an application fits a target on a real local control plane",
		Long: `Verify starts a fresh local Kubernetes control plane (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler; see 'rightsize sim install'), seeds a
namespace with the target's ResourceQuotas, LimitRanges and nodes, creates
the application in dependency order (or, with --fit, what 'rightsize fit'
makes of it), and waits until the controllers settle. It reports per workload
the pods desired, created and scheduled, every refusal with Kubernetes' own
message, the scheduler's reason for every pod it could not place, and each
quota's status.used next to 'analyze''s prediction.

No kubelet runs: a stand-in marks scheduled pods Running and Ready, so
StatefulSets, rollouts and Jobs progress as on a real cluster; no container
image is pulled or run.

Exit codes: 0 every pod admitted and scheduled, 3 otherwise, 1 error, 2 usage.`,
		Example: `  rightsize verify examples/shop --target sandbox
  rightsize verify app.yaml --target okteto-free --fit -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	f.nodes.register(fs)
	fs.BoolVar(&f.fit, "fit", false, "verify what 'rightsize fit' makes of the app, with its default options")
	fs.StringVarP(&f.output, "output", "o", "text", "report format: text or json")
	fs.StringVar(&f.kubeBin, "kube-bin", "", "directory of the control plane binaries (default $"+sim.EnvKubeBin+", else the cache 'rightsize sim install' fills)")
	fs.DurationVar(&f.timeout, "timeout", 60*time.Second, "how long to wait for the controllers to settle")
	return cmd
}

func (f *verifyFlags) run(ctx context.Context, s Streams, args []string) error {
	if f.output != "text" && f.output != "json" {
		return usageError("--output %q: want text or json", f.output)
	}
	nodeCount, nodeSize, err := f.nodes.parse()
	if err != nil {
		return err
	}
	app, t, err := f.load.loadAppAndTarget(s, args)
	if err != nil {
		return err
	}
	if f.fit {
		res, err := fit.Run(app, t, fit.Options{})
		if err != nil {
			return fmt.Errorf("fitting the app: %w", err)
		}
		app = res.App
	}
	bin, err := sim.Find(f.kubeBin)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(s.Err, "starting a local control plane for target %s\n", t.Name)
	interrupted := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; the control plane is stopped")
		}
		return err
	}
	c, err := sim.Start(ctx, sim.Options{
		BinDir:  bin,
		Nodes:   sim.Nodes(t, nodeCount, nodeSize),
		Kubelet: sim.KubeletOptions{CompleteJobs: true},
	})
	if err != nil {
		return interrupted(fmt.Errorf("starting the control plane: %w", err))
	}
	defer c.Stop()
	v, err := verify.New(c)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "applying %d objects and waiting for the controllers to settle\n", len(app.Objects))
	r, err := v.Run(ctx, app, t, verify.Options{Timeout: f.timeout})
	if err != nil {
		return interrupted(fmt.Errorf("verifying: %w", err))
	}
	if err := c.Stop(); err != nil {
		return err
	}
	if f.output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else if err := writeVerifyText(s, r); err != nil {
		return err
	}
	if !r.OK {
		return noFit
	}
	return nil
}

func writeVerifyText(s Streams, r *verify.Report) error {
	var desired, created, scheduled int32
	for _, w := range r.Workloads {
		desired += w.Desired
		created += w.Created
		scheduled += w.Scheduled
	}
	verdict := "every pod admitted and scheduled"
	if !r.OK {
		verdict = "does NOT fit"
	}
	fmt.Fprintf(s.Out, "target %s, namespace %s: %s (%d desired, %d created, %d scheduled)\n", r.Target, r.Namespace, verdict, desired, created, scheduled)
	if !r.Settled {
		fmt.Fprintln(s.Out, "warning: the controllers were still making progress when --timeout passed")
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nWORKLOAD\tDESIRED\tCREATED\tSCHEDULED\tREADY")
	for _, w := range r.Workloads {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", w.Object, w.Desired, w.Created, w.Scheduled, w.Ready)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Refusals) > 0 {
		fmt.Fprintln(s.Out, "\nREFUSED")
		for _, f := range r.Refusals {
			fmt.Fprintf(s.Out, "  %s (%d): %s\n", f.Object, f.Count, f.Message)
		}
	}
	var unsched []string
	for _, w := range r.Workloads {
		for _, u := range w.Unschedulable {
			unsched = append(unsched, fmt.Sprintf("  %s (%d): %s", w.Object, u.Count, u.Message))
		}
	}
	if len(unsched) > 0 {
		fmt.Fprintln(s.Out, "\nUNSCHEDULABLE")
		fmt.Fprintln(s.Out, strings.Join(unsched, "\n"))
	}
	if len(r.Hard) > 0 {
		keys := make([]string, 0, len(r.Hard))
		for k := range r.Hard {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tw = tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
		// PREDICTED is analyze's status.used (what admission lets in, in
		// apply order), REQUESTED the whole app's demand.
		fmt.Fprintln(tw, "\nQUOTA\tUSED\tPREDICTED\tREQUESTED\tHARD")
		dash := func(s string) string {
			if s == "" {
				return "-"
			}
			return s
		}
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k, r.Used[k], dash(r.Predicted[k]), dash(r.Requested[k]), r.Hard[k])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintln(s.Out, "\nNOT CREATED")
		for _, k := range r.Skipped {
			fmt.Fprintf(s.Out, "  %s: %s\n", k.Object, k.Reason)
		}
	}
	return nil
}
