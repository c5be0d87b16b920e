package fit

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/solve"
)

// TestRunRollouts: a fitted app keeps room for each Deployment's surge pod,
// or switches the Deployment to an update that needs none.
func TestRunRollouts(t *testing.T) {
	cpu := func(n string) corev1.ResourceList { return corev1.ResourceList{"requests.cpu": resource.MustParse(n)} }
	pods := func(n string) corev1.ResourceList { return corev1.ResourceList{"pods": resource.MustParse(n)} }
	tests := []struct {
		name       string
		hard       corev1.ResourceList
		mode       string
		aCPU       string // request of Deployment/a after the fit
		aStrategy  string // strategy of Deployment/a after the fit
		bStrategy  string
		stallsLeft bool
	}{
		// a: 3 x 1 core, b: 1 x 1 core; 4 cores leave no room for a surge
		// pod of 1 core: 5 pods' worth into 4, f = 0.8.
		{"headroom by scaling", cpu("4"), "", "800m", "", "", false},
		{"room already there", cpu("5"), "", "1", "", "", false},
		// The pods quota leaves no room whatever the sizes: a (3 replicas)
		// updates one pod at a time, b (1 replica) is recreated.
		{"pods bind: strategies", pods("4"), "", "1", "0/1", "Recreate", false},
		{"recreate asked", cpu("4"), solve.RolloutRecreate, "1", "0/1", "Recreate", false},
		{"ignore", cpu("4"), solve.RolloutIgnore, "1", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: []*model.Object{deployment("a", 3, "1", "64Mi"), deployment("b", 1, "1", "64Mi")}}
			res, err := Run(app, quotaTarget(tt.hard), Options{Rollout: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Fits {
				t.Fatalf("does not fit: %v", res.After.Findings)
			}
			a, b := res.App.Objects[0].Obj.(*appsv1.Deployment), res.App.Objects[1].Obj.(*appsv1.Deployment)
			if q := a.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU]; q.String() != tt.aCPU {
				t.Errorf("a cpu = %s, want %s", q.String(), tt.aCPU)
			}
			if got := strategyOf(a); got != tt.aStrategy {
				t.Errorf("a strategy %q, want %q", got, tt.aStrategy)
			}
			if got := strategyOf(b); got != tt.bStrategy {
				t.Errorf("b strategy %q, want %q", got, tt.bStrategy)
			}
			if left := len(stalls(res.After)) > 0; left != tt.stallsLeft {
				t.Errorf("rollout stalls left: %v, want %v (%v)", left, tt.stallsLeft, res.After.Findings)
			}
			if *a.Spec.Replicas != 3 {
				t.Errorf("a lost replicas for its rollout: %d", *a.Spec.Replicas)
			}
		})
	}
}

// strategyOf is "" for the default, "Recreate", or "surge/unavailable".
func strategyOf(d *appsv1.Deployment) string {
	s := d.Spec.Strategy
	switch {
	case s.Type == appsv1.RecreateDeploymentStrategyType:
		return "Recreate"
	case s.RollingUpdate == nil:
		return ""
	}
	return s.RollingUpdate.MaxSurge.String() + "/" + s.RollingUpdate.MaxUnavailable.String()
}

// TestSurgePodsRounding pins the Deployment controller's rounding: surge
// rounds up, unavailable down, and room is needed only when unavailable is 0.
func TestSurgePodsRounding(t *testing.T) {
	for _, tt := range []struct {
		replicas int32
		want     int
	}{{1, 1}, {2, 1}, {3, 1}, {4, 0}, {5, 0}} {
		d := deployment("a", tt.replicas, "1", "1Mi").Obj.(*appsv1.Deployment)
		if got := solve.SurgePods(d, tt.replicas); got != tt.want {
			t.Errorf("%d replicas, default 25%%/25%%: surge %d, want %d", tt.replicas, got, tt.want)
		}
	}
}
