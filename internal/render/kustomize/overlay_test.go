package kustomize

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/target"
)

const corpusDir = "../../../../shared/corpus"

// corpusApps is every app of the corpus, Kubernetes and converted.
var corpusApps = []struct {
	path string
	opts load.Options
	// files are inputs the overlay must name instead of copying.
	files []string
}{
	{path: "bookinfo", files: []string{"bookinfo/samples/bookinfo/platform/kube/bookinfo.yaml"}},
	{path: "guestbook"},
	{path: "online-boutique"},
	{path: "ros-k8s-icclab"},
	{path: "voting-app-k8s"},
	{path: "openshift-django-psql-persistent"},
	{path: "compose-elk/elasticsearch-logstash-kibana"},
	{path: "openfaas-swarm"},
	{path: "ros-compose/docker/docker-compose-network-self-contained.yml"},
	{path: "voting-app-compose"},
	{path: "rancher-prometheus", opts: load.Options{Answers: corpusDir + "/rancher-prometheus/answers.txt"}},
	{path: "rancher-sentry", opts: load.Options{Answers: corpusDir + "/rancher-sentry/answers.txt"}},
	{path: "rancher-wordpress", opts: load.Options{Answers: corpusDir + "/rancher-wordpress/answers.txt"}},
	{path: "vamp-http-dependency/recipes/http-deployment-dependency/deploy.yml"},
	{path: "helm-hello-world/charts/hello-world"},
	{path: "kustomize-wordpress/examples/wordpress"},
}

// normalize reads a YAML stream and returns it as canonical JSON documents
// sorted by identity, one per line: the same objects spelled differently
// (key order, quantity spelling, empty fields) come out the same.
func normalize(t *testing.T, objs []map[string]any) string {
	t.Helper()
	var lines []string
	for _, m := range objs {
		c, err := canon(m)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func splitStream(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// TestCorpusOverlay fits every corpus app to every built-in target and,
// where it fits, writes the overlay: kustomize build of it must equal fit's
// plain output after normalisation, every Kubernetes input file must be
// named by a relative path (not copied), and the non-Kubernetes inputs
// carried under base/.
func TestCorpusOverlay(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Skipf("corpus not found at %s (../shared/corpus beside the repository)", corpusDir)
	}
	overlays, patched := 0, 0
	for _, a := range corpusApps {
		for _, tg := range target.Builtins() {
			t.Run(a.path+"/"+tg.Name, func(t *testing.T) {
				in := filepath.Join(corpusDir, a.path)
				app, err := load.Load([]string{in}, a.opts)
				if err != nil {
					t.Fatal(err)
				}
				res, err := fit.Run(app, tg, fit.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Fits {
					t.Skipf("does not fit %s", tg.Name)
				}
				var plain bytes.Buffer
				if err := render.Stream(&plain, res.App.Objects, render.YAML); err != nil {
					t.Fatal(err)
				}
				dir := filepath.Join(t.TempDir(), "overlay")
				changes := reportChanges(app, res)
				if err := Write(context.Background(), dir, app.Objects, res.App.Objects, Options{Inputs: []string{in}, Changes: changes}); err != nil {
					t.Fatal(err)
				}
				built, err := Build(dir)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := normalize(t, built), normalize(t, splitStream(t, plain.Bytes())); got != want {
					t.Fatalf("kustomize build differs from fit's output:\n got %s\nwant %s", got, want)
				}
				k, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range a.files {
					abs, _ := filepath.Abs(filepath.Join(corpusDir, f))
					rel, _ := filepath.Rel(dir, abs)
					if !bytes.Contains(k, []byte("- "+filepath.ToSlash(rel)+"\n")) {
						t.Errorf("kustomization does not name %s:\n%s", rel, k)
					}
				}
				native := app.Objects[0].Source.Format == "kubernetes" || app.Objects[0].Source.Format == "kustomize"
				if _, err := os.Stat(filepath.Join(dir, "base")); native && err == nil {
					t.Errorf("Kubernetes input copied under base/:\n%s", k)
				} else if !native && err != nil {
					t.Errorf("converted input: no base/ (%v):\n%s", err, k)
				}
				overlays++
				if len(res.Changes) > 0 {
					patched++
				}
			})
		}
	}
	t.Logf("%d overlays built equal to fit's output, %d with changes", overlays, patched)
}

// TestOverlayShapes checks each kind of edit on a small app: a patch with
// its reason, a created object, a deleted one, and the input named by path.
func TestOverlayShapes(t *testing.T) {
	src := t.TempDir()
	file := filepath.Join(src, "app.yaml")
	if err := os.WriteFile(file, []byte(shapesApp), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := load.Load([]string{file}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tfile := filepath.Join(src, "target.yaml")
	if err := os.WriteFile(tfile, []byte(shapesTarget), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := target.Load(tfile)
	if err != nil {
		t.Fatal(err)
	}
	res, err := fit.Run(app, tg, fit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fits {
		t.Fatalf("test app should fit: %+v", res.Findings)
	}
	changes := reportChanges(app, res)
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(context.Background(), dir, app.Objects, res.App.Objects, Options{Inputs: []string{file}, Changes: changes}); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files[filepath.ToSlash(rel)] = read(t, p)
		}
		return nil
	})
	k := files["kustomization.yaml"]
	rel, _ := filepath.Rel(dir, file)
	for _, want := range []string{"- " + filepath.ToSlash(rel) + "\n", "- added/0001-deployment-api-merged.yaml\n", "- added/0002-ingress-web.yaml\n",
		"- path: patches/0001-service-web.yaml\n", "- path: patches/0002-delete-deployment-web.yaml\n", "- path: patches/0003-delete-deployment-api.yaml\n"} {
		if !strings.Contains(k, want) {
			t.Errorf("kustomization.yaml lacks %q:\n%s", want, k)
		}
	}
	if len(files) != 6 {
		t.Errorf("want 6 files (the input is not copied), have %d", len(files))
	}
	for name, want := range map[string][]string{
		"patches/0001-service-web.yaml": {"# Service/web spec.type: LoadBalancer -> ClusterIP (quota services.loadbalancers binds",
			"- op: replace\n  path: /spec/type\n  value: ClusterIP\n", "path: /spec/selector/rightsize.dev~1merged"},
		"patches/0002-delete-deployment-web.yaml": {"# Deployment/web (object): present -> merged into Deployment/api-merged", "$patch: delete\n", "name: web\n"},
		"added/0001-deployment-api-merged.yaml":   {"# Deployment/api-merged (object): (none) -> created from Deployment/api, Deployment/web"},
	} {
		for _, w := range want {
			if !strings.Contains(files[name], w) {
				t.Errorf("%s lacks %q:\n%s", name, w, files[name])
			}
		}
	}
	if strings.Contains(files["patches/0002-delete-deployment-web.yaml"], "resources.limits.memory") {
		t.Errorf("a deleted object's comment lists edits that no longer matter:\n%s", files["patches/0002-delete-deployment-web.yaml"])
	}
}

// reportChanges converts fit's changes as the report does (both key
// objects by model.Key).
func reportChanges(app *model.App, res *fit.Result) []report.Change {
	var out []report.Change
	for _, c := range res.Changes {
		out = append(out, report.Change{Object: c.Object, Field: c.Field, Before: c.Before, After: c.After, Reason: c.Reason})
	}
	return out
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const shapesTarget = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
spec:
  hard:
    pods: "1"
    limits.memory: 2Gi
    services.loadbalancers: "0"
`

const shapesApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
        resources:
          requests: {cpu: 2, memory: 6Gi}
          limits: {cpu: 3, memory: 6Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api
        ports:
        - containerPort: 8080
        resources:
          limits: {memory: 1Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - port: 8080
`
