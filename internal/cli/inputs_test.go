package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// Every file a flag names is an input: --out --force and --report must not
// replace or truncate it, by its path or through a hard link.
func TestOutputsSpareEveryInput(t *testing.T) {
	app := writeCompose(t, convertCompose)
	root := t.TempDir()
	files := map[string]string{
		"target.yaml": "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: \"10\"}}\n",
		"values.yaml": "a: 1\n",
		"usage.yaml":  "{}\n",
		"env":         "X=1\n",
		"params":      "A=1\n",
		"answers.txt": "a=1\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(root, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := func(n string) string { return filepath.Join(root, n) }
	hard := filepath.Join(t.TempDir(), "hard.txt")
	if err := os.Link(p("values.yaml"), hard); err != nil {
		t.Fatal(err)
	}
	refused(t, files, p, map[string][]string{
		"fit --out holds target":      {"fit", app, "-t", p("target.yaml"), "--out", root, "--force"},
		"fit --report is target":      {"fit", app, "-t", p("target.yaml"), "--report", p("target.yaml")},
		"fit --report is usage":       {"fit", app, "--usage-from", p("usage.yaml"), "--report", p("usage.yaml")},
		"recommend --out holds usage": {"recommend", app, "--usage-from", p("usage.yaml"), "--out", root, "--force"},
		"convert --out holds values":  {"convert", app, "-f", p("values.yaml"), "--out", root, "--force"},
		"convert --report is values":  {"convert", app, "-f", p("values.yaml"), "--report", p("values.yaml")},
		"convert --report hard link":  {"convert", app, "-f", p("values.yaml"), "--report", hard},
		"convert --report env file":   {"convert", app, "--env-file", p("env"), "--report", p("env")},
		"convert --report param file": {"convert", app, "--param-file", p("params"), "--report", p("params")},
		"convert --report answers":    {"convert", app, "--answers", p("answers.txt"), "--report", p("answers.txt")},
		"convert --report in --out":   {"convert", app, "--out", p("o"), "--report", filepath.Join(p("o"), "r.txt")},
	})
}

// Files a loader reads besides the paths given (a Compose env_file in
// another directory, a kustomization's base) are inputs too.
func TestOutputsSpareReferencedFiles(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"shared/web.env":             "GREETING=hello\n",
		"base/kustomization.yaml":    "resources: [cm.yaml]\n",
		"base/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"overlay/kustomization.yaml": "resources: [../base]\n",
		"app/compose.yaml":           "services:\n  web:\n    image: nginx\n    env_file: ../shared/web.env\n",
	}
	p := func(n string) string { return filepath.Join(root, n) }
	for n, c := range files {
		if err := os.MkdirAll(filepath.Dir(p(n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	refused(t, files, p, map[string][]string{
		"convert --out holds env_file":  {"convert", p("app"), "--out", p("shared"), "--force"},
		"convert --report is env_file":  {"convert", p("app"), "--report", p("shared/web.env")},
		"fit --out holds env_file":      {"fit", p("app"), "--out", p("shared"), "--force"},
		"convert --out holds base":      {"convert", p("overlay"), "--out", p("base"), "--force"},
		"convert --report is base file": {"convert", p("overlay"), "--report", p("base/cm.yaml")},
	})
}

// refused runs each command, wants it refused and every file unchanged.
func refused(t *testing.T, files map[string]string, p func(string) string, cmds map[string][]string) {
	t.Helper()
	for name, args := range cmds {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCLI(args...)
			if code == 0 {
				t.Errorf("accepted: %s", stderr)
			}
			for n, c := range files {
				if b, err := os.ReadFile(p(n)); err != nil || string(b) != c {
					t.Fatalf("input %s destroyed (%v): %q", n, err, b)
				}
			}
		})
	}
}
