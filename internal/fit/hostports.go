package fit

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

// placement: pods the target's nodes cannot all take because each binds a
// host port, or because its required anti-affinity keeps it from its
// siblings, stay Pending however small they are. With --allow host-ports
// the host ports go (the pods keep their container ports, reached through
// Services); otherwise the workload keeps the replicas the nodes can hold,
// and a finding says how many are lost. Nothing is claimed to fit that the
// scheduler would leave Pending.
func (f *fitter) placement() error {
	if len(f.t.Nodes) == 0 {
		return nil
	}
	fp, err := f.footprint()
	if err != nil {
		return err
	}
	index := objectIndex(f.app)
	var portOps, replicaOps []solve.Op
	for _, w := range fp.Workloads {
		ports, anti := pendingBy(w, footprint.KeyNodePorts), pendingBy(w, footprint.KeyPodAffinity)
		if ports+anti == 0 {
			continue
		}
		i := index[w.Object]
		if ports > 0 && anti == 0 && !w.Pod.Spec.HostNetwork && f.opts.allowed(AllowHostPorts) {
			portOps = append(portOps, solve.Op{Kind: solve.OpHostPorts, Object: i,
				Reason: fmt.Sprintf("the target's nodes hold %d of its %d pods with their host ports (change kind host-ports allowed): the ports are dropped, Services reach the pods", w.Replicas-ports, w.Replicas)})
			f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Warning, Key: footprint.KeyNodePorts, Object: w.Object.Key(),
				Message: fmt.Sprintf("host ports %s removed (change kind host-ports allowed): clients that reached the pods at a node's address must use a Service instead", portList(w.Pod))})
			continue
		}
		keep := w.Replicas - ports - anti
		if !scalable(w.Object) || !f.opts.allowed(AllowReplicas) || keep < 1 {
			continue // the footprint's finding stays: it does not fit
		}
		why := "each pod binds " + portList(w.Pod)
		if anti > 0 {
			why = "its pods' required anti-affinity keeps them apart"
		}
		replicaOps = append(replicaOps, solve.Op{Field: "replicas", Object: i, Replicas: keep,
			Reason: fmt.Sprintf("%s and the target's nodes hold only %d of them", why, keep)})
		hint := ""
		if ports > 0 && anti == 0 && !w.Pod.Spec.HostNetwork {
			hint = "; allowing change kind host-ports drops the host ports instead"
		}
		f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Warning, Key: "replicas", Object: w.Object.Key(),
			Message: fmt.Sprintf("%d of %d replicas lost: %s and the target's nodes hold only %d of them%s", w.Replicas-keep, w.Replicas, why, keep, hint)})
	}
	if _, err := f.apply(AllowHostPorts, portOps); err != nil {
		return err
	}
	_, err = f.apply(AllowReplicas, replicaOps)
	return err
}

func pendingBy(w footprint.Workload, key string) int32 {
	var n int32
	for _, p := range w.Pending {
		if p.Key == key {
			n += p.Count
		}
	}
	return n
}

// scalable tells whether replicas can be set on the object.
func scalable(o *model.Object) bool {
	switch o.Obj.(type) {
	case *appsv1.Deployment, *appsv1.StatefulSet, *appsv1.ReplicaSet, *corev1.ReplicationController:
		return true
	}
	return false
}

func portList(pod *corev1.Pod) string {
	var parts []string
	for _, p := range footprint.HostPorts(&pod.Spec) {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ", ")
}
