package solve

import (
	"fmt"
	"math"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// DefaultMinStorage is the floor of a shrunk claim when the user sets none.
var DefaultMinStorage = resource.MustParse("1Gi")

// claim is one claim the app creates: a PersistentVolumeClaim object, or a
// StatefulSet's claim template (one claim per replica).
type claim struct {
	object   int
	template string // "" for a PersistentVolumeClaim object
	size     float64
	count    float64
}

// ShrinkStorage plans shrinking the requested size of the claims the app
// creates, all by one retained fraction, while requests.storage is over:
// never below min (or the LimitRange PersistentVolumeClaim min, whichever
// is larger, and never above the claim's own size). A live target's claims
// may exist already, and an existing claim cannot shrink: nothing is
// planned there.
func ShrinkStorage(app *model.App, t *model.Target, min resource.Quantity) ([]Op, []model.Finding) {
	keys := quotaKeys(t, corev1.ResourceRequestsStorage)
	if len(keys) == 0 {
		return nil, nil
	}
	cs := claimsOf(app)
	if len(cs) == 0 {
		return nil, nil
	}
	floor := math.Max(toUnits(corev1.ResourceStorage, min), pvcMin(t))
	floorQ := fromUnits(corev1.ResourceStorage, floor)
	pr := &Problem{}
	for i, c := range cs {
		pr.Values = append(pr.Values, Value{Orig: c.size, Floor: math.Min(floor, c.size), Cap: math.Inf(1)})
		pr.Pods = append(pr.Pods, PodValues{Containers: []int{i}})
	}
	for _, qk := range keys {
		key := Key{Name: qk.String(), Hard: toUnits(corev1.ResourceStorage, qk.hard)}
		for i, c := range cs {
			key.Terms = append(key.Terms, Term{Pod: i, Weight: c.count})
		}
		pr.Keys = append(pr.Keys, key)
	}
	sol := pr.Solve()
	if sol.Fraction >= 1 {
		return nil, nil
	}
	if t.Live {
		return nil, []model.Finding{{Severity: model.Warning, Key: "storage",
			Message: "the claims ask for more storage than the quota allows; the target is a live namespace, where a claim may exist already and cannot shrink, so none is shrunk"}}
	}
	if !sol.Feasible {
		return nil, []model.Finding{{Severity: model.Warning, Key: "storage",
			Message: fmt.Sprintf("even at their floor (%s each, or their own size when smaller) the claims ask for more storage than %s allows", floorQ.String(), sol.Binding)}}
	}
	var ops []Op
	for i, c := range cs {
		v := pr.Values[i]
		x := math.Max(roundDown(corev1.ResourceStorage, v.At(sol.Fraction)), v.Floor)
		if x >= c.size {
			continue
		}
		ops = append(ops, Op{Object: c.object, Field: "storage", Container: c.template, Value: *resource.NewQuantity(int64(x), resource.BinarySI),
			Reason: fmt.Sprintf("quota %s binds: every claim the app creates keeps a fraction %.4f of its size, none below %s; the claim does not exist yet, so it can be made smaller", sol.Binding, sol.Fraction, floorQ.String())})
	}
	return ops, nil
}

func claimsOf(app *model.App) []claim {
	var cs []claim
	for i, o := range app.Objects {
		switch t := o.Obj.(type) {
		case *corev1.PersistentVolumeClaim:
			if q, ok := t.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
				cs = append(cs, claim{object: i, size: toUnits(corev1.ResourceStorage, q), count: 1})
			}
		case *appsv1.StatefulSet:
			n := float64(1)
			if t.Spec.Replicas != nil {
				n = float64(*t.Spec.Replicas)
			}
			for _, ct := range t.Spec.VolumeClaimTemplates {
				if q, ok := ct.Spec.Resources.Requests[corev1.ResourceStorage]; ok && n > 0 {
					cs = append(cs, claim{object: i, template: ct.Name, size: toUnits(corev1.ResourceStorage, q), count: n})
				}
			}
		}
	}
	return cs
}

// pvcMin is the largest PersistentVolumeClaim min of the target's LimitRanges.
func pvcMin(t *model.Target) float64 {
	m := 0.0
	for _, lr := range t.LimitRanges {
		for _, it := range lr.Spec.Limits {
			if q, ok := it.Min[corev1.ResourceStorage]; ok && it.Type == corev1.LimitTypePersistentVolumeClaim {
				m = math.Max(m, toUnits(corev1.ResourceStorage, q))
			}
		}
	}
	return m
}
