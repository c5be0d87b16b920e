package vamp

import (
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
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, _, err := ParseBytes("bp.yml", data)
		if err != nil {
			return
		}
		for _, o := range objs {
			if o.Name() == "" {
				t.Fatalf("object without a name: %v", o.Kind())
			}
		}
	})
}
