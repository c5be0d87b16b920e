// Package kubebin builds, caches and finds the local control plane's
// binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler):
// built with the Go toolchain from the Go module proxy (package buildsrc
// holds the small separate module that builds them) into the user cache,
// behind a file lock and atomically. Running them is package sim's.
package kubebin
