package model

import corev1 "k8s.io/api/core/v1"

// Target is a constrained place to run an app: plain Kubernetes objects, the
// same ones a cluster holds and the local control plane is seeded with.
type Target struct {
	// Name is the plan's name ("sandbox") or the file it was read from.
	Name string
	// Namespace is the namespace the quota objects name, "" when none.
	Namespace string
	// Description says where the numbers come from (built-in plans only).
	Description string
	Quotas      []*corev1.ResourceQuota
	LimitRanges []*corev1.LimitRange
	// Nodes gives node shapes; empty means "no statement about nodes".
	Nodes []*corev1.Node
	// Live is true for a target read from a cluster: each quota's
	// status.used is what the namespace holds already (the app's own
	// existing objects taken off), and takes the place of an empty
	// namespace's default objects.
	Live bool
	// Findings are what reading the target noticed (nodes the user may not
	// list, objects of the app that exist already).
	Findings []Finding
}
