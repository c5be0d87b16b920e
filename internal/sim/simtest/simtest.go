// Package simtest gives tests a control plane: it finds the binaries, or
// builds them once (behind Install's file lock) when they are not cached, so
// that integration tests never skip for want of binaries.
package simtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rightsize/rightsize/internal/kubebin"
	"github.com/rightsize/rightsize/internal/sim"
)

// BinDir returns the directory of control plane binaries, building them into
// the cache first when neither $RIGHTSIZE_KUBE_BIN nor the cache has them.
func BinDir() (string, error) {
	dir, err := kubebin.Find("")
	if err == nil {
		return dir, nil
	}
	if !errors.Is(err, kubebin.ErrNoBinaries) || os.Getenv(kubebin.EnvKubeBin) != "" {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	fmt.Fprintln(os.Stderr, "simtest: control plane binaries not cached; building them (rightsize sim install)")
	return kubebin.Install(ctx, os.Stderr)
}

// Start starts a cluster for a test package's TestMain; the caller stops it.
func Start(opts sim.Options) (*sim.Cluster, error) {
	dir, err := BinDir()
	if err != nil {
		return nil, err
	}
	opts.BinDir = dir
	// Start bounds its own wait; the cluster lives until Stop.
	return sim.Start(context.Background(), opts)
}

// Stop stops a cluster at the end of TestMain and returns the exit code:
// code, or 1 when stopping fails or a process outlives Stop.
func Stop(c *sim.Cluster, code int) int {
	pids := c.PIDs()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	for _, pid := range pids {
		if sim.Alive(pid) {
			fmt.Fprintf(os.Stderr, "process %d outlived Stop\n", pid)
			code = 1
		}
	}
	return code
}
