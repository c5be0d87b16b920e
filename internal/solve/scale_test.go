package solve

import (
	"math"
	"math/rand"
	"testing"
)

// naiveCharge recomputes a key's charge from the problem's raw numbers,
// without Value.At or Problem.PodAt, so that the reference optimum below does
// not share code with the solver.
func naiveCharge(pr *Problem, k int, f float64) float64 {
	val := func(i int) float64 {
		v := pr.Values[i]
		return math.Min(math.Max(f*v.Orig, v.Floor), math.Max(v.Cap, v.Floor))
	}
	podValue := func(p int) float64 {
		pod := pr.Pods[p]
		app := 0.0
		for _, c := range pod.Containers {
			app += val(c)
		}
		// Init containers run one at a time, each next to the sidecars
		// started before it; sidecars also run next to the app.
		var initPeak, side float64
		for _, in := range pod.Init {
			if in.Sidecar {
				side += val(in.Value)
			} else if v := val(in.Value) + side; v > initPeak {
				initPeak = v
			}
		}
		return math.Max(app+side, initPeak)
	}
	total := 0.0
	for _, t := range pr.Keys[k].Terms {
		total += t.Weight * podValue(t.Pod)
	}
	// One surge pod at a time: the largest.
	surge := 0.0
	for _, p := range pr.Keys[k].Surge {
		surge = math.Max(surge, podValue(p))
	}
	return total + surge
}

// reference finds the optimum by bisection to 1e-12 on each key.
func reference(pr *Problem) (float64, bool) {
	f := 1.0
	for k, key := range pr.Keys {
		if naiveCharge(pr, k, 0) > key.Hard*(1+1e-12) {
			return 0, false
		}
		if naiveCharge(pr, k, 1) <= key.Hard {
			continue
		}
		lo, hi := 0.0, 1.0
		for hi-lo > 1e-13 {
			m := (lo + hi) / 2
			if naiveCharge(pr, k, m) <= key.Hard {
				lo = m
			} else {
				hi = m
			}
		}
		f = math.Min(f, lo)
	}
	return f, true
}

func randomProblem(r *rand.Rand) *Problem {
	pr := &Problem{}
	newValue := func() int {
		orig := float64(1 + r.Intn(4000))
		v := Value{Orig: orig, Cap: math.Inf(1)}
		switch r.Intn(4) {
		case 0: // floor below the original
			v.Floor = math.Floor(orig * r.Float64())
		case 1: // floor above the original (LimitRange min raises it)
			v.Floor = orig + float64(r.Intn(500))
		case 2:
			v.Floor = float64(r.Intn(50))
		}
		if r.Intn(3) == 0 {
			v.Cap = v.Floor + float64(r.Intn(4000))
		}
		pr.Values = append(pr.Values, v)
		return len(pr.Values) - 1
	}
	nPods := 1 + r.Intn(8)
	for range nPods {
		var p PodValues
		for range 1 + r.Intn(3) {
			p.Containers = append(p.Containers, newValue())
		}
		for range r.Intn(3) {
			p.Init = append(p.Init, Init{Value: newValue(), Sidecar: r.Intn(3) == 0})
		}
		pr.Pods = append(pr.Pods, p)
	}
	for k := range 1 + r.Intn(3) {
		key := Key{Name: string(rune('a' + k))}
		for p := range nPods {
			if r.Intn(4) > 0 {
				key.Terms = append(key.Terms, Term{Pod: p, Weight: float64(1 + r.Intn(5))})
				if r.Intn(3) == 0 {
					key.Surge = append(key.Surge, p)
				}
			}
		}
		pr.Keys = append(pr.Keys, key)
		lo, hi := naiveCharge(pr, k, 0), naiveCharge(pr, k, 1)
		// Mostly between the floors' charge and the full charge, sometimes
		// below the floors (infeasible) or above everything.
		pr.Keys[k].Hard = math.Round(lo + (hi-lo)*(r.Float64()*1.3-0.1))
	}
	return pr
}

func TestSolveMatchesReference(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	infeasible, scaled := 0, 0
	for i := range 5000 {
		pr := randomProblem(r)
		want, ok := reference(pr)
		sol := pr.Solve()
		if sol.Feasible != ok {
			t.Fatalf("instance %d: feasible = %v, reference says %v", i, sol.Feasible, ok)
		}
		if !ok {
			infeasible++
			if len(sol.Over) == 0 {
				t.Fatalf("instance %d: infeasible without an over-charged key", i)
			}
			continue
		}
		if sol.Fraction < 1 {
			scaled++
		}
		if math.Abs(sol.Fraction-want) > 1e-6 {
			t.Fatalf("instance %d: fraction %.9f, reference %.9f", i, sol.Fraction, want)
		}
		for k, key := range pr.Keys {
			if c := naiveCharge(pr, k, sol.Fraction); c > key.Hard*(1+1e-9)+1e-9 {
				t.Fatalf("instance %d: key %s charged %f over hard %f", i, key.Name, c, key.Hard)
			}
		}
		for j, v := range pr.Values {
			x := v.At(sol.Fraction)
			if x < v.Floor || x > math.Max(v.Cap, v.Floor) {
				t.Fatalf("instance %d: value %d = %f outside [%f, %f]", i, j, x, v.Floor, v.Cap)
			}
		}
	}
	// The generator must exercise all three outcomes, or the test proves little.
	if infeasible < 100 || scaled < 1000 {
		t.Errorf("instances: %d infeasible, %d scaled; the generator lost its spread", infeasible, scaled)
	}
}

func TestSolveRedistributesClampedRoom(t *testing.T) {
	// Two containers of 1000m each, hard 1000m; the first cannot go below
	// 800m, so the second keeps only 200m: f = 0.2, not 0.5.
	pr := &Problem{
		Values: []Value{{Orig: 1000, Floor: 800, Cap: math.Inf(1)}, {Orig: 1000, Cap: math.Inf(1)}},
		Pods:   []PodValues{{Containers: []int{0}}, {Containers: []int{1}}},
		Keys:   []Key{{Name: "requests.cpu", Hard: 1000, Terms: []Term{{0, 1}, {1, 1}}}},
	}
	sol := pr.Solve()
	if !sol.Feasible || math.Abs(sol.Fraction-0.2) > 1e-12 || sol.Binding != "requests.cpu" {
		t.Errorf("solution = %+v, want fraction 0.2 bound by requests.cpu", sol)
	}
}

func TestSolveInitContainers(t *testing.T) {
	// App 100, init 1000: the pod costs max(100f, 1000f); hard 500 gives 0.5.
	pr := &Problem{
		Values: []Value{{Orig: 100, Cap: math.Inf(1)}, {Orig: 1000, Cap: math.Inf(1)}},
		Pods:   []PodValues{{Containers: []int{0}, Init: []Init{{Value: 1}}}},
		Keys:   []Key{{Name: "requests.memory", Hard: 500, Terms: []Term{{0, 1}}}},
	}
	if sol := pr.Solve(); math.Abs(sol.Fraction-0.5) > 1e-12 {
		t.Errorf("fraction = %v, want 0.5", sol.Fraction)
	}
}

func TestSolveInfeasible(t *testing.T) {
	pr := &Problem{
		Values: []Value{{Orig: 1000, Floor: 600, Cap: math.Inf(1)}},
		Pods:   []PodValues{{Containers: []int{0}}},
		Keys:   []Key{{Name: "pods-cpu", Hard: 1000, Terms: []Term{{0, 2}}}},
	}
	sol := pr.Solve()
	if sol.Feasible || sol.Over["pods-cpu"] != 200 || sol.Binding != "pods-cpu" {
		t.Errorf("solution = %+v, want infeasible by 200 on pods-cpu", sol)
	}
}

func BenchmarkSolve(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	pr := &Problem{}
	key := Key{Name: "requests.cpu"}
	for p := range 5000 {
		pr.Values = append(pr.Values, Value{Orig: float64(100 + r.Intn(2000)), Floor: float64(r.Intn(100)), Cap: math.Inf(1)})
		pr.Pods = append(pr.Pods, PodValues{Containers: []int{p}})
		key.Terms = append(key.Terms, Term{Pod: p, Weight: float64(1 + r.Intn(3))})
	}
	key.Hard = naiveCharge(&Problem{Values: pr.Values, Pods: pr.Pods, Keys: []Key{key}}, 0, 0.3)
	pr.Keys = []Key{key}
	b.ResetTimer()
	for range b.N {
		pr.Solve()
	}
}
