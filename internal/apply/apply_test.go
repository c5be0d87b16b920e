package apply_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/apply"
	"github.com/rightsize/rightsize/internal/model"
)

// hook runs f (once, synchronously) when the apply reports a line
// starting with prefix: a fault injected at a known point of the apply.
type hook struct {
	prefix string
	f      func()
	once   sync.Once
}

func (h *hook) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), h.prefix) {
		h.once.Do(h.f)
	}
	return len(p), nil
}

func app(objs ...*model.Object) *model.App { return &model.App{Objects: objs} }

func TestApplyThenNoOpThenDelete(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "10", "requests.cpu": "2"}), 0)
	before := snapshot(t, h.Namespace)
	a := app(configMap("settings", "1"), service("web"), deployment("web", 2, "100m"))
	ctx := context.Background()
	r, err := apply.Apply(ctx, h, a, apply.Options{App: "shop", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.RolledBack || r.Unchanged {
		t.Fatalf("first apply: ok=%v rolledBack=%v unchanged=%v failure=%+v", r.OK, r.RolledBack, r.Unchanged, r.Failure)
	}
	if len(r.Workloads) != 1 || r.Workloads[0].Ready != 2 {
		t.Fatalf("workloads %+v, want Deployment/web with 2 ready", r.Workloads)
	}
	for _, o := range r.Objects {
		if o.Action != "created" {
			t.Errorf("%s: %s, want created", o.Object, o.Action)
		}
	}
	rv := map[string]string{}
	for k, v := range snapshot(t, h.Namespace) {
		rv[k] = v
	}
	r, err = apply.Apply(ctx, h, a, apply.Options{App: "shop", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Unchanged || !r.OK {
		t.Fatalf("second apply: unchanged=%v ok=%v, want a no-op", r.Unchanged, r.OK)
	}
	cm, err := h.Client.CoreV1().ConfigMaps(h.Namespace).Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Labels[apply.LabelApp] != "shop" {
		t.Errorf("ConfigMap/settings labels %v, want %s=shop", cm.Labels, apply.LabelApp)
	}
	d, err := apply.Delete(ctx, h, "shop", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ConfigMap/settings", "Deployment/web", "Service/web"}; strings.Join(d.Deleted, ",") != strings.Join(want, ",") {
		t.Errorf("deleted %v, want %v", d.Deleted, want)
	}
	sameAsBefore(t, h.Namespace, before)
}

// A namespace with room for one more pod only: the Deployment's second pod
// is refused by quota. The ConfigMap the namespace already had is changed
// by the apply and must come back exactly.
func TestRefusedPodRestoresNamespace(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "1"}), 0)
	ctx := context.Background()
	if _, err := h.Client.CoreV1().ConfigMaps(h.Namespace).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "settings", Labels: map[string]string{"team": "a"}},
		Data:       map[string]string{"value": "theirs", "other": "kept"},
	}, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h.Namespace)
	a := app(configMap("settings", "ours"), service("web"), deployment("web", 2, "100m"))
	r, err := apply.Apply(ctx, h, a, apply.Options{App: "shop", Timeout: time.Minute, RefusalGrace: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !r.RolledBack || r.Failure == nil {
		t.Fatalf("ok=%v rolledBack=%v failure=%+v, want a refusal and a restore", r.OK, r.RolledBack, r.Failure)
	}
	if r.Failure.Object != "Deployment/web" || !strings.Contains(r.Failure.Message, "exceeded quota: plan") {
		t.Errorf("failure %+v, want Deployment/web refused with Kubernetes' quota message", r.Failure)
	}
	actions := map[string]string{}
	for _, o := range r.Objects {
		actions[o.Object] = o.Action
	}
	if actions["ConfigMap/settings"] != "updated" || actions["Service/web"] != "created" {
		t.Errorf("actions %v, want the ConfigMap updated and the Service created", actions)
	}
	sameAsBefore(t, h.Namespace, before)
}

// A pod that can never be scheduled (larger than every node): the apply
// times out and restores.
func TestTimeoutRestoresNamespace(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "10"}), 0)
	before := snapshot(t, h.Namespace)
	a := app(service("big"), deployment("big", 1, "64"))
	start := time.Now()
	r, err := apply.Apply(context.Background(), h, a, apply.Options{App: "big", Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || r.Failure == nil || r.Failure.Stage != apply.StageTimeout {
		t.Fatalf("ok=%v failure=%+v, want a timeout", r.OK, r.Failure)
	}
	if time.Since(start) > 40*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	found := false
	for _, p := range r.Problems {
		found = found || p.Object == "Deployment/big" && p.Reason == "Unschedulable" && strings.Contains(p.Message, "Insufficient cpu")
	}
	if !found {
		t.Errorf("problems %+v, want the scheduler's Insufficient cpu for Deployment/big", r.Problems)
	}
	sameAsBefore(t, h.Namespace, before)
}

// Another client lowers the quota after the dry run: the pods are refused
// and the apply restores the namespace.
func TestQuotaLoweredMidApply(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "10", "requests.cpu": "4"}), 0)
	ctx := context.Background()
	before := snapshot(t, h.Namespace)
	lower := func() {
		q, err := simc.Client.CoreV1().ResourceQuotas(h.Namespace).Get(ctx, "plan", metav1.GetOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		q.Spec.Hard[corev1.ResourceRequestsCPU] = resource.MustParse("100m")
		if _, err := simc.Client.CoreV1().ResourceQuotas(h.Namespace).Update(ctx, q, metav1.UpdateOptions{}); err != nil {
			t.Error(err)
		}
	}
	a := app(service("web"), deployment("web", 3, "200m"))
	r, err := apply.Apply(ctx, h, a, apply.Options{App: "shop", Timeout: time.Minute, RefusalGrace: 2 * time.Second,
		Progress: &hook{prefix: "applying", f: lower}})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !r.RolledBack || r.Failure == nil || !strings.Contains(r.Failure.Message, "exceeded quota") {
		t.Fatalf("ok=%v rolledBack=%v failure=%+v, want a quota refusal and a restore", r.OK, r.RolledBack, r.Failure)
	}
	// The other client's change is theirs; put it back to compare the rest.
	q, err := simc.Client.CoreV1().ResourceQuotas(h.Namespace).Get(ctx, "plan", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q.Spec.Hard[corev1.ResourceRequestsCPU] = resource.MustParse("4")
	if _, err := simc.Client.CoreV1().ResourceQuotas(h.Namespace).Update(ctx, q, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	sameAsBefore(t, h.Namespace, before)
}

// The apiserver stops answering while the apply waits for pods: the
// apply notices (its requests time out), and restores once the server is
// back.
func TestApiserverLostMidApply(t *testing.T) {
	h := tenantNamespace(t, quota(map[string]string{"pods": "10"}), 2*time.Second)
	before := snapshot(t, h.Namespace)
	var resumed sync.WaitGroup
	pause := func() {
		if err := simc.Pause("kube-apiserver"); err != nil {
			t.Error(err)
			return
		}
		resumed.Add(1)
		go func() {
			defer resumed.Done()
			time.Sleep(6 * time.Second)
			if err := simc.Resume("kube-apiserver"); err != nil {
				t.Error(err)
			}
		}()
	}
	// Pods that never schedule keep the apply waiting.
	a := app(configMap("settings", "1"), deployment("big", 1, "64"))
	r, err := apply.Apply(context.Background(), h, a, apply.Options{App: "shop", Timeout: time.Minute,
		Progress: &hook{prefix: "waiting", f: pause}})
	resumed.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !r.RolledBack || r.Failure == nil || r.Failure.Stage != apply.StageConnection {
		t.Fatalf("ok=%v rolledBack=%v failure=%+v, want a lost connection and a restore", r.OK, r.RolledBack, r.Failure)
	}
	sameAsBefore(t, h.Namespace, before)
}
