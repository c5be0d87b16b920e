package fit

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
	"github.com/rightsize/rightsize/internal/target"
)

// boundAllow are the change kinds the bound's sizing run may use besides
// the merges and Service removals it enumerates itself: the defaults.
var boundAllow = []string{AllowResources, AllowReplicas, AllowServiceTypes, AllowNamespaces, AllowConfigMaps}

// TestFitShare computes issue 10's figure: over every Kubernetes/OpenShift
// app of the corpus and generated apps (bench/gen's, and the exhaustive
// test's random ones), against every built-in target, the share of pairs
// that fit fits (default options) among those where the exhaustive bound
// finds a fit. The bound, for a pair fit does not fit, searches every
// rewrite of the kinds fit may make: every partition of the Deployments
// into pods (members brought to equal replicas) with every Service the
// partition frees removed, then sizing, fewer replicas, Service types,
// namespaces and ConfigMap merges (up to 7 Deployments); above 7, every set
// of removable Services with the merges it takes. Pairs whose only keys
// over are neither pod nor Service counts after sizing are not searched:
// merges and Service removals change no other key.
func TestFitShare(t *testing.T) {
	type pair struct {
		name string
		app  *model.App
	}
	var apps []pair
	if _, err := os.Stat(filepath.Join(corpus, "INDEX.md")); err == nil {
		for _, name := range corpusApps(t) {
			app, err := load.Load([]string{filepath.Join(corpus, name)}, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, pair{name, app})
		}
	} else {
		t.Logf("corpus not found at %s: generated apps only", corpus)
	}
	for n := 3; n <= 8; n++ {
		for seed := uint64(1); seed <= 4; seed++ {
			dir := t.TempDir()
			file := filepath.Join(dir, "app.yaml")
			if err := os.WriteFile(file, appgen.Generate(n, seed), 0o644); err != nil {
				t.Fatal(err)
			}
			app, err := load.Load([]string{file}, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, pair{fmt.Sprintf("appgen-%d-%d", n, seed), app})
		}
	}
	r := rand.New(rand.NewSource(10))
	for i := range 30 {
		apps = append(apps, pair{fmt.Sprintf("random-%d", i), randomApp(r, 2+r.Intn(6))})
	}
	pairs, fitted, exists := 0, 0, 0
	var misses []string
	for _, a := range apps {
		for _, tg := range target.Builtins() {
			pairs++
			res, err := Run(a.app, tg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits {
				fitted++
				exists++
				continue
			}
			if boundFits(t, a.app, tg) {
				exists++
				misses = append(misses, a.name+"/"+tg.Name)
			}
		}
	}
	share := float64(fitted) / float64(exists)
	t.Logf("%d app/target pairs: the exhaustive bound finds a fit for %d, fit fits %d: %.1f%%; missed: %v", pairs, exists, fitted, 100*share, misses)
	if share < 0.9 {
		t.Errorf("fit fits %.1f%% of the pairs the bound fits, want >= 90%%", 100*share)
	}
	if exists < 50 {
		t.Errorf("only %d pairs fit at all: the figure says little", exists)
	}
}

// boundFits is the exhaustive bound of TestFitShare for a pair fit does
// not fit.
func boundFits(t *testing.T, app *model.App, tg *model.Target) bool {
	plain, err := Run(app, tg, Options{Allow: boundAllow, Rollout: solve.RolloutIgnore})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Fits {
		return true
	}
	counts := false
	for k := range plain.Over {
		counts = counts || slices.Contains(mergeKeys, corev1.ResourceName(k)) || slices.Contains(serviceKeys, corev1.ResourceName(k))
	}
	if !counts {
		return false
	}
	var deps []int
	for i, o := range app.Objects {
		if o.Kind() == "Deployment" {
			deps = append(deps, i)
		}
	}
	if len(deps) <= 7 {
		return bruteForce(t, app, tg, deps, boundAllow).fits
	}
	return serviceSubsets(t, app, tg)
}

// serviceSubsets tries every set of removable Services (at most 2^12),
// each with the merges it takes (members at equal replicas).
func serviceSubsets(t *testing.T, app *model.App, tg *model.Target) bool {
	fp, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	need, _ := countOver(fp, serviceKeys)
	var cands []solve.ServiceUse
	for _, u := range serviceUses(app) {
		if u.Why == "" {
			cands = append(cands, u)
		}
	}
	if len(cands) > 12 || int64(len(cands)) < need {
		return false
	}
	for mask := 1; mask < 1<<len(cands); mask++ {
		var chosen []solve.ServiceUse
		for b, u := range cands {
			if mask&(1<<b) != 0 {
				chosen = append(chosen, u)
			}
		}
		if int64(len(chosen)) < need {
			continue
		}
		ops := subsetOps(app, chosen)
		out, _, err := rewrite.Apply(app, ops)
		if err != nil || len(names.Broken(app, out)) > 0 {
			continue
		}
		res, err := Run(out, tg, Options{Allow: boundAllow, Rollout: solve.RolloutIgnore})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fits {
			return true
		}
	}
	return false
}

// subsetOps merges the server and clients of every chosen Service into one
// pod (overlapping groups joined) and removes the chosen Services.
func subsetOps(app *model.App, chosen []solve.ServiceUse) []solve.Op {
	group := map[int]int{} // workload -> group id
	next := 0
	var groups [][]int
	for _, u := range chosen {
		ms := append([]int{u.Server}, u.Clients...)
		id := -1
		for _, w := range ms {
			if g, ok := group[w]; ok {
				if id >= 0 && g != id { // join g into id
					for _, x := range groups[g] {
						group[x] = id
					}
					groups[id] = append(groups[id], groups[g]...)
					groups[g] = nil
				}
				id = group[w]
			}
		}
		if id < 0 {
			id = next
			next++
			groups = append(groups, nil)
		}
		for _, w := range ms {
			if _, ok := group[w]; !ok {
				group[w] = id
				groups[id] = append(groups[id], w)
			}
		}
	}
	var ops []solve.Op
	home := map[int]int{}
	for _, g := range groups {
		slices.Sort(g)
		g = slices.Compact(g)
		for _, w := range g {
			home[w] = g[0]
		}
		if len(g) > 1 {
			ro, _ := equalReplicas(app, g, "bound")
			ops = append(ops, ro...)
			ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: g})
		}
	}
	for _, u := range chosen {
		ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: u.Object, Members: []int{home[u.Server]}, Remap: u.Remap})
	}
	return ops
}
