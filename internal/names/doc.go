// Package names checks that the host names an app's containers use to reach
// each other resolve: it collects every name a container uses (env values,
// command and args, URLs, host:port, words naming a Service, ConfigMap
// values, Ingress backends) and resolves each against the app's Services
// (name, name.ns, name.ns.svc, name.ns.svc.cluster.local, pod.service) and the
// pod's hostAliases.
//
// fit and convert call Broken after a rewrite: every name that resolved before
// must still resolve. The package reads apps; it never changes them.
package names
