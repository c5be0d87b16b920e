// Package helm renders Helm charts (a directory or a packaged .tgz) on the
// client with the Helm SDK, as `helm install --dry-run` would without a
// cluster: values files and --set values, dependencies, schema validation,
// hooks included. The rendered manifests go through kube.Decode, each
// object remembering the template it came from.
//
// It must not print or reach a cluster.
package helm
