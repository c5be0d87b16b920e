package solve

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestMergeGroups(t *testing.T) {
	// Candidates by object index; names sort as the indexes do.
	cand := func(i int, replicas int32, cpu int64) MergeCandidate {
		return MergeCandidate{Object: i, Name: fmt.Sprintf("Deployment/w%02d", i), Replicas: replicas, CPU: cpu, Memory: 64 << 20}
	}
	none := func([]int) string { return "" }
	tests := []struct {
		name   string
		cands  []MergeCandidate
		over   map[string]int64
		try    func([]int) string
		groups [][]int
		left   map[string]int64
	}{
		{"smallest pods first, stop when it fits",
			[]MergeCandidate{cand(0, 1, 300), cand(1, 1, 100), cand(2, 1, 200), cand(3, 1, 50)},
			map[string]int64{"pods": 2}, none, [][]int{{3, 1, 2}}, map[string]int64{}},
		{"equal size: by name",
			[]MergeCandidate{cand(2, 1, 100), cand(1, 1, 100), cand(0, 1, 100)},
			map[string]int64{"pods": 1}, none, [][]int{{0, 1}}, map[string]int64{}},
		{"replicas must agree",
			[]MergeCandidate{cand(0, 2, 10), cand(1, 1, 20), cand(2, 2, 30)},
			map[string]int64{"pods": 2}, none, [][]int{{0, 2}}, map[string]int64{}},
		{"a refused merge opens a new group",
			[]MergeCandidate{cand(0, 1, 10), cand(1, 1, 20), cand(2, 1, 30)},
			map[string]int64{"pods": 1},
			func(g []int) string {
				if g[0] == 0 {
					return "port clash"
				}
				return ""
			}, [][]int{{1, 2}}, map[string]int64{}},
		{"object counts save one per merged workload",
			[]MergeCandidate{cand(0, 3, 10), cand(1, 3, 20), cand(2, 3, 30)},
			map[string]int64{"count/deployments.apps": 1, "pods": 3}, none, [][]int{{0, 1}}, map[string]int64{}},
		{"not enough: says what stays over",
			[]MergeCandidate{cand(0, 1, 10), cand(1, 1, 20)},
			map[string]int64{"pods": 3}, none, [][]int{{0, 1}}, map[string]int64{"pods": 2}},
		{"keys a merge cannot lower stay over",
			[]MergeCandidate{cand(0, 1, 10), cand(1, 1, 20)},
			map[string]int64{"count/services": 1}, none, [][]int{{0, 1}}, map[string]int64{"count/services": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups, left, _ := MergeGroups(tt.cands, tt.over, tt.try)
			if !reflect.DeepEqual(groups, tt.groups) {
				t.Errorf("groups %v, want %v", groups, tt.groups)
			}
			if !reflect.DeepEqual(left, tt.left) {
				t.Errorf("left %v, want %v", left, tt.left)
			}
		})
	}
}

// TestMergeGroupsDeterministic: the order candidates come in does not matter.
func TestMergeGroupsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cands []MergeCandidate
	for i := range 40 {
		cands = append(cands, MergeCandidate{Object: i, Name: fmt.Sprintf("Deployment/w%02d", i), Replicas: int32(1 + i%2), CPU: int64(rng.IntN(5) * 100), Memory: int64(rng.IntN(3)) << 20})
	}
	// Odd objects clash with multiples of three.
	try := func(g []int) string {
		for _, a := range g {
			for _, b := range g {
				if a%2 == 1 && b%3 == 0 {
					return "clash"
				}
			}
		}
		return ""
	}
	over := map[string]int64{"pods": 25}
	want, _, _ := MergeGroups(cands, over, try)
	if len(want) == 0 {
		t.Fatal("no groups")
	}
	for range 20 {
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		got, _, _ := MergeGroups(cands, over, try)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input gives %v, want %v", got, want)
		}
	}
}
