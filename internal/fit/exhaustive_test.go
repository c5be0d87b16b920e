package fit

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// randomApp is n Deployments (1 or 2 replicas), each listening on a port
// (some shared, so that some merges clash) with a Service (some mapping
// their port elsewhere), and random clients naming the Services.
func randomApp(r *rand.Rand, n int) *model.App {
	app := &model.App{}
	ports := make([]int32, n)
	for i := range n {
		ports[i] = []int32{80, 8080, int32(9000 + i), int32(9000 + i), int32(9000 + i)}[r.Intn(5)]
	}
	for i := range n {
		name := fmt.Sprintf("w%d", i)
		d := withPort(deployment(name, int32(1+r.Intn(2)), fmt.Sprintf("%dm", 100+r.Intn(400)), "64Mi"), ports[i])
		for j := range n {
			if j != i && r.Intn(3) == 0 {
				d = withEnv(d, fmt.Sprintf("http://w%d:%d", j, ports[j]))
			}
		}
		target := ports[i]
		if r.Intn(6) == 0 {
			target = 7000 // a Service that maps its port elsewhere
			d = withPort(d, 7000)
		}
		app.Objects = append(app.Objects, d, service(name, ports[i], target))
	}
	return app
}

// searched is the best rewrite the exhaustive search finds.
type searched struct {
	fits         bool
	lost, merged int
}

// bruteForce tries every way of merging the app's Deployments deps (every
// partition, each group one pod; with replicas allowed, a group's members
// brought to its smallest replica count first) with every Service that the
// partition makes removable removed as needed, then sizing (and, when
// allowed, fewer replicas), and returns the best rewrite that fits: fewest
// replicas lost, then fewest workloads merged away.
func bruteForce(t *testing.T, app *model.App, tg *model.Target, deps []int, allow []string) searched {
	fp, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	need, _ := countOver(fp, serviceKeys)
	uses := serviceUses(app)
	replicas := slices.Contains(allow, AllowReplicas)
	best := searched{}
	for _, p := range partitions(len(deps)) {
		merged := len(deps) - len(p)
		home := map[int]int{}
		var ops []solve.Op
		lost := 0
		for _, g := range p {
			members := make([]int, len(g))
			low := int32(1 << 30)
			for k, x := range g {
				members[k] = deps[x]
				home[deps[x]] = deps[g[0]]
				low = min(low, replicasOf(app.Objects[deps[x]]))
			}
			if len(g) == 1 {
				continue
			}
			for _, m := range members {
				if r := replicasOf(app.Objects[m]); replicas && r > low {
					ops = append(ops, solve.Op{Object: m, Field: "replicas", Replicas: low})
					lost += int(r - low)
				}
			}
			ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: members})
		}
		removed := int64(0)
		for _, u := range uses {
			if removed >= need || u.Why != "" {
				continue
			}
			h, same := home[u.Server], true
			for _, c := range u.Clients {
				same = same && home[c] == h
			}
			if same {
				ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: u.Object, Members: []int{h}, Remap: u.Remap})
				removed++
			}
		}
		if removed < need {
			continue
		}
		out, _, err := rewrite.Apply(app, ops)
		if err != nil || len(names.Broken(app, out)) > 0 {
			continue // the merge clashes
		}
		res, err := Run(out, tg, Options{Allow: allow, Rollout: solve.RolloutIgnore})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Fits {
			continue
		}
		c := searched{fits: true, lost: lost + res.Cost.LostReplicas, merged: merged}
		if !best.fits || c.lost < best.lost || (c.lost == best.lost && c.merged < best.merged) {
			best = c
		}
	}
	return best
}

func replicasOf(o *model.Object) int32 {
	if r := o.Obj.(*appsv1.Deployment).Spec.Replicas; r != nil {
		return *r
	}
	return 1
}

// TestFitMatchesExhaustiveSearch compares fit with an exhaustive search
// over every allowed rewrite (merges of any groups, Services removed where
// the merges allow, scaling) on small random apps: fit must fit whenever a
// rewrite fits, never claim a fit the search cannot find, and merge no more
// workloads than the fewest that fit.
func TestFitMatchesExhaustiveSearch(t *testing.T) {
	for _, replicas := range []bool{false, true} {
		t.Run(fmt.Sprintf("replicas=%v", replicas), func(t *testing.T) { exhaustive(t, replicas) })
	}
}

func exhaustive(t *testing.T, replicas bool) {
	r := rand.New(rand.NewSource(7))
	apps, fitsBoth, neither, merges, lost := 300, 0, 0, 0, 0
	allow := []string{AllowResources, AllowMerge, AllowServices}
	if replicas {
		allow = append(allow, AllowReplicas)
	}
	for i := range apps {
		n := 2 + r.Intn(5)
		app := randomApp(r, n)
		var deps []int
		for j, o := range app.Objects {
			if o.Kind() == "Deployment" {
				deps = append(deps, j)
			}
		}
		pods := 0
		for _, j := range deps {
			pods += int(*app.Objects[j].Obj.(*appsv1.Deployment).Spec.Replicas)
		}
		tg := quotaTarget(corev1.ResourceList{
			"pods":         *resource.NewQuantity(int64(1+r.Intn(pods)), resource.DecimalSI),
			"services":     *resource.NewQuantity(int64(1+r.Intn(n)), resource.DecimalSI),
			"requests.cpu": resource.MustParse("100"),
		})
		got, err := Run(app, tg, Options{Allow: allow, Rollout: solve.RolloutIgnore})
		if err != nil {
			t.Fatal(err)
		}
		sizing := []string{AllowResources}
		if replicas {
			sizing = append(sizing, AllowReplicas)
		}
		want := bruteForce(t, app, tg, deps, sizing)
		switch {
		case !want.fits && got.Fits:
			t.Errorf("app %d: fit claims a fit (%d merged, %d replicas lost) that the exhaustive search does not find", i, got.Cost.Merged, got.Cost.LostReplicas)
		case want.fits && !got.Fits:
			t.Errorf("app %d (%d workloads): the search fits with %d merged and %d replicas lost, fit says it does not fit: %v", i, n, want.merged, want.lost, got.Findings)
		case want.fits && (got.Cost.LostReplicas > want.lost || (got.Cost.LostReplicas == want.lost && got.Cost.Merged > want.merged)):
			t.Errorf("app %d: fit loses %d replicas and merges %d workloads, the search fits losing %d and merging %d", i, got.Cost.LostReplicas, got.Cost.Merged, want.lost, want.merged)
		case want.fits:
			fitsBoth++
			if want.merged > 0 {
				merges++
			}
			if want.lost > 0 {
				lost++
			}
		default:
			neither++
		}
	}
	t.Logf("%d apps: %d fitted at the minimum (%d needing merges, %d losing replicas), %d fit by no rewrite", apps, fitsBoth, merges, lost, neither)
	if fitsBoth < apps/5 || neither < apps/10 || merges < apps/10 || (replicas && lost < apps/10) {
		t.Errorf("the generator lost its spread: %d fit, %d with merges, %d losing replicas, %d fit by none", fitsBoth, merges, lost, neither)
	}
}
