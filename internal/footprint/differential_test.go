package footprint_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
)

// TestRefusalMessagesAsKubernetesWordsThem pins messages that the
// differential test against a real control plane (internal/verify) found
// worded differently: Kubernetes drops repeated messages from an aggregate
// and leaves the brackets off when one remains.
func TestRefusalMessagesAsKubernetesWordsThem(t *testing.T) {
	cases := []struct {
		name, app, target, want string
	}{
		{
			name:   "the same LimitRange violation in two containers is said once",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {limits: {cpu: '2'}}}\n  - {name: b, image: x, resources: {limits: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, max: {cpu: '1'}}]}",
			want:   "forbidden: maximum cpu usage per Container is 1, but limit is 2",
		},
		{
			name:   "distinct violations keep their order, repeats dropped",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {limits: {cpu: '2', memory: 1Gi}}}\n  - {name: b, image: x, resources: {limits: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, max: {cpu: '1', memory: 512Mi}}]}",
			want:   "forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 512Mi, but limit is 1Gi]",
		},
		{
			name:   "the same invalid request in two containers is said once",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {requests: {cpu: '2'}}}\n  - {name: b, image: x, resources: {requests: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, default: {cpu: '1'}}]}",
			want:   `Pod is invalid: [spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1, spec.containers[1].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1]`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, c.app), mustTarget(t, c.target))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Refusals) != 1 || res.Refusals[0].Message != c.want {
				t.Fatalf("refusals %+v, want one with message\n%s", res.Refusals, c.want)
			}
		})
	}
}

// TestAdmittedAsTheControlPlaneShowsIt pins status.used values that the
// differential test against a real control plane found predicted wrong.
func TestAdmittedAsTheControlPlaneShowsIt(t *testing.T) {
	const statefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: x, resources: {requests: {memory: 64Mi}}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`
	cases := []struct {
		name, app, target string
		admitted          map[string]string // key -> Admitted
		requested         map[string]string // key -> Requested
		refusals          int
	}{
		{
			// OrderedReady: db-0's claim is created, db-0 is refused, and
			// the controller waits: db-1 and db-2 get neither claim nor pod.
			name:      "OrderedReady StatefulSet stops creating claims at a refused pod",
			app:       statefulSet,
			target:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {requests.cpu: '10', persistentvolumeclaims: '10', requests.storage: 100Gi}}",
			admitted:  map[string]string{"persistentvolumeclaims": "1", "requests.storage": "1Gi"},
			requested: map[string]string{"persistentvolumeclaims": "3", "requests.storage": "3Gi"},
			refusals:  2, // must specify (db-0), waits (db-1, db-2)
		},
		{
			// Parallel creates replicas in batches of 1, 2, 4, ... and stops
			// after a batch with a failure: db-0 fails alone.
			name:      "Parallel StatefulSet stops after the batch of its first refused pod",
			app:       strings.Replace(statefulSet, "  replicas: 3\n", "  replicas: 3\n  podManagementPolicy: Parallel\n", 1),
			target:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {requests.cpu: '10', persistentvolumeclaims: '10', requests.storage: 100Gi}}",
			admitted:  map[string]string{"persistentvolumeclaims": "1", "requests.storage": "1Gi"},
			requested: map[string]string{"persistentvolumeclaims": "3"},
			refusals:  2, // must specify (db-0), stopped (db-1, db-2)
		},
		{
			// Batches [0], [1 2], [3 4]: db-2 is refused for pods, so
			// db-0..db-2 get claims and db-3, db-4 nothing.
			name:      "Parallel StatefulSet finishes the batch of a pod refused for quota",
			app:       strings.Replace(strings.Replace(statefulSet, "  replicas: 3\n", "  replicas: 5\n  podManagementPolicy: Parallel\n", 1), "requests: {memory: 64Mi}", "requests: {memory: 64Mi, cpu: 100m}", 1),
			target:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: '2', persistentvolumeclaims: '10', requests.storage: 100Gi}}",
			admitted:  map[string]string{"pods": "2", "persistentvolumeclaims": "3", "requests.storage": "3Gi"},
			requested: map[string]string{"pods": "5", "persistentvolumeclaims": "5"},
			refusals:  2, // exceeded quota (db-2), stopped (db-3, db-4)
		},
		{
			// A refused Deployment makes no ReplicaSet and no pods, and its
			// pods are not refused: they are never created.
			name:      "a Deployment refused by a count quota creates nothing",
			app:       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: x, resources: {limits: {cpu: '5'}}}]}\n",
			target:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {count/deployments.apps: '0', count/replicasets.apps: '5', pods: '10'}}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, max: {cpu: '1'}}]}",
			admitted:  map[string]string{"count/deployments.apps": "0", "count/replicasets.apps": "0", "pods": "0"},
			requested: map[string]string{"count/deployments.apps": "1", "pods": "2"},
			refusals:  1,
		},
		{
			name:     "a bare pod is charged once",
			app:      pod("  containers:\n  - {name: a, image: x}"),
			target:   "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {count/pods: '5', pods: '5'}}",
			admitted: map[string]string{"count/pods": "1", "pods": "1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, c.app), mustTarget(t, c.target))
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range c.admitted {
				if got := res.Quota[corev1.ResourceName(k)].Admitted; got.String() != want {
					t.Errorf("%s admitted %s, want %s", k, got.String(), want)
				}
			}
			for k, want := range c.requested {
				if got := res.Quota[corev1.ResourceName(k)].Requested; got.String() != want {
					t.Errorf("%s requested %s, want %s", k, got.String(), want)
				}
			}
			if len(res.Refusals) != c.refusals {
				t.Errorf("%d refusals, want %d: %+v", len(res.Refusals), c.refusals, res.Refusals)
			}
		})
	}
}

// TestRolloutStallsOnlyWithoutRoomAndUnavailability pins when a rolling
// update stalls at a quota, as a real control plane showed: only when
// maxUnavailable resolves to 0 (it rounds down: 25% of fewer than 4
// replicas) and not even one surge pod fits.
func TestRolloutStallsOnlyWithoutRoomAndUnavailability(t *testing.T) {
	deployment := func(replicas int, strategy string) string {
		return fmt.Sprintf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  strategy: %s
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x}]}
`, replicas, strategy)
	}
	quota := func(pods int) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: '%d'}}", pods)
	}
	cases := []struct {
		name  string
		app   string
		pods  int
		stall bool
	}{
		{"2 replicas, no room: maxUnavailable 25% is 0", deployment(2, "{}"), 2, true},
		{"4 replicas, no room: maxUnavailable 25% is 1, old pods stop first", deployment(4, "{}"), 4, false},
		{"4 replicas, no room, maxUnavailable 0", deployment(4, "{rollingUpdate: {maxUnavailable: 0}}"), 4, true},
		{"2 replicas, maxSurge 2, room for one surge pod", deployment(2, "{rollingUpdate: {maxSurge: 2}}"), 3, false},
		{"Recreate never needs room", deployment(2, "{type: Recreate}"), 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, c.app), mustTarget(t, quota(c.pods)))
			if err != nil {
				t.Fatal(err)
			}
			stall := false
			for _, f := range res.Findings {
				stall = stall || f.Key == "rollout"
			}
			if stall != c.stall {
				t.Errorf("rollout finding %v, want %v: %+v", stall, c.stall, res.Findings)
			}
		})
	}
}
