package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFitKustomizeOverlay writes the example shop as an overlay: the
// kustomization names the example's files by relative path and patches
// the Deployments fit scaled, and nothing goes to standard output but the
// report.
func TestFitKustomizeOverlay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "overlay")
	code, out, errs := runCLI("fit", "../../examples/shop", "--target", "sandbox", "--out", dir, "--out-format", "kustomize")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "the rewritten application fits") {
		t.Errorf("report not on standard output:\n%s", out)
	}
	k, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../../examples/shop/api.yaml")
	rel, _ := filepath.Rel(dir, abs)
	for _, want := range []string{"- " + filepath.ToSlash(rel) + "\n", "- path: patches/0001-deployment-api.yaml\n"} {
		if !strings.Contains(string(k), want) {
			t.Errorf("kustomization.yaml lacks %q:\n%s", want, k)
		}
	}
	if strings.Index(string(k), "resources:") > strings.Index(string(k), "patches:") {
		t.Errorf("patches before resources:\n%s", k)
	}
	if _, err := os.Stat(filepath.Join(dir, "base")); err == nil {
		t.Errorf("Kubernetes inputs copied under base/")
	}
}

func TestFitOutFormatNeedsOut(t *testing.T) {
	code, _, errs := runCLI("fit", "../../examples/shop", "--out-format", "kustomize")
	if code != ExitUsage || !strings.Contains(errs, "--out-format kustomize needs --out DIR") {
		t.Errorf("exit %d, %s; want usage error", code, errs)
	}
	code, _, errs = runCLI("fit", "../../examples/shop", "--out", t.TempDir()+"/x", "--out-format", "helm")
	if code != ExitUsage || !strings.Contains(errs, `--out-format "helm"`) {
		t.Errorf("exit %d, %s; want usage error", code, errs)
	}
}

// TestFitDiffNoHeadroom: without room for rollouts the shop's CPU keeps
// 0.625 of its size.
func TestFitDiffNoHeadroom(t *testing.T) {
	code, out, errs := runCLI("fit", "../../examples/shop", "--target", "sandbox", "--diff", "--rollout", "ignore")
	if code != 0 || !strings.Contains(out, "-            cpu: 250m\n+            cpu: 156m\n") {
		t.Errorf("exit %d, %s; want cpu 250m -> 156m in:\n%s", code, errs, out)
	}
}

// TestFitDiff: --diff writes kubectl-diff style hunks to standard output
// (no manifests, no colour on a pipe) and the report to standard error.
func TestFitDiff(t *testing.T) {
	code, out, errs := runCLI("fit", "../../examples/shop", "--target", "sandbox", "--diff")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "diff -u -N before/apps.v1.Deployment.api after/apps.v1.Deployment.api\n") {
		t.Errorf("diff lacks the api Deployment's header:\n%s", out)
	}
	// requests.cpu binds: the api container's 250m request is scaled down.
	if !regexp.MustCompile(`\n-            cpu: 250m\n\+            cpu: \d+m\n`).MatchString(out) {
		t.Errorf("diff lacks the scaled CPU request:\n%s", out)
	}
	if strings.HasPrefix(out, "apiVersion") || strings.Contains(out, "\x1b[") {
		t.Errorf("manifests or colour on standard output:\n%s", out)
	}
	if !strings.Contains(errs, "the rewritten application fits") {
		t.Errorf("report not on standard error:\n%s", errs)
	}
}
