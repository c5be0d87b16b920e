package fit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// mergeKeys are the quota keys merging workloads lowers.
var mergeKeys = []corev1.ResourceName{corev1.ResourcePods, "count/pods", "count/deployments.apps", "count/replicasets.apps"}

// mergeOps plans merging Deployments into multi-container pods while a pod
// or object count of fp is over. Every merge it plans was built and checked:
// the merged pod is admitted by the target's LimitRanges, fits the largest
// node, and every name its members used still resolves. When merging cannot
// bring the counts down it plans nothing and says why.
func mergeOps(app *model.App, t *model.Target, fp *footprint.Result) ([]solve.Op, []model.Finding) {
	over := map[string]int64{}
	var why []string
	for _, k := range mergeKeys {
		if u, ok := fp.Quota[k]; ok && u.Over() {
			over[string(k)] = u.Requested.Value() - u.Hard.Value()
			why = append(why, fmt.Sprintf("quota %s binds: the app needs %s, the target allows %s (over by %d)", k, u.Requested.String(), u.Hard.String(), over[string(k)]))
		}
	}
	if len(over) == 0 {
		return nil, nil
	}
	reason := strings.Join(why, "; ")
	index := objectIndex(app)
	pins := rewrite.NewPins(app, nil)
	var cands []solve.MergeCandidate
	for _, w := range fp.Workloads {
		i, ok := index[w.Object]
		if !ok || w.Refused != "" || w.Replicas == 0 || pins.Pinned(i) != "" {
			continue
		}
		cands = append(cands, solve.MergeCandidate{Object: i, Name: w.Object.Ref(), Replicas: w.Replicas,
			CPU: w.PodRequests.Cpu().MilliValue(), Memory: w.PodRequests.Memory().Value()})
	}
	if k, short := mergeBound(cands, over, false); short > 0 {
		return nil, []model.Finding{{Severity: model.Warning, Key: "merge", Message: fmt.Sprintf(
			"merging workloads cannot bring the counts down: even merging all %d mergeable Deployment(s), %d to a pod, leaves %s over by %d", len(cands), solve.MaxMergeGroup, k, short)}}
	}
	m := rewrite.NewMerger(app, nil)
	try := func(group []int) string {
		merged, err := m.Merge(group, reason)
		if err != nil {
			return err.Error()
		}
		return checkMerged(app, t, group, merged)
	}
	groups, left, blocked := solve.MergeGroups(cands, over, try)
	if len(left) > 0 {
		var keys []string
		for _, k := range slices.Sorted(maps.Keys(left)) {
			keys = append(keys, fmt.Sprintf("%s still over by %d", k, left[k]))
		}
		msg := fmt.Sprintf("merging workloads cannot bring the counts down (%s) with %d mergeable Deployment(s)", strings.Join(keys, ", "), len(cands))
		if len(blocked) >= solve.MaxRefusedMerges {
			msg += fmt.Sprintf("; the search stopped after %d refused merges", len(blocked))
		}
		if len(blocked) > 0 {
			msg += "; merges refused: " + strings.Join(firstUnique(blocked, 5), "; ")
		}
		return nil, []model.Finding{{Severity: model.Warning, Key: "merge", Message: msg}}
	}
	var ops []solve.Op
	for _, g := range groups {
		ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: g, Reason: reason})
	}
	return ops, nil
}

// mergeAtOneReplica plans bringing every mergeable Deployment with more
// than one replica down to one, then merging; it returns no merges when
// that does not bring the counts down either.
func mergeAtOneReplica(app *model.App, t *model.Target, fp *footprint.Result) (replicas, merges []solve.Op, err error) {
	index := objectIndex(app)
	var why []string
	for _, k := range mergeKeys {
		if u, ok := fp.Quota[k]; ok && u.Over() {
			why = append(why, fmt.Sprintf("quota %s binds (needs %s, allows %s)", k, u.Requested.String(), u.Hard.String()))
		}
	}
	if len(why) == 0 {
		// Fewer replicas charge no count more: nothing would be over after
		// them either, and mergeOps would plan nothing.
		return nil, nil, nil
	}
	m := rewrite.NewPins(app, nil)
	for _, w := range fp.Workloads {
		i, ok := index[w.Object]
		if !ok || w.Refused != "" || w.Replicas <= 1 || m.Pinned(i) != "" {
			continue
		}
		replicas = append(replicas, solve.Op{Object: i, Field: "replicas", Replicas: 1,
			Reason: fmt.Sprintf("%s and merging workloads into shared pods needs equal replicas: %d replica(s) less, no failover while its only pod restarts", strings.Join(why, "; "), w.Replicas-1)})
	}
	if len(replicas) == 0 {
		return nil, nil, nil
	}
	var cands []solve.MergeCandidate
	over := map[string]int64{}
	for _, k := range mergeKeys {
		if u, ok := fp.Quota[k]; ok && u.Over() {
			over[string(k)] = u.Requested.Value() - u.Hard.Value()
		}
	}
	for _, w := range fp.Workloads {
		if i, ok := index[w.Object]; ok && w.Refused == "" && w.Replicas > 0 && m.Pinned(i) == "" {
			cands = append(cands, solve.MergeCandidate{Object: i, Replicas: w.Replicas})
		}
	}
	if _, short := mergeBound(cands, over, true); short > 0 {
		return nil, nil, nil // not even one replica each and the largest groups would do
	}
	trial, _, err := rewrite.Apply(app, replicas)
	if err != nil {
		return nil, nil, err
	}
	tfp, err := footprint.Analyze(trial, t)
	if err != nil {
		return nil, nil, err
	}
	merges, _ = mergeOps(trial, t, tfp)
	if len(merges) == 0 {
		return nil, nil, nil
	}
	return replicas, merges, nil
}

// checkMerged says why a merged pod would not work in t: refused by the
// LimitRanges (Pod max among them), larger than every node, or a name one
// of its members used that no longer resolves.
func checkMerged(app *model.App, t *model.Target, group []int, merged *rewrite.Merged) string {
	spec, md, _ := footprint.PodSpec(merged.Object)
	pod := &corev1.Pod{ObjectMeta: *md.DeepCopy(), Spec: *spec.DeepCopy()}
	pod.Namespace = t.Namespace
	stored, refusal := footprint.AdmitPod(pod, t)
	if refusal != "" {
		return "the merged pod would be refused: " + refusal
	}
	if len(t.Nodes) > 0 && !footprint.FitsSomeNode(stored, t.Nodes) {
		req := resourcehelper.PodRequests(stored, resourcehelper.PodResourcesOptions{})
		return fmt.Sprintf("the merged pod requests cpu %s, memory %s: more than the largest node offers (or no node matches its nodeSelector)", req.Cpu().String(), req.Memory().String())
	}
	// Names: the members and the Services they concern before, the merged
	// Deployment and those Services (re-pointed where needed) after; no
	// other Service changes its reach.
	before, after := &model.App{}, &model.App{Objects: []*model.Object{merged.Object}}
	for _, i := range group {
		before.Objects = append(before.Objects, app.Objects[i])
	}
	for _, i := range merged.Related {
		o := app.Objects[i]
		before.Objects = append(before.Objects, o)
		if s, ok := merged.Services[i]; ok {
			o = s
		}
		after.Objects = append(after.Objects, o)
	}
	if broken := names.Broken(before, after); len(broken) > 0 {
		var list []string
		for _, b := range broken {
			list = append(list, b.String())
		}
		return "it would break " + strings.Join(list, "; ")
	}
	return ""
}

func firstUnique(s []string, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] && len(out) < n {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// mergeBound is an upper bound on what merging can save: candidates with the
// same replica count merged MaxMergeGroup to a pod (after bringing them all
// to one replica when atOne). It returns a key that would still be over and
// by how much, or 0 when the bound does not rule merging out.
func mergeBound(cands []solve.MergeCandidate, over map[string]int64, atOne bool) (string, int64) {
	byReplicas := map[int32]int64{}
	var fewer int64 // pods saved by going to one replica
	for _, c := range cands {
		r := c.Replicas
		if atOne {
			fewer += int64(r - 1)
			r = 1
		}
		byReplicas[r]++
	}
	var pods, objects int64
	for r, k := range byReplicas {
		saved := k - (k+solve.MaxMergeGroup-1)/solve.MaxMergeGroup
		pods += saved * int64(r)
		objects += saved
	}
	for _, k := range slices.Sorted(maps.Keys(over)) {
		can := objects
		if k == string(corev1.ResourcePods) || k == "count/pods" {
			can = pods + fewer
		}
		if over[k] > can {
			return k, over[k] - can
		}
	}
	return "", 0
}
