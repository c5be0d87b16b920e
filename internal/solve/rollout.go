package solve

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Rollout modes: how a fit keeps a rolling update from stalling at the quota.
const (
	// RolloutHeadroom leaves quota room for one surge pod of each
	// Deployment (one at a time) by scaling requests and limits further;
	// where that room cannot be had, it switches the strategy as
	// RolloutRecreate does.
	RolloutHeadroom = "headroom"
	// RolloutRecreate switches a Deployment whose update would stall to
	// maxSurge 0 / maxUnavailable 1 (more than one replica: one pod fewer
	// during the update) or Recreate (one replica: down while the new pod
	// starts).
	RolloutRecreate = "recreate"
	// RolloutIgnore leaves strategies as they are and only warns.
	RolloutIgnore = "ignore"
)

// RolloutModes lists the rollout modes, the default first.
var RolloutModes = []string{RolloutHeadroom, RolloutRecreate, RolloutIgnore}

// SurgePods is how many extra pods a rolling update of d at replicas
// starts before stopping an old one, resolved as the Deployment controller
// resolves maxSurge (rounded up) and maxUnavailable (rounded down): 0 when
// the update needs no quota room (Recreate, or maxUnavailable >= 1, where
// the controller stops old pods first and starts new ones in their room).
func SurgePods(d *appsv1.Deployment, replicas int32) int {
	if replicas == 0 || d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		return 0
	}
	surge, unavailable := intstr.FromString("25%"), intstr.FromString("25%")
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			surge = *ru.MaxSurge
		}
		if ru.MaxUnavailable != nil {
			unavailable = *ru.MaxUnavailable
		}
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(&surge, int(replicas), true)
	if err != nil || n <= 0 {
		return 0
	}
	down, err := intstr.GetScaledValueFromIntOrPercent(&unavailable, int(replicas), false)
	if err != nil || down > 0 {
		return 0
	}
	return n
}

// StrategyOp switches the Deployment at object (replicas pods) to an update
// that needs no quota room, saying what it costs.
func StrategyOp(object int, replicas int32, why string) Op {
	reason := why + ": Recreate stops the only pod before starting the new one, so the workload is down while the new pod starts"
	if replicas > 1 {
		reason = fmt.Sprintf("%s: maxSurge 0 / maxUnavailable 1 stops one old pod before starting a new one, so %d of %d pods serve during the update, without downtime", why, replicas-1, replicas)
	}
	return Op{Kind: OpStrategy, Object: object, Replicas: replicas, Reason: reason}
}
