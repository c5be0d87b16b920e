package solve

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

// Workload is what the planner needs to know of one pod-creating object.
type Workload struct {
	// Object indexes the app's objects.
	Object int
	// Key identifies the object; Ref names it for display ("Deployment/web").
	Key  model.Key
	Ref  string
	Kind string
	// Pod is one pod as admission would store it (defaults applied).
	Pod *corev1.Pod
	// Replicas is the number of pods the object creates.
	Replicas int32
	// Annotations are the object's and its pod template's annotations,
	// the template's winning.
	Annotations map[string]string
	// Surge asks for quota room for one more of its pods: the surge pod of
	// a rolling update (one workload's at a time).
	Surge bool
}

// Op kinds besides sizing (the zero Kind, with Field naming the value).
const (
	// OpServiceType makes a NodePort or LoadBalancer Service a ClusterIP
	// one, with an Ingress for its first port.
	OpServiceType = "service-type"
	// OpNamespace moves every namespaced object into Namespace (Object -1).
	OpNamespace = "namespace"
	// OpEmptyDir replaces a PersistentVolumeClaim by emptyDir volumes.
	OpEmptyDir = "empty-dir"
	// OpMerge merges the Deployments Members (Members[0] first) into one
	// multi-container Deployment.
	OpMerge = "merge"
	// OpHostPorts removes the hostPort (and hostIP) of every port of the
	// object's pods: they keep their containerPort and are reached through
	// Services.
	OpHostPorts = "host-ports"
	// OpStrategy switches a Deployment to an update that needs no quota
	// room: Recreate at one replica (Replicas), maxSurge 0 and
	// maxUnavailable 1 above.
	OpStrategy = "strategy"
	// OpDropService removes the Service Object; the pods of Members[0],
	// which alone use it, reach its name through hostAliases to 127.0.0.1,
	// their name:P references rewritten to name:T per Remap.
	OpDropService = "drop-service"
	// OpMergeConfig merges the ConfigMaps (or Secrets) Members into
	// Members[0], every reference of the app's pods rewritten.
	OpMergeConfig = "merge-config"
)

// Op is one change of the plan. Object indexes the app's objects.
type Op struct {
	Kind      string
	Namespace string
	Object    int
	// Field is "requests.cpu", "limits.memory" (with Container set),
	// or "replicas".
	Field     string
	Container string
	Init      bool
	Value     resource.Quantity
	Replicas  int32
	// Members are the objects an OpMerge merges, in order.
	Members []int
	// Remap, for OpDropService, maps a port of the Service to the target
	// port its clients must now name (ServiceUse.Remap).
	Remap  map[int32]int32
	Reason string
}

// Plan is the changes to make, and what the solver found.
type Plan struct {
	Ops []Op
	// Fractions is the retained fraction per scaled field ("requests.cpu").
	Fractions map[string]float64
	// Binding names, per scaled field, the quota key that set the fraction.
	Binding map[string]string
	// Over holds, for a plan that cannot fit, how much each key exceeds its
	// hard limit with every allowed change made.
	Over     map[string]resource.Quantity
	Findings []model.Finding
}

// Options are the planner's knobs.
type Options struct {
	// Replicas allows reducing replicas.
	Replicas bool
	// MinCPU and MinMemory are floors for every container (never above the
	// container's own value).
	MinCPU, MinMemory resource.Quantity
	// Usage holds observed usage by "Kind/name/container": floors too.
	Usage map[string]corev1.ResourceList
	// Targets holds, by "Kind/name/container", the requests and limits that
	// usage-based sizing aims for (internal/recommend): where one is given,
	// scaling starts from it instead of the container's own value, up or
	// down; Usage stays the floor. Values the container does not set (and
	// the target does not demand) stay unset.
	Targets map[string]corev1.ResourceRequirements
}

// Defaults for containers that set nothing where the target demands a value
// and the target gives no LimitRange default.
var (
	DefaultRequests = corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("128Mi"),
	}
	DefaultLimits = corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("500m"),
		corev1.ResourceMemory: resource.MustParse("256Mi"),
	}
	// DefaultMinCPU and DefaultMinMemory are the floors when the user gives
	// none: krr's floors for CPU, a small working set for memory.
	DefaultMinCPU    = resource.MustParse("10m")
	DefaultMinMemory = resource.MustParse("32Mi")
)

// scaled are the resources the planner sizes.
var scaled = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage}

// toUnits converts a quantity to the solver's units: millicores for CPU,
// bytes (or units) otherwise.
func toUnits(r corev1.ResourceName, q resource.Quantity) float64 {
	if r == corev1.ResourceCPU {
		return float64(q.MilliValue())
	}
	return float64(q.Value())
}

func fromUnits(r corev1.ResourceName, v float64) resource.Quantity {
	if r == corev1.ResourceCPU {
		return *resource.NewMilliQuantity(int64(v), resource.DecimalSI)
	}
	return *resource.NewQuantity(int64(v), resource.BinarySI)
}

// roundDown rounds a scaled value down to a readable size: whole millicores,
// whole MiB for memory and storage of 1 MiB or more. Rounding down keeps the
// charge under the hard limit.
func roundDown(r corev1.ResourceName, v float64) float64 {
	if r == corev1.ResourceCPU {
		return float64(int64(v))
	}
	const mi = 1 << 20
	if v >= mi {
		return float64(int64(v/mi)) * mi
	}
	return float64(int64(v))
}

// container is one container of one workload, with the values being solved.
type container struct {
	w       int
	name    string
	init    bool
	sidecar bool
	// req and lim are the admitted values; a missing value is absent.
	req, lim corev1.ResourceList
	// fill are values the target demands and nothing gives.
	fill corev1.ResourceList
}

// quotaHard returns, for every ResourceQuota of t naming key, its hard value.
func quotaKeys(t *model.Target, keys ...corev1.ResourceName) []quotaKey {
	var out []quotaKey
	for _, q := range t.Quotas {
		for _, k := range keys {
			if h, ok := q.Spec.Hard[k]; ok {
				out = append(out, quotaKey{quota: q, key: k, hard: h})
			}
		}
	}
	return out
}

type quotaKey struct {
	quota *corev1.ResourceQuota
	key   corev1.ResourceName
	hard  resource.Quantity
}

func (q quotaKey) String() string {
	if q.quota == nil {
		return string(q.key)
	}
	return fmt.Sprintf("%s (%s)", q.key, q.quota.Name)
}

// applies is the quota's scope check for the scopes a plan can change
// nothing about; terminating and best-effort pods are told apart as the pod
// evaluator does.
func applies(q *corev1.ResourceQuota, pod *corev1.Pod) bool {
	if q == nil {
		return true
	}
	scopes := append([]corev1.ResourceQuotaScope{}, q.Spec.Scopes...)
	if q.Spec.ScopeSelector != nil {
		for _, e := range q.Spec.ScopeSelector.MatchExpressions {
			scopes = append(scopes, e.ScopeName)
		}
	}
	terminating := pod.Spec.ActiveDeadlineSeconds != nil
	for _, s := range scopes {
		switch s {
		case corev1.ResourceQuotaScopeTerminating:
			if !terminating {
				return false
			}
		case corev1.ResourceQuotaScopeNotTerminating:
			if terminating {
				return false
			}
		case corev1.ResourceQuotaScopeBestEffort:
			// The planner gives pods requests, so none stays best effort.
			return false
		}
	}
	return true
}

// limitBounds are a LimitRange's Container item bounds for one resource.
type limitBounds struct {
	min, max, ratio  float64
	hasMax, hasRatio bool
}

func containerBounds(t *model.Target, r corev1.ResourceName) limitBounds {
	var b limitBounds
	for _, lr := range t.LimitRanges {
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypeContainer {
				continue
			}
			if q, ok := it.Min[r]; ok {
				b.min = max(b.min, toUnits(r, q))
			}
			if q, ok := it.Max[r]; ok {
				v := toUnits(r, q)
				if !b.hasMax || v < b.max {
					b.max, b.hasMax = v, true
				}
			}
			if q, ok := it.MaxLimitRequestRatio[r]; ok {
				v := q.AsApproximateFloat64()
				if !b.hasRatio || v < b.ratio {
					b.ratio, b.hasRatio = v, true
				}
			}
		}
	}
	return b
}

// podMax is the tightest Pod item max of the target for r, if any.
func podMax(t *model.Target, r corev1.ResourceName) (float64, bool) {
	best, ok := 0.0, false
	for _, lr := range t.LimitRanges {
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypePod {
				continue
			}
			if q, has := it.Max[r]; has {
				v := toUnits(r, q)
				if !ok || v < best {
					best, ok = v, true
				}
			}
		}
	}
	return best, ok
}

// nodeAllocatable is the largest node's allocatable r, if the target has nodes.
func nodeAllocatable(t *model.Target, r corev1.ResourceName) (float64, bool) {
	best, ok := 0.0, false
	for _, n := range t.Nodes {
		q, has := n.Status.Allocatable[r]
		if !has {
			q, has = n.Status.Capacity[r]
		}
		if has && toUnits(r, q) > best {
			best, ok = toUnits(r, q), true
		}
	}
	return best, ok
}
