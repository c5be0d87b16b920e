// Package solve plans the changes that make an app fit a target, least
// invasive first: fill missing requests and limits, scale them down with an
// exact water-filling solver (the largest common retained fraction under
// every quota key, with floors and caps), reduce replicas, merge workloads
// into multi-container pods, and adapt kinds the target does not allow.
//
// It decides; it does not edit objects (package rewrite does) and it does not
// print. The numeric solver (Problem, Solve) knows nothing of Kubernetes.
package solve
