// Package footprint computes what Kubernetes admission would charge and refuse
// for an app in a target: LimitRange defaulting and validation, the pod's
// effective requests and limits (init containers, native sidecars, overhead),
// ResourceQuota per key and scope, replicas and controller expansion, object
// counts, node fit.
//
// It is pure arithmetic over model types: it never rewrites the app and never
// talks to a cluster.
package footprint
