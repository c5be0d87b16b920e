package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rightsize/rightsize/internal/model"
)

// State is what a background control plane (Up, Serve) leaves in its state
// directory for Down and for users.
type State struct {
	PID        int    `json:"pid"`
	PIDs       []int  `json:"pids"`
	Kubeconfig string `json:"kubeconfig"`
	Server     string `json:"server"`
	Namespace  string `json:"namespace"`
	Target     string `json:"target"`
	// CompleteJobs is the kubelet stand-in's KubeletOptions.CompleteJobs.
	CompleteJobs bool `json:"completeJobs,omitempty"`
	// ServerVersion is the apiserver's version (v1.37.2): it names the
	// discovery cache of attached verifiers.
	ServerVersion string `json:"serverVersion,omitempty"`
}

// DefaultStateDir is <user cache>/rightsize/sim.
func DefaultStateDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory: %w", err)
	}
	return filepath.Join(base, "rightsize", "sim"), nil
}

// ReadState reads the state a running Serve wrote into dir; an error
// wrapping os.ErrNotExist when none runs there.
func ReadState(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return nil, err
	}
	st := &State{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, "state.json"), err)
	}
	return st, nil
}

// Up starts serve (the argument vector of a process that calls Serve with
// dir, such as 'rightsize sim serve --state-dir DIR ...') in the
// background, in a session of its own so that the terminal's Ctrl-C does
// not reach it, and returns its state once the control plane is ready (2
// minutes at most). Down stops it.
func Up(ctx context.Context, dir string, serve []string) (*State, error) {
	if st, err := ReadState(dir); err == nil && Alive(st.PID) {
		return nil, fmt.Errorf("a simulator is already running (pid %d, kubeconfig %s)", st.PID, st.Kubeconfig)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clearing %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	logPath := filepath.Join(dir, "serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(serve[0], serve[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = DetachedProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for {
		if st, err := ReadState(dir); err == nil {
			return st, nil
		}
		select {
		case err := <-exited:
			data, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("the simulator exited (%v):\n%s", err, strings.TrimSpace(string(data)))
		case <-deadline:
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("the simulator did not become ready in 2 minutes; see %s", logPath)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Serve runs a control plane in the foreground with its files under
// dir/cluster, seeded with t in namespace ns, writes its State into dir
// once ready, and stops it (removing dir) when ctx ends.
func Serve(ctx context.Context, dir string, opts Options, ns string, t *model.Target) error {
	clusterDir := filepath.Join(dir, "cluster")
	if err := os.MkdirAll(clusterDir, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts.Dir, opts.Namespace = clusterDir, ns
	c, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := c.Seed(ctx, ns, t); err != nil {
		return err
	}
	v, err := c.Client.Discovery().ServerVersion()
	if err != nil {
		return fmt.Errorf("reading the apiserver's version: %w", err)
	}
	st := State{PID: os.Getpid(), PIDs: c.PIDs(), Kubeconfig: c.Kubeconfig, Server: c.Server, Namespace: ns, Target: t.Name,
		CompleteJobs: opts.Kubelet.CompleteJobs, ServerVersion: v.GitVersion}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "state.json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "state.json")); err != nil {
		return err
	}
	fmt.Fprintf(progressOf(opts), "control plane running at %s\n", c.Server)
	<-ctx.Done()
	return c.Stop()
}

// Down stops the control plane Up started from dir (SIGTERM, then, after
// 15 seconds, SIGKILL to it and its components) and removes dir. It
// returns nil state when none was running.
func Down(dir string) (*State, error) {
	st, err := ReadState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if p, err := os.FindProcess(st.PID); err == nil {
		_ = p.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(15 * time.Second)
	for Alive(st.PID) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	// The components die with the simulator (Pdeathsig); make sure.
	for _, pid := range append([]int{st.PID}, st.PIDs...) {
		if Alive(pid) {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return st, fmt.Errorf("removing %s: %w", dir, err)
	}
	return st, nil
}
