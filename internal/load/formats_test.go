package load

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// corpus is the shared corpus of real applications, read in place.
const corpus = "../../../shared/corpus"

func needCorpus(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus %s is absent (../shared is not checked out next to the repository): %v", corpus, err)
	}
}

// corpusCase is one non-Kubernetes app of the corpus and how to load it.
type corpusCase struct {
	name   string
	path   string // under corpus
	format string // the format Detect must find
	opts   Options
}

var corpusCases = []corpusCase{
	{name: "compose-elk", path: "compose-elk/elasticsearch-logstash-kibana", format: "compose"},
	{name: "openfaas-swarm", path: "openfaas-swarm", format: "compose"},
	{name: "ros-compose", path: "ros-compose/docker/docker-compose-network-self-contained.yml", format: "compose"},
	{name: "voting-app-compose", path: "voting-app-compose", format: "compose"},
	{name: "voting-app-compose-images", path: "voting-app-compose/docker-compose.images.yml", format: "compose"},
	{name: "voting-app-compose-stack", path: "voting-app-compose/docker-stack.yml", format: "compose"},
	{name: "voting-app-compose-seed", path: "voting-app-compose", format: "compose", opts: Options{Profiles: []string{"seed"}, StatefulSets: []string{"db"}}},
	{name: "rancher-prometheus", path: "rancher-prometheus", format: "rancher", opts: Options{Answers: corpus + "/rancher-prometheus/answers.txt"}},
	{name: "rancher-sentry", path: "rancher-sentry/templates/sentry", format: "rancher", opts: Options{Answers: corpus + "/rancher-sentry/answers.txt"}},
	{name: "rancher-wordpress", path: "rancher-wordpress/templates/wordpress/1", format: "rancher", opts: Options{Answers: corpus + "/rancher-wordpress/answers.txt"}},
	{name: "vamp-http-dependency", path: "vamp-http-dependency/recipes/http-deployment-dependency/deploy.yml", format: "vamp"},
	{name: "vamp-http-dependency-dir", path: "vamp-http-dependency/recipes/http-deployment-dependency", format: "vamp"},
	{name: "helm-hello-world", path: "helm-hello-world/charts/hello-world", format: "helm"},
	{name: "helm-hello-world-set", path: "helm-hello-world/charts/hello-world", format: "helm", opts: Options{Set: []string{"replicaCount=3", "service.type=NodePort"}}},
	{name: "kustomize-wordpress", path: "kustomize-wordpress/examples/wordpress", format: "kustomize"},
}

// dump renders an app as golden text: the manifests, then the findings.
func dump(t *testing.T, app *model.App) string {
	t.Helper()
	var buf bytes.Buffer
	if err := render.Stream(&buf, app.Objects, render.YAML); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("---\n# findings\n")
	for _, f := range app.Findings {
		obj := ""
		if !f.Object.IsZero() {
			obj = " " + f.Object.String()
		}
		fmt.Fprintf(&buf, "# %s %s%s: %s\n", f.Severity, f.Key, obj, f.Message)
	}
	return strings.ReplaceAll(buf.String(), corpus+"/", "corpus/")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name+".yaml")
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file %s (run go test -update and review the diff):\n%s", name, file, firstDiff(string(want), got))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return ""
}

func TestCorpusFormats(t *testing.T) {
	needCorpus(t)
	for _, c := range corpusCases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(corpus, c.path)
			format, err := Detect(path)
			if err != nil {
				t.Fatal(err)
			}
			if format != c.format {
				t.Errorf("Detect(%s) = %q, want %q", c.path, format, c.format)
			}
			app, err := Load([]string{path}, c.opts)
			if err != nil {
				t.Fatalf("loading %s: %v", c.path, err)
			}
			golden(t, c.name, dump(t, app))
		})
	}
}
