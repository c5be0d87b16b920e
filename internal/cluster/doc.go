// Package cluster connects to a live Kubernetes cluster the way kubectl does
// (kubeconfig loading rules: an explicit file, else $KUBECONFIG, else
// ~/.kube/config; a context and a namespace override) and reads a namespace
// as a target: its ResourceQuotas with status.used (what already runs
// counts), its LimitRanges, and the nodes the user may see, with what their
// pods already request taken off. Objects of an app that already exist in
// the namespace are recognised, so that their current charge is not counted
// twice.
//
// It reads the cluster and never writes to it, never prints and never reads
// flags; internal/apply writes.
package cluster
