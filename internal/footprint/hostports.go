package footprint

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// HostPort is one port a pod binds on its node, as the scheduler's
// NodePorts filter sees it: HostIP "" means 0.0.0.0, Protocol "" means TCP.
type HostPort struct {
	HostIP   string
	Protocol corev1.Protocol
	Port     int32
}

func (p HostPort) String() string {
	s := fmt.Sprintf("hostPort %d/%s", p.Port, p.Protocol)
	if p.HostIP != "0.0.0.0" {
		s += " on " + p.HostIP
	}
	return s
}

// HostPorts returns the host ports a pod binds: those of its containers and
// of its sidecars (init containers with restartPolicy Always, which run as
// long as the pod), as the scheduler's GetHostPorts lists them. A
// hostNetwork pod binds its container ports on the node: API defaulting
// copies containerPort into an unset hostPort of a Pod.
func HostPorts(spec *corev1.PodSpec) []HostPort {
	var out []HostPort
	add := func(c *corev1.Container) {
		for _, p := range c.Ports {
			port := p.HostPort
			if port == 0 && spec.HostNetwork {
				port = p.ContainerPort
			}
			if port <= 0 {
				continue
			}
			hp := HostPort{HostIP: p.HostIP, Protocol: p.Protocol, Port: port}
			if hp.HostIP == "" {
				hp.HostIP = "0.0.0.0"
			}
			if hp.Protocol == "" {
				hp.Protocol = corev1.ProtocolTCP
			}
			out = append(out, hp)
		}
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	for i := range spec.Containers {
		add(&spec.Containers[i])
	}
	return out
}

// conflicts is the scheduler's HostPortInfo.CheckConflict: a port bound on
// 0.0.0.0 conflicts with the same protocol and port on any address; one
// bound on an address conflicts with that address and with 0.0.0.0.
func (p HostPort) conflicts(q HostPort) bool {
	if p.Port != q.Port || p.Protocol != q.Protocol {
		return false
	}
	return p.HostIP == "0.0.0.0" || q.HostIP == "0.0.0.0" || p.HostIP == q.HostIP
}
