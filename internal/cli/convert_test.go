package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/report/schematest"
)

const convertCompose = `services:
  web:
    image: nginx:1.25
    ports: ["8080:80"]
    environment:
      DB_HOST: db
    deploy:
      resources:
        limits: {memory: 256M}
  db:
    image: postgres:15
    volumes: ["data:/var/lib/postgresql/data"]
volumes:
  data: {}
`

func writeCompose(t *testing.T, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestConvertCommand(t *testing.T) {
	in := writeCompose(t, convertCompose)
	code, stdout, stderr := runCLI("convert", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"kind: Deployment", "name: web", "memory: 256Mi", "kind: PersistentVolumeClaim", "clusterIP: None"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("manifests lack %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"rightsize convert", "compose: 2 Deployment", "db -> Service/db", "named volume data becomes a claim"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("report on stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "findings") {
		t.Error("the report leaked onto standard output")
	}
	// Same input, same bytes.
	_, again, _ := runCLI("convert", in)
	if again != stdout {
		t.Error("output differs between two runs")
	}
}

func TestConvertOutDirAndJSONReport(t *testing.T) {
	in := writeCompose(t, convertCompose)
	dir := t.TempDir()
	out, report := filepath.Join(dir, "out"), filepath.Join(dir, "report.json")
	code, stdout, stderr := runCLI("convert", in, "--out", out, "--report", report, "--report-format", "json", "-o", "json", "--statefulset", "db")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" || stderr != "" {
		t.Errorf("nothing should be printed with --out and --report: %q %q", stdout, stderr)
	}
	files, _ := os.ReadDir(out)
	var fnames []string
	for _, f := range files {
		fnames = append(fnames, f.Name())
	}
	if !strings.Contains(strings.Join(fnames, " "), "statefulset-db.json") {
		t.Errorf("files = %v, want a StatefulSet for db (--statefulset)", fnames)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Objects []any
		Names   []struct{ Host, Resolves string }
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	if err := schematest.Validate(data); err != nil {
		t.Errorf("report does not match docs/report.schema.json: %v", err)
	}
	if len(r.Objects) != len(files) {
		t.Errorf("report lists %d objects, %d files written", len(r.Objects), len(files))
	}
	resolved := false
	for _, n := range r.Names {
		resolved = resolved || (n.Host == "db" && n.Resolves != "")
	}
	if !resolved {
		t.Errorf("report names = %+v, want db resolved", r.Names)
	}
	// A non-empty --out needs --force.
	if code, _, stderr := runCLI("convert", in, "--out", out); code != ExitError || !strings.Contains(stderr, "--force") {
		t.Errorf("non-empty --out: exit %d, %s", code, stderr)
	}
}

func TestConvertErrors(t *testing.T) {
	in := writeCompose(t, "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: lots\n")
	code, stdout, stderr := runCLI("convert", in)
	if code != ExitError || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "compose.yaml") || !strings.Contains(stderr, "services.web.deploy.resources.limits.memory") {
		t.Errorf("error %q does not name the file and the field", stderr)
	}
	if code, _, _ := runCLI("convert", in, "-o", "toml"); code != ExitUsage {
		t.Errorf("-o toml: exit %d, want %d", code, ExitUsage)
	}
	if code, _, stderr := runCLI("convert", in, "--format", "vamp"); code != ExitError || !strings.Contains(stderr, "clusters") {
		t.Errorf("--format vamp on a compose file: exit %d, %s", code, stderr)
	}
}
