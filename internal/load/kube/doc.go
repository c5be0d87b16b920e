// Package kube decodes Kubernetes and OpenShift manifests (multi-document
// YAML, JSON, kind: List, OpenShift Template) into model objects, converting
// OpenShift kinds to their Kubernetes equivalents.
//
// Other loaders that produce manifests (Helm, Kustomize) feed their output
// through Decode, so that every object is checked the same way.
package kube
