// Package buildsrc holds, embedded, the sources of the separate Go module that
// builds rightsize's local control plane: kube-apiserver,
// kube-controller-manager and kube-scheduler from k8s.io/kubernetes, and etcd
// from go.etcd.io/etcd/server/v3.
//
// The module's files are stored with a ".txt" suffix (module/go.mod.txt,
// module/go.sum.txt, module/etcd/main.go.txt) so that the main module neither
// treats them as a nested module, which go:embed could not reach, nor compiles
// them, which would pull Kubernetes into rightsize's own dependency graph.
// To change a version: run WriteModule into a scratch directory (or copy the
// files there without the suffix), edit go.mod, run `go mod tidy`, and copy
// go.mod and go.sum back with the suffix. Version changes with the content, so
// cached binaries built from older sources are never reused.
//
// It owns the sources and the build command; building, locking and caching
// live in package sim.
package buildsrc
