package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsize/rightsize/internal/report/schematest"
)

func TestRecommendCommand(t *testing.T) {
	app := "../../../shared/corpus/online-boutique/release/kubernetes-manifests.yaml"
	rec := "../../../shared/usage/online-boutique/usage.om"
	for _, p := range []string{app, rec} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%v: ../shared is read in place", err)
		}
	}
	code, out, errs := runCLI("recommend", app, "--usage-from", rec, "-o", "json", "--strategy", "krr")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Command   string
		Recommend struct {
			Strategy   string
			Containers []struct {
				Container   string
				Status      string
				Recommended *struct{ Limits map[string]string }
			}
		}
	}
	if err := schematest.Validate([]byte(out)); err != nil {
		t.Errorf("recommend -o json does not follow docs/report.schema.json: %v", err)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Command != "recommend" || r.Recommend.Strategy != "krr" || len(r.Recommend.Containers) != 13 {
		t.Errorf("command %q strategy %q containers %d; want recommend, krr, 13 (12 Deployments + an init container)",
			r.Command, r.Recommend.Strategy, len(r.Recommend.Containers))
	}
	for _, c := range r.Recommend.Containers {
		if c.Recommended != nil && c.Recommended.Limits["cpu"] != "" {
			t.Errorf("krr sets no CPU limit, got %v", c.Recommended.Limits)
		}
	}
	// -o yaml: manifests with the sizes written in, the report on stderr.
	code, out, errs = runCLI("recommend", app, "--usage-from", rec, "-o", "yaml")
	if code != 0 || !strings.Contains(out, "kind: Deployment") || !strings.Contains(out, "cpu: 170m") || !strings.Contains(errs, "currencyservice") {
		t.Errorf("-o yaml: exit %d, manifests with currencyservice's 170m: %v; report on stderr: %v", code, strings.Contains(out, "cpu: 170m"), strings.Contains(errs, "currencyservice"))
	}
	// Usage errors and bad input.
	if code, _, errs = runCLI("recommend", app); code != ExitUsage || !strings.Contains(errs, "--usage-from") {
		t.Errorf("no --usage-from: exit %d %s", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.om")
	if err := os.WriteFile(bad, []byte("container_memory_working_set_bytes{pod=\"a-0\",container=\"c\"} x 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs = runCLI("recommend", app, "--usage-from", bad); code != ExitError || !strings.Contains(errs, bad+":1") {
		t.Errorf("malformed file: exit %d %s", code, errs)
	}
	if code, _, errs = runCLI("recommend", app, "--usage-from", rec, "--since", "yesterday"); code != ExitUsage || !strings.Contains(errs, "--since") {
		t.Errorf("bad --since: exit %d %s", code, errs)
	}
	// fit --usage-from into okteto-free fits, and its report is fit's: per
	// container the lower bound, the size given and the risk left.
	if code, _, errs = runCLI("fit", app, "--usage-from", rec, "-t", "okteto-free", "-o", "yaml"); code != 0 {
		t.Errorf("fit --usage-from: exit %d %s", code, errs)
	}
	if !strings.HasPrefix(errs, "rightsize fit: target okteto-free: the rewritten application fits.") ||
		!regexp.MustCompile(`CONTAINER +STATUS +LOWER BOUND +GIVEN REQ/LIM +VS LOWER +RISK LEFT`).MatchString(errs) ||
		!regexp.MustCompile(`Deployment/currencyservice/server +low-confidence +124m 37.9Mi +170m,44Mi / 184m,44Mi +at or above +cpu>req 0.0% thr 0.0% mem>lim 0.0%`).MatchString(errs) ||
		!regexp.MustCompile(`Deployment/redis-cart/redis +no-data +- +70m,200Mi / 125m,256Mi +none \(no usage\)`).MatchString(errs) {
		t.Errorf("fit --usage-from report, want fit's headline and per container lower bound, size given, risk left:\n%s", errs)
	}
	rep := filepath.Join(t.TempDir(), "fit.json")
	if code, _, errs = runCLI("fit", app, "--usage-from", rec, "-t", "sandbox", "-o", "yaml", "--report", rep, "--report-format", "json"); code != 0 {
		t.Fatalf("fit --usage-from --report-format json: exit %d %s", code, errs)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := schematest.Validate(data); err != nil {
		t.Errorf("fit --usage-from's JSON report does not follow docs/report.schema.json: %v", err)
	}
	var fr struct {
		Command   string
		Recommend struct {
			Containers []struct{ Fitted *json.RawMessage }
		}
	}
	if err := json.Unmarshal(data, &fr); err != nil || fr.Command != "fit" || len(fr.Recommend.Containers) != 13 || fr.Recommend.Containers[0].Fitted == nil {
		t.Errorf("fit --usage-from JSON: command %q, %d containers (%v); want fit, 13 with their fitted sizes", fr.Command, len(fr.Recommend.Containers), err)
	}
}

// The YAML file of floors (--usage) is gone: using it is a usage error that
// points to --usage-from, and nothing is fitted.
func TestFitUsageFloorsFileRemoved(t *testing.T) {
	dir := t.TempDir()
	app, floors := filepath.Join(dir, "app.yaml"), filepath.Join(dir, "floors.yaml")
	if err := os.WriteFile(app, []byte(fitApp), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(floors, []byte("Deployment/web/web: {cpu: 50m, memory: 100Mi}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("fit", app, "-t", "sandbox", "--usage", floors, "-o", "yaml")
	if code != ExitUsage || out != "" || !strings.Contains(errs, "--usage "+floors) || !strings.Contains(errs, "--usage-from SOURCE") {
		t.Errorf("fit --usage: exit %d, stdout %d bytes, stderr %s; want exit %d, nothing written, a pointer to --usage-from", code, len(out), errs, ExitUsage)
	}
	if code, _, errs := runCLI("fit", "--help"); code != 0 || strings.Contains(errs, "--usage ") {
		t.Errorf("fit --help lists the removed --usage: %s", errs)
	}
}

const badInputApp = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: server
        image: example/server:1
        resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
      - name: proxy
        image: example/proxy:1
        resources: {requests: {cpu: 100m, memory: 64Mi}}
`

// recording writes 5 hours at 1 minute of pod's container: the CPU counter
// at 0.1 core and 100 MiB of working set; edit may change each CPU
// counter value and memory value (by minute) or return "" to drop a line.
func recording(b *strings.Builder, pod, ctr string, edit func(minute int, cpu, mem string) (string, string)) {
	l := fmt.Sprintf(`{namespace="shop",pod=%q,container=%q} `, pod, ctr)
	var cpu, mem strings.Builder
	for i := 0; i < 300; i++ {
		c, m := fmt.Sprintf("%g", 6*float64(i)), fmt.Sprint(100<<20)
		if edit != nil {
			c, m = edit(i, c, m)
		}
		ts := 1_700_000_000 + 60*i
		if c != "" {
			fmt.Fprintf(&cpu, "container_cpu_usage_seconds_total%s%s %d\n", l, c, ts)
		}
		if m != "" {
			fmt.Fprintf(&mem, "container_memory_working_set_bytes%s%s %d\n", l, m, ts)
		}
	}
	b.WriteString(cpu.String())
	b.WriteString(mem.String())
}

func om(series ...func(*strings.Builder)) string {
	var b strings.Builder
	for _, s := range series {
		s(&b)
	}
	b.WriteString("# EOF\n")
	return b.String()
}

func web(ctr string, edit func(int, string, string) (string, string)) func(*strings.Builder) {
	return func(b *strings.Builder) { recording(b, "web-7d9f8b6c5d-x7k2p", ctr, edit) }
}

type badReport struct {
	Recommend struct {
		Containers []struct {
			Container string
			Status    string
			Observed  *struct {
				CPUCores    struct{ P50, Max float64 }
				MemoryBytes struct{ Max float64 }
			}
			Recommended *struct{ Requests map[string]string }
		}
	}
	Findings []struct{ Key, Message string }
}

// TestRecommendBadInput: unknown workloads, missing containers, gaps,
// counter resets, NaN samples, malformed files and a Prometheus that does
// not answer each give a finding or an error naming the source, and never
// a made-up recommendation.
func TestRecommendBadInput(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(app, []byte(badInputApp), 0o644); err != nil {
		t.Fatal(err)
	}
	// A server's port, free again once it is closed: connections are refused.
	closed := httptest.NewServer(http.NotFoundHandler())
	refused := closed.URL
	closed.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":"error","errorType":"internal","error":"storage is broken"}`, http.StatusInternalServerError)
	}))
	defer failing.Close()
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server sees the client leave
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer silent.Close()
	defer silent.CloseClientConnections()
	window := []string{"--since", "2023-11-14T22:00:00Z", "--until", "2023-11-15T02:00:00Z"}
	// checks of a report; each also requires every recommendation to come
	// from at least 100 samples of its container.
	type check func(t *testing.T, r badReport, file string)
	finding := func(key string, words ...string) check {
		return func(t *testing.T, r badReport, file string) {
			for _, f := range r.Findings {
				ok := strings.HasPrefix(f.Message, file+": ") && (key == "" || f.Key == key)
				for _, w := range words {
					ok = ok && strings.Contains(f.Message, w)
				}
				if ok {
					return
				}
			}
			t.Errorf("no finding naming %s and saying %q: %+v", file, words, r.Findings)
		}
	}
	server := func(status string, cpuMax float64, recommended bool) check {
		return func(t *testing.T, r badReport, file string) {
			for _, c := range r.Recommend.Containers {
				if c.Container != "server" {
					continue
				}
				if c.Status != status || (c.Recommended != nil) != recommended {
					t.Errorf("server: status %s, recommended %v; want %s, recommended %v", c.Status, c.Recommended, status, recommended)
				}
				if c.Observed != nil && (c.Observed.CPUCores.Max > cpuMax*1.05 || c.Observed.MemoryBytes.Max > 100<<20) {
					t.Errorf("server: observed CPU max %.3f (want ≤ %.3f: no rate across a gap or a reset), memory max %.0f", c.Observed.CPUCores.Max, cpuMax, c.Observed.MemoryBytes.Max)
				}
			}
		}
	}
	proxyNoData := func(t *testing.T, r badReport, file string) {
		for _, c := range r.Recommend.Containers {
			if c.Container == "proxy" && (c.Status != "no-data" || c.Recommended != nil || c.Observed != nil) {
				t.Errorf("proxy without usage: status %s, observed %v, recommended %v", c.Status, c.Observed, c.Recommended)
			}
		}
	}
	for _, tc := range []struct {
		name, file, body string
		from             string
		args             []string
		// err is what stderr must say, the exit code then 1 and nothing on stdout.
		err    []string
		checks []check
	}{
		{name: "unknown workload", file: "ghost.om",
			body:   om(web("server", nil), func(b *strings.Builder) { recording(b, "ghost-7d9f8b6c5d-x7k2p", "server", nil) }),
			checks: []check{finding("usage-pod", "ghost-7d9f8b6c5d-x7k2p", "match no workload of the app"), finding("usage", "Pod/ghost-7d9f8b6c5d-x7k2p/server", "matches no container"), server("low-confidence", 0.1, true)}},
		{name: "missing container", file: "noproxy.om", body: om(web("server", nil)),
			checks: []check{finding("usage", "container proxy: no usage recorded"), proxyNoData, server("low-confidence", 0.1, true)}},
		{name: "gap", file: "gap.om",
			// Two hours missing, over which the counter grew by 10,000
			// CPU-seconds: a rate across it would be 1.4 cores.
			body: om(web("server", func(i int, c, m string) (string, string) {
				switch {
				case i >= 100 && i < 220:
					return "", ""
				case i >= 220:
					return fmt.Sprintf("%g", 10000+6*float64(i)), m
				}
				return c, m
			})),
			checks: []check{finding("usage-gap", "1 gap(s)"), server("low-confidence", 0.1, true)}},
		{name: "counter reset", file: "reset.om",
			// A restart at minute 150: the counter starts again from 0.
			body: om(web("server", func(i int, c, m string) (string, string) {
				if i >= 150 {
					return fmt.Sprintf("%g", 6*float64(i-150)+3), m
				}
				return c, m
			})),
			checks: []check{finding("usage-reset", "1 CPU counter reset"), server("low-confidence", 0.1, true)}},
		{name: "NaN and negative samples", file: "nan.om",
			body: om(web("server", func(i int, c, m string) (string, string) {
				if i%50 == 7 {
					return "NaN", "-1"
				}
				return c, m
			})),
			checks: []check{finding("usage-invalid", "12 sample(s) skipped"), server("low-confidence", 0.1, true)}},
		{name: "too little data", file: "short.om",
			body:   om(web("server", nil))[:strings.Index(om(web("server", nil)), `} 360 1700003600`)] + "} 360 1700003600\n# EOF\n",
			checks: []check{finding("usage", "container server", "too little data"), server("too-little-data", 0.1, false)}},
		{name: "malformed text", file: "bad.om", body: "container_memory_working_set_bytes{pod=\"web-7d9f8b6c5d-x7k2p\",container=\"server\"} 12MB 1700000000\n",
			err: []string{"bad.om:1:", `value "12MB": not a number`}},
		{name: "truncated JSON", file: "cut.json", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"container_memory_working_set_bytes"`,
			err: []string{"cut.json: answer 1: not a Prometheus query_range JSON answer"}},
		{name: "JSON of an expression", file: "rate.json", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"web-7d9f8b6c5d-x7k2p","container":"server"},"values":[[1700000000,"0.1"]]}]}}`,
			err: []string{"rate.json: answer 1, result 0: no __name__ label"}},
		{name: "missing file", from: filepath.Join(dir, "nope.om"), err: []string{filepath.Join(dir, "nope.om"), "no such file"}},
		{name: "prometheus refuses connections", from: refused, args: window, err: []string{"prometheus " + refused, "connection refused"}},
		{name: "prometheus answers 500", from: failing.URL, args: window, err: []string{"prometheus " + failing.URL, "server error: 500", "storage is broken"}},
		{name: "prometheus does not answer", from: silent.URL, args: append([]string{"--prometheus-timeout", "300ms"}, window...),
			err: []string{"prometheus " + silent.URL, "no answer within 300ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from
			if tc.file != "" {
				from = filepath.Join(dir, tc.file)
				if err := os.WriteFile(from, []byte(tc.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errs := runCLI(append([]string{"recommend", app, "--usage-from", from, "-o", "json"}, tc.args...)...)
			if tc.err != nil {
				if code != ExitError || out != "" {
					t.Errorf("exit %d, %d bytes on stdout; want exit %d and nothing", code, len(out), ExitError)
				}
				for _, w := range tc.err {
					if !strings.Contains(errs, w) {
						t.Errorf("stderr %q, want %q", errs, w)
					}
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r badReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.checks {
				c(t, r, from)
			}
		})
	}
}
