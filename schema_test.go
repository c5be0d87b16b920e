package rightsize_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/report/schematest"
)

// scopedTarget has quotas that share keys across scopes, as a namespace
// with a quota per QoS class and priority does.
const scopedTarget = `apiVersion: v1
kind: ResourceQuota
metadata: {name: long-running}
spec:
  scopes: [NotTerminating, NotBestEffort]
  hard: {pods: "10", requests.cpu: "2", limits.memory: 4Gi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: batch}
spec:
  scopes: [Terminating]
  hard: {pods: "3", requests.cpu: "1"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec:
  scopes: [BestEffort]
  hard: {pods: "2"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: high}
spec:
  scopeSelector:
    matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]
  hard: {pods: "1", requests.cpu: 500m}
`

func writeJSON(t *testing.T, r *rightsize.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := rightsize.WriteReport(&b, "json", r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Every command's JSON validates against docs/report.schema.json, on the
// example, on every corpus app in Kubernetes form and on a target with
// scoped quotas.
func TestReportsMatchSchema(t *testing.T) {
	ctx := context.Background()
	scoped := filepath.Join(t.TempDir(), "scoped.yaml")
	if err := os.WriteFile(scoped, []byte(scopedTarget), 0o644); err != nil {
		t.Fatal(err)
	}
	apps := []string{"examples/shop"}
	const corpus = "../shared/corpus"
	for _, a := range []string{"bookinfo", "guestbook", "online-boutique", "openshift-django-psql-persistent"} {
		if _, err := os.Stat(filepath.Join(corpus, a)); err == nil {
			apps = append(apps, filepath.Join(corpus, a))
		}
	}
	if len(apps) == 1 {
		t.Logf("corpus not found at %s: checking the example only", corpus)
	}
	targets := []string{scoped}
	for _, p := range rightsize.Plans() {
		targets = append(targets, p.Name)
	}
	for _, path := range apps {
		app, err := rightsize.LoadApp(ctx, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		conv, err := rightsize.Convert(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		if err := schematest.Validate(writeJSON(t, conv)); err != nil {
			t.Errorf("convert %s: %v", path, err)
		}
		for _, tn := range targets {
			tg, err := rightsize.LoadTarget(ctx, tn)
			if err != nil {
				t.Fatal(err)
			}
			a, err := rightsize.Analyze(ctx, app, tg)
			if err != nil {
				t.Fatal(err)
			}
			if err := schematest.Validate(writeJSON(t, a)); err != nil {
				t.Errorf("analyze %s %s: %v", path, tn, err)
			}
			f, err := rightsize.Fit(ctx, app, tg)
			if err != nil {
				t.Fatal(err)
			}
			if err := schematest.Validate(writeJSON(t, f.Report)); err != nil {
				t.Errorf("fit %s %s: %v", path, tn, err)
			}
		}
	}
}

// The schema is strict enough to catch a report of another shape.
func TestSchemaRefuses(t *testing.T) {
	ctx := context.Background()
	app, _ := rightsize.LoadApp(ctx, []string{"examples/shop"})
	tg, _ := rightsize.LoadTarget(ctx, "sandbox")
	r, err := rightsize.Analyze(ctx, app, tg)
	if err != nil {
		t.Fatal(err)
	}
	good := string(writeJSON(t, r))
	if err := schematest.Validate([]byte(good)); err != nil {
		t.Fatalf("the report itself: %v", err)
	}
	for name, edit := range map[string][2]string{
		"old quota map only": {`"quotas": [`, `"quotaz": [`},
		"bad quantity":       {`"hard": "1750m"`, `"hard": "1.75 cores"`},
		"object as a string": {`"object": {`, `"object": "Deployment/frontend", "x": {`},
		"unknown severity":   {`"severity": "error"`, `"severity": "fatal"`},
	} {
		bad := strings.Replace(good, edit[0], edit[1], 1)
		if bad == good {
			t.Fatalf("%s: %q not in the report", name, edit[0])
		}
		if err := schematest.Validate([]byte(bad)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}
