package solve

import (
	"fmt"
	"math"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// FloorAnnotation is the prefix of the per-workload floor annotations:
// "rightsize.dev/min-cpu" for every container, "rightsize.dev/min-cpu.NAME"
// for container NAME; likewise min-memory and min-ephemeral-storage.
const FloorAnnotation = "rightsize.dev/min-"

// Resources plans filling and scaling requests and limits, and, when
// opts.Replicas allows and scaling alone cannot fit, reducing replicas.
func Resources(ws []Workload, t *model.Target, opts Options) *Plan {
	pl := &planner{ws: ws, t: t, opts: opts}
	pl.collect()
	replicas := make([]int32, len(ws))
	for i, w := range ws {
		replicas[i] = w.Replicas
	}
	res := pl.solve(replicas)
	if !res.feasible && opts.Replicas {
		if r, ok := pl.replicaCap(replicas); ok {
			reduced := make([]int32, len(ws))
			for i, n := range replicas {
				reduced[i] = n
				if reducible(ws[i].Kind) && n > r {
					reduced[i] = r
				}
			}
			res = pl.solve(reduced)
			res.replicas = reduced
		}
	}
	return pl.plan(res)
}

// reducible kinds have a replica count the plan may lower.
func reducible(kind string) bool {
	switch kind {
	case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DeploymentConfig":
		return true
	}
	return false
}

type planner struct {
	ws   []Workload
	t    *model.Target
	opts Options
	cs   []container
	// byWorkload lists each workload's containers (indexes into cs).
	byWorkload [][]int
	findings   []model.Finding
}

// collect lists every container and fills the values the target demands.
func (pl *planner) collect() {
	pl.byWorkload = make([][]int, len(pl.ws))
	demanded := map[string]bool{}
	for _, qk := range quotaKeys(pl.t, corev1.ResourceRequestsCPU, corev1.ResourceCPU, corev1.ResourceRequestsMemory, corev1.ResourceMemory,
		corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory) {
		demanded[string(qk.key)] = true
	}
	for wi, w := range pl.ws {
		add := func(c corev1.Container, init bool) {
			ct := container{w: wi, name: c.Name, init: init,
				sidecar: init && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways,
				req:     c.Resources.Requests.DeepCopy(), lim: c.Resources.Limits.DeepCopy(), fill: corev1.ResourceList{}}
			if ct.req == nil {
				ct.req = corev1.ResourceList{}
			}
			if ct.lim == nil {
				ct.lim = corev1.ResourceList{}
			}
			pl.fill(&ct, demanded)
			pl.byWorkload[wi] = append(pl.byWorkload[wi], len(pl.cs))
			pl.cs = append(pl.cs, ct)
		}
		for _, c := range w.Pod.Spec.InitContainers {
			add(c, true)
		}
		for _, c := range w.Pod.Spec.Containers {
			add(c, false)
		}
	}
}

func (pl *planner) fill(ct *container, demanded map[string]bool) {
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		b := containerBounds(pl.t, r)
		_, hasReq := ct.req[r]
		if !hasReq && (demanded["requests."+string(r)] || demanded[string(r)] || demanded["limits."+string(r)]) {
			v := toUnits(r, DefaultRequests[r])
			if l, ok := ct.lim[r]; ok {
				v = toUnits(r, l)
			}
			v = math.Max(v, b.min)
			if b.hasMax {
				v = math.Min(v, b.max)
			}
			ct.req[r] = fromUnits(r, v)
			ct.fill[r] = ct.req[r]
		}
		if _, ok := ct.lim[r]; !ok && demanded["limits."+string(r)] {
			req := toUnits(r, ct.req[r])
			v := math.Max(toUnits(r, DefaultLimits[r]), req)
			if b.hasRatio {
				v = math.Min(v, math.Floor(b.ratio*req))
			}
			if b.hasMax {
				v = math.Min(v, b.max)
			}
			ct.lim[r] = fromUnits(r, v)
			ct.fill["limits."+r] = ct.lim[r]
		}
	}
}

// softFloor is the floor the user set for a container: --min-*, the
// workload's annotation, observed usage; never above the container's own
// value, since a floor stops scaling down and does not size up.
func (pl *planner) softFloor(ct *container, r corev1.ResourceName) float64 {
	w := pl.ws[ct.w]
	f := 0.0
	switch r {
	case corev1.ResourceCPU:
		f = toUnits(r, pl.opts.MinCPU)
	case corev1.ResourceMemory:
		f = toUnits(r, pl.opts.MinMemory)
	}
	for _, key := range []string{FloorAnnotation + string(r), FloorAnnotation + string(r) + "." + ct.name} {
		if s, ok := w.Annotations[key]; ok {
			q, err := resource.ParseQuantity(s)
			if err != nil {
				pl.findings = append(pl.findings, model.Finding{Severity: model.Warning, Key: "floor", Object: w.Key,
					Message: fmt.Sprintf("annotation %s: invalid quantity %q, ignored", key, s)})
				continue
			}
			f = math.Max(f, toUnits(r, q))
		}
	}
	if u, ok := pl.opts.Usage[w.Ref+"/"+ct.name][r]; ok {
		f = math.Max(f, toUnits(r, u))
	}
	return f
}

// aim returns the value scaling starts from: the usage-based target of
// Options.Targets when it gives one, else the container's own value.
func (pl *planner) aim(ct *container, r corev1.ResourceName, limit bool, own resource.Quantity) resource.Quantity {
	t, ok := pl.opts.Targets[pl.ws[ct.w].Ref+"/"+ct.name]
	if !ok {
		return own
	}
	l := t.Requests
	if limit {
		l = t.Limits
	}
	if q, ok := l[r]; ok {
		return q
	}
	return own
}

// result is one solve over every resource with given replicas.
type result struct {
	feasible bool
	replicas []int32
	// req and lim are the final values per container and resource.
	req, lim  []map[corev1.ResourceName]float64
	fractions map[string]float64
	binding   map[string]string
	over      map[string]float64
	// overRes names the resource of each over key, for its units.
	overRes map[string]corev1.ResourceName
}

// solve sizes every container for the given replicas: per resource, limits
// first (their keys only), then requests, capped by the final limits.
func (pl *planner) solve(replicas []int32) *result {
	res := &result{feasible: true, replicas: replicas,
		req: make([]map[corev1.ResourceName]float64, len(pl.cs)), lim: make([]map[corev1.ResourceName]float64, len(pl.cs)),
		fractions: map[string]float64{}, binding: map[string]string{}, over: map[string]float64{}, overRes: map[string]corev1.ResourceName{}}
	for i := range pl.cs {
		res.req[i], res.lim[i] = map[corev1.ResourceName]float64{}, map[corev1.ResourceName]float64{}
	}
	for _, r := range scaled {
		b := containerBounds(pl.t, r)
		// Limits.
		pr, idx := pl.problem(r, true, replicas, func(i int) (Value, bool) {
			q, ok := pl.cs[i].lim[r]
			if !ok {
				return Value{}, false
			}
			orig := toUnits(r, pl.aim(&pl.cs[i], r, true, q))
			if req, has := pl.cs[i].req[r]; has && b.hasRatio && orig > b.ratio*toUnits(r, pl.aim(&pl.cs[i], r, false, req)) {
				req = pl.aim(&pl.cs[i], r, false, req)
				orig = math.Floor(b.ratio * toUnits(r, req))
			}
			floor := math.Max(b.min, math.Min(pl.softFloor(&pl.cs[i], r), orig))
			v := Value{Orig: orig, Floor: math.Ceil(floor), Cap: math.Inf(1)}
			if b.hasMax {
				v.Cap = b.max
			}
			return v, true
		})
		pl.record(res, "limits."+string(r), r, pr, idx, res.lim)
		// Requests.
		alloc, hasAlloc := nodeAllocatable(pl.t, r)
		pr, idx = pl.problem(r, false, replicas, func(i int) (Value, bool) {
			q, ok := pl.cs[i].req[r]
			if !ok {
				return Value{}, false
			}
			orig := toUnits(r, pl.aim(&pl.cs[i], r, false, q))
			v := Value{Orig: orig, Floor: math.Max(b.min, math.Min(pl.softFloor(&pl.cs[i], r), orig)), Cap: math.Inf(1)}
			if b.hasMax {
				v.Cap = b.max
			}
			if hasAlloc {
				v.Cap = math.Min(v.Cap, alloc)
			}
			if l, ok := res.lim[i][r]; ok {
				v.Cap = math.Min(v.Cap, l)
				if b.hasRatio {
					v.Floor = math.Max(v.Floor, l/b.ratio)
				}
			}
			v.Floor = math.Ceil(math.Min(v.Floor, v.Cap))
			return v, true
		})
		pl.record(res, "requests."+string(r), r, pr, idx, res.req)
	}
	if over := pl.podsOver(replicas); len(over) > 0 {
		for k, v := range over {
			res.over[k], res.overRes[k] = v, corev1.ResourcePods
		}
		res.feasible = false
	}
	return res
}

// podsOver returns how far the pod-count keys are over with these replicas.
func (pl *planner) podsOver(replicas []int32) map[string]float64 {
	over := map[string]float64{}
	for _, qk := range quotaKeys(pl.t, corev1.ResourcePods, "count/pods") {
		n, surge := 0.0, 0.0
		for wi, w := range pl.ws {
			if applies(qk.quota, w.Pod) {
				n += float64(replicas[wi])
				if w.Surge && replicas[wi] > 0 {
					surge = 1
				}
			}
		}
		n += surge
		if h := float64(qk.hard.Value()); n > h {
			over[string(qk.key)] = n - h
		}
	}
	return over
}

// problem builds the scaling problem of resource r's limits or requests:
// one value per container that has one, the quota keys that charge it
// weighted by replicas, and per-pod keys for the Pod LimitRange max and
// (requests) the largest node.
func (pl *planner) problem(r corev1.ResourceName, limits bool, replicas []int32, value func(i int) (Value, bool)) (*Problem, []int) {
	pr := &Problem{Values: make([]Value, 0, len(pl.cs)), Pods: make([]PodValues, 0, len(pl.ws))}
	idx := make([]int, len(pl.cs))
	for i := range pl.cs {
		idx[i] = -1
		if v, ok := value(i); ok {
			idx[i] = len(pr.Values)
			pr.Values = append(pr.Values, v)
		}
	}
	for wi := range pl.ws {
		var pv PodValues
		for _, ci := range pl.byWorkload[wi] {
			if idx[ci] < 0 {
				continue
			}
			if pl.cs[ci].init {
				pv.Init = append(pv.Init, Init{Value: idx[ci], Sidecar: pl.cs[ci].sidecar})
			} else {
				pv.Containers = append(pv.Containers, idx[ci])
			}
		}
		pr.Pods = append(pr.Pods, pv)
	}
	var keys []corev1.ResourceName
	if limits {
		keys = []corev1.ResourceName{corev1.ResourceName("limits." + string(r))}
	} else {
		keys = []corev1.ResourceName{corev1.ResourceName("requests." + string(r)), r}
	}
	for _, qk := range quotaKeys(pl.t, keys...) {
		key := Key{Name: string(qk.key), Hard: toUnits(r, qk.hard)}
		for wi, w := range pl.ws {
			if replicas[wi] > 0 && applies(qk.quota, w.Pod) {
				key.Terms = append(key.Terms, Term{Pod: wi, Weight: float64(replicas[wi])})
				if w.Surge {
					key.Surge = append(key.Surge, wi)
				}
			}
		}
		pr.Keys = append(pr.Keys, key)
	}
	perPod := func(name string, hard float64) {
		for wi := range pl.ws {
			pr.Keys = append(pr.Keys, Key{Name: name + " (" + pl.ws[wi].Ref + ")", Hard: hard, Terms: []Term{{Pod: wi, Weight: 1}}})
		}
	}
	if m, ok := podMax(pl.t, r); ok {
		perPod("limitrange pod max "+string(r), m)
	}
	if a, ok := nodeAllocatable(pl.t, r); ok && !limits {
		perPod("node allocatable "+string(r), a)
	}
	return pr, idx
}

// record solves pr and stores the rounded values of each container.
func (pl *planner) record(res *result, field string, r corev1.ResourceName, pr *Problem, idx []int, into []map[corev1.ResourceName]float64) {
	if len(pr.Values) == 0 {
		return
	}
	sol := pr.Solve()
	if !sol.Feasible {
		res.feasible = false
		for k, v := range sol.Over {
			res.over[k], res.overRes[k] = v, r
		}
	}
	res.fractions[field] = sol.Fraction
	res.binding[field] = sol.Binding
	for i, vi := range idx {
		if vi < 0 {
			continue
		}
		v := pr.Values[vi]
		x := v.At(sol.Fraction)
		if x < v.Orig || v.Floor > v.Orig {
			x = math.Max(roundDown(r, x), v.Floor)
		}
		into[i][r] = x
	}
}

// replicaCap finds the largest R such that capping every reducible
// workload's replicas at R fits with every value at its floor; false when
// even R = 1 does not.
func (pl *planner) replicaCap(replicas []int32) (int32, bool) {
	hi := int32(1)
	for _, n := range replicas {
		hi = max(hi, n)
	}
	fits := func(r int32) bool {
		capped := make([]int32, len(replicas))
		for i, n := range replicas {
			capped[i] = n
			if reducible(pl.ws[i].Kind) && n > r {
				capped[i] = r
			}
		}
		return pl.solve(capped).feasible
	}
	if !fits(1) {
		return 0, false
	}
	// Largest r in [1, hi] that fits; fits is monotone in r.
	lo := int32(1)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, true
}

// plan turns a result into ops.
func (pl *planner) plan(res *result) *Plan {
	p := &Plan{Fractions: res.fractions, Binding: res.binding, Findings: pl.findings}
	if !res.feasible {
		p.Over = map[string]resource.Quantity{}
		for _, k := range sortedKeys(res.over) {
			p.Over[k] = fromUnits(res.overRes[k], math.Ceil(res.over[k]))
		}
	}
	for i, ct := range pl.cs {
		w := pl.ws[ct.w]
		for _, r := range scaled {
			reqV, hasReq := res.req[i][r]
			limV, hasLim := res.lim[i][r]
			origReq, origLim := ct.req[r], ct.lim[r]
			_, fillReq := ct.fill[r]
			_, fillLim := ct.fill["limits."+r]
			changed := fillReq || fillLim ||
				(hasReq && reqV != toUnits(r, origReq)) || (hasLim && limV != toUnits(r, origLim))
			if !changed {
				continue
			}
			// A changed resource is written whole, request and limit,
			// so that a request defaulted from the old limit does not
			// come back above the new one.
			if hasLim {
				p.Ops = append(p.Ops, Op{Object: w.Object, Field: "limits." + string(r), Container: ct.name, Init: ct.init,
					Value: fromUnits(r, limV), Reason: pl.usageReason(ct, res, "limits."+string(r), fillLim)})
			}
			if hasReq {
				p.Ops = append(p.Ops, Op{Object: w.Object, Field: "requests." + string(r), Container: ct.name, Init: ct.init,
					Value: fromUnits(r, reqV), Reason: pl.usageReason(ct, res, "requests."+string(r), fillReq)})
			}
		}
	}
	if res.replicas != nil {
		for wi, w := range pl.ws {
			if res.replicas[wi] != w.Replicas {
				p.Ops = append(p.Ops, Op{Object: w.Object, Field: "replicas", Replicas: res.replicas[wi],
					Reason: fmt.Sprintf("scaling to the floors alone does not fit; %d of %d replicas kept, losing the availability of %d", res.replicas[wi], w.Replicas, w.Replicas-res.replicas[wi])})
			}
		}
	}
	sort.SliceStable(p.Ops, func(a, b int) bool { return p.Ops[a].Object < p.Ops[b].Object })
	return p
}

// usageReason is reason, for a container sized from observed usage
// (Options.Targets) said so.
func (pl *planner) usageReason(ct container, res *result, field string, filled bool) string {
	if _, ok := pl.opts.Targets[pl.ws[ct.w].Ref+"/"+ct.name]; !ok || filled {
		return pl.reason(res, field, filled)
	}
	if res.binding[field] == "" {
		return "sized from observed usage: the recommendation's target"
	}
	return "sized from observed usage, then " + pl.reason(res, field, false) + " (lower bound from usage)"
}

func (pl *planner) reason(res *result, field string, filled bool) string {
	if filled {
		return "the target's quota requires every container to set " + field + " and gives no default; rightsize's default"
	}
	f, b := res.fractions[field], res.binding[field]
	switch {
	case b == "":
		return "LimitRange bounds (min, max, maxLimitRequestRatio) or the container's own limit"
	case strings.HasPrefix(b, "node allocatable"), strings.HasPrefix(b, "limitrange"):
		return fmt.Sprintf("%s binds: retained fraction %.4f, floors and caps kept", b, f)
	}
	return fmt.Sprintf("quota %s binds: retained fraction %.4f of the original, floors and caps kept", b, f)
}
