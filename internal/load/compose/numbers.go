package compose

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// maxCores bounds a CPU count: its millicores must fit the int64 of a
// Kubernetes quantity with room to add them up.
const maxCores = 1 << 40

// checkNumbers refuses the numbers of a service that Kubernetes cannot
// carry: counts outside int32 (replicas, retries), negative or non-finite
// CPUs and memory. Every refusal names the field; nothing is wrapped,
// clamped or silently dropped.
func (c *converter) checkNumbers(svc *types.ServiceConfig) error {
	where := func(f string) string { return fmt.Sprintf("%s: services.%s.%s", c.file, svc.Name, f) }
	if svc.Scale != nil {
		if err := count(*svc.Scale); err != nil {
			return fmt.Errorf("%s: %w", where("scale"), err)
		}
	}
	if svc.Deploy != nil && svc.Deploy.Replicas != nil {
		if err := count(*svc.Deploy.Replicas); err != nil {
			return fmt.Errorf("%s: %w", where("deploy.replicas"), err)
		}
	}
	if err := cores(float64(svc.CPUS)); err != nil {
		return fmt.Errorf("%s: %w", where("cpus"), err)
	}
	for f, v := range map[string]types.UnitBytes{"mem_limit": svc.MemLimit, "mem_reservation": svc.MemReservation, "memswap_limit": svc.MemSwapLimit} {
		if v < 0 && !(f == "memswap_limit" && v == -1) {
			return fmt.Errorf("%s: invalid value %d: must be greater than or equal to 0", where(f), v)
		}
	}
	if svc.Deploy != nil {
		for f, r := range map[string]*types.Resource{"limits": svc.Deploy.Resources.Limits, "reservations": svc.Deploy.Resources.Reservations} {
			if r == nil {
				continue
			}
			if err := cores(float64(r.NanoCPUs)); err != nil {
				return fmt.Errorf("%s: %w", where("deploy.resources."+f+".cpus"), err)
			}
			if r.MemoryBytes < 0 {
				return fmt.Errorf("%s: invalid value %d: must be greater than or equal to 0", where("deploy.resources."+f+".memory"), r.MemoryBytes)
			}
		}
	}
	if hc := svc.HealthCheck; hc != nil && hc.Retries != nil && *hc.Retries > math.MaxInt32 {
		return fmt.Errorf("%s: invalid value %d: at most %d", where("healthcheck.retries"), *hc.Retries, math.MaxInt32)
	}
	return checkPorts(svc, where)
}

// checkPorts refuses port numbers outside 1-65535, which would wrap in the
// int32 of a Kubernetes port.
func checkPorts(svc *types.ServiceConfig, where func(string) string) error {
	for i, p := range svc.Ports {
		if p.Target > 65535 {
			return fmt.Errorf("%s: invalid port %d: must be between 1 and 65535", where(fmt.Sprintf("ports[%d].target", i)), p.Target)
		}
		if n, err := strconv.ParseInt(p.Published, 10, 64); err == nil && (n < 1 || n > 65535) {
			return fmt.Errorf("%s: invalid port %d: must be between 1 and 65535", where(fmt.Sprintf("ports[%d].published", i)), n)
		}
	}
	for i, e := range svc.Expose {
		num, _, _ := strings.Cut(e, "/")
		for _, part := range strings.SplitN(num, "-", 2) {
			if n, err := strconv.ParseInt(part, 10, 64); err == nil && (n < 1 || n > 65535) {
				return fmt.Errorf("%s: invalid port %d: must be between 1 and 65535", where(fmt.Sprintf("expose[%d]", i)), n)
			}
		}
	}
	return nil
}

func count(n int) error {
	if n < 0 {
		return fmt.Errorf("invalid value %d: must be greater than or equal to 0", n)
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("invalid value %d: at most %d (a Kubernetes replica count is an int32)", n, math.MaxInt32)
	}
	return nil
}

func cores(v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("invalid value %v: want a finite number of CPUs", v)
	case v < 0:
		return fmt.Errorf("invalid value %v: must be greater than or equal to 0", v)
	case v > maxCores:
		return fmt.Errorf("invalid value %g: more CPUs than any node has (at most %d)", v, maxCores)
	}
	return nil
}
