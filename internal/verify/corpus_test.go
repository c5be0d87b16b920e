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

const corpusDir = "../../../shared/corpus"

// corpusApps are the corpus's Kubernetes and OpenShift apps (INDEX.md).
var corpusApps = []string{
	"bookinfo", "guestbook", "online-boutique", "openshift-django-psql-persistent",
	"ros-k8s-icclab", "voting-app-k8s",
}

// TestDifferentialCorpus verifies every Kubernetes/OpenShift app of the
// corpus, the project's examples and the corpus's other apps as the format
// loaders convert them, in every built-in target and in the same target
// with its quota made huge, and compares the control plane's verdict with
// the footprint's.
func TestDifferentialCorpus(t *testing.T) {
	dirs := []string{"../../examples/shop"}
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Logf("corpus not found at %s (../shared/corpus beside the repository): only the examples are compared", corpusDir)
	} else {
		for _, a := range corpusApps {
			dirs = append(dirs, filepath.Join(corpusDir, a))
		}
	}
	type input struct {
		name, path string
		opts       load.Options
	}
	var inputs []input
	for _, dir := range dirs {
		inputs = append(inputs, input{name: filepath.Base(dir), path: dir})
	}
	if len(dirs) > 1 { // the corpus is there: its other formats too, as converted
		for _, a := range formatApps {
			inputs = append(inputs, input{name: a.path, path: filepath.Join(corpusDir, a.path), opts: a.opts})
		}
	}
	var cases []*vcase
	for _, in := range inputs {
		app, err := load.Load([]string{in.path}, in.opts)
		if err != nil {
			t.Fatalf("loading %s: %v", in.path, err)
		}
		for _, tg := range target.Builtins() {
			for _, tt := range []*model.Target{tg, huge(tg)} {
				cases = append(cases, &vcase{name: in.name + "/" + tt.Name, app: app, target: tt})
			}
		}
	}
	start := time.Now()
	verifyAll(t, verifier, cases, 2*time.Second)
	t.Logf("verified %d cases in %s", len(cases), time.Since(start).Round(time.Millisecond))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { report(t, c) })
	}
}
