package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/rightsize/rightsize/internal/apply"
	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/target"
)

const corpus = "../../../shared/corpus"

// Every Kubernetes and OpenShift app of the corpus, fitted to a tight
// tenant namespace (the okteto-free plan read back from the cluster) and
// applied: it ends with every pod Ready, or with the namespace exactly as
// before. When fit says the app fits, the apply must succeed.
func TestCorpusApplyFit(t *testing.T) {
	index, err := os.ReadFile(filepath.Join(corpus, "INDEX.md"))
	if os.IsNotExist(err) {
		t.Skipf("shared corpus not found at %s: skipping", corpus)
	}
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| \[([^\]]+)\][^|]*\| (K8s|OpenShift)[^|]*\|`)
	plan, err := target.Load("okteto-free")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range row.FindAllStringSubmatch(string(index), -1) {
		name := m[1]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := tenantNamespace(t, plan, 0)
			ctx := context.Background()
			before := snapshot(t, h.Namespace)
			app, err := load.Load([]string{filepath.Join(corpus, name)}, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tg, err := h.Target(ctx, app)
			if err != nil {
				t.Fatal(err)
			}
			res, err := fit.Run(app, tg, fit.Options{Namespace: h.Namespace})
			if err != nil {
				t.Fatal(err)
			}
			r, err := apply.Apply(ctx, h, res.App, apply.Options{App: name, Timeout: 90 * time.Second, RefusalGrace: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case r.OK:
				for _, w := range r.Workloads {
					if !w.Done {
						t.Errorf("%s: %d of %d ready, yet the apply says OK", w.Object, w.Ready, w.Desired)
					}
				}
				t.Logf("fits: %d objects applied, %d workloads Ready", len(r.Objects), len(r.Workloads))
			case res.Fits:
				t.Errorf("fit says the app fits, the apply failed: %+v (Kubernetes: %+v)", r.Failure, r.Problems)
				sameAsBefore(t, h.Namespace, before)
			default:
				t.Logf("does not fit even fitted; the apply failed (%s: %s) and restored", r.Failure.Stage, r.Failure.Message)
				sameAsBefore(t, h.Namespace, before)
			}
		})
	}
}
