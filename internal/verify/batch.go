package verify

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// batches splits objects (in apply order) into runs that are created at
// once: consecutive objects of one kind that no quota counts. An object a
// quota counts is a batch of its own: which of two such objects is refused
// depends on which comes first, and the footprint predicts apply order. So
// is an object other objects depend on in their admission (a
// ServiceAccount, a LimitRange or a PriorityClass before the pods, say):
// its kind sorts before theirs, and kinds never share a batch.
//
// Workloads (what makes pods, and the ReplicaSets, Jobs and claims they
// come with) count under the quotas of what they make, and their
// controllers create that in the order the workloads come: each is a batch
// of its own, unless the footprint predicts that the whole app fits
// (fits). Then the order cannot change what is admitted, and the workloads
// and the Services before them (which no pod's admission looks at) are
// one batch; were the prediction wrong, a refusal would still show, only
// perhaps of another workload than in apply order.
func (v *Verifier) batches(objs []*model.Object, keys map[corev1.ResourceName]bool, fits bool) [][]*model.Object {
	var out [][]*model.Object
	last := ""
	for _, o := range objs {
		group := batchGroup(o, fits)
		if v.counted(o, keys) || allocates(o) {
			group = ""
		}
		if group != "" && group == last {
			out[len(out)-1] = append(out[len(out)-1], o)
		} else {
			out = append(out, []*model.Object{o})
		}
		last = group
	}
	return out
}

// allocates reports whether o claims a cluster-wide number (a node port
// or a cluster IP it names): of two that claim the same, the first wins.
func allocates(o *model.Object) bool {
	svc, ok := o.Obj.(*corev1.Service)
	if !ok {
		return false
	}
	if ip := svc.Spec.ClusterIP; ip != "" && ip != corev1.ClusterIPNone {
		return true
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			return true
		}
	}
	return false
}

// batchGroup is the kind whose objects may share a batch, "" for none.
func batchGroup(o *model.Object, fits bool) string {
	kind := o.GVK().GroupKind().String()
	_, _, makesPods := footprint.PodSpec(o)
	switch {
	case makesPods || kind == "CronJob.batch":
		if !fits {
			return ""
		}
		return "workloads"
	case kind == "Service" && fits:
		return "workloads"
	}
	return kind
}

// counted reports whether a quota key of keys charges the creation of o:
// its object count, or for the core kinds their own keys. Pods and claims
// always count (their resources do), and so does what the simulator does
// not serve (it is skipped, alone).
func (v *Verifier) counted(o *model.Object, keys map[corev1.ResourceName]bool) bool {
	gvk := o.GVK()
	m, err := v.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return true
	}
	res := m.Resource
	count := "count/" + res.Resource
	if res.Group != "" {
		count += "." + res.Group
	}
	if keys[corev1.ResourceName(count)] {
		return true
	}
	if res.Group != "" {
		return false
	}
	switch res.Resource {
	case "pods", "persistentvolumeclaims":
		return true
	case "services":
		return keys[corev1.ResourceServices] || keys[corev1.ResourceServicesNodePorts] || keys[corev1.ResourceServicesLoadBalancers]
	}
	// configmaps, secrets, replicationcontrollers, resourcequotas
	return keys[corev1.ResourceName(res.Resource)]
}

// quotaKeys are the keys of the target's quotas and of the app's own.
func quotaKeys(app *model.App, t *model.Target) map[corev1.ResourceName]bool {
	keys := map[corev1.ResourceName]bool{}
	add := func(q *corev1.ResourceQuota) {
		for k := range q.Spec.Hard {
			keys[k] = true
		}
	}
	for _, q := range t.Quotas {
		add(q)
	}
	for _, o := range app.Objects {
		if q, ok := o.Obj.(*corev1.ResourceQuota); ok {
			add(q)
		}
	}
	return keys
}
