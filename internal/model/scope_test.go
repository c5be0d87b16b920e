package model

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(apiVersion, kind, name string) *Object {
	return &Object{Obj: &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name},
	}}}
}

func TestScope(t *testing.T) {
	crd := &Object{Obj: &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"},
		"spec":     map[string]any{"group": "example.com", "scope": "Cluster", "names": map[string]any{"kind": "Widget"}},
	}}}
	dep := &Object{Obj: &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}}}
	s := NewScope(&App{Objects: []*Object{crd, dep}})
	for _, c := range []struct {
		o          *Object
		namespaced bool
	}{
		{dep, true},
		{crd, false},
		{obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "p"), false},
		{obj("rbac.authorization.k8s.io/v1beta1", "ClusterRole", "r"), false},
		{obj("v1", "Namespace", "n"), false},
		{obj("v1", "ConfigMap", "c"), true},
		{obj("example.com/v1", "Widget", "w"), false},
		{obj("other.example.com/v1", "Widget", "w"), true}, // another group's Widget
		{obj("v1", "Project", "p"), false},                 // OpenShift's pre-3.6 API
		{obj("project.openshift.io/v1", "Project", "p"), false},
		{obj("monitoring.coreos.com/v1", "ServiceMonitor", "m"), true},
	} {
		if got := s.Namespaced(c.o); got != c.namespaced {
			t.Errorf("%s %s: namespaced %v, want %v", c.o.GVK().GroupVersion(), c.o.Kind(), got, c.namespaced)
		}
	}
}
