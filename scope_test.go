package rightsize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rightsize/rightsize"
)

// Fit folds namespaced objects into the target's namespace and leaves
// cluster-scoped ones alone, whether the kind is built in or the app's own
// CustomResourceDefinition declares it.
func TestFitLeavesClusterScopedObjects(t *testing.T) {
	dir := t.TempDir()
	app := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas-limit}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations: [{expression: "object.spec.replicas <= 5"}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: global}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: elsewhere}
`
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	target := "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: team}\nspec: {hard: {pods: \"10\"}}\n"
	tf := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(tf, []byte(target), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := rightsize.LoadApp(ctx, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := rightsize.LoadTarget(ctx, tf)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rightsize.Fit(ctx, a, tg)
	if err != nil {
		t.Fatal(err)
	}
	moved := map[string]bool{}
	for _, c := range f.Report.Changes {
		if c.Field == "metadata.namespace" {
			moved[c.Object.Kind] = true
		}
	}
	if !moved["ConfigMap"] {
		t.Errorf("the ConfigMap was not moved into namespace team: %+v", f.Report.Changes)
	}
	for _, k := range []string{"ValidatingAdmissionPolicy", "CustomResourceDefinition", "Widget"} {
		if moved[k] {
			t.Errorf("fit gave the cluster-scoped %s a namespace", k)
		}
	}
	for _, k := range f.App.Keys() {
		if k.Kind != "ConfigMap" && k.Namespace != "" {
			t.Errorf("%s carries namespace %q", k, k.Namespace)
		}
	}
}
