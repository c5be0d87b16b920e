package solve

import (
	"math"
	"sort"
)

// Value is one container's request or limit of one resource, in base units
// (millicores, bytes). At fraction f it is clamp(f*Orig, Floor, Cap).
type Value struct {
	Orig  float64
	Floor float64
	// Cap is +Inf when nothing caps the value.
	Cap float64
}

// At is the value at retained fraction f.
func (v Value) At(f float64) float64 {
	x := f * v.Orig
	if x > v.Cap {
		x = v.Cap
	}
	if x < v.Floor {
		x = v.Floor
	}
	return x
}

// PodValues says how a pod's effective value of one resource is made of
// container values, as Kubernetes computes it: the sum of the app containers
// and native sidecars, or the largest init container plus the sidecars
// started before it, whichever is larger.
type PodValues struct {
	// Containers index Problem.Values.
	Containers []int
	// Init are the init containers in order.
	Init []Init
}

// Init is one init container.
type Init struct {
	Value int
	// Sidecar marks restartPolicy: Always (a native sidecar).
	Sidecar bool
}

// Term charges a pod's effective value Weight times (its replicas) to a key.
type Term struct {
	Pod    int
	Weight float64
}

// Key is one constraint: Σ Weight * pod value (+ the largest Surge pod's
// value) <= Hard.
type Key struct {
	Name  string
	Hard  float64
	Terms []Term
	// Surge lists pods of which one more must fit at a time: the room a
	// rolling update needs for its surge pod, one workload at a time.
	Surge []int
}

// Problem is a scaling problem for one resource: containers' values, how
// pods combine them, and the keys that bound the pods.
type Problem struct {
	Values []Value
	Pods   []PodValues
	Keys   []Key
}

// Solution is the largest common retained fraction that satisfies every key.
type Solution struct {
	// Fraction is in [0, 1]; 1 means nothing needs scaling.
	Fraction float64
	// Feasible is false when some key is over even with every value at
	// its floor; Fraction is then 0.
	Feasible bool
	// Binding is the key that sets Fraction ("" when Fraction is 1).
	Binding string
	// Over is, for each infeasible key, how much its charge at the floors
	// exceeds Hard.
	Over map[string]float64
}

// PodAt is pod p's effective value at fraction f.
func (pr *Problem) PodAt(p int, f float64) float64 {
	pod := pr.Pods[p]
	sum := 0.0
	for _, c := range pod.Containers {
		sum += pr.Values[c].At(f)
	}
	best, sidecars := 0.0, 0.0
	for _, in := range pod.Init {
		v := pr.Values[in.Value].At(f)
		if in.Sidecar {
			sum += v
			sidecars += v
			continue
		}
		best = math.Max(best, v+sidecars)
	}
	return math.Max(sum, best)
}

// Charge is key k's charge at fraction f.
func (pr *Problem) Charge(k int, f float64) float64 {
	total := 0.0
	for _, t := range pr.Keys[k].Terms {
		total += t.Weight * pr.PodAt(t.Pod, f)
	}
	surge := 0.0
	for _, p := range pr.Keys[k].Surge {
		surge = math.Max(surge, pr.PodAt(p, f))
	}
	return total + surge
}

// Solve finds the largest f in [0, 1] with Charge(k, f) <= Hard for every
// key. Each charge is non-decreasing and piecewise linear in f, so the answer
// is the smallest of the keys' own answers, and each key's answer is found
// exactly: first the pair of consecutive clamp breakpoints it lies between
// (where no value changes between floor, linear and cap), then, since the
// charge is convex between them (sums of maxima of linear functions), Newton
// steps from the right, each landing on the root of the active piece.
func (pr *Problem) Solve() Solution {
	sol := Solution{Fraction: 1, Feasible: true}
	for k := range pr.Keys {
		f, ok := pr.solveKey(k)
		if !ok {
			if sol.Over == nil {
				sol.Over = map[string]float64{}
			}
			sol.Over[pr.Keys[k].Name] = pr.Charge(k, 0) - pr.Keys[k].Hard
			sol.Feasible = false
			continue
		}
		if f < sol.Fraction {
			sol.Fraction, sol.Binding = f, pr.Keys[k].Name
		}
	}
	if !sol.Feasible {
		sol.Fraction = 0
		sol.Binding = ""
		for _, k := range sortedKeys(sol.Over) {
			sol.Binding = k
			break
		}
	}
	return sol
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// tol absorbs floating-point noise when comparing a charge with Hard.
func tol(h float64) float64 { return 1e-9 * math.Max(1, math.Abs(h)) }

func (pr *Problem) solveKey(k int) (float64, bool) {
	key := pr.Keys[k]
	if pr.Charge(k, 1) <= key.Hard+tol(key.Hard) {
		return 1, true
	}
	if pr.Charge(k, 0) > key.Hard+tol(key.Hard) {
		return 0, false
	}
	bps := pr.breakpoints(k)
	// Largest breakpoint index whose charge fits; bps[0] = 0 fits and the
	// last (1) does not.
	i := sort.Search(len(bps), func(i int) bool { return pr.Charge(k, bps[i]) > key.Hard+tol(key.Hard) }) - 1
	return pr.newton(k, bps[i], bps[i+1]), true
}

// breakpoints are 0, 1 and every f in (0, 1) where a value of the key's pods
// reaches its floor or cap, sorted and unique.
func (pr *Problem) breakpoints(k int) []float64 {
	bps := []float64{0, 1}
	seen := map[int]bool{}
	add := func(vi int) {
		if seen[vi] {
			return
		}
		seen[vi] = true
		v := pr.Values[vi]
		if v.Orig <= 0 {
			return
		}
		for _, x := range []float64{v.Floor / v.Orig, v.Cap / v.Orig} {
			if x > 0 && x < 1 {
				bps = append(bps, x)
			}
		}
	}
	// A copy: Surge's array is the key's own (and a three-index slice
	// appended to term by term copied it once per term: quadratic).
	pods := make([]int, 0, len(pr.Keys[k].Surge)+len(pr.Keys[k].Terms))
	pods = append(pods, pr.Keys[k].Surge...)
	for _, t := range pr.Keys[k].Terms {
		pods = append(pods, t.Pod)
	}
	for _, p := range pods {
		pod := pr.Pods[p]
		for _, c := range pod.Containers {
			add(c)
		}
		for _, in := range pod.Init {
			add(in.Value)
		}
	}
	sort.Float64s(bps)
	out := bps[:1]
	for _, x := range bps[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// line is a + b*f.
type line struct{ a, b float64 }

// linear returns value vi as a line valid on the open interval around mid
// (where its clamp state cannot change).
func (pr *Problem) linear(vi int, mid float64) line {
	v := pr.Values[vi]
	x := mid * v.Orig
	switch {
	case x >= v.Cap:
		return line{a: v.Cap}
	case x <= v.Floor:
		return line{a: v.Floor}
	}
	return line{b: v.Orig}
}

// podLines returns a pod's value on an interval as the maximum of lines.
func (pr *Problem) podLines(p int, mid float64) []line {
	pod := pr.Pods[p]
	var sum, sidecars line
	for _, c := range pod.Containers {
		l := pr.linear(c, mid)
		sum.a, sum.b = sum.a+l.a, sum.b+l.b
	}
	var needs []line
	for _, in := range pod.Init {
		l := pr.linear(in.Value, mid)
		if in.Sidecar {
			sum.a, sum.b = sum.a+l.a, sum.b+l.b
			sidecars.a, sidecars.b = sidecars.a+l.a, sidecars.b+l.b
			continue
		}
		needs = append(needs, line{l.a + sidecars.a, l.b + sidecars.b})
	}
	return append([]line{sum}, needs...)
}

// newton solves Charge(k, f) = Hard on [lo, hi], where Charge(lo) fits and
// Charge(hi) does not and the charge is convex. Steps go from hi leftwards
// along the left derivative; each step lands on or right of the answer and
// moves to another piece, so it ends after at most as many steps as pieces.
func (pr *Problem) newton(k int, lo, hi float64) float64 {
	key := pr.Keys[k]
	mid := (lo + hi) / 2
	type term struct {
		w     float64
		lines []line
	}
	terms := make([]term, len(key.Terms))
	pieces := 0
	for i, t := range key.Terms {
		terms[i] = term{t.Weight, pr.podLines(t.Pod, mid)}
		pieces += len(terms[i].lines)
	}
	if len(key.Surge) > 0 {
		// The largest of several pods is the largest of all their lines:
		// one more convex term.
		var lines []line
		for _, p := range key.Surge {
			lines = append(lines, pr.podLines(p, mid)...)
		}
		terms = append(terms, term{1, lines})
		pieces += len(lines)
	}
	eval := func(f float64) (val, slope float64) {
		for _, t := range terms {
			best := math.Inf(-1)
			bs := 0.0
			for _, l := range t.lines {
				v := l.a + l.b*f
				switch {
				case v > best+1e-12*math.Max(1, math.Abs(v)):
					best, bs = v, l.b
				case v >= best-1e-12*math.Max(1, math.Abs(v)) && l.b < bs:
					// Ties: the left derivative takes the flatter line.
					bs = l.b
				}
			}
			val += t.w * best
			slope += t.w * bs
		}
		return val, slope
	}
	f := hi
	for range pieces + 2 {
		val, slope := eval(f)
		if val <= key.Hard+tol(key.Hard) {
			return f
		}
		if slope <= 0 {
			break
		}
		next := f - (val-key.Hard)/slope
		if next >= f {
			break
		}
		f = math.Max(next, lo)
	}
	// Floating-point noise stopped the steps: finish by bisection, which
	// the convexity argument makes a last resort, not the method.
	a, b := lo, f
	for range 200 {
		m := (a + b) / 2
		if v, _ := eval(m); v <= key.Hard {
			a = m
		} else {
			b = m
		}
	}
	return a
}
