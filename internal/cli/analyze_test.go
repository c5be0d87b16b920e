package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzeExample(t *testing.T) {
	out, errs, code := run(t, "analyze", "../../examples/shop", "-o", "json")
	if code != ExitNoFit {
		t.Fatalf("exit %d, want 3 (the example does not fit the default target): %s", code, errs)
	}
	var rep struct {
		Fits   bool
		Target string
		Quota  map[string]struct{ Requested, Hard string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Target != "sandbox" || rep.Fits {
		t.Errorf("target %q fits %v", rep.Target, rep.Fits)
	}
	if q := rep.Quota["requests.cpu"]; q.Requested != "2800m" || q.Hard != "1750m" {
		t.Errorf("requests.cpu = %+v, want 2800m of 1750m", q)
	}
	// Same input, same bytes.
	again, _, _ := run(t, "analyze", "../../examples/shop", "-o", "json")
	if again != out {
		t.Error("two runs differ")
	}
	text, _, _ := run(t, "analyze", "../../examples/shop")
	for _, want := range []string{"requests.cpu", "2800m", "does NOT fit", "Deployment/frontend"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	fits, _, code := run(t, "analyze", "../../examples/shop", "--target", "edge-4cpu-4gi")
	if code != ExitOK {
		t.Errorf("edge target: exit %d, want 0:\n%s", code, fits)
	}
}

func TestAnalyzeStdin(t *testing.T) {
	data, err := os.ReadFile("../../examples/shop/data.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Run([]string{"analyze", "-", "-o", "json"}, bytes.NewReader(data), &out, &errb)
	if code != ExitOK || !strings.Contains(out.String(), `"name": "db"`) {
		t.Errorf("exit %d, stderr %s, out %s", code, errb.String(), out.String())
	}
}

func TestAnalyzeErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "web.yaml")
	os.WriteFile(bad, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        resources: {limits: {memory: 2Gbb}}\n"), 0o644)
	dup := filepath.Join(dir, "dup")
	os.Mkdir(dup, 0o755)
	cm := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n")
	os.WriteFile(filepath.Join(dup, "a.yaml"), cm, 0o644)
	os.WriteFile(filepath.Join(dup, "b.yml"), cm, 0o644)
	os.WriteFile(filepath.Join(dup, "notes.txt"), []byte("not read"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"invalid quantity", []string{"analyze", bad}, ExitError, []string{"web.yaml (document 1)", "Deployment/web", "containers[0].resources.limits.memory", "2Gbb"}},
		{"duplicate objects", []string{"analyze", dup}, ExitError, []string{"b.yml", "duplicate object", "ConfigMap/same", "a.yaml"}},
		{"missing file", []string{"analyze", filepath.Join(dir, "nope.yaml")}, ExitError, []string{"nope.yaml"}},
		{"unknown target", []string{"analyze", "../../examples/shop", "--target", "nowhere"}, ExitError, []string{"nowhere", "sandbox"}},
		{"bad output", []string{"analyze", "../../examples/shop", "-o", "xml"}, ExitUsage, []string{"--output"}},
		{"unknown flag", []string{"analyze", "--frobnicate", "x"}, ExitUsage, []string{"frobnicate"}},
		{"no path", []string{"analyze"}, ExitUsage, []string{"arg"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errs)
			}
			if out != "" && tc.code != ExitOK {
				t.Errorf("partial output on stdout: %s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
		})
	}
}

func TestPlans(t *testing.T) {
	out, _, code := run(t, "plans")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"sandbox (default)", "requests.cpu=1750m", "okteto-free", "pods=10", "openshift-starter-2018", "edge-4cpu-4gi", "node edge: cpu=4 memory=4Gi"} {
		if !strings.Contains(out, want) {
			t.Errorf("plans lacks %q:\n%s", want, out)
		}
	}
}
