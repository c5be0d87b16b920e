package rightsize_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
	"github.com/rightsize/rightsize/internal/target"
)

const attachedApp = "../shared/corpus/online-boutique/release/kubernetes-manifests.yaml"

// TestVerifyAttached starts one simulator as 'rightsize sim up' does
// (sim.Serve), then verifies online-boutique twice on it: each run gets a
// fresh namespace with the target's quotas, and leaves none behind. The
// simulator has one node that holds the app once (2 CPUs; the app requests
// 1.57): the second run, started at once, schedules every pod only if the
// first run's pods are gone by then, though its namespace is still
// terminating.
func TestVerifyAttached(t *testing.T) {
	if _, err := os.Stat(attachedApp); err != nil {
		t.Skipf("corpus absent (%v): online-boutique is needed", err)
	}
	bin, err := simtest.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sim")
	if _, err := rightsize.AttachLocalCluster(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("AttachLocalCluster without a simulator: %v, want os.ErrNotExist", err)
	}
	tm, err := target.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		node := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("2Gi")}
		served <- sim.Serve(ctx, dir, sim.Options{BinDir: bin, Nodes: sim.Nodes(tm, 1, node), Kubelet: sim.KubeletOptions{CompleteJobs: true}}, "rightsize", tm)
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if _, err := sim.ReadState(dir); err == nil {
			break
		}
		select {
		case err := <-served:
			t.Fatalf("Serve ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the simulator did not become ready in 3 minutes")
		}
	}

	app, err := rightsize.LoadApp(ctx, []string{attachedApp})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := rightsize.LoadTarget(ctx, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	predicted, err := rightsize.Analyze(ctx, app, tgt)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rightsize.AttachLocalCluster(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	seen := map[string]bool{}
	for run := 1; run <= 2; run++ {
		start := time.Now()
		r, err := rightsize.Verify(ctx, c, app, tgt)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		t.Logf("run %d: %s in %s", run, r.Namespace, time.Since(start).Round(time.Millisecond))
		if !strings.HasPrefix(r.Namespace, "rightsize-verify-") || seen[r.Namespace] {
			t.Errorf("run %d: namespace %q, want a fresh rightsize-verify-*", run, r.Namespace)
		}
		seen[r.Namespace] = true
		if r.Fits != predicted.Fits || !r.Fits {
			t.Errorf("run %d: fits %v, analyze predicted %v", run, r.Fits, predicted.Fits)
		}
		if len(r.Workloads) != len(predicted.Workloads) {
			t.Errorf("run %d: %d workloads, analyze has %d", run, len(r.Workloads), len(predicted.Workloads))
		}
		for _, w := range r.Workloads {
			if w.Status == nil || w.Status.Scheduled != w.Replicas {
				t.Errorf("run %d: %s: status %+v, want %d scheduled", run, w.Object, w.Status, w.Replicas)
			}
		}
		for i, q := range r.Quotas {
			for k, want := range predicted.Quotas[i].Requested {
				if got := q.Used[k]; got.Cmp(want) != 0 {
					t.Errorf("run %d: quota %s %s: used %s, analyze predicted %s", run, q.Name, k, got.String(), want.String())
				}
			}
		}
		// The namespace is terminating; the simulator's reaper removes
		// its pods before the namespace controller's grace period of 5 s
		// ends, when it would delete the Deployments too.
		ns, err := cs.CoreV1().Namespaces().Get(ctx, r.Namespace, metav1.GetOptions{})
		if err == nil && ns.DeletionTimestamp == nil {
			t.Errorf("run %d: namespace %s not being deleted after Verify", run, r.Namespace)
		}
		if run == 1 {
			continue // the second run starts at once
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			pods, err := cs.CoreV1().Pods(r.Namespace).List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(pods.Items) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %d: %d pods of %s left a minute after Verify", run, len(pods.Items), r.Namespace)
			}
		}
		if deps, err := cs.AppsV1().Deployments(r.Namespace).List(ctx, metav1.ListOptions{}); err != nil || len(deps.Items) == 0 {
			t.Errorf("run %d: the pods of %s went with its Deployments (%v), not before them", run, r.Namespace, err)
		}
	}
	// The namespace controller removes them after its grace period.
	for deadline := time.Now().Add(time.Minute); len(seen) > 0; time.Sleep(250 * time.Millisecond) {
		for ns := range seen {
			if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
				delete(seen, ns)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespaces %v still there a minute after Verify", seen)
		}
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, "rightsize", metav1.GetOptions{}); err != nil {
		t.Errorf("the simulator's own namespace after Stop of an attached cluster: %v", err)
	}
}
