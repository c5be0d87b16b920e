package report

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Summarize fills r.Quota from r.Quotas: for each key, the entry of the
// quota that binds it most (the highest requested/hard ratio; the first
// quota on a tie).
func (r *Report) Summarize() {
	r.Quota = map[corev1.ResourceName]KeyUsage{}
	for _, q := range r.Quotas {
		for _, k := range SortedKeys(q.Hard) {
			u := KeyUsage{
				Quota: q.Name, Hard: q.Hard[k].DeepCopy(),
				Requested: zeroLike(q.Requested, k, q.Hard[k]), Admitted: zeroLike(q.Admitted, k, q.Hard[k]),
			}
			if v, ok := q.Used[k]; ok {
				v := v.DeepCopy()
				u.Used = &v
			}
			if v, ok := q.Before[k]; ok {
				v := v.DeepCopy()
				u.Before = &v
			}
			if prev, ok := r.Quota[k]; !ok || Ratio(u.Requested, u.Hard) > Ratio(prev.Requested, prev.Hard) {
				r.Quota[k] = u
			}
		}
	}
}

func zeroLike(l corev1.ResourceList, k corev1.ResourceName, hard resource.Quantity) resource.Quantity {
	if v, ok := l[k]; ok && !v.IsZero() {
		return v.DeepCopy()
	}
	return *resource.NewQuantity(0, hard.Format)
}

// Ratio is requested/hard; a non-zero request against a zero hard limit is
// infinitely binding.
func Ratio(requested, hard resource.Quantity) float64 {
	h, r := hard.AsApproximateFloat64(), requested.AsApproximateFloat64()
	if h == 0 {
		if r == 0 {
			return 0
		}
		return 1e18
	}
	return r / h
}

// SortedKeys returns l's keys, sorted.
func SortedKeys(l corev1.ResourceList) []corev1.ResourceName {
	keys := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
