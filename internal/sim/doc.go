// Package sim runs a real, local Kubernetes control plane for verification:
// etcd, kube-apiserver (TLS, token authentication, RBAC, the production
// admission chain), kube-controller-manager and kube-scheduler, on free
// loopback ports, seeded with a target's ResourceQuotas, LimitRanges and
// Nodes. A kubelet stand-in marks scheduled pods Running and Ready (as kwok
// does) so that controllers that wait on readiness make progress.
//
// It also builds and finds the control plane's binaries (Install, Find).
//
// It owns processes and their cleanup: every process it starts is stopped by
// Cluster.Stop, by the context ending, or (Linux) by the death of the process
// that started it. It never prints; progress goes to a writer the caller gives.
package sim
