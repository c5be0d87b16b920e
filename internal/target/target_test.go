package target

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestBuiltins(t *testing.T) {
	want := []string{"edge-4cpu-4gi", "okteto-free", "openshift-starter-2018", "sandbox"}
	if got := strings.Join(Names(), ","); got != strings.Join(want, ",") {
		t.Fatalf("plans = %s, want %s", got, want)
	}
	for _, tg := range Builtins() {
		if tg.Description == "" {
			t.Errorf("%s: no comment saying where its numbers come from", tg.Name)
		}
	}
	sb, err := Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	hard := sb.Quotas[0].Spec.Hard
	if cpu := hard[corev1.ResourceRequestsCPU]; cpu.String() != "1750m" {
		t.Errorf("sandbox requests.cpu = %s, want 1750m", cpu.String())
	}
	edge, _ := Load("edge-4cpu-4gi")
	if len(edge.Nodes) != 1 || edge.Nodes[0].Status.Allocatable.Cpu().String() != "4" {
		t.Errorf("edge nodes = %+v", edge.Nodes)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]struct{ data, want string }{
		"not a target kind": {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", `apiVersion "apps/v1"`},
		"unknown kind":      {"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", `kind "Pod"`},
		"bad quantity":      {"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: lots}}\n", "ResourceQuota"},
		"empty":             {"# nothing\n", "no ResourceQuota"},
		"two namespaces":    {"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: b, namespace: y}\n", "more than one namespace"},
		"unknown field":     {"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hrad: {pods: 1}}\n", "hrad"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data), "t.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "t.yaml") {
				t.Errorf("error %v does not name the file and %q", err, tc.want)
			}
		})
	}
	if _, err := Load("no-such-plan"); err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Errorf("unknown plan error %v should list the plans", err)
	}
}

func TestNamespaceFromObjects(t *testing.T) {
	tg, err := Parse([]byte("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: team-a}\nspec: {hard: {pods: '3'}}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tg.Namespace != "team-a" {
		t.Errorf("namespace = %q", tg.Namespace)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range Names() {
		data, _ := plans.ReadFile("plans/" + n + ".yaml")
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tg, err := Parse(data, "fuzz.yaml")
		if err == nil {
			_ = Summary(tg)
		}
	})
}
