package vamp

import (
	"github.com/rightsize/rightsize/internal/fuzzseed"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
)

func TestNamedBreedsAndScales(t *testing.T) {
	objs, _, err := Load("testdata/named.yml")
	if err != nil {
		t.Fatal(err)
	}
	v1 := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-web-1-0")
	v2 := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-web-2-0")
	if v1 == nil || v2 == nil {
		t.Fatalf("want one Deployment per service of cluster web, got %v", refs(objs))
	}
	if *v1.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2 from the named scale small", *v1.Spec.Replicas)
	}
	c := v1.Spec.Template.Spec.Containers[0]
	if c.Resources.Requests.Cpu().String() != "500m" || c.Resources.Requests.Memory().String() != "1Gi" || c.Resources.Limits.Memory().String() != "1Gi" {
		t.Errorf("resources = %+v, want 500m and 1Gi", c.Resources)
	}
	if m := v2.Spec.Template.Spec.Containers[0].Resources.Requests.Memory().String(); m != "128Mi" {
		t.Errorf("memory 128 (MB by default) = %s, want 128Mi", m)
	}
	if c.Env[0].Value != "postgres://db:5432/shop" {
		t.Errorf("DB_URL = %q, want ${db.host} and $db.ports.pg resolved to the db cluster's Service", c.Env[0].Value)
	}
	db := model.Lookup[*appsv1.Deployment](objs, "Deployment", "db")
	if db == nil || db.Spec.Template.Spec.Containers[0].Image != "postgres:15" {
		t.Errorf("Deployment/db = %+v: breed by name, docker:// stripped", db)
	}
	web := model.Lookup[*corev1.Service](objs, "Service", "web")
	if web == nil || web.Spec.Selector[ClusterLabel] != "web" {
		t.Errorf("Service/web = %+v, want it to select every service of the cluster", web)
	}
	for _, d := range []*appsv1.Deployment{v1, v2} {
		if d.Spec.Template.Labels[ClusterLabel] != "web" {
			t.Errorf("%s pods lack the cluster label", d.Name)
		}
	}
	gw := model.Lookup[*corev1.Service](objs, "Service", "shop-80")
	if gw == nil || gw.Spec.Ports[0].Port != 80 || gw.Spec.Ports[0].TargetPort.IntValue() != 8080 {
		t.Errorf("gateway Service = %+v, want 80 -> 8080", gw)
	}
	found := false
	for _, o := range objs {
		found = found || (o.Kind() == "Ingress" && o.Name() == "shop-80")
	}
	if !found {
		t.Error("HTTP gateway gave no Ingress")
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, file string
		data       string
		want       []string
	}{
		{"missing breed", "testdata/missing-breed.yml", "", []string{"missing-breed.yml", "clusters.web.services[0].breed", "nowhere:1.0"}},
		{"bad memory", "bp.yml", "clusters:\n  a:\n    services:\n      breed: {name: a, deployable: a}\n      scale: {memory: 64XB}\n", []string{"bp.yml", "clusters.a.services.scale.memory", "XB"}},
		{"bad port", "bp.yml", "clusters:\n  a:\n    services:\n      breed: {name: a, deployable: a, ports: {web: http}}\n", []string{"bp.yml", "clusters.a.services.breed.ports.web"}},
		{"undeployed dependency", "bp.yml", "clusters:\n  a:\n    services:\n      breed: {name: a, deployable: a, dependencies: {b: b}, environment_variables: {X: $b.host}}\n", []string{"bp.yml", "dependencies.b", "not deployed"}},
		{"wrong type", "bp.yml", "clusters:\n  a: [1]\n", []string{"bp.yml", "clusters.a", "want a mapping"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.data == "" {
				_, _, err = Load(c.file)
			} else {
				_, _, err = ParseBytes(c.file, []byte(c.data))
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func refs(objs []*model.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Ref())
	}
	return out
}

func FuzzBlueprint(f *testing.F) {
	for _, p := range []string{"testdata/named.yml", "testdata/missing-breed.yml", "../../../../shared/corpus/vamp-http-dependency/recipes/http-deployment-dependency/deploy.yml"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, b := range fuzzseed.Files(50, []string{".yml", ".yaml"}, "testdata", fuzzseed.Corpus()+"/vamp-http-dependency") {
		f.Add(b)
	}
	// Properties: errors name the file; objects have names; parsing twice
	// gives the same objects.
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzseed.Watch(data)()
		objs, _, err := ParseBytes("bp.yml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "bp.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		again, _, err := ParseBytes("bp.yml", data)
		if err != nil || len(again) != len(objs) {
			t.Fatalf("parsing again: %d objects, err %v; first %d", len(again), err, len(objs))
		}
		for i, o := range objs {
			if o.Name() == "" {
				t.Fatalf("object without a name: %v", o.Kind())
			}
			if again[i].Ref() != o.Ref() {
				t.Fatalf("object %d: %s then %s", i, o.Ref(), again[i].Ref())
			}
		}
	})
}

// TestSeveralDeployments reads a folder as Vamp users keep it: breeds and a
// scale in artifacts.yml, three deployments that each have frontend and
// backend clusters, an undeploy request (stubs), and a workflow.
func TestSeveralDeployments(t *testing.T) {
	for _, paths := range [][]string{
		{"testdata/parallel"},
		{"testdata/parallel/artifacts.yml", "testdata/parallel/deploy.yml"},
	} {
		objs, findings, err := Load(paths...)
		if err != nil {
			t.Fatalf("%v: %v", paths, err)
		}
		for _, color := range []string{"blue", "green", "red"} {
			fe := model.Lookup[*appsv1.Deployment](objs, "Deployment", color+"-frontend")
			be := model.Lookup[*appsv1.Deployment](objs, "Deployment", color+"-backend")
			if fe == nil || be == nil {
				t.Fatalf("%v: deployment %s: want %s-frontend and %s-backend, got %v", paths, color, color, color, refs(objs))
			}
			env := envMap(fe.Spec.Template.Spec.Containers[0])
			if env["API_URL"] != "http://"+color+"-backend:9000" {
				t.Errorf("%s frontend API_URL = %q: $api.host must resolve inside deployment %s", color, env["API_URL"], color)
			}
			if got := envMap(be.Spec.Template.Spec.Containers[0])["COLOR"]; got != color {
				t.Errorf("%s backend COLOR = %q", color, got)
			}
			if *be.Spec.Replicas != 1 || be.Spec.Template.Spec.Containers[0].Resources.Requests.Memory().String() != "64Mi" {
				t.Errorf("%s backend: scale tiny from artifacts.yml not applied", color)
			}
			if model.Lookup[*corev1.Service](objs, "Service", color+"-backend") == nil {
				t.Errorf("no Service %s-backend", color)
			}
		}
		if n := countKind(objs, "Deployment"); n != 6 {
			t.Errorf("%v: %d Deployments, want 6 (stubs of undeploy.yml merged, the workflow skipped)", paths, n)
		}
		if len(paths) == 1 && !hasFinding(findings, "workflow checker") {
			t.Errorf("the workflow is not reported as skipped: %v", findings)
		}
	}
}

// TestCanaryFolder reads blueprints, a deployment by reference, a breed by
// reference, a named scale and a gateway of its own.
func TestCanaryFolder(t *testing.T) {
	objs, findings, err := Load("testdata/canary")
	if err != nil {
		t.Fatal(err)
	}
	cur := model.Lookup[*appsv1.Deployment](objs, "Deployment", "shop-shop")
	old := model.Lookup[*appsv1.Deployment](objs, "Deployment", "shop-1-0-shop")
	if cur == nil || old == nil {
		t.Fatalf("want deployment shop and the deployed blueprint shop:1.0 (deploy1.yml names it): %v", refs(objs))
	}
	if cur.Spec.Template.Spec.Containers[0].Image != "example/shop:1.1" || *cur.Spec.Replicas != 3 {
		t.Errorf("deployment shop: breed {reference: shop:1.1}, scale {ref: large}: %+v", cur.Spec)
	}
	if old.Spec.Template.Spec.Containers[0].Image != "example/shop:1.0" {
		t.Errorf("blueprint shop:1.0: image %s", old.Spec.Template.Spec.Containers[0].Image)
	}
	gw := model.Lookup[*corev1.Service](objs, "Service", "shop-public")
	if gw == nil || gw.Spec.Ports[0].Port != 9050 || gw.Spec.Selector[ClusterLabel] != "shop-shop" {
		t.Errorf("gateway shop-public = %+v, want port 9050 to cluster shop of deployment shop", gw)
	}
	if model.Lookup[*appsv1.Deployment](objs, "Deployment", "shop-1-1-shop") != nil || !hasFinding(findings, "blueprint shop:1.1 is a template") {
		t.Error("blueprint shop:1.1, deployed by no document, is converted or not reported")
	}
}

// TestBreedScopedVariable applies CLUSTER.BREED.VAR to that breed only and
// CLUSTER.VAR to every service of the cluster.
func TestBreedScopedVariable(t *testing.T) {
	objs, _, err := ParseBytes("bp.yml", []byte(`
name: shop
environment_variables:
  web.web:2.0.MODE: canary
  web.REGION: eu
clusters:
  web:
    services:
    - breed: {name: "web:1.0", deployable: "shop/web:1.0"}
    - breed: {name: "web:2.0", deployable: "shop/web:2.0", env: {MODE: stable}}
`))
	if err != nil {
		t.Fatal(err)
	}
	v1 := envMap(model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-web-1-0").Spec.Template.Spec.Containers[0])
	v2 := envMap(model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-web-2-0").Spec.Template.Spec.Containers[0])
	if _, ok := v1["MODE"]; ok || v2["MODE"] != "canary" {
		t.Errorf("MODE: web:1.0 %q, web:2.0 %q; want unset and canary", v1["MODE"], v2["MODE"])
	}
	if v1["REGION"] != "eu" || v2["REGION"] != "eu" {
		t.Errorf("REGION: %q %q, want eu on both", v1["REGION"], v2["REGION"])
	}
	if _, _, err := ParseBytes("bp.yml", []byte("environment_variables: {web.nope.X: 1}\nclusters:\n  web: {services: {breed: {name: a, deployable: a}}}\n")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a variable for a breed the cluster does not run: error %v", err)
	}
}

func envMap(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, e := range c.Env {
		m[e.Name] = e.Value
	}
	return m
}

func countKind(objs []*model.Object, kind string) int {
	n := 0
	for _, o := range objs {
		if o.Kind() == kind {
			n++
		}
	}
	return n
}

func hasFinding(fs []model.Finding, sub string) bool {
	for _, f := range fs {
		if strings.Contains(f.Message, sub) {
			return true
		}
	}
	return false
}
