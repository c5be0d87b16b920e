// Package kustomize builds a kustomization directory with kustomize's krusty
// on the real filesystem, as `kustomize build` does, and decodes the result
// through kube.Decode.
//
// It must not print, and loads no remote bases (krusty's defaults refuse
// files outside the kustomization's root).
package kustomize
