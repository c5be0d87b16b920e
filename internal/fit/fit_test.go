package fit

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

func deployment(name string, replicas int32, cpu, mem string) *model.Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas},
	}
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
	d.Spec.Template.Labels = map[string]string{"app": name}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: name, Image: "img", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
	}}}
	return &model.Object{Obj: d, Source: model.Source{File: "gen.yaml"}}
}

func quotaTarget(hard corev1.ResourceList) *model.Target {
	return &model.Target{Name: "test", Namespace: "t", Quotas: []*corev1.ResourceQuota{{
		ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "t"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}}}
}

func TestRunScalesAndReducesReplicas(t *testing.T) {
	tests := []struct {
		name     string
		hard     corev1.ResourceList
		allow    []string
		fits     bool
		replicas int32  // of Deployment/a after the fit
		cpu      string // request of Deployment/a after the fit
	}{
		{"fits as is", corev1.ResourceList{"requests.cpu": resource.MustParse("4")}, nil, true, 3, "1"},
		// 3x1 + 1x1 = 4 cores into 2: f = 0.5.
		{"scaled", corev1.ResourceList{"requests.cpu": resource.MustParse("2")}, nil, true, 3, "500m"},
		// 4 pods into 2 needs replicas; scaling cannot help.
		{"replicas", corev1.ResourceList{"pods": resource.MustParse("2")}, nil, true, 1, "1"},
		{"replicas not allowed", corev1.ResourceList{"pods": resource.MustParse("2")}, []string{AllowResources}, false, 3, "1"},
		// Floors of 10m: 4 pods need 40m, 30m cannot fit even at 1 replica each... 2 pods x 10m = 20m do.
		{"floors force replicas", corev1.ResourceList{"requests.cpu": resource.MustParse("30m")}, nil, true, 2, "10m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: []*model.Object{deployment("a", 3, "1", "64Mi"), deployment("b", 1, "1", "64Mi")}}
			res, err := Run(app, quotaTarget(tt.hard), Options{Allow: tt.allow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tt.fits {
				t.Fatalf("fits = %v, want %v; findings %v", res.Fits, tt.fits, res.After.Findings)
			}
			d := res.App.Objects[0].Obj.(*appsv1.Deployment)
			if *d.Spec.Replicas != tt.replicas {
				t.Errorf("replicas = %d, want %d", *d.Spec.Replicas, tt.replicas)
			}
			if q := d.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU]; q.String() != tt.cpu {
				t.Errorf("cpu = %s, want %s", q.String(), tt.cpu)
			}
			if d.Namespace != "t" {
				t.Errorf("namespace = %q, want the target's", d.Namespace)
			}
		})
	}
}

func TestRunNoFitSaysWhy(t *testing.T) {
	app := &model.App{Objects: []*model.Object{deployment("a", 1, "1", "64Mi")}}
	res, err := Run(app, quotaTarget(corev1.ResourceList{"requests.memory": resource.MustParse("16Mi")}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fits {
		t.Fatal("fits below the 32Mi floor")
	}
	over, need := res.Over["requests.memory"], res.Needs["requests.memory"]
	if over.String() != "16Mi" || need.String() != "32Mi" {
		t.Errorf("over %s, needs %s; want 16Mi over, 32Mi needed", over.String(), need.String())
	}
}

// generated is an app of n Deployments of 1-3 replicas with a Service each.
func generated(n int) *model.App {
	app := &model.App{}
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		app.Objects = append(app.Objects, deployment(name, int32(1+i%3), fmt.Sprintf("%dm", 100+i%400), fmt.Sprintf("%dMi", 64+i%256)))
		app.Objects = append(app.Objects, &model.Object{Obj: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}}}})
	}
	return app
}

func BenchmarkFit(b *testing.B) {
	app := generated(5000)
	tg := quotaTarget(corev1.ResourceList{
		"requests.cpu": resource.MustParse("200"), "requests.memory": resource.MustParse("300Gi"), "pods": resource.MustParse("8000"),
	})
	b.ResetTimer()
	for range b.N {
		res, err := Run(app, tg, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !res.Fits {
			b.Fatal("generated app does not fit")
		}
	}
}
