package diff

import (
	"bytes"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

func deployment(name, mem string, replicas int32) *model.Object {
	return &model.Object{Obj: &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: name, Image: "img", Resources: corev1.ResourceRequirements{
				Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)}}}}}}},
	}}
}

func service(name string) *model.Object {
	return &model.Object{Obj: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}}
}

func TestWrite(t *testing.T) {
	before := []*model.Object{deployment("web", "1Gi", 3), deployment("cache", "2Gi", 1), service("same")}
	after := []*model.Object{service("same"), deployment("web", "512Mi", 1), deployment("cache-merged", "2Gi", 1)}
	var buf bytes.Buffer
	st, err := Write(&buf, before, after, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{Changed: 1, Added: 1, Removed: 1}) {
		t.Errorf("stats %+v, want one each", st)
	}
	out := buf.String()
	for _, want := range []string{
		"diff -u -N before/apps.v1.Deployment.shop.web after/apps.v1.Deployment.shop.web\n",
		"--- before/apps.v1.Deployment.shop.web\n+++ after/apps.v1.Deployment.shop.web\n",
		"-  replicas: 3\n+  replicas: 1\n",
		"-            memory: 1Gi\n+            memory: 512Mi\n",
		"+kind: Deployment\n", // cache-merged, added whole
		"-  name: cache\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "v1.Service.shop.same") {
		t.Errorf("an unchanged object is in the diff:\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour without Options.Color:\n%q", out)
	}
	// Objects in another order give the same bytes.
	var again bytes.Buffer
	if _, err := Write(&again, []*model.Object{before[2], before[1], before[0]}, after, Options{}); err != nil {
		t.Fatal(err)
	}
	if again.String() != out {
		t.Errorf("output depends on object order")
	}
	var col bytes.Buffer
	if _, err := Write(&col, before, after, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(col.String(), "\x1b[31m-  replicas: 3\x1b[0m\n") || !strings.Contains(col.String(), "\x1b[32m+  replicas: 1\x1b[0m\n") {
		t.Errorf("coloured diff lacks red/green lines:\n%q", col.String())
	}
}
