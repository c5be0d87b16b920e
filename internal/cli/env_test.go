package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --env supplies a flag's default; the command line wins; env list shows it.
func TestEnvironments(t *testing.T) {
	dir := t.TempDir()
	app, err := os.ReadFile("../../examples/shop/shop.yaml")
	if err != nil {
		matches, _ := filepath.Glob("../../examples/shop/*.yaml")
		if len(matches) == 0 {
			t.Fatal(err)
		}
		app, _ = os.ReadFile(matches[0])
	}
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), app, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "environments:\n  edge:\n    target: edge-4cpu-4gi\n  free:\n    target: okteto-free\n    output: json\n"
	if err := os.WriteFile(filepath.Join(dir, "rightsize.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	Run([]string{"analyze", dir, "--env", "free"}, nil, &out, &errb)
	if !strings.Contains(out.String(), `"target": "okteto-free"`) {
		t.Errorf("analyze --env free: want JSON for okteto-free, got:\n%s%s", out.String(), errb.String())
	}
	out.Reset()
	Run([]string{"analyze", dir, "--env", "free", "-o", "text", "--target", "sandbox"}, nil, &out, &errb)
	if strings.Contains(out.String(), `"target"`) || !strings.Contains(out.String(), "sandbox") {
		t.Errorf("flags given must win over the environment:\n%s", out.String())
	}
	out.Reset()
	if code := Run([]string{"env", "list", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("env list: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "free") || !strings.Contains(out.String(), "okteto-free") || !strings.Contains(out.String(), "output=json") {
		t.Errorf("env list:\n%s", out.String())
	}
	errb.Reset()
	if code := Run([]string{"analyze", dir, "--env", "nope"}, nil, &out, &errb); code != ExitUsage || !strings.Contains(errb.String(), "edge, free") {
		t.Errorf("unknown environment: exit %d, %s", code, errb.String())
	}
}

func TestCompletesTargets(t *testing.T) {
	var out bytes.Buffer
	Run([]string{"__complete", "analyze", "x", "--target", ""}, nil, &out, &bytes.Buffer{})
	for _, want := range []string{"okteto-free", "sandbox", "cluster:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("completion of --target lacks %q:\n%s", want, out.String())
		}
	}
}
