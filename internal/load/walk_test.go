package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var nestedApps = map[string]string{
	"chart/Chart.yaml":                 "apiVersion: v2\nname: c\nversion: 0.1.0\n",
	"chart/templates/deployment.yaml":  "{{ if .Values.x }}\nkind: Deployment\n{{ end }}\n",
	"kust/kustomization.yaml":          "resources:\n- cm.yaml\n",
	"kust/cm.yaml":                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-kustomize\n",
	"dev/stack.yml":                    "services:\n  web:\n    image: nginx\n",
	"compose/docker-compose.yml":       "services:\n  db:\n    image: postgres\n",
	"compose/override/not-walked.yaml": "kind: [broken\n",
}

// A folder above the applications (a repository's root) names what it
// holds and where, instead of failing on the first file that is not a
// manifest.
func TestNestedAppsOnly(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, nestedApps)
	_, err := Load([]string{root}, Options{})
	if err == nil {
		t.Fatal("a folder with no manifests loaded")
	}
	for _, want := range []string{"holds no Kubernetes manifests", "4 applications",
		filepath.Join(root, "chart") + " (a Helm chart)", filepath.Join(root, "kust") + " (a kustomization)",
		filepath.Join(root, "compose") + " (a Compose file)", filepath.Join(root, "dev", "stack.yml") + " (a Compose file)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// Manifests beside nested applications load; each nested one is a warning
// naming it, and none of its files is read as a manifest.
func TestNestedAppsBesideManifests(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, nestedApps)
	writeFiles(t, root, map[string]string{"k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"})
	app, err := Load([]string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Objects) != 1 || app.Objects[0].Key().Name != "plain" {
		t.Fatalf("loaded %d objects, want only ConfigMap/plain", len(app.Objects))
	}
	skipped := 0
	for _, f := range app.Findings {
		if f.Key == "input" && strings.Contains(f.Message, "skipped: not Kubernetes manifests") {
			skipped++
		}
	}
	if skipped != 4 {
		t.Errorf("%d nested applications reported as skipped, want 4: %v", skipped, app.Findings)
	}
}

// One nested application: the error gives its path to use.
func TestNestedAppOne(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"charts/web/Chart.yaml": nestedApps["chart/Chart.yaml"]})
	_, err := Load([]string{root}, Options{})
	want := "but a Helm chart at " + filepath.Join(root, "charts", "web") + ": give that as the path"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want it to say %q", err, want)
	}
}
