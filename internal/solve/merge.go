package solve

import "sort"

// MergeCandidate is a workload the planner may merge with others.
type MergeCandidate struct {
	// Object indexes the app's objects.
	Object   int
	Name     string
	Replicas int32
	// CPU (millicores) and Memory (bytes) are one pod's requests: the
	// smallest pods are merged first.
	CPU, Memory int64
}

// MaxMergeGroup is the most workloads merged into one pod: a pod of dozens
// of containers restarts, rolls out and is debugged as one, and every
// member's change rebuilds them all.
const MaxMergeGroup = 16

// MaxRefusedMerges bounds the merges MergeGroups tries and try refuses.
const MaxRefusedMerges = 2000

// mergeSaves is what merging one more workload of r replicas into a group
// takes off a quota key.
func mergeSaves(key string, r int32) int64 {
	switch key {
	case "pods", "count/pods":
		return int64(r)
	case "count/deployments.apps", "count/replicasets.apps":
		return 1
	}
	return 0
}

// MergeGroups chooses which workloads to merge so that every key of over
// (how far a pod or object count is above its hard limit) comes down to
// zero. The rule, deterministic by construction: candidates are taken
// smallest pod first (CPU request, then memory request, then name); each
// joins the first group, in the order groups were opened, that has its
// replica count, fewer than MaxMergeGroup members and try's consent, else opens a new group; this stops as
// soon as nothing is over. try gets the objects of the would-be group, first
// member first, and says why it cannot be merged ("" when it can).
//
// The search gives up after MaxRefusedMerges refusals, so that an app whose
// workloads all clash (every one on port 80, say) costs a bounded time.
// Groups of one are dropped from the result. left is what stays over; when
// it is not empty the groups are not enough and blocked says why merges were
// refused, in the order they were tried.
func MergeGroups(cands []MergeCandidate, over map[string]int64, try func(objects []int) string) (groups [][]int, left map[string]int64, blocked []string) {
	cs := append([]MergeCandidate(nil), cands...)
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.CPU != b.CPU {
			return a.CPU < b.CPU
		}
		if a.Memory != b.Memory {
			return a.Memory < b.Memory
		}
		return a.Name < b.Name
	})
	left = map[string]int64{}
	for k, v := range over {
		if v > 0 {
			left[k] = v
		}
	}
	var open [][]int
	var reps []int32
	for _, c := range cs {
		if len(left) == 0 || len(blocked) >= MaxRefusedMerges {
			break
		}
		placed := false
		for gi, g := range open {
			if reps[gi] != c.Replicas || len(g) >= MaxMergeGroup {
				continue
			}
			trial := append(append([]int(nil), g...), c.Object)
			if why := try(trial); why != "" {
				if blocked = append(blocked, why); len(blocked) >= MaxRefusedMerges {
					break
				}
				continue
			}
			open[gi], placed = trial, true
			for k := range left {
				if left[k] -= mergeSaves(k, c.Replicas); left[k] <= 0 {
					delete(left, k)
				}
			}
			break
		}
		if !placed {
			open, reps = append(open, []int{c.Object}), append(reps, c.Replicas)
		}
	}
	for _, g := range open {
		if len(g) > 1 {
			groups = append(groups, g)
		}
	}
	return groups, left, blocked
}
