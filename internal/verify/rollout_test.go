package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/target"
	"github.com/rightsize/rightsize/internal/verify"
)

// TestDifferentialRollouts restarts every Deployment of apps that fit, one
// at a time as `kubectl rollout restart` does, and compares whether the
// rolling update completes with the footprint's "rollout" warning: it
// stalls exactly when the quota has no room for one surge pod and
// maxUnavailable resolves to 0.
func TestDifferentialRollouts(t *testing.T) {
	deployment := func(replicas int, strategy string) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  strategy: %s
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x, resources: {limits: {cpu: 100m, memory: 64Mi}}}]}
`, replicas, strategy)
	}
	quota := func(pods int) *model.Target {
		tg, err := target.Parse([]byte(fmt.Sprintf("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: '%d'}}", pods)), "quota")
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	type rcase struct {
		name   string
		app    *model.App
		target *model.Target
	}
	loadYAML := func(y string) *model.App {
		path := filepath.Join(t.TempDir(), "app.yaml")
		if err := os.WriteFile(path, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		app, err := load.Load([]string{path}, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	cases := []rcase{
		{"2 replicas, no room", loadYAML(deployment(2, "{}")), quota(2)},
		{"4 replicas, no room", loadYAML(deployment(4, "{}")), quota(4)},
		{"4 replicas, no room, maxUnavailable 0", loadYAML(deployment(4, "{rollingUpdate: {maxUnavailable: 0}}")), quota(4)},
		{"2 replicas, maxSurge 2, room for one", loadYAML(deployment(2, "{rollingUpdate: {maxSurge: 2}}")), quota(3)},
		{"3 replicas, room for the surge", loadYAML(deployment(3, "{}")), quota(4)},
	}
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err == nil {
		app, err := load.Load([]string{filepath.Join(corpusDir, "online-boutique")}, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sandbox, err := target.Load("sandbox")
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, rcase{"online-boutique in sandbox", app, sandbox})
	}
	var wg sync.WaitGroup
	results := make([][]string, len(cases))
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = rollouts(c.app, c.target)
		}()
	}
	wg.Wait()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range results[i] {
				t.Error(d)
			}
		})
	}
}

// rollouts verifies app in t, restarts each Deployment in turn and returns
// the disagreements with the footprint's rollout warnings.
func rollouts(app *model.App, t *model.Target) []string {
	tc := *t
	tc.Namespace = fmt.Sprintf("r%d", nsSeq.Add(1))
	fp, err := footprint.Analyze(app, &tc)
	if err != nil {
		return []string{err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := verifier.Run(ctx, app, &tc, verify.Options{})
	if err != nil {
		return []string{err.Error()}
	}
	if !r.OK {
		return []string{fmt.Sprintf("the app does not fit before the rollouts: %+v", r.Refusals)}
	}
	warned := map[string]bool{}
	for _, f := range fp.Findings {
		if f.Key == "rollout" {
			warned[f.Object.String()] = true
		}
	}
	var bad []string
	for _, o := range app.Objects {
		if _, ok := o.Obj.(*appsv1.Deployment); !ok {
			continue
		}
		stalled, err := restart(ctx, tc.Namespace, o.Name())
		if err != nil {
			return append(bad, err.Error())
		}
		if stalled != warned[o.Ref()] {
			bad = append(bad, fmt.Sprintf("%s: footprint warns that its rollout stalls: %v; on the control plane it stalled: %v", o.Ref(), warned[o.Ref()], stalled))
		}
	}
	return bad
}

// restart changes a Deployment's pod template and waits until the rollout
// completes (false) or stalls (true). A ReplicaSet refused for quota
// retries with a growing backoff, and the room an old pod leaves appears
// only once the quota controller has counted its deletion: a rollout that
// does progress may pause for seconds. So when nothing moves for a second,
// the Deployment's ReplicaSets are touched, which makes their controller
// try again at once; three touches without progress make a stall.
func restart(ctx context.Context, ns, name string) (bool, error) {
	deps := cluster.Client.AppsV1().Deployments(ns)
	// A patch, as 'kubectl rollout restart' makes: the controllers may
	// still be writing the Deployment's status.
	restarted := []byte(`{"spec":{"template":{"metadata":{"annotations":{"rightsize.io/restarted":"1"}}}}}`)
	if _, err := deps.Patch(ctx, name, types.MergePatchType, restarted, metav1.PatchOptions{}); err != nil {
		return false, fmt.Errorf("restarting %s: %w", name, err)
	}
	var last string
	changed, touches := time.Now(), 0
	for {
		d, err := deps.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		st, want := d.Status, *d.Spec.Replicas
		if st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want && st.AvailableReplicas == want && st.Replicas == want {
			return false, nil
		}
		if now := fmt.Sprint(st.ObservedGeneration, st.UpdatedReplicas, st.AvailableReplicas, st.Replicas); now != last {
			last, changed, touches = now, time.Now(), 0
		} else if time.Since(changed) > time.Second {
			if touches == 3 {
				return true, nil
			}
			if err := touchReplicaSets(ctx, ns, name, touches); err != nil {
				return false, err
			}
			touches++
			changed = time.Now()
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func touchReplicaSets(ctx context.Context, ns, deployment string, n int) error {
	rss := cluster.Client.AppsV1().ReplicaSets(ns)
	list, err := rss.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, rs := range list.Items {
		if ref := metav1.GetControllerOf(&rs); ref == nil || ref.Name != deployment {
			continue
		}
		if rs.Annotations == nil {
			rs.Annotations = map[string]string{}
		}
		rs.Annotations["rightsize.io/touched"] = fmt.Sprint(n)
		if _, err := rss.Update(ctx, &rs, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			return fmt.Errorf("touching ReplicaSet %s: %w", rs.Name, err)
		}
	}
	return nil
}
