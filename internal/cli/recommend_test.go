package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	// fit --usage-from into okteto-free fits.
	if code, _, errs = runCLI("fit", app, "--usage-from", rec, "-t", "okteto-free", "-o", "yaml"); code != 0 {
		t.Errorf("fit --usage-from: exit %d %s", code, errs)
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
