package footprint_test

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/target"
)

func mustApp(t *testing.T, y string) *model.App {
	t.Helper()
	objs, findings, err := kube.Decode([]byte(y), "test.yaml", kube.Options{})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &model.App{Objects: objs, Findings: findings}
}

func mustTarget(t *testing.T, y string) *model.Target {
	t.Helper()
	tg, err := target.Parse([]byte(y), "target.yaml")
	if err != nil {
		t.Fatalf("target: %v", err)
	}
	return tg
}

const hugeQuota = `
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec:
  hard: {requests.cpu: "1000", requests.memory: 1000Gi, limits.cpu: "1000", limits.memory: 1000Gi, pods: "1000"}
`

// containerLimitRange is a LimitRange of one Container item with fields.
func containerLimitRange(fields ...string) string {
	return "---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec:\n  limits:\n  - type: Container\n    " + strings.Join(fields, "\n    ") + "\n"
}

func pod(containers string) string {
	return `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
` + containers
}

// TestEffectivePodSize covers how one pod's requests and limits add up.
func TestEffectivePodSize(t *testing.T) {
	cases := []struct {
		name             string
		app              string
		target           string
		wantReq, wantLim string // cpu
	}{
		{
			name: "init container larger than the app containers wins",
			app: pod(`  initContainers:
  - {name: init, image: x, resources: {requests: {cpu: "1"}, limits: {cpu: "1"}}}
  containers:
  - {name: a, image: x, resources: {requests: {cpu: 200m}, limits: {cpu: 300m}}}
  - {name: b, image: x, resources: {requests: {cpu: 100m}, limits: {cpu: 300m}}}`),
			target: hugeQuota, wantReq: "1", wantLim: "1",
		},
		{
			name: "native sidecar adds to the app and to later init containers",
			app: pod(`  initContainers:
  - {name: side, image: x, restartPolicy: Always, resources: {requests: {cpu: 100m}, limits: {cpu: 100m}}}
  - {name: init, image: x, resources: {requests: {cpu: 500m}, limits: {cpu: 500m}}}
  containers:
  - {name: a, image: x, resources: {requests: {cpu: 200m}, limits: {cpu: 200m}}}`),
			target: hugeQuota, wantReq: "600m", wantLim: "600m",
		},
		{
			name: "sidecar after a big init container does not add to it",
			app: pod(`  initContainers:
  - {name: init, image: x, resources: {requests: {cpu: 500m}, limits: {cpu: 500m}}}
  - {name: side, image: x, restartPolicy: Always, resources: {requests: {cpu: 100m}, limits: {cpu: 100m}}}
  containers:
  - {name: a, image: x, resources: {requests: {cpu: 200m}, limits: {cpu: 200m}}}`),
			target: hugeQuota, wantReq: "500m", wantLim: "500m",
		},
		{
			name: "limit-only container gets request = limit",
			app: pod(`  containers:
  - {name: a, image: x, resources: {limits: {cpu: 700m, memory: 1Gi}}}`),
			target: hugeQuota, wantReq: "700m", wantLim: "700m",
		},
		{
			name: "overhead adds to requests and to set limits",
			app: pod(`  overhead: {cpu: 250m}
  containers:
  - {name: a, image: x, resources: {requests: {cpu: 100m, memory: 1Mi}, limits: {cpu: 200m, memory: 1Mi}}}`),
			target: hugeQuota, wantReq: "350m", wantLim: "450m",
		},
		{
			name: "LimitRange defaults fill what is unset, max becomes default limit",
			app: pod(`  containers:
  - {name: a, image: x}`),
			target:  hugeQuota + containerLimitRange("max: {cpu: 800m, memory: 1Gi}", "min: {cpu: 50m, memory: 1Mi}"),
			wantReq: "800m", wantLim: "800m",
		},
		{
			name: "LimitRange defaultRequest falls back to min when default is absent",
			app: pod(`  containers:
  - {name: a, image: x, resources: {limits: {memory: 1Gi}}}`),
			target:  hugeQuota + containerLimitRange("min: {cpu: 50m}"),
			wantReq: "50m", wantLim: "",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, tc.app), mustTarget(t, tc.target))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Workloads) != 1 {
				t.Fatalf("want 1 workload, got %d", len(res.Workloads))
			}
			w := res.Workloads[0]
			if got := qs(w.PodRequests, corev1.ResourceCPU); got != tc.wantReq {
				t.Errorf("pod cpu request = %q, want %q", got, tc.wantReq)
			}
			if got := qs(w.PodLimits, corev1.ResourceCPU); got != tc.wantLim {
				t.Errorf("pod cpu limit = %q, want %q", got, tc.wantLim)
			}
		})
	}
}

func qs(l corev1.ResourceList, n corev1.ResourceName) string {
	q, ok := l[n]
	if !ok {
		return ""
	}
	return q.String()
}

// TestAdmission covers refusals and per-key charges.
func TestAdmission(t *testing.T) {
	cases := []struct {
		name      string
		app       string
		target    string
		fits      bool
		refusal   string            // substring of the first refusal, "" for none
		refused   int               // total refused creations
		requested map[string]string // quota key -> requested
	}{
		{
			name:   "missing cpu request under a requests.cpu quota: must specify",
			app:    pod("  containers:\n  - {name: app, image: x, resources: {requests: {memory: 1Mi}}}\n  initContainers:\n  - {name: init, image: x}"),
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec: {hard: {requests.cpu: '1', limits.memory: 1Gi}}",
			fits:   false, refused: 1,
			refusal: "failed quota: compute: must specify limits.memory for: app,init; requests.cpu for: app,init",
		},
		{
			name:   "LimitRange default satisfies must specify",
			app:    pod("  containers:\n  - {name: app, image: x}"),
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec: {hard: {requests.cpu: '1'}}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, defaultRequest: {cpu: 100m}}]}",
			fits:   true, requested: map[string]string{"requests.cpu": "100m"},
		},
		{
			name:   "LimitRange ratio refuses",
			app:    pod("  containers:\n  - {name: app, image: x, resources: {requests: {cpu: 100m}, limits: {cpu: 500m}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, maxLimitRequestRatio: {cpu: '2'}}]}",
			fits:   false, refused: 1,
			refusal: "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000",
		},
		{
			name:   "LimitRange max without a limit refuses",
			app:    pod("  containers:\n  - {name: app, image: x, resources: {requests: {memory: 64Mi}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Pod, max: {memory: 1Gi}}]}",
			fits:   false, refused: 1,
			refusal: "maximum memory usage per Pod is 1Gi.  No limit is specified",
		},
		{
			name:   "defaulted limit below the request is invalid",
			app:    pod("  containers:\n  - {name: app, image: x, resources: {requests: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, default: {cpu: '1'}}]}",
			fits:   false, refused: 1,
			refusal: "must be less than or equal to cpu limit of 1",
		},
		{
			name:   "BestEffort scope counts only best-effort pods",
			app:    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: be}\nspec:\n  replicas: 3\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}\n---\n" + pod("  containers:\n  - {name: app, image: x, resources: {requests: {cpu: 1m}}}"),
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: be}\nspec: {hard: {pods: '2'}, scopes: [BestEffort]}",
			fits:   false, refused: 1,
			refusal:   "exceeded quota: be, requested: pods=1, used: pods=2, limited: pods=2",
			requested: map[string]string{"pods": "3"},
		},
		{
			name:   "Terminating scope: only pods with activeDeadlineSeconds",
			app:    pod("  activeDeadlineSeconds: 60\n  containers:\n  - {name: app, image: x, resources: {limits: {cpu: 300m}}}\n") + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: {containers: [{name: c, image: x, resources: {limits: {cpu: 1}}}]}",
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: t}\nspec: {hard: {requests.cpu: 400m}, scopes: [Terminating]}",
			fits:   true, requested: map[string]string{"requests.cpu": "300m"},
		},
		{
			name: "services: NodePort and LoadBalancer ports count as node ports",
			app: `apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort, ports: [{port: 80}, {port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: lb2}
spec: {type: LoadBalancer, allocateLoadBalancerNodePorts: false, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: {ports: [{port: 80}]}`,
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: s}\nspec: {hard: {services: '10', services.nodeports: '2', services.loadbalancers: '5', count/services: '9'}}",
			fits:   false, refused: 1,
			requested: map[string]string{"services": "4", "services.nodeports": "3", "services.loadbalancers": "2", "count/services": "4"},
		},
		{
			name: "StatefulSet claims: one per replica, OrderedReady stops at the first refusal",
			app: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {a: db}}
  template:
    metadata: {labels: {a: db}}
    spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 2Gi}}}`,
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: st}\nspec: {hard: {requests.storage: 5Gi, persistentvolumeclaims: '10', fast.storageclass.storage.k8s.io/requests.storage: 100Gi, count/statefulsets.apps: '1', count/controllerrevisions.apps: '1'}}",
			fits:   false, refused: 2,
			refusal:   "exceeded quota: st, requested: requests.storage=2Gi, used: requests.storage=4Gi, limited: requests.storage=5Gi",
			requested: map[string]string{"requests.storage": "6Gi", "persistentvolumeclaims": "3", "fast.storageclass.storage.k8s.io/requests.storage": "6Gi", "count/statefulsets.apps": "1", "count/controllerrevisions.apps": "1"},
		},
		{
			name: "Deployment charges itself, its ReplicaSet and its pods; Job parallelism",
			app: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {a: web}}
  template:
    metadata: {labels: {a: web}}
    spec: {containers: [{name: c, image: x, resources: {requests: {memory: 100Mi}}}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  parallelism: 5
  completions: 3
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {memory: 10Mi}}}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: c, image: x}]}`,
			target:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: c}\nspec: {hard: {count/deployments.apps: '1', count/replicasets.apps: '1', count/jobs.batch: '5', count/cronjobs.batch: '1', pods: '10', requests.memory: 1Gi}}",
			fits:      true,
			requested: map[string]string{"count/deployments.apps": "1", "count/replicasets.apps": "1", "count/jobs.batch": "1", "count/cronjobs.batch": "1", "pods": "5", "requests.memory": "230Mi"},
		},
		{
			name:   "ConfigMaps: the namespace's kube-root-ca.crt is charged too",
			app:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}",
			target: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: o}\nspec: {hard: {configmaps: '2', secrets: '1', resourcequotas: '1'}}",
			fits:   true, requested: map[string]string{"configmaps": "2", "secrets": "1", "resourcequotas": "1"},
		},
		{
			name:   "a missing service account refuses the pods",
			app:    pod("  serviceAccountName: robot\n  containers:\n  - {name: app, image: x}"),
			target: hugeQuota,
			fits:   false, refused: 1, refusal: `serviceaccount "robot" not found`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, tc.app), mustTarget(t, tc.target))
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tc.fits {
				t.Errorf("fits = %v, want %v; findings: %+v", res.Fits, tc.fits, res.Findings)
			}
			refused := 0
			for _, r := range res.Refusals {
				refused += r.Count
			}
			if refused != tc.refused {
				t.Errorf("refused %d creations, want %d: %+v", refused, tc.refused, res.Refusals)
			}
			if tc.refusal != "" && (len(res.Refusals) == 0 || !strings.Contains(res.Refusals[0].Message, tc.refusal)) {
				t.Errorf("first refusal %+v does not contain %q", res.Refusals, tc.refusal)
			}
			for k, want := range tc.requested {
				got, ok := res.Quota[corev1.ResourceName(k)]
				if !ok {
					t.Errorf("quota key %s missing", k)
					continue
				}
				if got.Requested.String() != want {
					t.Errorf("requested %s = %s, want %s", k, got.Requested.String(), want)
				}
			}
		})
	}
}

// TestDaemonSetPerNode checks that a DaemonSet runs one pod per eligible node.
func TestDaemonSetPerNode(t *testing.T) {
	app := mustApp(t, `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      nodeSelector: {role: edge}
      containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]`)
	node := func(name, role string) string {
		return "---\napiVersion: v1\nkind: Node\nmetadata: {name: " + name + ", labels: {role: " + role + "}}\nstatus: {allocatable: {cpu: '2', memory: 2Gi, pods: '10'}}\n"
	}
	tg := mustTarget(t, hugeQuota+node("a", "edge")+node("b", "edge")+node("c", "core"))
	res, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	if u := res.Quota["requests.cpu"]; u.Requested.String() != "200m" {
		got := u.Requested.String()
		t.Errorf("requests.cpu = %s, want 200m (two edge nodes)", got)
	}
	noNodes, _ := footprint.Analyze(app, mustTarget(t, hugeQuota))
	if u := noNodes.Quota["requests.cpu"]; u.Requested.String() != "100m" {
		got := u.Requested.String()
		t.Errorf("without nodes requests.cpu = %s, want 100m", got)
	}
}

// TestNodeSize reports a pod larger than every node.
func TestNodeSize(t *testing.T) {
	app := mustApp(t, pod("  containers:\n  - {name: big, image: x, resources: {requests: {cpu: '6', memory: 1Gi}}}"))
	tg, err := target.Load("edge-4cpu-4gi")
	if err != nil {
		t.Fatal(err)
	}
	res, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fits {
		t.Fatal("a 6-cpu pod fits a 4-cpu node")
	}
	found := false
	for _, f := range res.Findings {
		if f.Key == "node-size" && f.Object.String() == "Pod/p" {
			found = true
		}
	}
	if !found {
		t.Errorf("no node-size finding: %+v", res.Findings)
	}
}

// TestAppConstraints checks that an app's own LimitRange and quota are
// enforced and counted once.
func TestAppConstraints(t *testing.T) {
	app := mustApp(t, `apiVersion: v1
kind: LimitRange
metadata: {name: app-lr}
spec: {limits: [{type: Container, defaultRequest: {cpu: 300m}}]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: app-q}
spec: {hard: {pods: "1"}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {selector: {a: b}, ports: [{port: 80}]}
---
`+pod("  containers:\n  - {name: app, image: x}"))
	tg := mustTarget(t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {requests.cpu: '1', resourcequotas: '5', count/limitranges: '5', count/endpoints: '5'}}")
	res, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"requests.cpu": "300m", "resourcequotas": "2", "count/limitranges": "1", "count/endpoints": "1", "pods": "1"}
	for k, v := range want {
		if u := res.Quota[corev1.ResourceName(k)]; u.Requested.String() != v {
			t.Errorf("%s = %s, want %s", k, u.Requested.String(), v)
		}
	}
}

// TestRefusedClaim: a pod that mounts a refused claim never schedules.
func TestRefusedClaim(t *testing.T) {
	app := mustApp(t, `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
---
`+pod("  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n  containers:\n  - {name: app, image: x}\n"))
	small := mustTarget(t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: s}\nspec: {hard: {requests.storage: 1Gi}}")
	res, err := footprint.Analyze(app, small)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		if f.Key == "persistentvolumeclaims" && f.Object.String() == "Pod/p" && f.Severity == "error" {
			found = true
		}
	}
	if !found || res.Fits {
		t.Errorf("fits=%v, findings %+v: want an error about the refused claim", res.Fits, res.Findings)
	}
	roomy := mustTarget(t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: s}\nspec: {hard: {requests.storage: 20Gi}}")
	if res, _ := footprint.Analyze(app, roomy); !res.Fits {
		t.Errorf("with room for the claim: %+v", res.Findings)
	}
}

// TestAnalyzeLeavesAppAlone checks that admission's defaulting changes the
// stored pods only: they share the app's unchanged parts, never its
// resource lists once defaulting adds to them.
func TestAnalyzeLeavesAppAlone(t *testing.T) {
	app := mustApp(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      resources: {limits: {cpu: "2", memory: 2Gi}}
      initContainers:
      - {name: init, image: x, resources: {limits: {cpu: 300m}}}
      containers:
      - {name: a, image: x, resources: {limits: {cpu: 700m}, requests: {memory: 10Mi}}}
      - {name: b, image: x}
`)
	tg := mustTarget(t, hugeQuota+containerLimitRange("default: {cpu: 100m, memory: 64Mi}", "defaultRequest: {cpu: 50m, memory: 32Mi}"))
	before := app.Objects[0].Obj.DeepCopyObject()
	res, err := footprint.Analyze(app, tg)
	if err != nil {
		t.Fatal(err)
	}
	if !equality.Semantic.DeepEqual(before, app.Objects[0].Obj) || !reflect.DeepEqual(before, app.Objects[0].Obj) {
		t.Fatalf("Analyze changed the app's Deployment:\nbefore %+v\nafter  %+v", before, app.Objects[0].Obj)
	}
	stored := res.Workloads[0].Pod
	got := map[string]string{
		"pod requests cpu":  qs(stored.Spec.Resources.Requests, corev1.ResourceCPU),
		"init requests cpu": qs(stored.Spec.InitContainers[0].Resources.Requests, corev1.ResourceCPU),
		"a requests cpu":    qs(stored.Spec.Containers[0].Resources.Requests, corev1.ResourceCPU),
		"a limits memory":   qs(stored.Spec.Containers[0].Resources.Limits, corev1.ResourceMemory),
		"b requests memory": qs(stored.Spec.Containers[1].Resources.Requests, corev1.ResourceMemory),
	}
	// Requests default to the limits the object sets, then the
	// LimitRange's defaults fill the rest.
	for k, v := range map[string]string{"pod requests cpu": "2", "init requests cpu": "300m", "a requests cpu": "700m", "a limits memory": "64Mi", "b requests memory": "32Mi"} {
		if got[k] != v {
			t.Errorf("stored pod: %s = %q, want %q", k, got[k], v)
		}
	}
}
