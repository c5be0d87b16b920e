package fit

import (
	"sort"

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
// few mergeable Deployments, try every way of merging them, fewest
// workloads merged away first, each with the Services it makes removable
// removed as needed and sizes planned again; the first that fits is made.
// When none fits, the greedy stages after it say why. With replicas
// allowed, the greedy stages run alone (they bring replicas to one where a
// merge needs equal counts); the exhaustive search covers merges, Services
// and sizes.
func (f *fitter) exactMerges() error {
	if !f.opts.allowed(AllowMerge) || f.opts.allowed(AllowReplicas) {
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
	m := rewrite.NewMerger(f.app, nil)
	// Candidates smallest pod first, as the greedy merge takes them: a
	// group is named after its smallest member.
	var ws []footprint.Workload
	index := map[*model.Object]int{}
	for i, o := range f.app.Objects {
		index[o] = i
	}
	for _, w := range fp.Workloads {
		if i, ok := index[w.Object]; ok && w.Refused == "" && w.Replicas > 0 && m.Pinned(i) == "" {
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
	var cands []int
	for _, w := range ws {
		cands = append(cands, index[w.Object])
	}
	if len(cands) < 2 || len(cands) > exactMergeLimit {
		return nil
	}
	var uses []solve.ServiceUse
	if need > 0 {
		uses = serviceUses(f.app)
	}
	reason := joinReasons(why, svcWhy)
	ps := partitions(len(cands))
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i]) > len(ps[j]) })
	for _, p := range ps {
		if len(p) == len(cands) {
			continue // no merge: the other stages do that
		}
		ops, ok := partitionOps(p, cands, uses, need, reason)
		if !ok {
			continue
		}
		next, changes, fits, err := f.trial(ops)
		if err != nil {
			return err
		}
		if fits {
			f.commit(next, changes)
			return f.size(false)
		}
	}
	return nil
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
// they do not free that many.
func partitionOps(p [][]int, cands []int, uses []solve.ServiceUse, need int64, reason string) ([]solve.Op, bool) {
	home := map[int]int{}
	var ops []solve.Op
	for _, g := range p {
		members := make([]int, len(g))
		for k, x := range g {
			members[k] = cands[x]
			home[cands[x]] = cands[g[0]]
		}
		if len(g) > 1 {
			ops = append(ops, solve.Op{Kind: solve.OpMerge, Object: -1, Members: members, Reason: reason})
		}
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
			ops = append(ops, solve.Op{Kind: solve.OpDropService, Object: u.Object, Members: []int{h}, Reason: reason})
			removed++
		}
	}
	return ops, removed >= need
}

// trial makes ops on a copy and says whether sizing it then fits, names
// intact; a merge that clashes is a plain no.
func (f *fitter) trial(ops []solve.Op) (*model.App, []rewrite.Change, bool, error) {
	next, changes, err := rewrite.Apply(f.app, ops)
	if err != nil || len(names.Broken(f.app, next)) > 0 {
		return nil, nil, false, nil
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
		return nil, nil, false, err
	}
	return next, changes, res.Fits, nil
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
