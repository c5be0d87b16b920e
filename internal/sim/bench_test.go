package sim_test

import (
	"context"
	"testing"

	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

// BenchmarkStart measures a control plane from nothing to ready (etcd,
// apiserver, controller manager and scheduler healthy, one node
// schedulable) and stopped, with cached binaries.
func BenchmarkStart(b *testing.B) {
	bin, err := simtest.BinDir()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := sim.Start(context.Background(), sim.Options{BinDir: bin})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}
