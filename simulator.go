package rightsize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rightsize/rightsize/internal/kubebin"
	"github.com/rightsize/rightsize/internal/sim"
)

// EnvKubeBin names the environment variable that points at a directory of
// control plane binaries (see FindControlPlane).
const EnvKubeBin = kubebin.EnvKubeBin

// InstallControlPlane builds the local control plane's binaries (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler) with the Go
// toolchain from the Go module proxy into the user cache directory, unless
// they are there already, and returns that directory. Concurrent callers
// wait for one build. log receives the build's status lines, one per
// package built (nil discards them).
func InstallControlPlane(ctx context.Context, log io.Writer) (string, error) {
	if log == nil {
		log = io.Discard
	}
	return kubebin.Install(ctx, log)
}

// FindControlPlane returns the directory of the control plane's binaries:
// dir when set, else $RIGHTSIZE_KUBE_BIN, else the cache InstallControlPlane
// fills. The error says how to get them when they are missing.
func FindControlPlane(dir string) (string, error) { return kubebin.Find(dir) }

// Simulator is a local control plane that runs in the background
// ('rightsize sim up'), as its state directory describes it.
type Simulator struct {
	// StateDir holds its files; Kubeconfig is the admin kubeconfig in it.
	StateDir, Kubeconfig string
	// Server is the apiserver's URL.
	Server string
	// PID is the serving process's; it stops with it.
	PID int
	// Namespace holds the target's quotas and limit ranges; it is the
	// kubeconfig's default.
	Namespace, Target string
}

// DefaultSimulatorDir is the state directory simulators use when none is
// named: <user cache>/rightsize/sim.
func DefaultSimulatorDir() (string, error) { return sim.DefaultStateDir() }

func simulatorDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return sim.DefaultStateDir()
}

func simulator(dir string, st *sim.State) *Simulator {
	return &Simulator{StateDir: dir, Kubeconfig: st.Kubeconfig, Server: st.Server, PID: st.PID, Namespace: st.Namespace, Target: st.Target}
}

// RunningSimulator returns the simulator running with its files in dir
// ("" for DefaultSimulatorDir); the error wraps os.ErrNotExist when none
// runs there.
func RunningSimulator(dir string) (*Simulator, error) {
	dir, err := simulatorDir(dir)
	if err != nil {
		return nil, err
	}
	st, err := sim.ReadState(dir)
	if err != nil {
		return nil, fmt.Errorf("no simulator in %s: %w", dir, err)
	}
	if !sim.Alive(st.PID) {
		return nil, fmt.Errorf("the simulator of %s (pid %d) has exited: %w", dir, st.PID, os.ErrNotExist)
	}
	return simulator(dir, st), nil
}

// StartSimulator runs serve, the command line of a process that calls
// ServeSimulator with the same dir (such as 'rightsize sim serve
// --state-dir DIR ...'), in the background, in a session of its own so
// that a terminal's Ctrl-C does not reach it, and returns once its control
// plane is ready (2 minutes at most). StopSimulator stops it. It is an
// error when a simulator runs in dir already.
func StartSimulator(ctx context.Context, dir string, serve []string) (*Simulator, error) {
	dir, err := simulatorDir(dir)
	if err != nil {
		return nil, err
	}
	if len(serve) == 0 {
		return nil, errors.New("StartSimulator: no command to run")
	}
	st, err := sim.Up(ctx, dir, serve)
	if err != nil {
		return nil, err
	}
	return simulator(dir, st), nil
}

// ServeSimulator runs a local control plane in the foreground with its
// files in dir ("" for DefaultSimulatorDir), seeded with t: its nodes
// (or WithNodes'), and its quotas and limit ranges in t's namespace
// ("rightsize" when it names none). Once ready, it writes the state that
// RunningSimulator, AttachLocalCluster and StopSimulator read; it stops
// (removing dir) when ctx ends. Jobs' pods complete, as under Verify.
func ServeSimulator(ctx context.Context, dir string, t *Target, opts ...LocalOption) error {
	dir, err := simulatorDir(dir)
	if err != nil {
		return err
	}
	so, err := simOptions(t, opts)
	if err != nil {
		return err
	}
	// Not "default", as in Verify: its apiserver Service would count
	// against a services quota.
	ns := t.t.Namespace
	if ns == "" {
		ns = "rightsize"
	}
	return sim.Serve(ctx, dir, so, ns, t.t)
}

// StopSimulator stops the simulator running in dir ("" for
// DefaultSimulatorDir): SIGTERM, then after 15 seconds SIGKILL to it and
// its components, and removes dir. It returns the simulator stopped, nil
// when none was running.
func StopSimulator(dir string) (*Simulator, error) {
	dir, err := simulatorDir(dir)
	if err != nil {
		return nil, err
	}
	st, err := sim.Down(dir)
	if st == nil {
		return nil, err
	}
	return simulator(dir, st), err
}
