package verify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
	"github.com/rightsize/rightsize/internal/target"
	"github.com/rightsize/rightsize/internal/verify"
)

// randomNodeApps is how many generated apps TestDifferentialNodes places.
const randomNodeApps = 24

// TestDifferentialNodes runs, for every built-in target that gives nodes,
// a control plane with exactly those nodes, and places the corpus, the
// examples and generated apps on it one after another (nodes are shared, so
// apps cannot share the cluster at once). With the target's single node,
// what the scheduler places does not depend on order: compared with the
// footprint, a pod larger than every node is never scheduled, and some pod
// stays pending exactly when the footprint says the nodes are too small.
func TestDifferentialNodes(t *testing.T) {
	apps := map[string]*model.App{}
	var names []string
	dirs := []string{"../../examples/shop"}
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err == nil {
		for _, a := range corpusApps {
			dirs = append(dirs, filepath.Join(corpusDir, a))
		}
	}
	for _, dir := range dirs {
		app, err := load.Load([]string{dir}, load.Options{})
		if err != nil {
			t.Fatalf("loading %s: %v", dir, err)
		}
		apps[filepath.Base(dir)] = app
		names = append(names, filepath.Base(dir))
	}
	for i := range randomNodeApps {
		g := &gen{r: rand.New(rand.NewPCG(uint64(i), 7))}
		name := fmt.Sprintf("seed-%d", i)
		apps[name] = g.app()
		names = append(names, name)
	}
	for _, tg := range target.Builtins() {
		if len(tg.Nodes) == 0 {
			continue
		}
		t.Run(tg.Name, func(t *testing.T) {
			c, err := simtest.Start(sim.Options{Nodes: sim.Nodes(tg, 0, nil)})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Stop()
			v, err := verify.New(c)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for i, name := range names {
				tc := *tg
				tc.Namespace = fmt.Sprintf("n%d", i)
				t.Run(name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					r, err := v.Run(ctx, apps[name], &tc, verify.Options{Quiet: 500 * time.Millisecond})
					if err != nil {
						t.Fatal(err)
					}
					for _, d := range compareNodes(apps[name], &tc, r) {
						t.Error(d)
					}
					if err := vacate(ctx, c, tc.Namespace); err != nil {
						t.Fatal(err)
					}
				})
			}
			t.Logf("placed %d apps in %s", len(names), time.Since(start).Round(time.Millisecond))
		})
	}
}

// compareNodes returns the disagreements about scheduling.
func compareNodes(app *model.App, t *model.Target, r *verify.Report) []string {
	fp, err := footprint.Analyze(app, t)
	if err != nil {
		return []string{err.Error()}
	}
	var bad []string
	tooBig := map[string]bool{}
	crowded := false
	for _, f := range fp.Findings {
		switch f.Key {
		case "node-size":
			tooBig[f.Object.String()] = true
		case "nodes":
			crowded = true
		}
	}
	refused := map[string]bool{}
	for _, w := range fp.Workloads {
		refused[w.Object.Ref()] = w.Refused != ""
	}
	for _, f := range r.Refusals {
		if !refused[f.Object] || !fpRefusesWith(fp, f.Object, f.Message) {
			bad = append(bad, fmt.Sprintf("%s: the control plane refuses it (%s), the footprint does not", f.Object, f.Message))
		}
	}
	pending := 0
	for _, w := range r.Workloads {
		if refused[w.Object] {
			continue // its pods are refused whatever the nodes (missing account or class)
		}
		if tooBig[w.Object] {
			if w.Scheduled != 0 || w.Created == 0 || len(w.Unschedulable) == 0 {
				bad = append(bad, fmt.Sprintf("%s: footprint says a pod fits no node; control plane created %d, scheduled %d (%v)", w.Object, w.Created, w.Scheduled, w.Unschedulable))
			}
			continue
		}
		// An OrderedReady StatefulSet creates no pod after one that cannot
		// be scheduled; everything else creates all its pods.
		if w.Created != w.Desired && !(strings.HasPrefix(w.Object, "StatefulSet/") && w.Scheduled < w.Created) {
			bad = append(bad, fmt.Sprintf("%s: %d of %d pods created on a target without quota", w.Object, w.Created, w.Desired))
		}
		pending += int(w.Desired - w.Scheduled)
		for _, u := range w.Unschedulable {
			if !strings.Contains(u.Message, "Insufficient") && !strings.Contains(u.Message, "Too many pods") {
				bad = append(bad, fmt.Sprintf("%s: unschedulable for another reason than capacity: %s", w.Object, u.Message))
			}
		}
	}
	if crowded != (pending > 0) {
		bad = append(bad, fmt.Sprintf("footprint says the nodes are too small for the whole app: %v; control plane leaves %d pod(s) pending", crowded, pending))
	}
	return bad
}

// vacate deletes a namespace and waits until its pods are gone, so that
// the next app finds the nodes empty. The namespace is Terminating first, so
// controllers cannot replace the pods.
func vacate(ctx context.Context, c *sim.Cluster, ns string) error {
	if err := c.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	pods := c.Client.CoreV1().Pods(ns)
	for {
		err := pods.DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting the pods of %s: %w", ns, err)
		}
		list, err := pods.List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(list.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the pods of %s to go: %w", ns, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
