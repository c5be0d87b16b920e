package footprint

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// LimitRanges returns the target's limit ranges with the API server's
// defaulting of their items applied (missing default <- max, missing
// defaultRequest <- default, else min), as they are stored in a cluster.
func LimitRanges(t *model.Target) []*corev1.LimitRange {
	out := make([]*corev1.LimitRange, 0, len(t.LimitRanges))
	for _, lr := range t.LimitRanges {
		lr = lr.DeepCopy()
		for i := range lr.Spec.Limits {
			defaultLimitRangeItem(&lr.Spec.Limits[i])
		}
		out = append(out, lr)
	}
	return out
}

// defaultLimitRangeItem is SetDefaults_LimitRangeItem.
func defaultLimitRangeItem(it *corev1.LimitRangeItem) {
	if it.Type != corev1.LimitTypeContainer {
		return
	}
	fillMissing(&it.Default, it.Max)
	fillMissing(&it.DefaultRequest, it.Default)
	fillMissing(&it.DefaultRequest, it.Min)
}

// fillMissing sets *dst to a list that adds each of src's values that *dst
// does not set: the one rule behind every resource defaulting step. The
// list *dst held is never written to (it may be the app's own): a new one
// replaces it when something is added, and a nil *dst becomes empty.
func fillMissing(dst *corev1.ResourceList, src corev1.ResourceList) {
	if *dst == nil {
		*dst = corev1.ResourceList{}
	}
	copied := false
	for k, v := range src {
		if _, ok := (*dst)[k]; ok {
			continue
		}
		if !copied {
			*dst, copied = cloneList(*dst, len(src)), true
		}
		(*dst)[k] = v.DeepCopy()
	}
}

// cloneList copies l's map with room for extra more keys; the values are
// immutable once stored, so they are shared.
func cloneList(l corev1.ResourceList, extra int) corev1.ResourceList {
	out := make(corev1.ResourceList, len(l)+extra)
	for k, v := range l {
		out[k] = v
	}
	return out
}

// DefaultPod applies what the API server's defaulting does to a Pod's
// resources (never to templates): a container that sets a limit but no
// request gets request = limit; pod-level limits without requests likewise.
func DefaultPod(pod *corev1.Pod) {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			defaultRequestsToLimits(&list[i].Resources)
		}
	}
	if pod.Spec.Resources != nil {
		defaultRequestsToLimits(pod.Spec.Resources)
	}
}

func defaultRequestsToLimits(r *corev1.ResourceRequirements) {
	if r.Limits == nil {
		return
	}
	fillMissing(&r.Requests, r.Limits)
}

// MutatePod is the LimitRanger's mutation: every container and init
// container gets the Container items' default limits and default requests
// for resources it does not set. lrs must come from LimitRanges.
func MutatePod(pod *corev1.Pod, lrs []*corev1.LimitRange) {
	for _, lr := range lrs {
		var def corev1.ResourceRequirements
		def.Requests, def.Limits = corev1.ResourceList{}, corev1.ResourceList{}
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypeContainer {
				continue
			}
			for k, v := range it.DefaultRequest {
				def.Requests[k] = v.DeepCopy()
			}
			for k, v := range it.Default {
				def.Limits[k] = v.DeepCopy()
			}
		}
		if len(def.Requests)+len(def.Limits) == 0 {
			continue
		}
		for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
			for i := range list {
				mergeDefaults(&list[i].Resources, &def)
			}
		}
	}
}

func mergeDefaults(r, def *corev1.ResourceRequirements) {
	fillMissing(&r.Limits, def.Limits)
	fillMissing(&r.Requests, def.Requests)
}

// validateRequestsWithinLimits is the API validation that a request does not
// exceed its limit, worded as the API server words it.
func validateRequestsWithinLimits(pod *corev1.Pod) []string {
	var errs []string
	check := func(list string, i int, c *corev1.Container) {
		if len(c.Resources.Limits) == 0 {
			return
		}
		for _, name := range sortedNames(c.Resources.Requests) {
			req := c.Resources.Requests[name]
			lim, ok := c.Resources.Limits[name]
			if ok && req.Cmp(lim) > 0 {
				errs = append(errs, fmt.Sprintf("spec.%s[%d].resources.requests: Invalid value: %q: must be less than or equal to %s limit of %s", list, i, req.String(), name, lim.String()))
			}
		}
	}
	for i := range pod.Spec.Containers {
		check("containers", i, &pod.Spec.Containers[i])
	}
	for i := range pod.Spec.InitContainers {
		check("initContainers", i, &pod.Spec.InitContainers[i])
	}
	return errs
}

// ValidatePod is the LimitRanger's validation of Container and Pod items.
// It returns Kubernetes' messages, in the order Kubernetes finds them.
func ValidatePod(pod *corev1.Pod, lrs []*corev1.LimitRange) []string {
	var errs []string
	add := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, lr := range lrs {
		for _, it := range lr.Spec.Limits {
			switch it.Type {
			case corev1.LimitTypeContainer:
				for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
					for i := range list {
						r := &list[i].Resources
						for _, k := range sortedNames(it.Min) {
							add(minConstraint("Container", k, it.Min[k], r.Requests, r.Limits))
						}
						for _, k := range sortedNames(it.Max) {
							add(maxConstraint("Container", k, it.Max[k], r.Requests, r.Limits))
						}
						for _, k := range sortedNames(it.MaxLimitRequestRatio) {
							add(ratioConstraint("Container", k, it.MaxLimitRequestRatio[k], r.Requests, r.Limits))
						}
					}
				}
			case corev1.LimitTypePod:
				opts := resourcehelper.PodResourcesOptions{ExcludeOverhead: true}
				req := resourcehelper.PodRequests(pod, opts)
				lim := resourcehelper.PodLimits(pod, opts)
				for _, k := range sortedNames(it.Min) {
					add(minConstraint("Pod", k, it.Min[k], req, lim))
				}
				for _, k := range sortedNames(it.Max) {
					add(maxConstraint("Pod", k, it.Max[k], req, lim))
				}
				for _, k := range sortedNames(it.MaxLimitRequestRatio) {
					add(ratioConstraint("Pod", k, it.MaxLimitRequestRatio[k], req, lim))
				}
			}
		}
	}
	return errs
}

// ValidatePVC is the LimitRanger's validation of PersistentVolumeClaim items.
func ValidatePVC(pvc *corev1.PersistentVolumeClaim, lrs []*corev1.LimitRange) []string {
	var errs []string
	for _, lr := range lrs {
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypePersistentVolumeClaim {
				continue
			}
			for _, k := range sortedNames(it.Min) {
				if err := minConstraint("PersistentVolumeClaim", k, it.Min[k], pvc.Spec.Resources.Requests, corev1.ResourceList{}); err != nil {
					errs = append(errs, err.Error())
				}
			}
			for _, k := range sortedNames(it.Max) {
				if err := maxRequestConstraint("PersistentVolumeClaim", k, it.Max[k], pvc.Spec.Resources.Requests); err != nil {
					errs = append(errs, err.Error())
				}
			}
		}
	}
	return errs
}

// enforced compares in milli-units when every value fits, as the LimitRanger does.
func enforced(req, lim, enf resource.Quantity) (int64, int64, int64) {
	r, l, e := req.Value(), lim.Value(), enf.Value()
	if r <= resource.MaxMilliValue && l <= resource.MaxMilliValue && e <= resource.MaxMilliValue {
		return req.MilliValue(), lim.MilliValue(), enf.MilliValue()
	}
	return r, l, e
}

func minConstraint(typ string, name corev1.ResourceName, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[name]
	lim, limOK := limit[name]
	r, l, e := enforced(req, lim, enf)
	if !reqOK {
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", name, typ, enf.String())
	}
	if r < e {
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	}
	if limOK && l < e {
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", name, typ, enf.String(), lim.String())
	}
	return nil
}

func maxRequestConstraint(typ string, name corev1.ResourceName, enf resource.Quantity, request corev1.ResourceList) error {
	req, reqOK := request[name]
	r, _, e := enforced(req, resource.Quantity{}, enf)
	if !reqOK {
		return fmt.Errorf("maximum %s usage per %s is %s.  No request is specified", name, typ, enf.String())
	}
	if r > e {
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	}
	return nil
}

func maxConstraint(typ string, name corev1.ResourceName, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[name]
	lim, limOK := limit[name]
	r, l, e := enforced(req, lim, enf)
	if !limOK {
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", name, typ, enf.String())
	}
	if l > e {
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", name, typ, enf.String(), lim.String())
	}
	if reqOK && r > e {
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	}
	return nil
}

func ratioConstraint(typ string, name corev1.ResourceName, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[name]
	lim, limOK := limit[name]
	r, l, _ := enforced(req, lim, enf)
	if !reqOK || r == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, typ, enf.String())
	}
	if !limOK || l == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", name, typ, enf.String())
	}
	observed := float64(l) / float64(r)
	display := observed
	max := float64(enf.Value())
	if enf.Value() <= resource.MaxMilliValue {
		observed *= 1000
		max = float64(enf.MilliValue())
	}
	if observed > max {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", name, typ, enf.String(), display)
	}
	return nil
}

// AdmitPod returns pod as the API server would store it (defaulting and
// LimitRange mutation applied) and the reason it refuses the pod whatever
// the quota's state ("" when it does not): request above limit, LimitRange
// validation, and the quotas' "must specify" rule. pod is not modified; the
// pod returned shares with it what admission does not change (treat both as
// read-only, or copy them deeply first).
func AdmitPod(pod *corev1.Pod, t *model.Target) (*corev1.Pod, string) {
	return admitPod(pod, LimitRanges(t), t.Quotas)
}

func admitPod(pod *corev1.Pod, lrs []*corev1.LimitRange, quotas []*corev1.ResourceQuota) (*corev1.Pod, string) {
	p := resourceCopy(pod)
	DefaultPod(p)
	MutatePod(p, lrs)
	if errs := validateRequestsWithinLimits(p); len(errs) > 0 {
		return p, fmt.Sprintf("Pod is invalid: %s", aggregate(errs))
	}
	if errs := ValidatePod(p, lrs); len(errs) > 0 {
		return p, "forbidden: " + aggregate(errs)
	}
	for _, q := range quotas {
		if !QuotaMatchesPod(q, p) {
			continue
		}
		if msg := mustSpecify(p, q); msg != "" {
			return p, fmt.Sprintf("forbidden: failed quota: %s: %s", q.Name, msg)
		}
	}
	return p, ""
}

// resourceCopy copies pod as far as DefaultPod and MutatePod change it: the
// pod, its container lists and its pod-level resources; the rest (metadata
// maps, volumes, the containers' other fields) is shared. fillMissing never
// writes to a resource list it did not make, so those are shared too until
// defaulting adds to them: one pod's copy instead of a deep copy.
func resourceCopy(pod *corev1.Pod) *corev1.Pod {
	p := *pod
	p.Spec.Containers = slices.Clone(pod.Spec.Containers)
	p.Spec.InitContainers = slices.Clone(pod.Spec.InitContainers)
	if r := pod.Spec.Resources; r != nil {
		rc := *r
		p.Spec.Resources = &rc
	}
	return &p
}

// aggregate words a list of errors as utilerrors.NewAggregate does: each
// distinct message once, in order, bracketed when more than one remains.
// (LimitRanger checks every container, so the same message often repeats.)
func aggregate(errs []string) string {
	var uniq []string
	seen := map[string]bool{}
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			uniq = append(uniq, e)
		}
	}
	if len(uniq) == 1 {
		return uniq[0]
	}
	return "[" + strings.Join(uniq, ", ") + "]"
}

// joinErrs words a field.ErrorList as its ToAggregate does, which also
// drops repeated messages.

var validationSet = map[corev1.ResourceName]bool{
	corev1.ResourceCPU: true, corev1.ResourceMemory: true,
	corev1.ResourceRequestsCPU: true, corev1.ResourceRequestsMemory: true,
	corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true,
}

// mustSpecify is the pod evaluator's Constraints: when a quota limits cpu or
// memory, every container must state that value.
func mustSpecify(pod *corev1.Pod, q *corev1.ResourceQuota) string {
	if resourcehelper.IsPodLevelResourcesSet(pod) {
		return ""
	}
	var required []corev1.ResourceName
	for k := range q.Spec.Hard {
		if validationSet[k] {
			required = append(required, k)
		}
	}
	if len(required) == 0 {
		return ""
	}
	missing := map[corev1.ResourceName][]string{}
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range list {
			have := containerQuotaKeys(c.Resources.Requests, c.Resources.Limits)
			for _, k := range required {
				if !have[k] {
					missing[k] = appendUnique(missing[k], c.Name)
				}
			}
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(missing) {
		names := missing[k]
		sort.Strings(names)
		parts = append(parts, fmt.Sprintf("%s for: %s", k, strings.Join(names, ",")))
	}
	return "must specify " + strings.Join(parts, "; ")
}

func containerQuotaKeys(req, lim corev1.ResourceList) map[corev1.ResourceName]bool {
	have := map[corev1.ResourceName]bool{}
	if _, ok := req[corev1.ResourceCPU]; ok {
		have[corev1.ResourceCPU], have[corev1.ResourceRequestsCPU] = true, true
	}
	if _, ok := lim[corev1.ResourceCPU]; ok {
		have[corev1.ResourceLimitsCPU] = true
	}
	if _, ok := req[corev1.ResourceMemory]; ok {
		have[corev1.ResourceMemory], have[corev1.ResourceRequestsMemory] = true, true
	}
	if _, ok := lim[corev1.ResourceMemory]; ok {
		have[corev1.ResourceLimitsMemory] = true
	}
	return have
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func sortedNames(l corev1.ResourceList) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

func sortedKeys[V any](m map[corev1.ResourceName]V) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}
