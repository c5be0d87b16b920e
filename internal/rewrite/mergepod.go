package rewrite

// Pod-level helpers of Merge: ports, pod spec comparison, renames.

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func portKey(port int32, proto corev1.Protocol) string {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	return fmt.Sprintf("%d/%s", port, proto)
}

// notePorts records where each host port and port name of spec is declared.
func notePorts(spec *corev1.PodSpec, ref string, hostPorts, portNames map[string]string) {
	for _, c := range allContainers(spec) {
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				hostPorts[hostPortKey(p)] = ref + " container " + c.Name
			}
			if p.Name != "" {
				portNames[p.Name] = ref + " container " + c.Name
			}
		}
	}
}

func hostPortKey(p corev1.ContainerPort) string {
	k := portKey(p.HostPort, p.Protocol)
	if p.HostIP != "" {
		k = p.HostIP + ":" + k
	}
	return k
}

// samePodSpec compares the pod-level fields of b with those of the first
// member: all must be equal once defaults are applied, except the ones a
// merge combines (containers, volumes, pull secrets, host aliases, grace
// period) and ServiceAccounts that grant the same.
func samePodSpec(m *Merger, ns string, a, b *member) error {
	na, nb := normalPodSpec(&a.d.Spec.Template.Spec), normalPodSpec(&b.d.Spec.Template.Spec)
	if na.ServiceAccountName != nb.ServiceAccountName && m.sameSA(ns, na.ServiceAccountName, nb.ServiceAccountName) {
		nb.ServiceAccountName = na.ServiceAccountName
	}
	va, vb := reflect.ValueOf(*na), reflect.ValueOf(*nb)
	var diff []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			tag, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
			diff = append(diff, tag)
		}
	}
	if len(diff) > 0 {
		return conflictf("%s and %s differ in pod-level %s", a.obj.Ref(), b.obj.Ref(), strings.Join(diff, ", "))
	}
	return nil
}

func normalPodSpec(s *corev1.PodSpec) *corev1.PodSpec {
	n := s.DeepCopy()
	n.Containers, n.InitContainers, n.Volumes, n.ImagePullSecrets, n.HostAliases = nil, nil, nil, nil, nil
	n.TerminationGracePeriodSeconds = nil
	n.ServiceAccountName, n.DeprecatedServiceAccount = saName(s), ""
	if n.RestartPolicy == "" {
		n.RestartPolicy = corev1.RestartPolicyAlways
	}
	if n.DNSPolicy == "" {
		n.DNSPolicy = corev1.DNSClusterFirst
	}
	if n.SchedulerName == "" {
		n.SchedulerName = corev1.DefaultSchedulerName
	}
	if n.EnableServiceLinks == nil {
		t := true
		n.EnableServiceLinks = &t
	}
	if n.SecurityContext != nil && reflect.DeepEqual(*n.SecurityContext, corev1.PodSecurityContext{}) {
		n.SecurityContext = nil
	}
	if len(n.NodeSelector) == 0 {
		n.NodeSelector = nil
	}
	if len(n.Tolerations) == 0 {
		n.Tolerations = nil
	}
	return n
}

// sameSA reports whether two ServiceAccounts of the app grant the same: both
// defined by the app, bound to no role by the app, and alike but for their
// names and labels (no annotations, secrets or pull secrets of their own).
func (m *Merger) sameSA(ns, a, b string) bool {
	if a == "" || b == "" || m.boundSAs[ns+"/"+a] || m.boundSAs[ns+"/"+b] {
		return false
	}
	if m.accounts == nil {
		// The first ServiceAccount of each "ns/name", found once: a
		// planner tries many groups.
		m.accounts = map[string]int{}
		for i, o := range m.app.Objects {
			if !m.skip[i] && o.Kind() == "ServiceAccount" {
				if _, ok := m.accounts[o.Namespace()+"/"+o.Name()]; !ok {
					m.accounts[o.Namespace()+"/"+o.Name()] = i
				}
			}
		}
	}
	find := func(name string) map[string]any {
		if i, ok := m.accounts[ns+"/"+name]; ok {
			o := m.app.Objects[i]
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
			if err != nil {
				return nil
			}
			if _, ok := o.Obj.(*unstructured.Unstructured); ok {
				u = runtime.DeepCopyJSON(u) // its own maps: never change the app
			}
			md, _ := u["metadata"].(map[string]any)
			delete(md, "name")
			delete(md, "labels")
			delete(md, "namespace")
			delete(md, "creationTimestamp")
			return u
		}
		return nil
	}
	ua, ub := find(a), find(b)
	return ua != nil && ub != nil && reflect.DeepEqual(ua, ub)
}

func saName(s *corev1.PodSpec) string {
	if s.ServiceAccountName != "" {
		return s.ServiceAccountName
	}
	return s.DeprecatedServiceAccount
}

func grace(s *corev1.PodSpec) int64 {
	if s.TerminationGracePeriodSeconds == nil {
		return corev1.DefaultTerminationGracePeriodSeconds
	}
	return *s.TerminationGracePeriodSeconds
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func strategy(d *appsv1.Deployment) appsv1.DeploymentStrategy {
	s := *d.Spec.Strategy.DeepCopy()
	if s.Type == "" {
		s.Type = appsv1.RollingUpdateDeploymentStrategyType
	}
	if s.Type == appsv1.RollingUpdateDeploymentStrategyType && s.RollingUpdate == nil {
		q := intstr.FromString("25%")
		s.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxUnavailable: &q, MaxSurge: &q}
	}
	return s
}

// mergeAliases adds b's hostAliases to a's; one host name may not map to two
// addresses.
func mergeAliases(a, b *corev1.PodSpec, bref string) error {
	ip := map[string]string{}
	for _, h := range a.HostAliases {
		for _, n := range h.Hostnames {
			ip[n] = h.IP
		}
	}
	for _, h := range b.HostAliases {
		var add []string
		for _, n := range h.Hostnames {
			if old, ok := ip[n]; ok && old != h.IP {
				return conflictf("host alias %s is %s in one member and %s in %s", n, old, h.IP, bref)
			} else if !ok {
				add = append(add, n)
				ip[n] = h.IP
			}
		}
		if len(add) > 0 {
			a.HostAliases = append(a.HostAliases, corev1.HostAlias{IP: h.IP, Hostnames: add})
		}
	}
	return nil
}

func hasPullSecret(list []corev1.LocalObjectReference, name string) bool {
	for _, s := range list {
		if s.Name == name {
			return true
		}
	}
	return false
}

func allContainers(s *corev1.PodSpec) []corev1.Container {
	return append(append([]corev1.Container{}, s.InitContainers...), s.Containers...)
}

// renameContainers renames containers and the references to them inside the
// pod (resourceFieldRef in env and in downward API volumes).
func renameContainers(s *corev1.PodSpec, renames map[string]string) {
	if len(renames) == 0 {
		return
	}
	fix := func(ref *corev1.ResourceFieldSelector, own string) {
		if ref == nil {
			return
		}
		n := ref.ContainerName
		if n == "" {
			n = own
		}
		if r, ok := renames[n]; ok {
			ref.ContainerName = r
		}
	}
	for _, list := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for i := range list {
			c := &list[i]
			for j := range c.Env {
				if c.Env[j].ValueFrom != nil {
					fix(c.Env[j].ValueFrom.ResourceFieldRef, c.Name)
				}
			}
			if r, ok := renames[c.Name]; ok {
				c.Name = r
			}
		}
	}
	for _, v := range s.Volumes {
		var items []corev1.DownwardAPIVolumeFile
		if v.DownwardAPI != nil {
			items = v.DownwardAPI.Items
		}
		for i := range items {
			fix(items[i].ResourceFieldRef, "")
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.DownwardAPI != nil {
					for i := range src.DownwardAPI.Items {
						fix(src.DownwardAPI.Items[i].ResourceFieldRef, "")
					}
				}
			}
		}
	}
}

// renameVolumes renames volumes and every mount of them.
func renameVolumes(s *corev1.PodSpec, renames map[string]string) {
	if len(renames) == 0 {
		return
	}
	for i := range s.Volumes {
		if r, ok := renames[s.Volumes[i].Name]; ok {
			s.Volumes[i].Name = r
		}
	}
	for _, list := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for i := range list {
			for j := range list[i].VolumeMounts {
				if r, ok := renames[list[i].VolumeMounts[j].Name]; ok {
					list[i].VolumeMounts[j].Name = r
				}
			}
			for j := range list[i].VolumeDevices {
				if r, ok := renames[list[i].VolumeDevices[j].Name]; ok {
					list[i].VolumeDevices[j].Name = r
				}
			}
		}
	}
}

// uniqueNames adds the names of list to taken, renaming each one taken already to
// prefix-name, and returns the renames.
func uniqueNames(list []string, prefix string, taken map[string]bool) map[string]string {
	renames := map[string]string{}
	for _, n := range list {
		if taken[n] {
			renames[n] = uniqueLabel(prefix+"-"+n, taken)
			n = renames[n]
		}
		taken[n] = true
	}
	return renames
}

// uniqueLabel shortens want to a DNS label and makes it unique in taken.
func uniqueLabel(want string, taken map[string]bool) string {
	base := strings.TrimRight(truncate(want, 63), "-")
	n := base
	for k := 2; taken[n]; k++ {
		suffix := fmt.Sprintf("-%d", k)
		n = strings.TrimRight(truncate(base, 63-len(suffix)), "-") + suffix
	}
	return n
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// uniqueName makes a Deployment name no object of the app has.
func (m *Merger) uniqueName(want string) string {
	n := want
	for k := 2; m.deployments[n]; k++ {
		n = fmt.Sprintf("%s-%d", want, k)
	}
	return n
}

func selectorString(sel map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(sel)) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ",")
}
