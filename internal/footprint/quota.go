package footprint

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/inf.v0"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	resourcehelper "k8s.io/component-helpers/resource"
)

const storageClassSuffix = ".storageclass.storage.k8s.io/"

// PodUsage is what the pod quota evaluator charges for one non-terminal pod.
func PodUsage(pod *corev1.Pod) corev1.ResourceList {
	return podUsage(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{}), resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{}))
}

// podUsage is PodUsage from the pod's PodRequests and PodLimits, for
// callers that have them already.
func podUsage(req, lim corev1.ResourceList) corev1.ResourceList {
	u := make(corev1.ResourceList, 8)
	u["count/pods"] = *resource.NewQuantity(1, resource.DecimalSI)
	u[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
	if v, ok := req[corev1.ResourceCPU]; ok {
		u[corev1.ResourceCPU], u[corev1.ResourceRequestsCPU] = v.DeepCopy(), v.DeepCopy()
	}
	if v, ok := lim[corev1.ResourceCPU]; ok {
		u[corev1.ResourceLimitsCPU] = v.DeepCopy()
	}
	if v, ok := req[corev1.ResourceMemory]; ok {
		u[corev1.ResourceMemory], u[corev1.ResourceRequestsMemory] = v.DeepCopy(), v.DeepCopy()
	}
	if v, ok := lim[corev1.ResourceMemory]; ok {
		u[corev1.ResourceLimitsMemory] = v.DeepCopy()
	}
	if v, ok := req[corev1.ResourceEphemeralStorage]; ok {
		u[corev1.ResourceEphemeralStorage], u[corev1.ResourceRequestsEphemeralStorage] = v.DeepCopy(), v.DeepCopy()
	}
	if v, ok := lim[corev1.ResourceEphemeralStorage]; ok {
		u[corev1.ResourceLimitsEphemeralStorage] = v.DeepCopy()
	}
	for name, v := range req {
		switch {
		case strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix):
			u[name] = v.DeepCopy()
			u[corev1.ResourceName("requests."+string(name))] = v.DeepCopy()
		case isExtended(name):
			u[corev1.ResourceName("requests."+string(name))] = v.DeepCopy()
		}
	}
	return u
}

// isExtended is true for extended resources (vendor.com/gpu): names with a
// domain that is not kubernetes.io's.
func isExtended(name corev1.ResourceName) bool {
	s := string(name)
	if !strings.Contains(s, "/") || strings.HasPrefix(s, "requests.") || strings.HasPrefix(s, "limits.") {
		return false
	}
	domain := s[:strings.Index(s, "/")]
	return domain != "kubernetes.io" && !strings.HasSuffix(domain, ".kubernetes.io")
}

// podResources are the quota keys the pod evaluator answers for.
var podResources = map[corev1.ResourceName]bool{
	"count/pods": true, corev1.ResourceCPU: true, corev1.ResourceMemory: true, corev1.ResourceEphemeralStorage: true,
	corev1.ResourceRequestsCPU: true, corev1.ResourceRequestsMemory: true, corev1.ResourceRequestsEphemeralStorage: true,
	corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true, corev1.ResourceLimitsEphemeralStorage: true,
	corev1.ResourcePods: true,
}

// podMatchesResources is the pod evaluator's MatchingResources: does the
// quota limit anything a pod is charged for?
func podMatchesResources(q *corev1.ResourceQuota) bool {
	for k := range q.Spec.Hard {
		s := string(k)
		if podResources[k] || strings.HasPrefix(s, corev1.ResourceHugePagesPrefix) || strings.HasPrefix(s, "requests.hugepages-") {
			return true
		}
		if strings.HasPrefix(s, "requests.") && isExtended(corev1.ResourceName(strings.TrimPrefix(s, "requests."))) {
			return true
		}
	}
	return false
}

// scopeSelectors returns a quota's scopes and scope selector as one list.
func scopeSelectors(q *corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		out = append(out, q.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

// QuotaMatchesPod reports whether quota q charges pod: it limits something a
// pod is charged for and every one of its scopes matches the pod
// (generic.Matches with the pod evaluator's scope function).
func QuotaMatchesPod(q *corev1.ResourceQuota, pod *corev1.Pod) bool {
	if !podMatchesResources(q) {
		return false
	}
	for _, sel := range scopeSelectors(q) {
		if !podMatchesScope(sel, pod) {
			return false
		}
	}
	return true
}

func podMatchesScope(sel corev1.ScopedResourceSelectorRequirement, pod *corev1.Pod) bool {
	switch sel.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return isTerminating(pod)
	case corev1.ResourceQuotaScopeNotTerminating:
		return !isTerminating(pod)
	case corev1.ResourceQuotaScopeBestEffort:
		return isBestEffort(pod)
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !isBestEffort(pod)
	case corev1.ResourceQuotaScopePriorityClass:
		if sel.Operator == corev1.ScopeSelectorOpExists {
			return pod.Spec.PriorityClassName != ""
		}
		return selectorMatches(sel, map[string]string{string(corev1.ResourceQuotaScopePriorityClass): pod.Spec.PriorityClassName}, pod.Spec.PriorityClassName != "")
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return usesCrossNamespaceAffinity(pod)
	}
	return false
}

// selectorMatches evaluates a scope selector requirement as a label
// selector on {scopeName: value}; the map is empty when the pod has no value.
func selectorMatches(sel corev1.ScopedResourceSelectorRequirement, m map[string]string, has bool) bool {
	var op selection.Operator
	switch sel.Operator {
	case corev1.ScopeSelectorOpIn:
		op = selection.In
	case corev1.ScopeSelectorOpNotIn:
		op = selection.NotIn
	case corev1.ScopeSelectorOpExists:
		op = selection.Exists
	case corev1.ScopeSelectorOpDoesNotExist:
		op = selection.DoesNotExist
	default:
		return false
	}
	req, err := labels.NewRequirement(string(sel.ScopeName), op, sel.Values)
	if err != nil {
		return false
	}
	if !has {
		m = nil
	}
	return labels.NewSelector().Add(*req).Matches(labels.Set(m))
}

func isTerminating(pod *corev1.Pod) bool {
	return pod.Spec.ActiveDeadlineSeconds != nil && *pod.Spec.ActiveDeadlineSeconds >= 0
}

// isBestEffort is the pod QoS class test: no container sets a cpu or memory
// request or limit, and the pod sets none.
func isBestEffort(pod *corev1.Pod) bool {
	has := func(l corev1.ResourceList) bool {
		for k, v := range l {
			if (k == corev1.ResourceCPU || k == corev1.ResourceMemory) && !v.IsZero() {
				return true
			}
		}
		return false
	}
	if pod.Spec.Resources != nil && (has(pod.Spec.Resources.Requests) || has(pod.Spec.Resources.Limits)) {
		return false
	}
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range list {
			if has(c.Resources.Requests) || has(c.Resources.Limits) {
				return false
			}
		}
	}
	return true
}

func usesCrossNamespaceAffinity(pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	if a == nil {
		return false
	}
	cross := func(t corev1.PodAffinityTerm) bool { return len(t.Namespaces) != 0 || t.NamespaceSelector != nil }
	check := func(req []corev1.PodAffinityTerm, pref []corev1.WeightedPodAffinityTerm) bool {
		for _, t := range req {
			if cross(t) {
				return true
			}
		}
		for _, t := range pref {
			if cross(t.PodAffinityTerm) {
				return true
			}
		}
		return false
	}
	if a.PodAffinity != nil && check(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution) {
		return true
	}
	return a.PodAntiAffinity != nil && check(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
}

// ServiceUsage is what the service evaluator charges.
func ServiceUsage(svc *corev1.Service) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	u := corev1.ResourceList{
		"count/services":                     one.DeepCopy(),
		corev1.ResourceServices:              one.DeepCopy(),
		corev1.ResourceServicesLoadBalancers: {Format: resource.DecimalSI},
		corev1.ResourceServicesNodePorts:     {Format: resource.DecimalSI},
	}
	ports := int64(len(svc.Spec.Ports))
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		u[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
	case corev1.ServiceTypeLoadBalancer:
		if a := svc.Spec.AllocateLoadBalancerNodePorts; a != nil && !*a {
			n := int64(0)
			for _, p := range svc.Spec.Ports {
				if p.NodePort != 0 {
					n++
				}
			}
			u[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(n, resource.DecimalSI)
		} else {
			u[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
		}
		u[corev1.ResourceServicesLoadBalancers] = one.DeepCopy()
	}
	return u
}

// PVCUsage is what the persistent volume claim evaluator charges.
func PVCUsage(pvc *corev1.PersistentVolumeClaim) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	u := corev1.ResourceList{
		corev1.ResourcePersistentVolumeClaims: one.DeepCopy(),
		"count/persistentvolumeclaims":        one.DeepCopy(),
	}
	class := ""
	if pvc.Spec.StorageClassName != nil {
		class = *pvc.Spec.StorageClassName
	} else if v, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		class = v
	}
	if class != "" {
		u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))] = one.DeepCopy()
	}
	if req, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
		r := req.DeepCopy()
		r.RoundUp(0)
		u[corev1.ResourceRequestsStorage] = r
		if class != "" {
			u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourceRequestsStorage))] = r.DeepCopy()
		}
	}
	return u
}

// mask keeps the keys of u that hard names.
func mask(u, hard corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range u {
		if _, ok := hard[k]; ok {
			out[k] = v
		}
	}
	return out
}

func addTo(dst corev1.ResourceList, u corev1.ResourceList, times int64) {
	for k, v := range u {
		cur := dst[k]
		add := v.DeepCopy()
		if times != 1 {
			add = mulQuantity(v, times)
		}
		cur.Add(add)
		dst[k] = cur
	}
}

// mulQuantity returns q*n exactly.
func mulQuantity(q resource.Quantity, n int64) resource.Quantity {
	d := new(inf.Dec).Mul(q.AsDec(), inf.NewDec(n, 0))
	return *resource.NewDecimalQuantity(*d, q.Format)
}

// exceeds reports the keys of u for which used+u exceeds hard.
func exceeds(used, u, hard corev1.ResourceList) []corev1.ResourceName {
	var out []corev1.ResourceName
	for k, v := range u {
		h, ok := hard[k]
		if !ok {
			continue
		}
		sum := used[k].DeepCopy()
		sum.Add(v)
		if sum.Cmp(h) > 0 {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// exceededMessage words a quota refusal as the quota admission does.
func exceededMessage(q *corev1.ResourceQuota, used, u corev1.ResourceList, keys []corev1.ResourceName) string {
	pp := func(l corev1.ResourceList) string {
		var parts []string
		for _, k := range keys {
			v := l[k]
			parts = append(parts, fmt.Sprintf("%s=%s", k, v.String()))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprintf("exceeded quota: %s, requested: %s, used: %s, limited: %s", q.Name, pp(u), pp(used), pp(q.Spec.Hard))
}
