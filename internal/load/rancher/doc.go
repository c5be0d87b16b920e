// Package rancher loads Rancher 1.x catalog entries: it picks the template
// version (config.yml names the default), answers the catalog questions
// (--answers, --set, defaults), renders .tpl files as Go templates with
// sprig, reads version 1 and 2 Compose files through the compose package,
// and applies what rancher-compose.yml and io.rancher.* labels add: scale,
// health checks, sidekicks (one pod), global scheduling (DaemonSet) and load
// balancers (a Service and an Ingress).
//
// It must not print or read the process environment.
package rancher
