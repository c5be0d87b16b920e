package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize"
)

// nodeFlags choose the simulated nodes.
type nodeFlags struct {
	count int
	size  string
}

func (f *nodeFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.count, "nodes", 0, "simulate this many nodes of --node-size (default: the target's nodes, else one large node)")
	fs.StringVar(&f.size, "node-size", "4,8Gi", "CPU,MEMORY of each node made by --nodes")
}

func (f *nodeFlags) parse() (int, corev1.ResourceList, error) {
	if f.count < 0 {
		return 0, nil, usageError("--nodes %d: want 0 or more", f.count)
	}
	cpu, mem, ok := strings.Cut(f.size, ",")
	if !ok {
		return 0, nil, usageError("--node-size %q: want CPU,MEMORY such as 4,8Gi", f.size)
	}
	size := corev1.ResourceList{}
	for _, q := range []struct {
		name corev1.ResourceName
		val  string
	}{{corev1.ResourceCPU, cpu}, {corev1.ResourceMemory, mem}} {
		v, err := resource.ParseQuantity(strings.TrimSpace(q.val))
		if err != nil || v.Sign() <= 0 {
			return 0, nil, usageError("--node-size %q: %s %q is not a positive quantity", f.size, q.name, q.val)
		}
		size[q.name] = v
	}
	return f.count, size, nil
}

func newSim(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Build, start and stop a local Kubernetes control plane",
		Long: `A real local control plane (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, built from the Go module proxy) with the target's quotas,
limit ranges and nodes, for 'rightsize verify' and for trying things with
kubectl. A stand-in for the kubelet marks scheduled pods Running and Ready;
no container runs.`,
	}
	cmd.AddCommand(newSimInstall(s), newSimUp(s), newSimDown(s), newSimStatus(s), newSimEnv(s), newSimServe(s))
	return cmd
}

func newSimInstall(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "install",
		Short: "Build the control plane binaries into the user cache directory",
		Long: `Install builds etcd, kube-apiserver, kube-controller-manager and kube-scheduler
with the Go toolchain (go 1.26+ on PATH) from the Go module proxy into
$XDG_CACHE_HOME/rightsize/controlplane/<version>/. The first build downloads
Kubernetes and takes several minutes; later runs find the binaries and return
at once. Progress goes to standard error, the directory to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pv := newProgress(cmd, s)
			defer pv.Close()
			dir, err := rightsize.InstallControlPlane(ctx, &lines{p: pv, stage: "control plane"})
			if err != nil {
				return err
			}
			fmt.Fprintln(s.Out, dir)
			return nil
		},
	}
}

type simFlags struct {
	target   string
	nodes    nodeFlags
	kubeBin  string
	stateDir string
}

func (f *simFlags) dir() (string, error) {
	if f.stateDir != "" {
		return f.stateDir, nil
	}
	return rightsize.DefaultSimulatorDir()
}

func newSimUp(s Streams) *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start a control plane in the background, seeded with a target",
		Long: `Up starts a control plane in the background on free loopback ports, creates the
target's namespace with its quotas and limit ranges and the target's nodes
(or --nodes of --node-size, or one large node), writes a kubeconfig and
prints how to use it. 'rightsize sim down' stops it.`,
		Example: `  rightsize sim up --target okteto-free
  rightsize sim up --target sandbox --nodes 3 --node-size 2,4Gi`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.up(cmd.Context(), s) },
	}
	f.register(cmd.Flags())
	return cmd
}

func (f *simFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.target, "target", "t", rightsize.DefaultTarget, "built-in plan name or a file of ResourceQuota/LimitRange/Node objects")
	f.nodes.register(fs)
	fs.StringVar(&f.kubeBin, "kube-bin", "", "directory of the control plane binaries (default $"+rightsize.EnvKubeBin+", else the cache 'rightsize sim install' fills)")
	stateDirFlag(fs, &f.stateDir)
}

func stateDirFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVar(dir, "state-dir", "", "where the running simulator keeps its files (default <user cache>/rightsize/sim)")
}

func (f *simFlags) up(ctx context.Context, s Streams) error {
	if _, _, err := f.nodes.parse(); err != nil {
		return err
	}
	if _, err := rightsize.LoadTarget(ctx, f.target); err != nil {
		return err
	}
	bin, err := rightsize.FindControlPlane(f.kubeBin)
	if err != nil {
		return err
	}
	dir, err := f.dir()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the rightsize binary to run the simulator: %w", err)
	}
	start := time.Now()
	sm, err := rightsize.StartSimulator(ctx, dir, []string{self, "sim", "serve", "--state-dir", dir, "--target", f.target,
		"--nodes", strconv.Itoa(f.nodes.count), "--node-size", f.nodes.size, "--kube-bin", bin})
	if err != nil {
		return fmt.Errorf("%w; stop a running one with 'rightsize sim down'", err)
	}
	fmt.Fprintf(s.Err, "control plane ready in %s (pid %d)\n", time.Since(start).Round(100*time.Millisecond), sm.PID)
	writeSimEnv(s, sm)
	fmt.Fprintln(s.Out, "#   kubectl get resourcequota,limitrange,nodes")
	fmt.Fprintln(s.Out, "#   kubectl apply -f app.yaml && kubectl get pods,events")
	fmt.Fprintln(s.Out, "# stop it with: rightsize sim down")
	return nil
}

// writeSimEnv writes shell: eval "$(rightsize sim up)" (or sim env) sets
// KUBECONFIG.
func writeSimEnv(s Streams, sm *rightsize.Simulator) {
	fmt.Fprintf(s.Out, "export KUBECONFIG=%s\n", sm.Kubeconfig)
	fmt.Fprintf(s.Out, "# target %s: quotas and limit ranges in namespace %s, the kubeconfig's default. Then:\n", sm.Target, sm.Namespace)
}

func newSimServe(s Streams) *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:    "serve",
		Short:  "Run a control plane in the foreground until interrupted (what 'sim up' starts)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE:   func(cmd *cobra.Command, _ []string) error { return f.serve(s) },
	}
	f.register(cmd.Flags())
	return cmd
}

func (f *simFlags) serve(s Streams) error {
	n, size, err := f.nodes.parse()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	t, err := rightsize.LoadTarget(ctx, f.target)
	if err != nil {
		return err
	}
	return rightsize.ServeSimulator(ctx, f.stateDir, t, rightsize.WithBinDir(f.kubeBin), rightsize.WithNodes(n, size), rightsize.WithLog(s.Err))
}

func newSimDown(s Streams) *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop the control plane 'sim up' started",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return f.down(s) },
	}
	stateDirFlag(cmd.Flags(), &f.stateDir)
	return cmd
}

func (f *simFlags) down(s Streams) error {
	sm, err := rightsize.StopSimulator(f.stateDir)
	if err != nil {
		return err
	}
	if sm == nil {
		fmt.Fprintln(s.Err, "no simulator is running")
		return nil
	}
	fmt.Fprintf(s.Err, "stopped the simulator (pid %d)\n", sm.PID)
	return nil
}

func newSimStatus(s Streams) *cobra.Command {
	cmd := simInfo(s, func(sm *rightsize.Simulator) {
		fmt.Fprintf(s.Out, "pid:        %d\nserver:     %s\nkubeconfig: %s\ntarget:     %s\nnamespace:  %s\nstate dir:  %s\n",
			sm.PID, sm.Server, sm.Kubeconfig, sm.Target, sm.Namespace, sm.StateDir)
	})
	cmd.Use, cmd.Short = "status", "Say whether a simulator runs, with its server, kubeconfig and target"
	cmd.Long = `Status prints the running simulator's process, apiserver, kubeconfig, target
and namespace, and exits 0; it exits 1 when none runs.`
	return cmd
}

func newSimEnv(s Streams) *cobra.Command {
	cmd := simInfo(s, func(sm *rightsize.Simulator) { writeSimEnv(s, sm) })
	cmd.Use, cmd.Short = "env", "Print the shell commands that point kubectl at the running simulator"
	cmd.Example = `  eval "$(rightsize sim env)"`
	return cmd
}

// simInfo is a command that writes what it knows of the running simulator.
func simInfo(s Streams, write func(*rightsize.Simulator)) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sm, err := rightsize.RunningSimulator(dir)
			if err != nil {
				return fmt.Errorf("%w; start one with 'rightsize sim up'", err)
			}
			write(sm)
			return nil
		},
	}
	stateDirFlag(cmd.Flags(), &dir)
	return cmd
}
