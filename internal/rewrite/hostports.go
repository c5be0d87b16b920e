package rewrite

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

// dropHostPorts removes hostPort and hostIP from every port of the pods'
// containers and sidecars; containerPort stays, so Services still reach them.
func dropHostPorts(o *model.Object, op solve.Op) ([]Change, error) {
	spec, _, ok := footprint.PodSpec(o)
	if !ok {
		return nil, fmt.Errorf("%s: not a pod-creating object", o.Where())
	}
	var changes []Change
	for _, group := range []struct {
		path string
		list []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i := range group.list {
			c := &group.list[i]
			for j := range c.Ports {
				p := &c.Ports[j]
				if p.HostPort == 0 {
					continue
				}
				changes = append(changes, Change{Object: o.Key(), Field: fmt.Sprintf("%s[%s].ports[%d].hostPort", group.path, c.Name, j),
					Before: fmt.Sprint(p.HostPort), After: "", Reason: op.Reason})
				p.HostPort, p.HostIP = 0, ""
			}
		}
	}
	return changes, nil
}
