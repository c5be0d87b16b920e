// Package compose loads Docker Compose projects (through compose-go, with
// .env, --env-file and profiles) and converts their services to Kubernetes
// workloads, Services and claims.
//
// Convert is also the first half of the Rancher loader, which adjusts the
// result (sidekicks, global scheduling, health checks, load balancers) before
// it becomes objects. The package must not print, and must not read the
// process environment: the same files always give the same objects.
package compose
