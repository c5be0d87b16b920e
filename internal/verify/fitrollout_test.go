package verify_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/target"
)

// TestFittedAppsRollOut fits every corpus app (and the examples) to every
// built-in target and, for each fit, verifies the fitted app on the control
// plane and restarts each Deployment in turn: every rolling update must
// complete, and the footprint must not warn of a stall (fit's rollout stage
// leaves room for a surge pod or switches the strategy).
func TestFittedAppsRollOut(t *testing.T) {
	paths := []struct {
		path string
		opts load.Options
	}{{path: "../../examples/shop"}}
	minimum := 4 // fits to roll out for the test to prove something
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		minimum = 1 // the example fits 2 of the built-in targets
		t.Logf("corpus not found at %s (../shared/corpus beside the repository): only the examples are fitted", corpusDir)
	} else {
		for _, a := range corpusApps {
			paths = append(paths, struct {
				path string
				opts load.Options
			}{path: filepath.Join(corpusDir, a)})
		}
		for _, a := range formatApps {
			paths = append(paths, struct {
				path string
				opts load.Options
			}{path: filepath.Join(corpusDir, a.path), opts: a.opts})
		}
	}
	type fcase struct {
		name string
		app  *model.App
		tg   *model.Target
		bad  []string
	}
	var cases []*fcase
	for _, p := range paths {
		app, err := load.Load([]string{p.path}, p.opts)
		if err != nil {
			t.Fatalf("loading %s: %v", p.path, err)
		}
		for _, tg := range target.Builtins() {
			res, err := fit.Run(app, tg, fit.Options{})
			if err != nil {
				t.Fatalf("fitting %s to %s: %v", p.path, tg.Name, err)
			}
			if !res.Fits {
				continue
			}
			for _, f := range res.After.Findings {
				if f.Key == "rollout" {
					t.Errorf("%s/%s: the fitted app still warns: %s", p.path, tg.Name, f.Message)
				}
			}
			cases = append(cases, &fcase{name: filepath.Base(p.path) + "/" + tg.Name, app: withoutFixedNodePorts(res.App), tg: tg})
		}
	}
	if len(cases) < minimum {
		t.Fatalf("only %d fits to roll out; the test proves little", len(cases))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 6)
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.bad = rollouts(c.app, c.tg)
		}()
	}
	wg.Wait()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range c.bad {
				t.Error(d)
			}
		})
	}
}
