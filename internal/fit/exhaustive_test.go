package fit

import (
	"fmt"
	"math/rand"
	"sort"
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

// bruteForce tries every way of merging the app's Deployments (every
// partition, each group one pod) with every Service that the partition
// makes removable removed as needed, then scaling, and returns the fewest
// workloads merged away among the rewrites that fit (-1: none fits).
func bruteForce(t *testing.T, app *model.App, tg *model.Target, deps []int) int {
	fp, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	need, _ := countOver(fp, serviceKeys)
	uses := serviceUses(app)
	ps := partitions(len(deps))
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i]) > len(ps[j]) })
	best := -1
	for _, p := range ps {
		merged := len(deps) - len(p)
		if best >= 0 && merged > best {
			break
		}
		home := map[int]int{}
		var ops []solve.Op
		for _, g := range p {
			members := make([]int, len(g))
			for k, x := range g {
				members[k] = deps[x]
				home[deps[x]] = deps[g[0]]
			}
			if len(g) > 1 {
				ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: members})
			}
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
				ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: u.Object, Members: []int{h}})
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
		res, err := Run(out, tg, Options{Allow: []string{AllowResources}, Rollout: solve.RolloutIgnore})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fits {
			best = merged
		}
	}
	return best
}

// TestFitMatchesExhaustiveSearch compares fit with an exhaustive search
// over every allowed rewrite (merges of any groups, Services removed where
// the merges allow, scaling) on small random apps: fit must fit whenever a
// rewrite fits, never claim a fit the search cannot find, and merge no more
// workloads than the fewest that fit.
func TestFitMatchesExhaustiveSearch(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	apps, fitsBoth, neither, merges := 300, 0, 0, 0
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
		got, err := Run(app, tg, Options{Allow: []string{AllowResources, AllowMerge, AllowServices}, Rollout: solve.RolloutIgnore})
		if err != nil {
			t.Fatal(err)
		}
		want := bruteForce(t, app, tg, deps)
		switch {
		case want < 0 && got.Fits:
			t.Errorf("app %d: fit claims a fit (%d merged) that the exhaustive search does not find", i, got.Cost.Merged)
		case want >= 0 && !got.Fits:
			t.Errorf("app %d (%d workloads): the search fits with %d merged, fit says it does not fit: %v", i, n, want, got.Findings)
		case want >= 0 && got.Cost.Merged > want:
			t.Errorf("app %d: fit merges %d workloads, the search fits with %d", i, got.Cost.Merged, want)
		case want >= 0:
			fitsBoth++
			if want > 0 {
				merges++
			}
		default:
			neither++
		}
	}
	t.Logf("%d apps: %d fitted at the minimum (%d needing merges), %d fit by no rewrite", apps, fitsBoth, merges, neither)
	if fitsBoth < apps/5 || neither < apps/10 || merges < apps/10 {
		t.Errorf("the generator lost its spread: %d fit, %d with merges, %d fit by none", fitsBoth, merges, neither)
	}
}
