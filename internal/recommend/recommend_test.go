package recommend

import (
	"fmt"
	"os"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/usage"
)

const boutique = "../../../shared/usage/online-boutique/usage.om"

var boutiqueDeployments = []string{"adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice", "frontend",
	"paymentservice", "productcatalogservice", "recommendationservice", "shippingservice", "redis-cart", "loadgenerator"}

func boutiqueContainers() []Container {
	var cs []Container
	for _, d := range boutiqueDeployments {
		name := "server"
		switch d {
		case "redis-cart":
			name = "redis"
		case "loadgenerator":
			name = "main"
		}
		cs = append(cs, Container{Key: usage.Key{Kind: "Deployment", Name: d, Container: name}, PodContainers: 1,
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")}})
	}
	return cs
}

func readBoutique(t *testing.T) *Accumulator {
	t.Helper()
	if _, err := os.Stat(boutique); err != nil {
		t.Skipf("recorded usage not found (%v): ../shared/usage is read in place", err)
	}
	var ws []usage.Workload
	for _, d := range boutiqueDeployments {
		ws = append(ws, usage.Workload{Kind: "Deployment", Name: d})
	}
	acc := NewAccumulator()
	if _, err := usage.ReadFile(boutique, usage.Options{Mapper: usage.NewMapper(ws)}, acc.Sink()); err != nil {
		t.Fatal(err)
	}
	return acc
}

func find(res *Result, name string) *Recommendation {
	for i := range res.Containers {
		if res.Containers[i].Key.Name == name {
			return &res.Containers[i]
		}
	}
	return nil
}

func TestBoutiqueStrategies(t *testing.T) {
	acc := readBoutique(t)
	for _, s := range Strategies {
		res, err := Recommend(acc, Options{Strategy: s, Containers: boutiqueContainers()})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Containers {
			if c.CPU != nil {
				t.Logf("%-9s %-22s %-15s cpu %.4f/%.4f/%.4f mem %.1f/%.1f/%.1f Mi req %v lim %v", s, c.Key.Name, c.Status,
					c.CPU.Lower, c.CPU.Target, c.CPU.Upper, c.Memory.Lower/(1<<20), c.Memory.Target/(1<<20), c.Memory.Upper/(1<<20),
					c.Requests, c.Limits)
			}
		}
		// No data for redis-cart and loadgenerator: said, nothing made up.
		for _, n := range []string{"redis-cart", "loadgenerator"} {
			c := find(res, n)
			if c.Status != StatusNoData || c.Requests != nil || c.CPU != nil {
				t.Errorf("%s %s: status %s requests %v, want no-data and nothing", s, n, c.Status, c.Requests)
			}
		}
		if !strings.Contains(fmt.Sprint(res.Findings), "redis-cart") {
			t.Errorf("%s: no finding names redis-cart: %v", s, res.Findings)
		}
	}
	// rightsize: currencyservice's CPU lower bound is its median (SOURCE.md
	// 123.1m), the target its p95 (147.0m) + 15%; memory lower = peak.
	res, _ := Recommend(acc, Options{Containers: boutiqueContainers()})
	c := find(res, "currencyservice")
	if c.CPU.Lower < 0.1225 || c.CPU.Lower > 0.1245 || c.CPU.Target < 0.147*1.15*0.99 || c.CPU.Target > 0.147*1.15*1.01 {
		t.Errorf("currencyservice cpu %+v, want lower≈0.1231 target≈%.4f", c.CPU, 0.147*1.15)
	}
	if c.Memory.Lower < 37.8*(1<<20) || c.Memory.Lower > 38*(1<<20) {
		t.Errorf("currencyservice memory lower %.1f Mi, want the 37.9 Mi peak", c.Memory.Lower/(1<<20))
	}
	// The recommendation's own risk: memory limit above every sample.
	if r := c.Risk.MemoryOverLimit; r == nil || *r != 0 {
		t.Errorf("currencyservice memory-over-limit risk %v, want 0", r)
	}
	// Its current CPU request (100m) is below the median: exceeded most of the time.
	cur := c.RiskAt(c.Current.Requests, c.Current.Limits)
	if *cur.CPUOverRequest <= 0.5 {
		t.Errorf("currencyservice at 100m: over-request %.3f, want > 0.5: its median is 123m", *cur.CPUOverRequest)
	}
}

func TestUnknownStrategy(t *testing.T) {
	if _, err := Recommend(NewAccumulator(), Options{Strategy: "magic"}); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("err %v", err)
	}
}
