package fit

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// exactMergeLimit is the most mergeable Deployments whose merges are
// searched exhaustively (every partition: 203 for 6); above it the merge
// and Service stages plan greedily.
const exactMergeLimit = 6

// exactMerges: while a pod, object or Service count binds and the app has
// few mergeable Deployments, try every way of merging them, each with the
// Services it makes removable removed as needed and sizes (and, when
// allowed, replicas) planned again, and make the best that fits: fewest
// replicas lost (a group's members brought to its smallest count first),
// then fewest workloads merged away. Without replicas the first that fits,
// fewest merged first, is made. It runs before sizing, so that replicas are
// not cut where a merge keeps them. When none fits, the greedy stages after
// it say why.
func (f *fitter) exactMerges() error {
	if !f.opts.allowed(AllowMerge) {
		return nil
	}
	fp, err := f.footprint()
	if err != nil {
		return err
	}
	podsOver, why := countOver(fp, mergeKeys)
	need, svcWhy := int64(0), ""
	if f.opts.allowed(AllowServices) {
		need, svcWhy = countOver(fp, serviceKeys)
	}
	if podsOver <= 0 && need <= 0 {
		return nil
	}
	cands := f.exactCandidates(fp)
	if len(cands) < 2 || len(cands) > exactMergeLimit {
		return nil
	}
	var uses []solve.ServiceUse
	if need > 0 {
		uses = serviceUses(f.app)
	}
	replicas := f.opts.allowed(AllowReplicas)
	reason := joinReasons(why, svcWhy)
	ps := partitions(len(cands))
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i]) > len(ps[j]) })
	var best *exactTrial
	for _, p := range ps {
		if len(p) == len(cands) && !replicas {
			continue // no merge: the other stages do that
		}
		ops, lost, ok := partitionOps(f.app, p, cands, uses, need, reason, replicas)
		if !ok {
			continue
		}
		next, changes, res, err := f.trial(ops)
		if err != nil {
			return err
		}
		if res == nil || !res.Fits {
			continue
		}
		c := &exactTrial{app: next, changes: changes, lost: lost + res.Cost.LostReplicas, merged: len(cands) - len(p)}
		if best == nil || c.lost < best.lost || (c.lost == best.lost && c.merged < best.merged) {
			best = c
		}
		if !replicas || best.lost == 0 {
			break // fewest merged first: none after it is better
		}
	}
	if best != nil && best.merged > 0 {
		f.commit(best.app, best.changes)
	}
	return nil
}

// exactTrial is one rewrite exactMerges found to fit.
type exactTrial struct {
	app          *model.App
	changes      []rewrite.Change
	lost, merged int
}

// exactCandidates are the mergeable Deployments, smallest pod first, as
// the greedy merge takes them: a group is named after its smallest member.
func (f *fitter) exactCandidates(fp *footprint.Result) []int {
	m := rewrite.NewPins(f.app, nil)
	var ws []footprint.Workload
	index := objectIndex(f.app)
	for _, w := range fp.Workloads {
		if i, ok := index[w.Object]; ok && w.Replicas > 0 && m.Pinned(i) == "" { // refused pods too: sizing comes after
			ws = append(ws, w)
		}
	}
	sort.SliceStable(ws, func(a, b int) bool {
		ra, rb := ws[a].PodRequests, ws[b].PodRequests
		if c := ra.Cpu().Cmp(*rb.Cpu()); c != 0 {
			return c < 0
		}
		if c := ra.Memory().Cmp(*rb.Memory()); c != 0 {
			return c < 0
		}
		return ws[a].Object.Name() < ws[b].Object.Name()
	})
	cands := make([]int, len(ws))
	for i, w := range ws {
		cands[i] = index[w.Object]
	}
	return cands
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// partitionOps merges each group of p (indexes into cands) and removes
// need Services that the merges leave used from one pod only; false when
// they do not free that many. With replicas, a group's members are first
// brought to its smallest replica count; lost counts the replicas that
// costs.
func partitionOps(app *model.App, p [][]int, cands []int, uses []solve.ServiceUse, need int64, reason string, replicas bool) ([]solve.Op, int, bool) {
	home := map[int]int{}
	var ops []solve.Op
	lost := 0
	for _, g := range p {
		members := make([]int, len(g))
		for k, x := range g {
			members[k] = cands[x]
			home[cands[x]] = cands[g[0]]
		}
		if len(g) == 1 {
			continue
		}
		if replicas {
			ro, l := equalReplicas(app, members, reason)
			ops, lost = append(ops, ro...), lost+l
		}
		ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: members, Reason: reason})
	}
	removed := int64(0)
	for _, u := range uses {
		if removed >= need || u.Why != "" {
			continue
		}
		h, ok := home[u.Server]
		same := ok
		for _, c := range u.Clients {
			hc, ok := home[c]
			same = same && ok && hc == h
		}
		if same {
			ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: u.Object, Members: []int{h}, Remap: u.Remap, Reason: reason})
			removed++
		}
	}
	return ops, lost, removed >= need
}

// equalReplicas brings the Deployments members to their smallest replica
// count, as merging them into one pod needs.
func equalReplicas(app *model.App, members []int, reason string) ([]solve.Op, int) {
	count := func(i int) int32 {
		if d, ok := app.Objects[i].Obj.(*appsv1.Deployment); ok && d.Spec.Replicas != nil {
			return *d.Spec.Replicas
		}
		return 1
	}
	low := count(members[0])
	for _, m := range members[1:] {
		low = min(low, count(m))
	}
	var ops []solve.Op
	lost := 0
	for _, m := range members {
		if r := count(m); r > low {
			ops = append(ops, solve.Op{Object: m, Field: "replicas", Replicas: low,
				Reason: fmt.Sprintf("%s and merging it with others into one pod needs equal replicas: %d replica(s) less", reason, r-low)})
			lost += int(r - low)
		}
	}
	return ops, lost
}

// trial makes ops on a copy and fits it with sizes and replicas only;
// a merge that clashes or breaks a name is a nil result.
func (f *fitter) trial(ops []solve.Op) (*model.App, []rewrite.Change, *Result, error) {
	next, changes, err := rewrite.Apply(f.app, ops)
	if err != nil || len(names.Broken(f.app, next)) > 0 {
		return nil, nil, nil, nil
	}
	opts := f.opts
	opts.Allow = nil
	for _, k := range []string{AllowResources, AllowReplicas} {
		if f.opts.allowed(k) {
			opts.Allow = append(opts.Allow, k)
		}
	}
	if opts.Allow == nil {
		opts.Allow = []string{}
	}
	opts.Rollout = solve.RolloutIgnore
	res, err := Run(next, f.t, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	return next, changes, res, nil
}

// partitions lists every partition of 0..n-1 into groups, each group in
// ascending order.
func partitions(n int) [][][]int {
	if n == 0 {
		return [][][]int{nil}
	}
	var out [][][]int
	for _, p := range partitions(n - 1) {
		for g := range p {
			q := make([][]int, len(p))
			for k := range p {
				q[k] = append([]int(nil), p[k]...)
			}
			q[g] = append(q[g], n-1)
			out = append(out, q)
		}
		out = append(out, append(append([][]int(nil), p...), []int{n - 1}))
	}
	return out
}
