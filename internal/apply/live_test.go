package apply_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/apply"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// A namespace already runs another app; analyze with the live target must
// agree with what the apiserver then admits: which workloads get how many
// pods, and no double charge for an object of the app that exists already.
func TestLiveTargetAgreesWithAdmission(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "6", "requests.cpu": "1", "count/deployments.apps": "4"}), 0)
	ctx := context.Background()
	// The other app: 2 pods of 200m, and "shared", which the next app
	// brings too (an update, not a second charge).
	other := app(deployment("other", 2, "200m"), deployment("shared", 1, "100m"))
	if r, err := apply.Apply(ctx, h, other, apply.Options{App: "other", Timeout: time.Minute}); err != nil || !r.OK {
		t.Fatalf("applying the other app: %v %+v", err, r)
	}
	// Left: 3 pods, 500m, 2 Deployments. "a" fits (2 x 100m), "b" gets
	// 1 of its 2 pods (cpu: 300m left after a), "shared" is unchanged.
	next := app(deployment("shared", 1, "100m"), deployment("a", 2, "100m"), deployment("b", 2, "250m"))
	tg, err := h.Target(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	res, err := footprint.Analyze(next, tg)
	if err != nil {
		t.Fatal(err)
	}
	predicted := map[string]int32{}
	for _, w := range res.Workloads {
		predicted[w.Kind+"/"+w.Name] = w.Replicas
	}
	for _, r := range res.Refusals {
		predicted[r.Object.Kind+"/"+r.Object.Name] -= int32(r.Count)
	}
	want := map[string]int32{"Deployment/shared": 1, "Deployment/a": 2, "Deployment/b": 1}
	for k, v := range want {
		if predicted[k] != v {
			t.Errorf("analyze predicts %d pods for %s, want %d (the live target: %+v)", predicted[k], k, v, tg.Quotas[0].Status.Used)
		}
	}
	// What the apiserver does: create the objects as kubectl would and
	// count the pods once the controllers settle.
	for _, o := range next.Objects {
		u, err := desiredFor(o, h.Namespace)
		if err != nil {
			t.Fatal(err)
		}
		ri, _, _ := h.Resource(o)
		if _, err := ri.Apply(ctx, o.Name(), u, metav1.ApplyOptions{FieldManager: "kubectl", Force: true}); err != nil {
			t.Fatalf("applying %s: %v", o.Ref(), err)
		}
	}
	got := map[string]int32{}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		pods, err := h.Client.CoreV1().Pods(h.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]int32{}
		for _, p := range pods.Items {
			got["Deployment/"+p.Labels["app"]]++
		}
		if got["Deployment/b"] >= 1 && got["Deployment/a"] == 2 {
			time.Sleep(3 * time.Second) // let refused retries show they stay refused
			break
		}
	}
	pods, _ := h.Client.CoreV1().Pods(h.Namespace).List(ctx, metav1.ListOptions{})
	got = map[string]int32{}
	for _, p := range pods.Items {
		got["Deployment/"+p.Labels["app"]]++
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("the apiserver admitted %d pods for %s, analyze predicted %d", got[k], k, predicted[k])
		}
	}
}

func desiredFor(o *model.Object, ns string) (*unstructured.Unstructured, error) {
	data, err := yaml.Marshal(o.Obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &u.Object); err != nil {
		return nil, err
	}
	u.SetNamespace(ns)
	return u, nil
}

// SIGINT to the rightsize binary in the middle of an apply: it restores
// the namespace and exits 130.
func TestInterruptedApplyRestores(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "10"}), 0)
	kc := filepath.Join(simc.Dir, "tenant-"+h.Namespace+".kubeconfig")
	before := snapshot(t, h.Namespace)
	dir := t.TempDir()
	bin := filepath.Join(dir, "rightsize")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/rightsize").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	manifest := `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {value: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers:
      - name: c
        image: example.com/big
        resources: {requests: {cpu: "64"}}
`
	appFile := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(appFile, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "apply", appFile, "--kubeconfig", kc, "--timeout", "2m")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "waiting up to") {
			time.Sleep(time.Second)
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d (%v), want 130; stderr:\n%s", code, err, log.String())
	}
	if !strings.Contains(log.String(), "namespace "+h.Namespace+" restored") {
		t.Errorf("stderr does not say the namespace was restored:\n%s", log.String())
	}
	sameAsBefore(t, h.Namespace, before)
}
