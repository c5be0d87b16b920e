package apply_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

// cluster is the package's control plane, playing a shared live cluster:
// every test gets a namespace of its own and reaches it only through a
// kubeconfig of a tenant limited by RBAC to that namespace.
var (
	simc  *sim.Cluster
	nsSeq atomic.Int64
)

func TestMain(m *testing.M) {
	c, err := simtest.Start(sim.Options{
		Kubelet: sim.KubeletOptions{CompleteJobs: true},
		Nodes: sim.Nodes(nil, 2, corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("16Gi"),
		}),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	simc = c
	os.Exit(simtest.Stop(c, m.Run()))
}

// tenantNamespace makes a namespace seeded with t's quotas and limit ranges
// and returns a tenant's handle to it, read from a kubeconfig.
func tenantNamespace(t *testing.T, tg *model.Target, timeout time.Duration) *cluster.Handle {
	t.Helper()
	ns := fmt.Sprintf("live%d", nsSeq.Add(1))
	ctx := context.Background()
	if err := simc.Seed(ctx, ns, tg); err != nil {
		t.Fatal(err)
	}
	kc, err := simc.Tenant(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	h, err := cluster.Connect(cluster.Options{Kubeconfig: kc, RequestTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	if h.Namespace != ns {
		t.Fatalf("kubeconfig namespace %q, want %q", h.Namespace, ns)
	}
	return h
}

func quota(hard map[string]string) *model.Target {
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "plan"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{}}}
	for k, v := range hard {
		q.Spec.Hard[corev1.ResourceName(k)] = resource.MustParse(v)
	}
	return &model.Target{Name: "test", Quotas: []*corev1.ResourceQuota{q}}
}

func deployment(name string, replicas int32, cpu string) *model.Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "c", Image: "example.com/" + name,
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("64Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("64Mi")},
					},
				}}},
			},
		},
	}
	return &model.Object{Source: model.Source{File: "test"}, Obj: d}
}

func service(name string) *model.Object {
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Port: 80}},
		},
	}
	return &model.Object{Source: model.Source{File: "test"}, Obj: s}
}

func configMap(name, value string) *model.Object {
	c := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Data:       map[string]string{"value": value},
	}
	return &model.Object{Source: model.Source{File: "test"}, Obj: c}
}

// snapshot reads every object of namespace ns (as the admin, so that
// nothing is hidden), without what the server or controllers rewrite on
// their own: resource versions, generations, managed fields, status,
// events and the deployment controller's revision counter.
func snapshot(t *testing.T, ns string) map[string]string {
	t.Helper()
	ctx := context.Background()
	lists, err := discovery.ServerPreferredNamespacedResources(simc.Client.Discovery())
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(simc.Config)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		for _, r := range l.APIResources {
			if !contains(r.Verbs, "list") || r.Name == "events" {
				continue
			}
			list, err := dyn.Resource(gv.WithResource(r.Name)).Namespace(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatalf("listing %s: %v", r.Name, err)
			}
			for _, u := range list.Items {
				u.SetResourceVersion("")
				u.SetManagedFields(nil)
				u.SetGeneration(0)
				ann := u.GetAnnotations()
				delete(ann, "deployment.kubernetes.io/revision")
				u.SetAnnotations(ann)
				delete(u.Object, "status")
				data, _ := json.Marshal(u.Object)
				out[r.Kind+"/"+u.GetName()] = string(data)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sameAsBefore waits (a few seconds: garbage collection and the
// controllers finish after the restore returns) until the namespace holds
// exactly what before held, and fails with the difference otherwise.
func sameAsBefore(t *testing.T, ns string, before map[string]string) {
	t.Helper()
	var diff []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		diff = diffSnapshots(before, snapshot(t, ns))
		if len(diff) == 0 {
			return
		}
	}
	t.Fatalf("namespace %s is not as before:\n%s", ns, strings.Join(diff, "\n"))
}

func diffSnapshots(a, b map[string]string) []string {
	var diff []string
	for k, v := range a {
		switch w, ok := b[k]; {
		case !ok:
			diff = append(diff, "missing: "+k)
		case v != w:
			diff = append(diff, "changed: "+k+"\n  before: "+v+"\n  after:  "+w)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diff = append(diff, "left behind: "+k)
		}
	}
	sort.Strings(diff)
	return diff
}
