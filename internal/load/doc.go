// Package load turns what users ship (Kubernetes manifests, OpenShift
// templates, Compose files, Rancher catalog entries, Vamp blueprints, Helm
// charts, Kustomize directories) into a model.App.
//
// It detects the format of each path and hands it to the loader of that
// format (subpackages); every object it returns remembers its file and
// document. It must not know about targets, quotas or rewriting: stages after
// loading never learn which format an object came from beyond Source.Format.
package load
