// Package vamp loads Vamp blueprints (and deployments written like them):
// clusters of services, each a breed (inline or named in another document)
// with a scale, ports, environment variables and dependencies. A cluster
// becomes workloads and a Service named after the cluster, so that
// $dependency.host references resolve; blueprint gateways become a Service
// and, for HTTP ports, an Ingress.
//
// It must not print.
package vamp
