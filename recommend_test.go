package rightsize

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/sim/simtest"
)

const boutiqueUsage = "../shared/usage/online-boutique/usage.om"
const boutiqueApp = "../shared/corpus/online-boutique/release/kubernetes-manifests.yaml"

func loadBoutique(t *testing.T) *App {
	t.Helper()
	for _, p := range []string{boutiqueUsage, boutiqueApp} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%v: ../shared is read in place", err)
		}
	}
	app, err := LoadApp(context.Background(), []string{boutiqueApp})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// fit --usage-from online-boutique into okteto-free and sandbox: a fit
// report in which every container with data keeps at least its lower bound,
// with the risk left per container.
func TestRecommendBoutiqueTargets(t *testing.T) {
	app := loadBoutique(t)
	for _, plan := range []string{"okteto-free", "sandbox"} {
		tg, err := LoadTarget(context.Background(), plan)
		if err != nil {
			t.Fatal(err)
		}
		res, err := FitFromUsage(context.Background(), app, tg, []RecommendOption{WithUsageFrom(boutiqueUsage)})
		if err != nil {
			t.Fatal(err)
		}
		r := res.Report
		if !r.Fits || r.Command != "fit" {
			t.Errorf("%s: %s report, fits %v: %v", plan, r.Command, r.Fits, r.Findings)
		}
		withData := 0
		for _, c := range r.Recommend.Containers {
			if c.Status == "no-data" {
				if c.Fitted == nil {
					t.Errorf("%s %s: no fitted values", plan, c.Object)
				}
				continue
			}
			withData++
			if c.Fitted == nil || len(c.BelowLowerBound) > 0 {
				t.Errorf("%s %s/%s: fitted %v below %v", plan, c.Object, c.Container, c.Fitted, c.BelowLowerBound)
				continue
			}
			mem := c.Fitted.Limits[corev1.ResourceMemory]
			if float64(mem.Value()) < c.Memory.Lower {
				t.Errorf("%s %s: memory limit %s below the lower bound %.0f", plan, c.Object, &mem, c.Memory.Lower)
			}
			if c.Risk.MemoryOverLimit == nil || *c.Risk.MemoryOverLimit != 0 {
				t.Errorf("%s %s: memory-over-limit risk %v, want 0 (limit at or above the peak)", plan, c.Object, c.Risk.MemoryOverLimit)
			}
			t.Logf("%s %-35s req %v lim %v risk cpu>req %.3f", plan, c.Object.String()+"/"+c.Container, c.Fitted.Requests, c.Fitted.Limits, *c.Risk.CPUOverRequest)
		}
		if withData != 10 {
			t.Errorf("%s: %d containers with data, want 10 (of 12 Deployments, 2 unrecorded)", plan, withData)
		}
	}
}

// Under a quota below the sum of the lower bounds, and fit says which key they overrun and by
// how much, then fits below them and names each container sized below its
// observed need. The recorded containers' lower bounds (CPU p50, at least the 10m floor) sum to 339m:
// frontend 51m, adservice 13m, currencyservice 124m, cartservice 19m,
// recommendationservice 14m, checkoutservice 13m, productcatalogservice
// 75m, email, payment and shipping 10m each; redis-cart and loadgenerator,
// unrecorded, go down to the 10m floor: 359m against 300m.
func TestRecommendBoutiqueLowerBounds(t *testing.T) {
	app := loadBoutique(t)
	file := filepath.Join(t.TempDir(), "tight.yaml")
	quota := "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec:\n  hard: {requests.cpu: 300m, limits.cpu: \"1\", requests.memory: 2Gi, limits.memory: 2Gi, pods: \"20\"}\n"
	if err := os.WriteFile(file, []byte(quota), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := LoadTarget(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := FitFromUsage(context.Background(), app, tg, []RecommendOption{WithUsageFrom(boutiqueUsage)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Report.Fits {
		t.Fatalf("no fit below the lower bounds: %v", res.Report.Findings)
	}
	found := false
	for _, f := range res.Report.Findings {
		found = found || f.Key == "usage-bounds" && strings.Contains(f.Message, "needs 359m of requests.cpu but quota compute allows 300m (over by 59m)") &&
			scaledWithin(t, f.Message, 0.7, 300.0/359)
	}
	if !found {
		t.Errorf("no finding says the lower bounds overrun requests.cpu by 59m: %v", res.Report.Findings)
	}
	below := 0
	for _, c := range res.Report.Recommend.Containers {
		if len(c.BelowLowerBound) == 0 {
			continue
		}
		below++
		named := false
		for _, f := range res.Report.Findings {
			named = named || f.Key == "usage-risk" && f.Object.Name == c.Object.Name && strings.Contains(f.Message, "container "+c.Container+": sized below its observed need")
		}
		if !named {
			t.Errorf("%s/%s is below its lower bound %v and no finding says so", c.Object, c.Container, c.BelowLowerBound)
		}
	}
	if below == 0 {
		t.Error("the quota cannot hold the lower bounds (359m > 300m) and no container is below its lower bound")
	}
}

// scaledWithin tells whether the fraction of the lower bounds a finding
// says was kept lies in [lo, hi]: at most the quota over the bounds' sum
// (rounding each up and the other containers' floors take a little more).
func scaledWithin(t *testing.T, msg string, lo, hi float64) bool {
	m := regexp.MustCompile(`scaled to ([0-9.]+)%, the most that fits`).FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v/100 < lo || v/100 > hi {
		t.Errorf("lower bounds scaled to %s%%, want within [%.1f%%, %.1f%%]", m[1], lo*100, hi*100)
		return false
	}
	return true
}

func TestRecommendBoutiqueStrategies(t *testing.T) {
	app := loadBoutique(t)
	for _, s := range Strategies() {
		res, err := Recommend(context.Background(), app, WithUsageFrom(boutiqueUsage), WithStrategy(s))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := res.App.WriteManifests(&b, "yaml"); err != nil {
			t.Fatal(err)
		}
		// currencyservice's request is the strategy's; redis (no data) keeps its own.
		for _, c := range res.Report.Recommend.Containers {
			if c.Object.Name == "redis-cart" && c.Recommended != nil {
				t.Errorf("%s: redis-cart has no data but a recommendation %v", s, c.Recommended)
			}
		}
	}
	if _, err := Recommend(context.Background(), app, WithUsageFrom(boutiqueUsage), WithStrategy("nope")); err == nil {
		t.Error("unknown strategy accepted")
	}
	if _, err := Recommend(context.Background(), app, WithUsageFrom("/nonexistent/usage.om")); err == nil || !strings.Contains(err.Error(), "/nonexistent/usage.om") {
		t.Errorf("missing file: %v", err)
	}
}

// The fits from usage of online-boutique are admitted in full by the
// control plane: every pod of okteto-free's (10, after merges for its pod
// count) and sandbox's (12) created and scheduled, with every recorded
// container at or above its lower bound.
func TestRecommendBoutiqueVerified(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane per target")
	}
	app := loadBoutique(t)
	bin, err := simtest.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		plan string
		pods int32
	}{{"okteto-free", 10}, {"sandbox", 12}} {
		tg, err := LoadTarget(ctx, tc.plan)
		if err != nil {
			t.Fatal(err)
		}
		res, err := FitFromUsage(ctx, app, tg, []RecommendOption{WithUsageFrom(boutiqueUsage)})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Report.Recommend.Containers {
			if c.CPU != nil && len(c.BelowLowerBound) > 0 {
				t.Errorf("%s %s/%s: below its lower bound: %v", tc.plan, c.Object, c.Container, c.BelowLowerBound)
			}
		}
		c, err := StartLocalCluster(ctx, tg, WithBinDir(bin))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Verify(ctx, c, res.App, tg)
		if serr := c.Stop(); serr != nil {
			t.Error(serr)
		}
		if err != nil {
			t.Fatal(err)
		}
		var desired, created, scheduled int32
		for _, w := range r.Workloads {
			desired += w.Replicas
			if w.Status != nil {
				created += w.Status.Created
				scheduled += w.Status.Scheduled
			}
		}
		if !r.Fits || len(r.Refusals) != 0 || desired != tc.pods || created != tc.pods || scheduled != tc.pods {
			t.Errorf("%s: verify fits %v, %d refusals %v; pods desired %d created %d scheduled %d, want all %d",
				tc.plan, r.Fits, len(r.Refusals), r.Refusals, desired, created, scheduled, tc.pods)
		}
		t.Logf("%s: %d of %d pods created and scheduled", tc.plan, scheduled, desired)
	}
}
