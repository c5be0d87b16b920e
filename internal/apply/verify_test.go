package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/apply"
)

// writeApp writes manifests to a file and loads them with the public API.
func writeApp(t *testing.T, manifest string) *rightsize.App {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := rightsize.LoadApp(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

const oneCPU = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: example.com/web
        resources: {requests: {cpu: "CPU", memory: 64Mi}, limits: {cpu: "CPU", memory: 64Mi}}
`

// verify --cluster without --scratch: the live namespace's LimitRange
// refuses the pod in the server-side dry run, and nothing is stored.
func TestVerifyClusterDryRun(t *testing.T) {
	tg := quota(map[string]string{"pods": "10"})
	tg.LimitRanges = []*corev1.LimitRange{{
		ObjectMeta: metav1.ObjectMeta{Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type: corev1.LimitTypeContainer, Max: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
		}}},
	}}
	h := tenantNamespace(t, tg, 0)
	before := snapshot(t, h.Namespace)
	kc := filepath.Join(simc.Dir, "tenant-"+h.Namespace+".kubeconfig")
	c, err := rightsize.ConnectCluster("", rightsize.KubeOptions{Kubeconfig: kc})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rightsize.VerifyCluster(context.Background(), c, writeApp(t, strings.ReplaceAll(oneCPU, "CPU", "1")), rightsize.VerifyClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fits || len(r.Refusals) != 1 || r.Refusals[0].Object.Name != "web" || !strings.Contains(r.Refusals[0].Message, "maximum cpu usage per Container is 500m") {
		t.Fatalf("fits=%v refusals=%+v, want the LimitRange's refusal of Deployment/web's pod", r.Fits, r.Refusals)
	}
	sameAsBefore(t, h.Namespace, before)
}

// verify --cluster --scratch: a namespace running another app has room
// for one more pod; the scratch namespace gets exactly that room, refuses
// the second pod, and is deleted after.
func TestVerifyClusterScratch(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "3"}), 0)
	ctx := context.Background()
	if r, err := apply.Apply(ctx, h, app(deployment("other", 2, "100m")), apply.Options{App: "other", Timeout: time.Minute}); err != nil || !r.OK {
		t.Fatalf("applying the other app: %v %+v", err, r)
	}
	// The scratch namespace needs the right to create namespaces: the admin.
	c, err := rightsize.NewLiveCluster(simc.Config, h.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rightsize.VerifyCluster(ctx, c, writeApp(t, strings.ReplaceAll(oneCPU, "CPU", "100m")), rightsize.VerifyClusterOptions{Scratch: true, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fits || len(r.Refusals) != 1 || r.Refusals[0].Count != 1 || !strings.Contains(r.Refusals[0].Message, "exceeded quota") {
		t.Fatalf("fits=%v refusals=%+v, want one pod of Deployment/web refused for quota", r.Fits, r.Refusals)
	}
	nss, err := simc.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: "rightsize.io/scratch=true"})
	if err != nil {
		t.Fatal(err)
	}
	if len(nss.Items) != 0 {
		t.Errorf("scratch namespace %s left behind", nss.Items[0].Name)
	}
}
