package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/report/schematest"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

const fitApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        env: [{name: DB, value: "db.shop.svc.cluster.local:5432"}]
        resources: {requests: {cpu: "2", memory: 1Gi}, limits: {cpu: "4", memory: 2Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
`

func TestFitCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "app.yaml"), []byte(fitApp), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "report.json")

	code, stdout, stderr := runCLI("fit", in, "--target", "sandbox", "--out", out, "--report", report, "--report-format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	files, _ := os.ReadDir(out)
	if len(files) != 2 || files[0].Name() != "0001-deployment-web.yaml" {
		t.Errorf("output files = %v", files)
	}
	var rep struct {
		Fits    bool
		Changes []struct {
			Object                       struct{ Group, Kind, Name string }
			Field, Before, After, Reason string
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if err := schematest.Validate(data); err != nil {
		t.Errorf("report does not match docs/report.schema.json: %v", err)
	}
	if !rep.Fits || len(rep.Changes) == 0 {
		t.Errorf("report = %s", data)
	}
	for _, c := range rep.Changes {
		web := c.Object.Group == "apps" && c.Object.Kind == "Deployment" && c.Object.Name == "web"
		db := c.Object.Group == "" && c.Object.Kind == "Service" && c.Object.Name == "db"
		if !web && !db {
			t.Errorf("change names %+v, want the key of Deployment web (group apps) or Service db", c.Object)
		}
	}
	// The output fits.
	if code, stdout, _ := runCLI("analyze", out, "--target", "sandbox"); code != 0 {
		t.Errorf("analyze of the output: exit %d\n%s", code, stdout)
	}
	// A second fit into the non-empty directory needs --force.
	if code, _, stderr := runCLI("fit", in, "--target", "sandbox", "--out", out); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("non-empty --out: exit %d, %s", code, stderr)
	}
	// Never into the input directory.
	if code, _, stderr := runCLI("fit", in, "--out", filepath.Join(in, "x")); code != 1 || !strings.Contains(stderr, "input") {
		t.Errorf("--out inside the input: exit %d, %s", code, stderr)
	}
	// Streams are byte-identical run to run.
	_, a, _ := runCLI("fit", in, "--target", "sandbox", "-o", "json")
	_, b, _ := runCLI("fit", in, "--target", "sandbox", "-o", "json")
	if a != b || !strings.Contains(a, `"kind": "Deployment"`) {
		t.Errorf("json streams differ or lack the Deployment:\n%s", a)
	}
	// Nothing allowed fits: exit 3 and the binding key.
	code, stdout, _ = runCLI("fit", in, "--target", "sandbox", "--allow", "namespaces")
	if code != 3 || !strings.Contains(stdout, "requests.cpu") {
		t.Errorf("no fit: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI("fit", in, "--allow", "everything"); code != 2 {
		t.Errorf("bad --allow: exit %d, want 2", code)
	}
}
