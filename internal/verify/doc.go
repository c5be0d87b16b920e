// Package verify proves an application against a real local control plane
// (package sim): it creates the app's objects in dependency order, lets the
// controllers, admission and the scheduler do their work until they settle,
// and reports per workload how many pods were desired, created and
// scheduled, every refusal with Kubernetes' own message, every unschedulable
// pod with the scheduler's reason, and the quotas' status.used next to the
// footprint's prediction.
//
// It reads the cluster and never prints; rendering is internal/cli's.
package verify
