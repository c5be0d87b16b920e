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
	for name, args := range map[string][]string{
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
	} {
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
