package verify_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/target"
)

// formatApps are the corpus's non-Kubernetes apps (INDEX.md), as loaded by
// the format loaders.
var formatApps = []struct {
	path string
	opts load.Options
}{
	{path: "compose-elk/elasticsearch-logstash-kibana"},
	{path: "openfaas-swarm"},
	{path: "ros-compose/docker/docker-compose-network-self-contained.yml"},
	{path: "voting-app-compose"},
	{path: "voting-app-compose/docker-compose.images.yml"},
	{path: "voting-app-compose/docker-stack.yml"},
	{path: "rancher-prometheus", opts: load.Options{Answers: corpusDir + "/rancher-prometheus/answers.txt"}},
	{path: "rancher-sentry", opts: load.Options{Answers: corpusDir + "/rancher-sentry/answers.txt"}},
	{path: "rancher-wordpress", opts: load.Options{Answers: corpusDir + "/rancher-wordpress/answers.txt"}},
	{path: "vamp-http-dependency/recipes/http-deployment-dependency/deploy.yml"},
	{path: "helm-hello-world/charts/hello-world"},
	{path: "kustomize-wordpress/examples/wordpress"},
}

// TestFormatsAdmitted converts every non-Kubernetes app of the corpus and
// applies it to the control plane against a roomy target: every object must
// be created and every pod admitted and scheduled.
func TestFormatsAdmitted(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Skipf("corpus not found at %s (../shared/corpus beside the repository)", corpusDir)
	}
	sandbox, err := target.Load(target.Default)
	if err != nil {
		t.Fatal(err)
	}
	roomy := huge(sandbox)
	var cases []*vcase
	for _, a := range formatApps {
		app, err := load.Load([]string{filepath.Join(corpusDir, a.path)}, a.opts)
		if err != nil {
			t.Fatalf("loading %s: %v", a.path, err)
		}
		cases = append(cases, &vcase{name: a.path, app: app, target: roomy})
	}
	start := time.Now()
	verifyAll(t, verifier, cases, time.Second)
	t.Logf("verified %d converted apps in %s", len(cases), time.Since(start).Round(time.Millisecond))
	assertAdmitted(t, cases)
}

// TestRetiredAdmitted loads the objects of every retired API version of
// internal/load/kube/testdata/retired, migrated to served versions, and
// applies them to the control plane against a roomy target: every object
// must be created and every pod admitted and scheduled.
func TestRetiredAdmitted(t *testing.T) {
	files, _ := filepath.Glob("../load/kube/testdata/retired/*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	sandbox, err := target.Load(target.Default)
	if err != nil {
		t.Fatal(err)
	}
	roomy := huge(sandbox)
	var cases []*vcase
	for _, f := range files {
		app, err := load.Load([]string{f}, load.Options{})
		if err != nil {
			t.Fatalf("loading %s: %v", f, err)
		}
		cases = append(cases, &vcase{name: filepath.Base(f), app: app, target: roomy})
	}
	verifyAll(t, verifier, cases, time.Second)
	assertAdmitted(t, cases)
}

// loaderApps are the loaders' own test apps of the patterns issue 9 names:
// several Vamp deployments with artifacts in other files, a Vamp folder of
// blueprints, references and a gateway, Rancher start-once sidekicks and a
// Compose data-volume container.
var loaderApps = [][]string{
	{"../load/vamp/testdata/parallel"},
	{"../load/vamp/testdata/parallel/artifacts.yml", "../load/vamp/testdata/parallel/deploy.yml"},
	{"../load/vamp/testdata/canary"},
	{"../load/rancher/testdata/startonce"},
	{"../load/compose/testdata/datavolume"},
}

// TestLoaderAppsAdmitted converts loaderApps and applies them to the control
// plane against a roomy target: every object created, every pod admitted.
func TestLoaderAppsAdmitted(t *testing.T) {
	sandbox, err := target.Load(target.Default)
	if err != nil {
		t.Fatal(err)
	}
	roomy := huge(sandbox)
	var cases []*vcase
	for _, paths := range loaderApps {
		app, err := load.Load(paths, load.Options{})
		if err != nil {
			t.Fatalf("loading %v: %v", paths, err)
		}
		cases = append(cases, &vcase{name: filepath.Base(paths[len(paths)-1]), app: app, target: roomy})
	}
	verifyAll(t, verifier, cases, time.Second)
	assertAdmitted(t, cases)
}

// assertAdmitted checks that every case's app was created and admitted in full.
func assertAdmitted(t *testing.T, cases []*vcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err != nil {
				t.Fatalf("verifying: %v", c.err)
			}
			for _, r := range c.report.Refusals {
				t.Errorf("refused: %s (%d): %s", r.Object, r.Count, r.Message)
			}
			for _, s := range c.report.Skipped {
				t.Errorf("not created: %s: %s", s.Object, s.Reason)
			}
			if !c.report.OK {
				t.Errorf("not admitted in full: %+v", c.report.Workloads)
			}
			wantWorkloads := 0
			for _, o := range c.app.Objects {
				if isWorkload(o) {
					wantWorkloads++
				}
			}
			if len(c.report.Workloads) != wantWorkloads {
				t.Errorf("%d workloads reported, the app has %d", len(c.report.Workloads), wantWorkloads)
			}
		})
	}
}

func isWorkload(o *model.Object) bool {
	switch o.Kind() {
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Pod", "CronJob", "ReplicationController":
		return true
	}
	return false
}
