package footprint_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/target"
)

// deployment is a Deployment "w" with replicas and a pod spec (indented by 6).
func deployment(replicas int, spec string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  replicas: %d
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
%s`, replicas, spec)
}

// node is a target Node: name, labels, spec and allocatable as flow YAML.
func node(name, labels, spec, alloc string) string {
	return fmt.Sprintf("---\napiVersion: v1\nkind: Node\nmetadata: {name: %s, labels: {%s}}\nspec: {%s}\nstatus: {allocatable: {%s}}\n", name, labels, spec, alloc)
}

const small = "cpu: '4', memory: 4Gi, pods: '110'"

// TestNodeCauses: each scheduler filter a manifest can trip is reported
// with its own cause, the scheduler's words and the detail that names it;
// the same app on a node that satisfies the filter fits.
func TestNodeCauses(t *testing.T) {
	c1 := "      containers: [{name: c, image: x, resources: {requests: {cpu: 100m, memory: 64Mi}}}]\n"
	cases := []struct {
		name, app, target string
		key               string // "" means it fits
		want              []string
	}{
		{name: "beta os label selected on the edge plan", app: deployment(1, "      nodeSelector: {beta.kubernetes.io/os: linux}\n"+c1), target: "edge-4cpu-4gi"},
		{name: "stable arch label selected", app: deployment(1, "      nodeSelector: {kubernetes.io/arch: arm64}\n"+c1), target: "edge-4cpu-4gi"},
		{name: "selector label missing", app: deployment(2, "      nodeSelector: {disktype: ssd}\n"+c1), target: "edge-4cpu-4gi",
			key: footprint.KeyNodeAffinity, want: []string{"2 of 2 pod(s)", "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.", "nodeSelector disktype=ssd: node edge has no label disktype"}},
		{name: "selector value differs", app: deployment(1, "      nodeSelector: {kubernetes.io/arch: amd64}\n"+c1), target: "edge-4cpu-4gi",
			key: footprint.KeyNodeAffinity, want: []string{"node edge has kubernetes.io/arch=arm64"}},
		{name: "required node affinity", app: deployment(1, `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, s390x]}]}]
`+c1), target: "edge-4cpu-4gi", key: footprint.KeyNodeAffinity, want: []string{"didn't match Pod's node affinity/selector", "kubernetes.io/arch In [amd64 s390x]"}},
		{name: "untolerated taint", app: deployment(1, c1), target: node("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoSchedule}]", small),
			key: footprint.KeyNodeTaint, want: []string{"1 node(s) had untolerated taint(s)", "{dedicated: gpu}"}},
		{name: "tolerated taint", app: deployment(1, "      tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]\n"+c1),
			target: node("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoSchedule}]", small)},
		{name: "PreferNoSchedule taint does not filter", app: deployment(1, c1), target: node("n", "", "taints: [{key: soft, effect: PreferNoSchedule}]", small)},
		{name: "cordoned node", app: deployment(1, c1), target: node("n", "", "unschedulable: true", small),
			key: footprint.KeyNodeUnschedulable, want: []string{"1 node(s) were unschedulable"}},
		{name: "larger than the node", app: deployment(1, "      containers: [{name: c, image: x, resources: {requests: {cpu: '6', memory: 1Gi}}}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodeSize, want: []string{"1 Insufficient cpu.", "cpu: the pod requests 6, node edge has 4 allocatable"}},
		{name: "extended resource the node lacks", app: deployment(1, "      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodeSize, want: []string{"Insufficient nvidia.com/gpu"}},
		{name: "ephemeral storage the node lacks", app: deployment(1, "      containers: [{name: c, image: x, resources: {requests: {ephemeral-storage: 1Gi}}}]\n"), target: node("n", "", "", small),
			key: footprint.KeyNodeSize, want: []string{"Insufficient ephemeral-storage"}},
		{name: "ephemeral storage on the edge plan", app: deployment(1, "      containers: [{name: c, image: x, resources: {requests: {ephemeral-storage: 1Gi}}}]\n"), target: "edge-4cpu-4gi"},
		{name: "together too large", app: deployment(3, "      containers: [{name: c, image: x, resources: {requests: {cpu: 1500m}}}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodes, want: []string{"1 of 3 pod(s)", "1 Insufficient cpu.", "1 of it free"}},
		{name: "pod count", app: deployment(3, c1), target: node("n", "", "", "cpu: '4', memory: 4Gi, pods: '2'"),
			key: footprint.KeyNodes, want: []string{"1 of 3 pod(s)", "1 Too many pods."}},
		{name: "host port on one node", app: deployment(2, "      containers: [{name: c, image: x, ports: [{containerPort: 8080, hostPort: 8080}]}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodePorts, want: []string{"1 of 2 pod(s)", "1 node(s) didn't have free ports for the requested pod ports.", "hostPort 8080/TCP is taken on node edge by another pod of Deployment/w"}},
		{name: "host port on two nodes", app: deployment(2, "      containers: [{name: c, image: x, ports: [{containerPort: 8080, hostPort: 8080}]}]\n"),
			target: node("a", "", "", small) + node("b", "", "", small)},
		{name: "host ports on different addresses", app: deployment(2, "      containers: [{name: c, image: x, ports: [{containerPort: 53, hostPort: 53, hostIP: 10.0.0.1}]}]\n"+
			"      initContainers: [{name: s, image: x, restartPolicy: Always, ports: [{containerPort: 54, hostPort: 53, hostIP: 10.0.0.2}]}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodePorts, want: []string{"1 of 2 pod(s)", "hostPort 53/TCP on 10.0.0."}},
		{name: "host network binds container ports", app: deployment(2, "      hostNetwork: true\n      containers: [{name: c, image: x, ports: [{containerPort: 9000}]}]\n"), target: "edge-4cpu-4gi",
			key: footprint.KeyNodePorts, want: []string{"hostPort 9000/TCP"}},
		{name: "pod anti-affinity on hostname", app: deployment(3, `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: w}}, topologyKey: kubernetes.io/hostname}
`+c1), target: node("a", "kubernetes.io/hostname: a", "", small) + node("b", "kubernetes.io/hostname: b", "", small),
			key: footprint.KeyPodAffinity, want: []string{"1 of 3 pod(s)", "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.", "topologyKey kubernetes.io/hostname"}},
		{name: "pod anti-affinity on a label no node has", app: deployment(3, `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: w}}, topologyKey: topology.kubernetes.io/zone}
`+c1), target: "edge-4cpu-4gi"},
		{name: "daemon pod too large for one of its nodes", app: strings.Replace(strings.Replace(deployment(0, "      containers: [{name: c, image: x, resources: {requests: {cpu: '2'}}}]\n"), "Deployment", "DaemonSet", 1), "  replicas: 0\n", "", 1),
			target: node("a", "", "", small) + node("b", "", "", "cpu: '1', memory: 4Gi"),
			key:    footprint.KeyNodeSize, want: []string{"1 of 2 pod(s)", "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity].", "node b has 1 allocatable"}},
		{name: "daemon pods skip tainted nodes and run on cordoned ones", app: strings.Replace(strings.Replace(deployment(0, "      containers: [{name: c, image: x, resources: {requests: {cpu: '2'}}}]\n"), "Deployment", "DaemonSet", 1), "  replicas: 0\n", "", 1),
			target: node("a", "", "unschedulable: true", small) + node("b", "", "taints: [{key: k, effect: NoExecute}]", "cpu: '1', memory: 4Gi")},
		{name: "pod affinity to pods the app does not run", app: deployment(1, `      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: cache}}, topologyKey: kubernetes.io/hostname}
`+c1), target: "edge-4cpu-4gi", key: footprint.KeyPodAffinity, want: []string{"1 node(s) didn't match pod affinity rules", "no matching pod"}},
		{name: "pod affinity to its own kind: the first may go anywhere", app: deployment(3, `      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: w}}, topologyKey: kubernetes.io/hostname}
`+c1), target: "edge-4cpu-4gi"},
		{name: "node name outside the target", app: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeName: elsewhere\n  containers: [{name: c, image: x}]\n", target: "edge-4cpu-4gi",
			key: footprint.KeyNodeName, want: []string{"1 node(s) didn't match the requested node name", `"elsewhere"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := target.Load(tc.target)
			if strings.Contains(tc.target, "\n") {
				tg = mustTarget(t, tc.target)
			} else if err != nil {
				t.Fatal(err)
			}
			res, err := footprint.Analyze(mustApp(t, tc.app), tg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Severity == "error" {
					got = append(got, f.Key+": "+f.Message)
				}
			}
			if tc.key == "" {
				if !res.Fits || len(got) > 0 {
					t.Fatalf("fits=%v, want a fit; errors: %v", res.Fits, got)
				}
				return
			}
			if res.Fits || len(got) != 1 || !strings.HasPrefix(got[0], tc.key+": ") {
				t.Fatalf("fits=%v, errors %q: want exactly one %s finding", res.Fits, got, tc.key)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("finding %q does not say %q", got[0], w)
				}
			}
		})
	}
}
