// Package kustomize writes a fitted app as a Kustomize overlay over the
// user's own manifests: a kustomization.yaml whose resources are the
// original files (by relative path, never copied), one JSON 6902 patch per
// changed object (commented with the reasons), the objects fit created as
// resources of their own, and a `$patch: delete` per object fit removed.
// Inputs that Kustomize cannot read as they are (Compose, Rancher, Vamp,
// Helm, OpenShift templates, retired API versions) are written, converted,
// under base/ beside the kustomization.
//
// The writer builds the overlay with kustomize's krusty before it moves it
// into place and refuses to write one whose build differs from the fitted
// objects. It never prints.
package kustomize
