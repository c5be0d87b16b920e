package rightsize

import (
	"runtime/debug"
	"strings"

	"github.com/rightsize/rightsize/internal/kubebin/buildsrc"
)

// modulePath is this module's path.
const modulePath = "github.com/rightsize/rightsize"

// admissionModule is the Kubernetes staging module whose version says which
// Kubernetes release the footprint's arithmetic follows: its pod resource
// helpers are the ones kube-apiserver's quota evaluator uses.
const admissionModule = "k8s.io/component-helpers"

// VersionInfo says which versions a build of rightsize is made of.
type VersionInfo struct {
	// Module is rightsize's module version ("v0.3.0", or "(devel)" for a
	// build from a checkout).
	Module string `json:"module"`
	// Kubernetes is the release whose admission the footprint (Analyze,
	// Fit) follows, from the version of k8s.io/component-helpers it is built
	// with ("v1.37.2").
	Kubernetes string `json:"kubernetes"`
	// ControlPlane and Etcd are the versions of the local control plane
	// that Verify runs.
	ControlPlane string `json:"controlPlane"`
	Etcd         string `json:"etcd"`
}

// Version returns the versions this build is made of.
func Version() VersionInfo {
	v := VersionInfo{Module: "(devel)", Kubernetes: "(unknown)", ControlPlane: buildsrc.Kubernetes, Etcd: buildsrc.Etcd}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
	for _, m := range mods {
		switch m.Path {
		case modulePath:
			if m.Version != "" {
				v.Module = m.Version
			}
		case admissionModule:
			v.Kubernetes = stagingToKubernetes(m.Version)
		}
	}
	return v
}

// stagingToKubernetes maps a staging module version (v0.37.2) to the
// Kubernetes release it is cut from (v1.37.2).
func stagingToKubernetes(v string) string {
	if rest, ok := strings.CutPrefix(v, "v0."); ok {
		return "v1." + rest
	}
	return v
}
