package rancher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// entry writes a one-version catalog entry and returns its folder.
func entry(t *testing.T, rancherCompose, compose, composeName string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "templates", "app", "0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, c := range map[string]string{"rancher-compose.yml": rancherCompose, composeName: compose} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const webCompose = "version: '2'\nservices:\n  web:\n    image: nginx\n"

func TestQuestionsKeepYAML11BooleanNames(t *testing.T) {
	rc := `version: '2'
catalog:
  name: app
  version: 1.0.0
  questions:
  - variable: n
    type: int
    default: 1
  - variable: "on"
    type: string
    default: x
services:
  web:
    scale: ${n}
`
	dir := entry(t, rc, webCompose, "docker-compose.yml")
	objs, _, err := Load(dir, Options{Set: []string{"n=4", "on=y"}})
	if err != nil {
		t.Fatal(err)
	}
	web := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
	if web == nil || *web.Spec.Replicas != 4 {
		t.Fatalf("the question named n was not answered by name: %v", web)
	}
}

func TestPasswordNeverShown(t *testing.T) {
	rc := `version: '2'
catalog:
  name: app
  version: 1.0.0
  questions:
  - variable: admin_pw
    type: password
    default: hunter2-very-secret
  - variable: DB_PASSWORD
    type: int
services:
  web: {}
`
	dir := entry(t, rc, webCompose, "docker-compose.yml")
	_, findings, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if strings.Contains(f.Message, "hunter2") {
			t.Errorf("a password default is in a finding: %s", f.Message)
		}
	}
	_, _, err = Load(dir, Options{Set: []string{"DB_PASSWORD=letmein-secret"}})
	if err == nil || strings.Contains(err.Error(), "letmein") {
		t.Errorf("a secret answer of the wrong type: err = %v (must fail without the value)", err)
	}
}

func TestScaleOverflowRefused(t *testing.T) {
	for _, scale := range []string{"4294967296", "4294967295", "-1", "1e300", "2147483648"} {
		rc := "version: '2'\nservices:\n  web:\n    scale: " + scale + "\n"
		dir := entry(t, rc, webCompose, "docker-compose.yml")
		objs, _, err := Load(dir, Options{})
		if err == nil {
			web := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
			t.Errorf("scale %s accepted: replicas %d", scale, *web.Spec.Replicas)
			continue
		}
		if !strings.Contains(err.Error(), "services.web.scale") {
			t.Errorf("scale %s: error does not name the field: %v", scale, err)
		}
	}
}

func TestTemplateExpansionBounded(t *testing.T) {
	for _, tpl := range []string{
		`{{ repeat 300000000 "x" }}`,
		`{{ "x" | repeat 300000000 }}`,
		`{{ range until 100000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}`,
		`{{ range until 1000000 }}{{ repeat 1000 "x" }}{{ end }}`,
		`{{ indent 300000000 "x" }}`,
	} {
		dir := entry(t, "version: '2'\n", webCompose+"# "+tpl+"\n", "docker-compose.yml.tpl")
		start := time.Now()
		_, _, err := Load(dir, Options{})
		if err == nil || !strings.Contains(err.Error(), "expansion") {
			t.Errorf("%s: err = %v, want the expansion limit", tpl, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %s", tpl, d)
		}
	}
}
