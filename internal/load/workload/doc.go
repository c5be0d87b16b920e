// Package workload is the format-neutral middle of the Compose, Rancher and
// Vamp loaders: each turns its input into a Set of workloads, Services,
// claims and Ingresses, and this package turns a Set into Kubernetes objects.
//
// It owns what those formats share: DNS-1123 name sanitizing with a finding
// per rename, quantity helpers, and the rule that every name a container uses
// to reach a peer resolves to a Service selecting that peer's pod (headless
// for ROS 1 nodes). It must not know the formats themselves.
package workload
