//go:build unix

package sim

import (
	"fmt"
	"syscall"
)

// Pause stops the named component's process (SIGSTOP) without ending it:
// clients see a server that accepts connections and never answers, as
// when a network path is lost. Resume continues it.
func (c *Cluster) Pause(component string) error { return c.signal(component, syscall.SIGSTOP) }

// Resume continues a component stopped by Pause.
func (c *Cluster) Resume(component string) error { return c.signal(component, syscall.SIGCONT) }

func (c *Cluster) signal(component string, sig syscall.Signal) error {
	for _, p := range c.procs {
		if p.name == component {
			return p.cmd.Process.Signal(sig)
		}
	}
	return fmt.Errorf("no component %q", component)
}
