package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

type verifyFlags struct {
	progress *progressView
	load     loadFlags
	nodes    nodeFlags
	fit      bool
	output   string
	kubeBin  string
	timeout  time.Duration
	cluster  bool
	scratch  bool
	sim      bool
	simDir   string
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

With --cluster, the verifier runs against the live namespace of a cluster
target (--target cluster:[CONTEXT/]NAMESPACE, --context, --namespace): a
server-side dry run of every object and of one pod of every new workload, so
that the real cluster's admission webhooks and policies take part; with
--scratch also the whole verification in a temporary namespace seeded with
the live namespace's limit ranges and what its quotas have left, deleted
afterwards (the user must be allowed to create namespaces).

With --sim, the verifier reuses the control plane 'rightsize sim up' keeps
running instead of starting one (about a second instead of several): each
run creates a fresh namespace with the target's quotas and limit ranges and
deletes it afterwards. The nodes are those the simulator was started with
('sim up --target/--nodes'), not the target's.

Exit codes: 0 every pod admitted and scheduled, 3 otherwise, 1 error, 2 usage.`,
		Example: `  rightsize verify examples/shop --target sandbox
  rightsize verify app/ --cluster --target cluster:prod/team-a --scratch
  rightsize verify app.yaml --target okteto-free --fit -o json
  rightsize sim up --target sandbox && rightsize verify app/ --target sandbox --sim`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.progress = newProgress(cmd, s)
			defer f.progress.Close()
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	f.nodes.register(fs)
	fs.BoolVar(&f.fit, "fit", false, "verify what 'rightsize fit' makes of the app, with its default options")
	fs.StringVarP(&f.output, "output", "o", "text", "report format: "+formatList())
	fs.StringVar(&f.kubeBin, "kube-bin", "", "directory of the control plane binaries (default $"+rightsize.EnvKubeBin+", else the cache 'rightsize sim install' fills)")
	fs.DurationVar(&f.timeout, "timeout", 60*time.Second, "how long to wait for the controllers to settle")
	fs.BoolVar(&f.cluster, "cluster", false, "verify against the live namespace of the cluster target (server-side dry run) instead of a local control plane")
	fs.BoolVar(&f.scratch, "scratch", false, "with --cluster: also create the app in a temporary namespace with what the live one has left, deleted after")
	fs.BoolVar(&f.sim, "sim", false, "reuse the control plane 'rightsize sim up' runs (a fresh namespace per run, deleted after; its nodes, not the target's)")
	fs.StringVar(&f.simDir, "state-dir", "", "with --sim: the running simulator's state directory (default <user cache>/rightsize/sim)")
	return cmd
}

func (f *verifyFlags) run(ctx context.Context, s Streams, args []string) error {
	if err := outputFlag(f.output); err != nil {
		return err
	}
	if f.cluster || f.scratch || f.load.isCluster() {
		f.cluster = true // a live target is verified against the live cluster
		return f.runCluster(ctx, s, args)
	}
	if f.sim {
		for _, name := range []string{"nodes", "node-size", "kube-bin"} {
			if f.load.fs.Changed(name) {
				return usageError("--%s: does not apply to --sim (the running simulator has its own nodes)", name)
			}
		}
	} else if f.load.fs.Changed("state-dir") {
		return usageError("--state-dir: only with --sim")
	}
	nodeCount, nodeSize, err := f.nodes.parse()
	if err != nil {
		return err
	}
	app, t, err := f.load.loadAppAndTarget(ctx, s, args)
	if err != nil {
		return err
	}
	if f.fit {
		res, err := rightsize.Fit(ctx, app, t)
		if err != nil {
			return fmt.Errorf("fitting the app: %w", err)
		}
		app = res.App
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	interrupted := func(err error) error {
		if ctx.Err() != nil && !f.sim {
			return fmt.Errorf("interrupted; the control plane is stopped")
		}
		return err
	}
	var c *rightsize.Cluster
	if f.sim {
		if c, err = rightsize.AttachLocalCluster(f.simDir); err != nil {
			return err
		}
		f.progress.Event(rightsize.Progress{Stage: "control plane", Message: "using the running simulator at " + c.Kubeconfig() + " (its nodes, not the target's)"})
	} else {
		f.progress.Event(rightsize.Progress{Stage: "control plane", Message: "starting a local control plane for target " + t.Name()})
		if c, err = rightsize.StartLocalCluster(ctx, t, rightsize.WithBinDir(f.kubeBin), rightsize.WithNodes(nodeCount, nodeSize)); err != nil {
			return interrupted(err)
		}
	}
	defer c.Stop()
	f.progress.Event(rightsize.Progress{Stage: "control plane", Message: "started", Finished: true})
	r, err := rightsize.Verify(ctx, c, app, t, rightsize.WithTimeout(f.timeout), rightsize.WithVerifyProgress(f.progress.Event))
	f.progress.Close()
	if err != nil {
		return interrupted(fmt.Errorf("verifying: %w", err))
	}
	if err := c.Stop(); err != nil {
		return err
	}
	return writeVerdict(s.Out, f.output, r)
}

// runCluster verifies against a live namespace.
func (f *verifyFlags) runCluster(ctx context.Context, s Streams, args []string) error {
	if !f.cluster {
		return usageError("--scratch: only with --cluster")
	}
	for _, name := range []string{"nodes", "node-size", "kube-bin", "fit"} {
		if f.load.fs.Changed(name) {
			return usageError("--%s: does not apply to --cluster (the live cluster has its own nodes)", name)
		}
	}
	c, app, err := f.load.connectAndLoad(ctx, s, args, "--cluster")
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "verifying against %s\n", c.Name())
	r, err := rightsize.VerifyCluster(ctx, c, app, rightsize.VerifyClusterOptions{Scratch: f.scratch, Timeout: f.timeout})
	if err != nil {
		return err
	}
	return writeVerdict(s.Out, f.output, r)
}
