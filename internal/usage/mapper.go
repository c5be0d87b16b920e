package usage

import (
	"sort"
	"strings"

	"github.com/rightsize/rightsize/internal/model"
)

// Workload names one pod-creating object of the app.
type Workload struct {
	Namespace, Kind, Name string
}

// Mapper maps pods to the workloads that own them: owner references when a
// live source set them, else the app's workloads by the controllers' pod-name
// patterns, else the patterns alone.
type Mapper struct {
	workloads []Workload
	// owners holds owner references: "ns/pod" -> workload.
	owners map[string]Workload
}

// NewMapper returns a mapper for the app's workloads (may be empty).
func NewMapper(ws []Workload) *Mapper {
	m := &Mapper{workloads: append([]Workload(nil), ws...), owners: map[string]Workload{}}
	// Longest names first, so that "web-api" wins over "web".
	sort.SliceStable(m.workloads, func(a, b int) bool { return len(m.workloads[a].Name) > len(m.workloads[b].Name) })
	return m
}

// SetOwner records a pod's owner as read from its owner references.
func (m *Mapper) SetOwner(ns, pod string, w Workload) {
	m.owners[ns+"/"+pod] = w
}

// Owner returns the workload of a pod; ok is false when nothing matched, and
// kind is then "Pod" and name the pod's.
func (m *Mapper) Owner(ns, pod string) (kind, name string, ok bool) {
	if m != nil {
		if w, found := m.owners[ns+"/"+pod]; found {
			return w.Kind, w.Name, true
		}
		for _, w := range m.workloads {
			if w.Namespace != "" && ns != "" && w.Namespace != ns {
				continue
			}
			if rest, found := strings.CutPrefix(pod, w.Name+"-"); found && suffixMatches(w.Kind, rest) {
				return w.Kind, w.Name, true
			}
		}
		if len(m.workloads) > 0 {
			return "Pod", pod, false
		}
	}
	return byPattern(pod)
}

// suffixMatches tells whether rest (the pod name after "<name>-") is what
// the controller of kind appends.
func suffixMatches(kind, rest string) bool {
	switch kind {
	case "Deployment", "DeploymentConfig":
		// <pod-template-hash>-<5>; DeploymentConfig: <version>-<5>.
		h, s, ok := strings.Cut(rest, "-")
		return ok && isAlnum(h, 1, 10) && isAlnum(s, 5, 5)
	case "StatefulSet":
		return isDigits(rest, 1, 10)
	case "CronJob":
		// <scheduled time in minutes>-<5>.
		t, s, ok := strings.Cut(rest, "-")
		return ok && isDigits(t, 1, 12) && isAlnum(s, 5, 5)
	case "DaemonSet", "Job", "ReplicaSet", "ReplicationController":
		return isAlnum(rest, 5, 5)
	case "Pod":
		return false
	}
	return isAlnum(rest, 5, 5)
}

// byPattern guesses the workload from the pod name alone.
func byPattern(pod string) (kind, name string, ok bool) {
	parts := strings.Split(pod, "-")
	n := len(parts)
	switch {
	case n >= 3 && isAlnum(parts[n-1], 5, 5) && isDigits(parts[n-2], 8, 12):
		return "CronJob", strings.Join(parts[:n-2], "-"), true
	case n >= 3 && isSafe(parts[n-1], 5, 5) && (isSafe(parts[n-2], 6, 10) || isDigits(parts[n-2], 9, 10)):
		return "Deployment", strings.Join(parts[:n-2], "-"), true
	case n >= 2 && isDigits(parts[n-1], 1, 6):
		return "StatefulSet", strings.Join(parts[:n-1], "-"), true
	}
	// <name>-<5> is a DaemonSet's or a Job's: the name alone cannot tell.
	return "Pod", pod, false
}

func isAlnum(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// safeAlphabet is what Kubernetes' rand.SafeEncodeString uses for
// pod-template hashes and generated name suffixes: no vowels, no 0, 1, 3.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func isSafe(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(safeAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

func isDigits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Object is the workload's object key (group from its kind).
func (k Key) Object() model.Key {
	group := ""
	switch k.Kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
		group = "apps"
	case "Job", "CronJob":
		group = "batch"
	case "DeploymentConfig":
		group = "apps.openshift.io"
	}
	return model.Key{Group: group, Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}
}
