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
// corpus, and the project's examples, in every built-in target and in the
// same target with its quota made huge, and compares the control plane's
// verdict with the footprint's.
func TestDifferentialCorpus(t *testing.T) {
	dirs := []string{"../../examples/shop"}
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Logf("corpus not found at %s (../shared/corpus beside the repository): only the examples are compared", corpusDir)
	} else {
		for _, a := range corpusApps {
			dirs = append(dirs, filepath.Join(corpusDir, a))
		}
	}
	var cases []*vcase
	for _, dir := range dirs {
		app, err := load.Load([]string{dir}, load.Options{})
		if err != nil {
			t.Fatalf("loading %s: %v", dir, err)
		}
		for _, tg := range target.Builtins() {
			for _, tt := range []*model.Target{tg, huge(tg)} {
				cases = append(cases, &vcase{name: filepath.Base(dir) + "/" + tt.Name, app: app, target: tt})
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
