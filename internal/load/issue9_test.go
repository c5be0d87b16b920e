package load

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/load/compose"
	"github.com/rightsize/rightsize/internal/names"
)

// issue9Apps are the loaders' test apps for retired API versions, Vamp
// layouts and start-once containers.
var issue9Apps = [][]string{
	{"vamp/testdata/parallel"},
	{"vamp/testdata/parallel/artifacts.yml", "vamp/testdata/parallel/deploy.yml"},
	{"vamp/testdata/canary"},
	{"rancher/testdata/startonce"},
	{"compose/testdata/datavolume"},
}

// TestIssue9NamesResolve: every conversion keeps every host name a container
// uses resolving, and says what it did in findings.
func TestIssue9NamesResolve(t *testing.T) {
	apps := issue9Apps
	retired, _ := filepath.Glob("kube/testdata/retired/*.yaml")
	for _, f := range retired {
		apps = append(apps, []string{f})
	}
	for _, paths := range apps {
		t.Run(strings.Join(paths, "+"), func(t *testing.T) {
			app, err := Load(paths, Options{})
			if err != nil {
				t.Fatal(err)
			}
			refs := names.Check(app)
			for _, r := range refs {
				if r.Resolves == "" {
					t.Errorf("%s does not resolve", r)
				}
			}
			if len(app.Findings) == 0 {
				t.Error("no findings: the conversion report says nothing")
			}
		})
	}
}

// TestNoStartOnceRegularContainer: a container that runs once is never left
// among a pod's regular containers (under restartPolicy Always it would
// restart forever and the pod would never be Ready), in the test apps and in
// every Compose and Rancher app of the corpus.
func TestNoStartOnceRegularContainer(t *testing.T) {
	type app struct {
		paths []string
		opts  Options
	}
	apps := []app{{paths: []string{"rancher/testdata/startonce"}}, {paths: []string{"compose/testdata/datavolume"}}}
	for _, c := range corpusCases {
		if strings.HasPrefix(c.name, "rancher") || strings.Contains(c.name, "compose") || strings.Contains(c.name, "swarm") {
			apps = append(apps, app{paths: []string{corpus + "/" + c.path}, opts: c.opts})
		}
	}
	for _, a := range apps {
		objs, err := Load(a.paths, a.opts)
		if err != nil {
			if strings.HasPrefix(a.paths[0], corpus) {
				t.Skipf("corpus: %v", err)
			}
			t.Fatal(err)
		}
		once := runOnceNames(t, a.paths[0], a.opts)
		for _, o := range objs.Objects {
			tpl := podTemplate(o)
			if tpl == nil {
				continue
			}
			for _, ctr := range tpl.Spec.Containers {
				if once[ctr.Name] || exitsAtOnce(ctr) {
					t.Errorf("%v: %s: container %s runs once but is a regular container", a.paths, o.Ref(), ctr.Name)
				}
			}
		}
	}
}

// runOnceNames names the test apps' containers labelled start_once (the
// labels do not reach the containers; commands that only exit are judged
// from the containers themselves).
func runOnceNames(t *testing.T, path string, _ Options) map[string]bool {
	t.Helper()
	if strings.HasSuffix(path, "startonce") {
		return map[string]bool{"mongo-base": true, "mongo-datavolume": true, "es-sysctl": true}
	}
	return map[string]bool{}
}

// exitsAtOnce judges a converted container as compose.RunsOnce judges a service.
func exitsAtOnce(c corev1.Container) bool {
	svc := &types.ServiceConfig{}
	svc.Entrypoint, svc.Command = c.Command, c.Args
	return compose.RunsOnce(svc) != ""
}
