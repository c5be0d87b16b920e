package load

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string // relative path -> content
		path  string            // what to detect, relative to the temp dir
		want  string
	}{
		{"chart dir", map[string]string{"c/Chart.yaml": "name: c\n"}, "c", "helm"},
		{"chart archive", map[string]string{"c-1.0.0.tgz": ""}, "c-1.0.0.tgz", "helm"},
		{"kustomization", map[string]string{"k/kustomization.yml": "resources: []\n"}, "k", "kustomize"},
		{"rancher version folder", map[string]string{"r/0/rancher-compose.yml": "{}\n", "r/0/docker-compose.yml": "{}\n"}, "r/0", "rancher"},
		{"rancher template folder", map[string]string{"r/config.yml": "version: 1\n", "r/0/rancher-compose.yml": "{}\n"}, "r", "rancher"},
		{"compose dir", map[string]string{"d/docker-compose.yml": "services: {}\n"}, "d", "compose"},
		{"compose by content", map[string]string{"app.yml": "services:\n  web: {image: nginx}\n"}, "app.yml", "compose"},
		{"compose version 1", map[string]string{"v1.yml": "web:\n  image: nginx\ndb:\n  build: .\n"}, "v1.yml", "compose"},
		{"vamp file", map[string]string{"bp.yml": "---\nname: x\nclusters:\n  a: {}\n"}, "bp.yml", "vamp"},
		{"vamp dir", map[string]string{"v/bp.yaml": "name: x\nclusters: {}\n"}, "v", "vamp"},
		{"kubernetes manifest", map[string]string{"m.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"}, "m.yaml", "kubernetes"},
		{"kubernetes dir", map[string]string{"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}, "k8s", "kubernetes"},
		{"a mapping that is no compose service", map[string]string{"x.yaml": "foo:\n  bar: 1\n"}, "x.yaml", "kubernetes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range c.files {
				full := filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Detect(filepath.Join(dir, c.path))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Detect(%s) = %q, want %q", c.path, got, c.want)
			}
		})
	}
	if _, err := Detect(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("Detect of a missing path: no error")
	}
}
