package usage

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needPrometheus returns the paths of prometheus and promtool, installing
// Debian's package through .ci/setup when they are missing; it skips only
// when they cannot be installed (not root, no apt-get).
func needPrometheus(t *testing.T) (string, string) {
	t.Helper()
	find := func() (string, string, bool) {
		p, err1 := exec.LookPath("prometheus")
		pt, err2 := exec.LookPath("promtool")
		return p, pt, err1 == nil && err2 == nil
	}
	if p, pt, ok := find(); ok {
		return p, pt
	}
	out, err := exec.Command("sh", "../../.ci/setup").CombinedOutput()
	if p, pt, ok := find(); ok {
		return p, pt
	}
	t.Skipf("prometheus/promtool missing and not installable here (%v): %s", err, out)
	return "", ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPrometheus loads the recording into a TSDB with promtool and serves
// it on a free port until the test ends.
func startPrometheus(t *testing.T, recording string) string {
	t.Helper()
	prom, promtool := needPrometheus(t)
	dir := t.TempDir()
	tsdb := filepath.Join(dir, "tsdb")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", recording, tsdb).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1h\nscrape_configs: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prom, "--config.file="+cfg, "--storage.tsdb.path="+tsdb, "--storage.tsdb.retention.time=100y",
		"--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
	})
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("prometheus not ready after 60 s: %v\n%s", err, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The same recording read from the file and from a real Prometheus loaded
// with it gives the same samples: same counts per series, equal values.
func TestPrometheusMatchesFile(t *testing.T) {
	path := boutiqueFile(t)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	url := startPrometheus(t, abs)
	fromFile := map[string][]Sample{}
	if _, err := ReadFile(path, Options{}, collect(fromFile)); err != nil {
		t.Fatal(err)
	}
	fromProm := map[string][]Sample{}
	progress := 0
	opts := Options{Namespace: "online-boutique", Since: time.Date(2022, 8, 22, 8, 0, 0, 0, time.UTC), Until: time.Date(2022, 8, 24, 0, 0, 0, 0, time.UTC),
		Progress: func(done, total int, _ string) { progress = done }}
	sum, err := ReadPrometheus(context.Background(), PrometheusConfig{URL: url}, opts, collect(fromProm))
	if err != nil {
		t.Fatal(err)
	}
	if progress == 0 {
		t.Error("no progress reported")
	}
	if sum.Series != 22 || sum.Gaps != 9 {
		t.Errorf("prometheus: %d series, %d gaps; want 22 and 9 as from the file", sum.Series, sum.Gaps)
	}
	if len(fromProm) != len(fromFile) {
		t.Fatalf("prometheus gave %d series, the file %d", len(fromProm), len(fromFile))
	}
	for k, want := range fromFile {
		got := fromProm[k]
		if len(got) != len(want) {
			t.Errorf("%s: %d samples from prometheus, %d from the file", k, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i].T != want[i].T || math.Abs(got[i].V-want[i].V) > 1e-9*math.Max(1, math.Abs(want[i].V)) {
				t.Errorf("%s sample %d: prometheus %d %v, file %d %v", k, i, got[i].T, got[i].V, want[i].T, want[i].V)
				break
			}
		}
	}
}

func TestPrometheusErrors(t *testing.T) {
	// Nothing listens: the error names the server.
	url := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	_, err := ReadPrometheus(context.Background(), PrometheusConfig{URL: url, Timeout: 5 * time.Second}, Options{Window: time.Hour}, func(Sample) {})
	if err == nil || !strings.Contains(err.Error(), url) {
		t.Errorf("no server: %v", err)
	}
	// A server that answers 500, and one that checks the bearer token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, `{"status":"error","errorType":"unauthorized","error":"no token"}`, http.StatusUnauthorized)
			return
		}
		http.Error(w, `{"status":"error","errorType":"internal","error":"boom"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	_, err = ReadPrometheus(context.Background(), PrometheusConfig{URL: srv.URL}, Options{Window: time.Hour}, func(Sample) {})
	if err == nil || !strings.Contains(err.Error(), "401") && !strings.Contains(err.Error(), "no token") {
		t.Errorf("without token: %v", err)
	}
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadPrometheus(context.Background(), PrometheusConfig{URL: srv.URL, BearerTokenFile: tok}, Options{Window: time.Hour}, func(Sample) {})
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("with token: %v, want the status and the server named", err)
	}
}
