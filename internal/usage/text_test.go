package usage

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const boutique = "../../../shared/usage/online-boutique/usage.om"

func boutiqueFile(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(boutique); err != nil {
		t.Skipf("recorded usage not found (%v): ../shared/usage is read in place", err)
	}
	return boutique
}

// collect gathers samples per "pod/container/metric".
func collect(out map[string][]Sample) Sink {
	return func(s Sample) {
		k := fmt.Sprintf("%s/%s/%s", s.Pod, s.Key.Container, s.Metric)
		out[k] = append(out[k], s)
	}
}

func TestReadTextBoutique(t *testing.T) {
	path := boutiqueFile(t)
	mapper := NewMapper([]Workload{{Kind: "Deployment", Name: "frontend"}, {Kind: "Deployment", Name: "productcatalogservice"},
		{Kind: "Deployment", Name: "adservice"}, {Kind: "Deployment", Name: "currencyservice"}})
	got := map[string][]Sample{}
	sum, err := ReadFile(path, Options{Mapper: mapper}, collect(got))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCE.md: 11 pods x 2 metrics; 27,380 raw samples; every CPU
	// series loses its first sample and the one after the 17 h gap.
	if sum.Series != 22 {
		t.Errorf("series = %d, want 22", sum.Series)
	}
	mem := got["frontend-579b9bff58-t2dbm/server/memory"]
	cpu := got["frontend-579b9bff58-t2dbm/server/cpu"]
	if len(mem) != 1369 || len(cpu) != 1367 {
		t.Errorf("frontend: %d memory, %d cpu samples; want 1369 and 1367 (no rate at the start and across the gap)", len(mem), len(cpu))
	}
	if sum.Gaps != 9 {
		t.Errorf("gaps = %d, want 9 (one per CPU series spanning both days: 11 pods less productcatalogservice's two)", sum.Gaps)
	}
	// productcatalogservice has one pod per day, both mapped to the Deployment.
	var pcs []string
	for _, k := range sum.Containers {
		if k.Name == "productcatalogservice" {
			pcs = append(pcs, k.String())
		}
	}
	if len(pcs) != 1 || pcs[0] != "Deployment/productcatalogservice/server" {
		t.Errorf("productcatalogservice keys %v", pcs)
	}
	// Per-row rates agree with SOURCE.md's table (p50 / max millicores).
	check := func(series string, p50, maxm float64) {
		t.Helper()
		var v []float64
		for _, s := range got[series] {
			v = append(v, s.V*1000)
		}
		sort.Float64s(v)
		if len(v) == 0 {
			t.Fatalf("%s: no samples", series)
		}
		med, top := v[len(v)/2], v[len(v)-1]
		if math.Abs(med-p50) > 0.15 || math.Abs(top-maxm) > 0.15 {
			t.Errorf("%s: p50 %.2f max %.2f millicores, SOURCE.md says %.1f / %.1f", series, med, top, p50, maxm)
		}
	}
	check("currencyservice-cf787dd48-vpjrd/server/cpu", 123.1, 159.6)
	check("frontend-579b9bff58-t2dbm/server/cpu", 49.9, 60.9)
	// Unmatched pods are named in a finding, not dropped.
	if !strings.Contains(fmt.Sprint(sum.Findings), "cartservice-579f59597d-wc2lz") {
		t.Errorf("findings do not name the unmatched cartservice pod: %v", sum.Findings)
	}
}

func TestWindow(t *testing.T) {
	path := boutiqueFile(t)
	got := map[string][]Sample{}
	since := time.Date(2022, 8, 23, 17, 0, 0, 0, time.UTC)
	sum, err := ReadFile(path, Options{Since: since}, collect(got))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Start.Before(since) {
		t.Errorf("start %s before --since %s", sum.Start, since)
	}
	if n := len(got["frontend-579b9bff58-t2dbm/server/memory"]); n < 410 || n > 421 {
		t.Errorf("frontend memory samples after %s: %d, want about 420", since, n)
	}
}

func TestResetsGapsAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	l := `container_cpu_usage_seconds_total{namespace="n",pod="web-5f6585d649-x7k2p",container="c"} `
	body := "# TYPE container_cpu_usage_seconds_total counter\n" +
		l + "0 1000\n" + l + "6 1060\n" + l + "12 1120\n" +
		l + "3 1180\n" + // reset: 3 CPU-seconds since the restart
		l + "9 1240\n" +
		l + "1000 9240\n" + // after a gap of 8000 s: no rate
		l + "1006 9300\n# EOF\n"
	got := map[string][]Sample{}
	sum, err := ReadFile(write("r.om", body), Options{}, collect(got))
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	for _, s := range got["web-5f6585d649-x7k2p/c/cpu"] {
		rates = append(rates, s.V)
	}
	want := []float64{0.1, 0.1, 0.05, 0.1, 0.1}
	if fmt.Sprint(rates) != fmt.Sprint(want) {
		t.Errorf("rates %v, want %v", rates, want)
	}
	if sum.Resets != 1 || sum.Gaps != 1 {
		t.Errorf("resets %d gaps %d, want 1 and 1", sum.Resets, sum.Gaps)
	}
	if sum.Containers[0].Ref() != "Deployment/web" {
		t.Errorf("pattern mapping: %v", sum.Containers)
	}
	for name, body := range map[string]string{
		"nots.om":   l + "1\n",
		"badval.om": l + "x 1000\n",
		"badlbl.om": `container_cpu_usage_seconds_total{namespace="n,pod="p"} 1 1000` + "\n",
		"json.json": `{"status":"success","data":{"resultType":"vector","result":[]}}`,
		"empty.om":  "",
	} {
		_, err := ReadFile(write(name, body), Options{}, func(Sample) {})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
}

func TestMapper(t *testing.T) {
	m := NewMapper([]Workload{{Kind: "Deployment", Name: "web"}, {Kind: "Deployment", Name: "web-api"},
		{Kind: "StatefulSet", Name: "db"}, {Kind: "DaemonSet", Name: "agent"}, {Kind: "CronJob", Name: "backup"}})
	for pod, want := range map[string]string{
		"web-api-5f6585d649-fnmft":     "Deployment/web-api",
		"web-5f6585d649-fnmft":         "Deployment/web",
		"db-0":                         "StatefulSet/db",
		"db-12":                        "StatefulSet/db",
		"agent-x7k2p":                  "DaemonSet/agent",
		"backup-28012345-abcde":        "CronJob/backup",
		"other-5f6585d649-fnmft":       "Pod/other-5f6585d649-fnmft",
		"web-5f6585d649-fnmft-extra-1": "Pod/web-5f6585d649-fnmft-extra-1",
	} {
		k, n, _ := m.Owner("", pod)
		if k+"/"+n != want {
			t.Errorf("%s -> %s/%s, want %s", pod, k, n, want)
		}
	}
	for pod, want := range map[string]string{
		"frontend-579b9bff58-t2dbm": "Deployment/frontend",
		"redis-0":                   "StatefulSet/redis",
		"job-28012345-abcde":        "CronJob/job",
		"node-exporter-x7k2p":       "Pod/node-exporter-x7k2p",
	} {
		k, n, _ := (*Mapper)(nil).Owner("", pod)
		if k+"/"+n != want {
			t.Errorf("pattern %s -> %s/%s, want %s", pod, k, n, want)
		}
	}
}

// parseDecimal equals strconv.ParseFloat wherever it answers.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0", "1661155939.999", "0.000", "123456789012345", "1234567890123456", "1.5e3", ".5", "5.", "-", "", "NaN", "0.1", "999999999999999.9", "00000000000001.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		v, ok := parseDecimal([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(v) != math.Float64bits(want) {
			t.Errorf("parseDecimal(%q) = %v, strconv %v (%v)", s, v, want, err)
		}
	})
}

func TestParseDecimalRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		s := strconv.FormatFloat(rng.Float64()*math.Pow(10, float64(rng.Intn(14))), 'f', rng.Intn(6), 64)
		v, ok := parseDecimal([]byte(s))
		want, _ := strconv.ParseFloat(s, 64)
		if ok && v != want {
			t.Fatalf("%q: %v, want %v", s, v, want)
		}
		// Its own form (digits[.digits], 15 digits at most) it must take:
		// else the comparison above would never run.
		if !ok && len(strings.ReplaceAll(s, ".", "")) <= 15 {
			t.Fatalf("%q: refused, a plain decimal of at most 15 digits", s)
		}
	}
}
