package load

import (
	"os"
	"path/filepath"
	"strings"
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

// TestLoadTakesDetectedFormats: a format the caller detected already is
// used as it is (the file is not read again to detect it), and only for its
// path; a smaller input limit than Detect's detects again, under the limit.
func TestLoadTakesDetectedFormats(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(app, []byte("services:\n  web:\n    image: nginx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load([]string{app}, Options{})
	if err != nil || len(got.Objects) == 0 {
		t.Fatalf("detected as Compose: %d objects, %v", len(got.Objects), err)
	}
	_, err = Load([]string{app}, Options{Detected: map[string]string{app: "kubernetes"}})
	if err == nil || !strings.Contains(err.Error(), "holds no Kubernetes manifests") {
		t.Errorf("told Kubernetes: error %v, want the Kubernetes loader's", err)
	}
	got, err = Load([]string{app}, Options{Detected: map[string]string{"other.yaml": "kubernetes"}})
	if err != nil || len(got.Objects) == 0 {
		t.Errorf("told about another path: %d objects, %v", len(got.Objects), err)
	}
	opts := Options{Detected: map[string]string{app: "kubernetes"}}
	opts.Limits.Input = 10
	if _, err := Load([]string{app}, opts); err == nil || strings.Contains(err.Error(), "holds no Kubernetes manifests") {
		t.Errorf("under a 10-byte limit: error %v, want the limit's", err)
	}
}
