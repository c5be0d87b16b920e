package kube

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRetiredGolden migrates every retired version's objects under
// testdata/retired and compares them, with their findings, to the golden files.
func TestRetiredGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/retired/*.yaml")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			objs, findings, err := Decode(data, filepath.Base(in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			for _, f := range findings {
				fmt.Fprintf(&out, "# %s %s %s: %s\n", f.Severity, f.Key, f.Object, f.Message)
			}
			for _, o := range objs {
				y, err := yaml.Marshal(o.Obj)
				if err != nil {
					t.Fatal(err)
				}
				out.WriteString("---\n")
				out.Write(y)
			}
			golden := strings.TrimSuffix(in, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%s differs from %s:\n%s", in, golden, out.String())
			}
			checkMigrated(t, data, objs, findings)
		})
	}
}

// checkMigrated asserts what holds for every input: each document is either
// an object of a served version with one info finding naming both versions,
// or dropped with a finding.
func checkMigrated(t *testing.T, data []byte, objs []*model.Object, findings []model.Finding) {
	t.Helper()
	docs := strings.Count(string(data), "\n---\n") + 1
	dropped := 0
	for _, f := range findings {
		if f.Key == "dropped" {
			dropped++
		}
	}
	if len(objs)+dropped != docs {
		t.Errorf("%d objects + %d dropped, want %d documents", len(objs), dropped, docs)
	}
	for _, o := range objs {
		gv := o.GVK().GroupVersion()
		if gv.String() == "v1" {
			continue // a served object beside the retired ones
		}
		if _, err := versionCheck(gv.Group, gv.Version, gv.String(), o.Kind()); err != nil || retired[gv.String()] != nil {
			t.Errorf("%s: still %s", o.Ref(), gv)
		}
		n := 0
		for _, f := range findings {
			if f.Object == o.Key() && f.Key == "api-version" && f.Severity == model.Info && strings.Contains(f.Message, gv.String()) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d api-version findings naming %s, want 1", o.Ref(), n, gv)
		}
	}
}

// TestRetiredDefaults pins the old versions' defaults that differ from the
// served version's, from Kubernetes' defaults.go of each old version.
func TestRetiredDefaults(t *testing.T) {
	dep := func(apiVersion string) *appsv1.Deployment {
		t.Helper()
		data := "apiVersion: " + apiVersion + "\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n"
		objs, _, err := Decode([]byte(data), "f.yaml", Options{})
		if err != nil {
			t.Fatal(err)
		}
		return objs[0].Obj.(*appsv1.Deployment)
	}
	ext := dep("extensions/v1beta1")
	if ext.Spec.Selector == nil || ext.Spec.Selector.MatchLabels["app"] != "web" || ext.Labels["app"] != "web" {
		t.Errorf("extensions/v1beta1: selector and labels not from the template: %+v %v", ext.Spec.Selector, ext.Labels)
	}
	ru := ext.Spec.Strategy.RollingUpdate
	if ru == nil || ru.MaxSurge.String() != "1" || ru.MaxUnavailable.String() != "1" {
		t.Errorf("extensions/v1beta1: rolling update %+v, want surge 1 unavailable 1", ru)
	}
	if *ext.Spec.RevisionHistoryLimit != 1<<31-1 || *ext.Spec.ProgressDeadlineSeconds != 1<<31-1 {
		t.Errorf("extensions/v1beta1: history %d deadline %d, want max int32", *ext.Spec.RevisionHistoryLimit, *ext.Spec.ProgressDeadlineSeconds)
	}
	b1 := dep("apps/v1beta1")
	if b1.Spec.Selector == nil || *b1.Spec.RevisionHistoryLimit != 2 || *b1.Spec.ProgressDeadlineSeconds != 600 || b1.Spec.Strategy.RollingUpdate != nil {
		t.Errorf("apps/v1beta1: %+v", b1.Spec)
	}
	if _, _, err := Decode([]byte("apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n"), "f.yaml", Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestRetiredIngress(t *testing.T) {
	data, _ := os.ReadFile("testdata/retired/extensions-v1beta1.yaml")
	objs, _, err := Decode(data, "f.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ing *networkingv1.Ingress
	for _, o := range objs {
		if i, ok := o.Obj.(*networkingv1.Ingress); ok {
			ing = i
		}
	}
	if ing == nil {
		t.Fatal("no Ingress")
	}
	if b := ing.Spec.DefaultBackend; b == nil || b.Service.Name != "web" || b.Service.Port.Number != 80 {
		t.Errorf("defaultBackend = %+v", b)
	}
	paths := ing.Spec.Rules[0].HTTP.Paths
	if p := paths[0]; p.Backend.Service.Port.Name != "http" || p.PathType == nil || *p.PathType != networkingv1.PathTypeImplementationSpecific {
		t.Errorf("path 0 = %+v", p)
	}
	if p := paths[1]; p.Backend.Service.Name != "api" || p.Backend.Service.Port.Number != 8080 {
		t.Errorf("path 1 = %+v", p)
	}
}

func TestRetiredRBACSubjects(t *testing.T) {
	data, _ := os.ReadFile("testdata/retired/rbac.yaml")
	objs, _, err := Decode(data, "f.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	crb := objs[3].Obj.(*unstructured.Unstructured)
	subjects, _, _ := unstructured.NestedSlice(crb.Object, "subjects")
	user := subjects[0].(map[string]any)
	if user["apiGroup"] != "rbac.authorization.k8s.io" || user["apiVersion"] != nil {
		t.Errorf("User subject = %v", user)
	}
	if sa := subjects[1].(map[string]any); sa["apiGroup"] != nil {
		t.Errorf("ServiceAccount subject = %v", sa)
	}
}

func TestVersionNeverServed(t *testing.T) {
	for _, tc := range []struct{ apiVersion, kind, want string }{
		{"extensions/v1beta2", "Deployment", `"apps/v1"`},
		{"apps/v1beta1", "DaemonSet", `has no kind DaemonSet; use "apps/v1"`},
		{"apps/v2", "Deployment", `does not exist`},
		{"v2", "Service", `does not exist`},
		{"rbac.authorization.k8s.io/v2", "Role", "rbac.authorization.k8s.io/v1"},
	} {
		data := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: {name: x}\n", tc.apiVersion, tc.kind)
		_, _, err := Decode([]byte(data), "f.yaml", Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.kind+"/x") {
			t.Errorf("%s %s: error %v, want one naming the object and %s", tc.apiVersion, tc.kind, err, tc.want)
		}
	}
	// A custom group is not the business of this check.
	if _, _, err := Decode([]byte("apiVersion: example.com/v7alpha3\nkind: Deployment\nmetadata: {name: x}\n"), "f.yaml", Options{}); err != nil {
		t.Errorf("custom resource named Deployment: %v", err)
	}
}

// TestCurrentPrereleaseKinds: an alpha or beta kind that Kubernetes still
// has is passed on, not refused as a retired version.
func TestCurrentPrereleaseKinds(t *testing.T) {
	for _, av := range []string{"coordination.k8s.io/v1alpha2\nkind: LeaseCandidate", "admissionregistration.k8s.io/v1beta1\nkind: MutatingAdmissionPolicy", "certificates.k8s.io/v1beta1\nkind: ClusterTrustBundle"} {
		objs, findings, err := Decode([]byte("apiVersion: "+av+"\nmetadata: {name: x}\n"), "f.yaml", Options{})
		if err != nil || len(objs) != 1 || len(findings) != 0 {
			t.Errorf("%s: %v %v %v", av, err, objs, findings)
		}
	}
}
