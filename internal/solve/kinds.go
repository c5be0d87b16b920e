package solve

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// Kind changes: what the target does not allow, adapted.

// NamespaceOp moves every object into ns when some object names another
// namespace or the app carries Namespace objects; namespaces lists the
// distinct namespaces the app's namespaced objects name. Folding several
// namespaces into one needs allowFold.
func NamespaceOp(namespaces []string, hasNamespaceObjects bool, ns string, allowFold bool) (Op, bool) {
	need := hasNamespaceObjects
	for _, n := range namespaces {
		if n != ns {
			need = true
		}
	}
	if !need || (len(namespaces) > 1 && !allowFold) {
		return Op{}, false
	}
	reason := "the target is one namespace"
	if ns != "" {
		reason = "the target's namespace is " + ns
	}
	return Op{Kind: OpNamespace, Object: -1, Namespace: ns, Reason: reason}, true
}

// tightestHard is the smallest hard value of key among t's quotas.
func tightestHard(t *model.Target, key corev1.ResourceName) (int64, bool) {
	best, ok := int64(0), false
	for _, q := range t.Quotas {
		if h, has := q.Spec.Hard[key]; has && (!ok || h.Value() < best) {
			best, ok = h.Value(), true
		}
	}
	return best, ok
}

// ServiceTypes turns NodePort and LoadBalancer Services into ClusterIP ones,
// in app order, while services.nodeports or services.loadbalancers is over.
func ServiceTypes(app *model.App, t *model.Target) []Op {
	np, hasNP := tightestHard(t, corev1.ResourceServicesNodePorts)
	lb, hasLB := tightestHard(t, corev1.ResourceServicesLoadBalancers)
	if !hasNP && !hasLB {
		return nil
	}
	var usedNP, usedLB int64
	var svcs []int
	for i, o := range app.Objects {
		s, ok := o.Obj.(*corev1.Service)
		if !ok || (s.Spec.Type != corev1.ServiceTypeNodePort && s.Spec.Type != corev1.ServiceTypeLoadBalancer) {
			continue
		}
		svcs = append(svcs, i)
		usedNP += int64(len(s.Spec.Ports))
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usedLB++
		}
	}
	var ops []Op
	for _, i := range svcs {
		npOver, lbOver := hasNP && usedNP > np, hasLB && usedLB > lb
		if !npOver && !lbOver {
			break
		}
		s := app.Objects[i].Obj.(*corev1.Service)
		key := corev1.ResourceServicesNodePorts
		if lbOver && s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			key = corev1.ResourceServicesLoadBalancers
		}
		usedNP -= int64(len(s.Spec.Ports))
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usedLB--
		}
		ops = append(ops, Op{Kind: OpServiceType, Object: i, Reason: fmt.Sprintf("quota %s binds: the target allows no more %s Services", key, s.Spec.Type)})
	}
	return ops
}

// claims are an app's PersistentVolumeClaims and what they charge.
type claims struct {
	index   []int
	count   int64
	storage resource.Quantity
}

func (c *claims) over(t *model.Target) bool {
	for _, q := range t.Quotas {
		if h, ok := q.Spec.Hard[corev1.ResourcePersistentVolumeClaims]; ok && c.count > h.Value() {
			return true
		}
		if h, ok := q.Spec.Hard[corev1.ResourceRequestsStorage]; ok && c.storage.Cmp(h) > 0 {
			return true
		}
	}
	return false
}

func claimSize(o *model.Object) resource.Quantity {
	return o.Obj.(*corev1.PersistentVolumeClaim).Spec.Resources.Requests[corev1.ResourceStorage]
}

// EmptyDirs replaces claims with emptyDir, largest first, while
// persistentvolumeclaims or requests.storage is over, and only when data loss
// is allowed; otherwise it says what would be needed.
func EmptyDirs(app *model.App, t *model.Target, allowDataLoss bool) ([]Op, []model.Finding) {
	var c claims
	for i, o := range app.Objects {
		if _, ok := o.Obj.(*corev1.PersistentVolumeClaim); ok {
			c.index = append(c.index, i)
			c.count++
			c.storage.Add(claimSize(o))
		}
	}
	if len(c.index) == 0 || !c.over(t) {
		return nil, nil
	}
	if !allowDataLoss {
		return nil, []model.Finding{{Severity: model.Error, Key: "storage",
			Message: "the app's PersistentVolumeClaims exceed the target's storage quota; replacing them with emptyDir loses data and must be allowed (AllowDataLoss)"}}
	}
	sort.SliceStable(c.index, func(a, b int) bool {
		qa, qb := claimSize(app.Objects[c.index[a]]), claimSize(app.Objects[c.index[b]])
		return qa.Cmp(qb) > 0
	})
	var ops []Op
	var findings []model.Finding
	for _, i := range c.index {
		if !c.over(t) {
			break
		}
		c.count--
		c.storage.Sub(claimSize(app.Objects[i]))
		ops = append(ops, Op{Kind: OpEmptyDir, Object: i, Reason: "the target's storage quota binds and data loss was allowed: the volume's data is lost when its pod goes"})
		findings = append(findings, model.Finding{Severity: model.Error, Key: "data-loss", Object: app.Objects[i].Key(),
			Message: "replaced by emptyDir (data loss allowed): its data no longer survives a pod restart"})
	}
	return ops, findings
}
