// Package target reads targets: the ResourceQuota, LimitRange and Node
// objects that constrain where an app runs. Built-in plans are embedded YAML
// files of exactly that form; a file given by the user is read the same way.
//
// It must not compute footprints or talk to a cluster.
package target
