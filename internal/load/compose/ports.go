package compose

import (
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

func protocol(p string) corev1.Protocol {
	switch strings.ToLower(p) {
	case "udp":
		return corev1.ProtocolUDP
	case "sctp":
		return corev1.ProtocolSCTP
	}
	return corev1.ProtocolTCP
}

// ports gives every service a Service named after it, so that its name
// resolves as on a Compose network: with the container ports (and the
// published ports, mapped to the container ports) when it has any, headless
// otherwise.
func (c *converter) ports(svc *types.ServiceConfig, w *workload.Workload) {
	s := &workload.Service{Name: w.Name, Selector: w.Selector()}
	ctr := &w.Pod.Containers[0]
	addContainerPort := func(port int32, proto corev1.Protocol) {
		for _, p := range ctr.Ports {
			if p.ContainerPort == port && p.Protocol == proto {
				return
			}
		}
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{ContainerPort: port, Protocol: proto})
	}
	var published []string
	for _, p := range svc.Ports {
		proto := protocol(p.Protocol)
		target := int32(p.Target)
		addContainerPort(target, proto)
		s.AddPort(corev1.ServicePort{Name: workload.PortName(target, proto), Port: target, TargetPort: intstr.FromInt32(target), Protocol: proto})
		if p.Published == "" {
			continue
		}
		published = append(published, p.Published+"->"+strconv.Itoa(int(target))+"/"+strings.ToLower(string(proto)))
		if pub, err := strconv.Atoi(p.Published); err == nil && int32(pub) != target {
			s.AddPort(corev1.ServicePort{Name: workload.PortName(int32(pub), proto), Port: int32(pub), TargetPort: intstr.FromInt32(target), Protocol: proto})
		}
	}
	for _, e := range svc.Expose {
		num, proto, _ := strings.Cut(e, "/")
		lo, hi, _ := strings.Cut(num, "-")
		from, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		to := from
		if hi != "" {
			if to, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for port := from; port <= to && port-from < 100; port++ {
			pr := protocol(proto)
			addContainerPort(int32(port), pr)
			s.AddPort(corev1.ServicePort{Name: workload.PortName(int32(port), pr), Port: int32(port), TargetPort: intstr.FromInt32(int32(port)), Protocol: pr})
		}
	}
	if w.Kind == workload.StatefulSet {
		// A StatefulSet's governing Service is headless, so each pod has a name.
		s.Headless = true
	}
	c.set.Services = append(c.set.Services, s)
	if len(published) > 0 {
		sort.Strings(published)
		c.finding(model.Info, "ports", w, "published on the host as %s: reachable inside the cluster as Service %s; add an Ingress or a NodePort to reach it from outside", strings.Join(published, ", "), s.Name)
	}
}

// aliases adds a Service for every other name a service is reached by on a
// Compose network: link aliases and network aliases.
func (c *converter) aliases(names []string) {
	type alias struct{ name, target, why string }
	var all []alias
	for _, n := range names {
		svc := c.p.Services[n]
		for _, l := range svc.Links {
			target, as, ok := strings.Cut(l, ":")
			if !ok || as == target {
				continue
			}
			all = append(all, alias{as, target, "links " + l + " of " + n})
		}
		for _, net := range workload.SortedKeys(svc.Networks) {
			if cfg := svc.Networks[net]; cfg != nil {
				for _, a := range cfg.Aliases {
					all = append(all, alias{a, n, "network alias " + a + " of " + n})
				}
			}
		}
	}
	for _, a := range all {
		w, ok := c.byName[a.target]
		if !ok {
			continue
		}
		name := workload.Sanitize(a.name)
		if name != a.name {
			c.set.Finding(model.Warning, "names", "", "%s: %q is not a valid Service name, containers reaching it by that name will fail", a.why, a.name)
			continue
		}
		if existing := c.set.Service(name); existing != nil {
			if existing.Selector[workload.NameLabel] != w.Name {
				c.set.Finding(model.Warning, "names", "Service/"+name, "%s: the name already belongs to another service; not added", a.why)
			}
			continue
		}
		base := c.set.Service(w.Name)
		s := &workload.Service{Name: name, Selector: w.Selector(), Headless: base.Headless, Ports: append([]corev1.ServicePort(nil), base.Ports...)}
		c.set.Services = append(c.set.Services, s)
		c.set.Finding(model.Info, "names", "Service/"+name, "added for %s, so that the name resolves to %s", a.why, w.Name)
	}
}
