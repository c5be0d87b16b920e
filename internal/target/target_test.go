package target

import (
	"github.com/rightsize/rightsize/internal/fuzzseed"
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
	for _, b := range fuzzseed.Files(50, []string{".yaml"}, "testdata") {
		f.Add(b)
	}
	f.Add([]byte("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: \"-1\"}}\n"))
	// Properties: errors name the file; an accepted target has no negative
	// value (the API server refuses them).
	f.Fuzz(func(t *testing.T, data []byte) {
		tg, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_ = Summary(tg)
		for _, q := range tg.Quotas {
			for k, v := range q.Spec.Hard {
				if v.Sign() < 0 {
					t.Fatalf("negative quota %s=%s accepted", k, v.String())
				}
			}
		}
	})
}

// TestBuiltinNodeLabels: a built-in plan's nodes carry every label a kubelet
// sets on the Node it registers (pkg/kubelet initialNode: hostname, the
// stable and the beta os and arch), with values that agree, so that pods
// selecting any of them schedule as they would on a real node.
func TestBuiltinNodeLabels(t *testing.T) {
	for _, tg := range Builtins() {
		for _, n := range tg.Nodes {
			l := n.Labels
			if l[corev1.LabelHostname] != n.Name {
				t.Errorf("%s: node %s: %s=%q, want the node's name", tg.Name, n.Name, corev1.LabelHostname, l[corev1.LabelHostname])
			}
			for stable, beta := range map[string]string{corev1.LabelOSStable: "beta.kubernetes.io/os", corev1.LabelArchStable: "beta.kubernetes.io/arch"} {
				if l[stable] == "" || l[beta] != l[stable] {
					t.Errorf("%s: node %s: %s=%q and %s=%q, want both set and equal", tg.Name, n.Name, stable, l[stable], beta, l[beta])
				}
			}
			if _, ok := n.Status.Allocatable[corev1.ResourceEphemeralStorage]; !ok {
				t.Errorf("%s: node %s reports no ephemeral-storage, which every kubelet does", tg.Name, n.Name)
			}
		}
	}
}

// TestFileNodesAsGiven: a target file's nodes are not completed with labels
// or taints: they are what the user's cluster shows.
func TestFileNodesAsGiven(t *testing.T) {
	tg, err := Parse([]byte("apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {pool: a}}\nspec: {taints: [{key: k, value: v, effect: NoSchedule}]}\nstatus: {capacity: {cpu: '2', memory: 2Gi}}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := tg.Nodes[0]
	if len(n.Labels) != 1 || n.Labels["pool"] != "a" {
		t.Errorf("labels = %v, want only pool=a", n.Labels)
	}
	if len(n.Spec.Taints) != 1 || n.Spec.Taints[0].Key != "k" {
		t.Errorf("taints = %v", n.Spec.Taints)
	}
	if cpu := n.Status.Allocatable[corev1.ResourceCPU]; cpu.String() != "2" {
		t.Errorf("allocatable cpu = %s, want the capacity's 2", cpu.String())
	}
}
