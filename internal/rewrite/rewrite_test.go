package rewrite

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

func testApp() *model.App {
	two := int32(2)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec:       appsv1.DeploymentSpec{Replicas: &two},
	}
	d.Spec.Template.Spec.Containers = []corev1.Container{{
		Name:      "web",
		Env:       []corev1.EnvVar{{Name: "DB", Value: "postgres://db.data.svc.cluster.local:5432/x"}},
		Args:      []string{"--cache=cache.shop:6379"},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}},
	}}
	d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
	svc := func(ns, name string, typ corev1.ServiceType) *model.Object {
		return &model.Object{Obj: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec:       corev1.ServiceSpec{Type: typ, Ports: []corev1.ServicePort{{Port: 80, NodePort: 30080}}}}}
	}
	return &model.App{Objects: []*model.Object{
		{Obj: d},
		svc("data", "db", corev1.ServiceTypeClusterIP),
		svc("shop", "cache", corev1.ServiceTypeClusterIP),
		svc("shop", "front", corev1.ServiceTypeNodePort),
		{Obj: &corev1.PersistentVolumeClaim{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}, ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "shop"}}},
		{Obj: &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "shop"}}},
	}}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		ops  []solve.Op
		// check inspects the rewritten app and the changes.
		check func(t *testing.T, out *model.App, cs []Change)
	}{
		{"resource", []solve.Op{{Object: 0, Field: "limits.cpu", Container: "web", Value: resource.MustParse("500m"), Reason: "r"}},
			func(t *testing.T, out *model.App, cs []Change) {
				c := out.Objects[0].Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
				if q := c.Resources.Limits[corev1.ResourceCPU]; q.String() != "500m" {
					t.Errorf("limit = %s", q.String())
				}
				if len(cs) != 1 || cs[0].Field != "containers[web].resources.limits.cpu" || cs[0].Before != "(unset)" || cs[0].After != "500m" {
					t.Errorf("changes = %+v", cs)
				}
			}},
		{"replicas", []solve.Op{{Object: 0, Field: "replicas", Replicas: 1, Reason: "r"}},
			func(t *testing.T, out *model.App, cs []Change) {
				if n := *out.Objects[0].Obj.(*appsv1.Deployment).Spec.Replicas; n != 1 {
					t.Errorf("replicas = %d", n)
				}
				if len(cs) != 1 || cs[0].Before != "2" || cs[0].After != "1" {
					t.Errorf("changes = %+v", cs)
				}
			}},
		{"service type", []solve.Op{{Kind: solve.OpServiceType, Object: 3, Reason: "r"}},
			func(t *testing.T, out *model.App, cs []Change) {
				s := out.Objects[3].Obj.(*corev1.Service)
				if s.Spec.Type != corev1.ServiceTypeClusterIP || s.Spec.Ports[0].NodePort != 0 {
					t.Errorf("service = %+v", s.Spec)
				}
				last := out.Objects[len(out.Objects)-1]
				if last.Ref() != "Ingress/front" {
					t.Errorf("last object = %s, want Ingress/front", last.Ref())
				}
			}},
		{"namespace fold", []solve.Op{{Kind: solve.OpNamespace, Object: -1, Namespace: "tenant", Reason: "r"}},
			func(t *testing.T, out *model.App, cs []Change) {
				for _, o := range out.Objects {
					if o.Kind() == "Namespace" {
						t.Error("Namespace object kept")
					}
					if o.Namespace() != "tenant" {
						t.Errorf("%s in namespace %q", o.Ref(), o.Namespace())
					}
				}
				c := out.Objects[0].Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
				if got := c.Env[0].Value; got != "postgres://db.tenant.svc.cluster.local:5432/x" {
					t.Errorf("env = %q", got)
				}
				if got := c.Args[0]; got != "--cache=cache.tenant:6379" {
					t.Errorf("args = %q", got)
				}
				if l := out.Objects[1].Obj.(*corev1.Service).Labels[NamespaceLabel]; l != "data" {
					t.Errorf("namespace label = %q", l)
				}
			}},
		{"empty dir", []solve.Op{{Kind: solve.OpEmptyDir, Object: 4, Reason: "r"}},
			func(t *testing.T, out *model.App, cs []Change) {
				for _, o := range out.Objects {
					if o.Kind() == "PersistentVolumeClaim" {
						t.Error("claim kept")
					}
				}
				v := out.Objects[0].Obj.(*appsv1.Deployment).Spec.Template.Spec.Volumes[0]
				if v.EmptyDir == nil || v.PersistentVolumeClaim != nil {
					t.Errorf("volume = %+v", v)
				}
				found := false
				for _, c := range cs {
					found = found || strings.HasPrefix(c.Reason, "DATA LOSS")
				}
				if !found {
					t.Errorf("no change says DATA LOSS: %+v", cs)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testApp()
			out, cs, err := Apply(in, tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, out, cs)
			// The input is never changed.
			pristine := testApp()
			for i, o := range in.Objects {
				if o.Namespace() != pristine.Objects[i].Namespace() {
					t.Errorf("input %s changed namespace", o.Ref())
				}
			}
			d := in.Objects[0].Obj.(*appsv1.Deployment)
			if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Resources.Limits != nil || d.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim == nil {
				t.Error("input Deployment changed")
			}
			if in.Objects[3].Obj.(*corev1.Service).Spec.Type != corev1.ServiceTypeNodePort {
				t.Error("input Service changed")
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	if _, _, err := Apply(testApp(), []solve.Op{{Object: 0, Field: "limits.cpu", Container: "nope"}}); err == nil || !strings.Contains(err.Error(), `no container "nope"`) {
		t.Errorf("err = %v", err)
	}
	if _, _, err := Apply(testApp(), []solve.Op{{Object: 99}}); err == nil {
		t.Error("out-of-range object accepted")
	}
}
