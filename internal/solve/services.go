package solve

import (
	"fmt"
	"slices"
	"sort"
)

// ServiceUse is what the planner needs to know of one Service to remove it:
// which workload it reaches and which workloads name it.
type ServiceUse struct {
	// Object indexes the app's objects (the Service).
	Object int
	Name   string
	// Server is the workload the Service selects (an app index).
	Server int
	// Clients are the workloads whose containers name the Service.
	Clients []int
	// Why says why the Service must stay whatever is merged; "" when it
	// can go once its clients share its server's pod (which then reaches
	// the name through hostAliases to 127.0.0.1).
	Why string
	// Remap maps each port the Service sends to a different target port
	// (P -> T): its clients, which all write the port with the name, reach
	// the pod itself on T once it is gone.
	Remap map[int32]int32
}

// members is the set of workloads that must share a pod for u to go.
func (u ServiceUse) members() []int {
	out := append([]int{u.Server}, u.Clients...)
	slices.Sort(out)
	return slices.Compact(out)
}

// ServicePlan is which Services go and which merges that takes.
type ServicePlan struct {
	// Groups are the merges to make, each in ascending object order.
	Groups [][]int
	// Remove lists the uses (indexes into the uses given) whose Services go.
	Remove []int
	// Host is, per removed use, the workload whose pod takes over its name:
	// the first member of its group, or its server.
	Host map[int]int
	// Left is how many Services too many remain when no plan is found.
	Left int
	// Blocked says why merges were refused, in the order tried.
	Blocked []string
}

// exactServiceUses is the most candidate Services searched exhaustively
// (2^n subsets); above it the search is greedy.
const exactServiceUses = 12

// ServiceRemovals chooses need Services to remove with as few merged
// workloads as possible (then the fewest Services, need exactly): a Service
// can go when its server and every client share one pod. Services that need
// no merge go first, in app order. Otherwise, up to exactServiceUses
// candidates, every subset is costed (workloads merged away: the sizes of
// the groups its uses join, less one each) and tried cheapest first, ties
// by the subset's order; try gets a would-be group (ascending) and says why
// it cannot be merged. Above that the uses are taken greedily, smallest
// group first. allowMerge false keeps to Services that need no merge.
func ServiceRemovals(uses []ServiceUse, need int, allowMerge bool, try func([]int) string) ServicePlan {
	var free, cands []int
	for i, u := range uses {
		switch {
		case u.Why != "":
		case len(u.members()) == 1:
			free = append(free, i)
		case allowMerge:
			cands = append(cands, i)
		}
	}
	if len(free) >= need {
		return finishPlan(uses, nil, need)
	}
	s := &serviceSearch{uses: uses, need: need, try: try, verdict: map[string]string{}}
	var groups [][]int
	if len(cands) <= exactServiceUses {
		groups = s.exact(cands)
	} else {
		groups = s.greedy(cands)
	}
	if groups == nil {
		return ServicePlan{Left: need - len(free), Blocked: s.blocked}
	}
	p := finishPlan(uses, groups, need)
	p.Blocked = s.blocked
	return p
}

// finishPlan picks the first need uses that groups (or no merge) make
// removable.
func finishPlan(uses []ServiceUse, groups [][]int, need int) ServicePlan {
	p := ServicePlan{Groups: groups, Host: map[int]int{}}
	home := map[int]int{} // workload -> first member of its group
	for _, g := range groups {
		for _, w := range g {
			home[w] = g[0]
		}
	}
	for i, u := range uses {
		if len(p.Remove) == need || u.Why != "" {
			continue
		}
		ms := u.members()
		h, ok := home[ms[0]]
		if !ok {
			h = ms[0]
		}
		same := true
		for _, w := range ms {
			if hw, ok := home[w]; (ok && hw != h) || (!ok && w != h) {
				same = false
			}
		}
		if same {
			p.Remove = append(p.Remove, i)
			p.Host[i] = h
		}
	}
	return p
}

type serviceSearch struct {
	uses    []ServiceUse
	need    int
	try     func([]int) string
	verdict map[string]string
	blocked []string
}

// groupsOf joins the member sets of the chosen uses into groups (union of
// overlapping sets), each sorted, in order of their smallest member.
func (s *serviceSearch) groupsOf(chosen []int) [][]int {
	parent := map[int]int{}
	var find func(int) int
	find = func(x int) int {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		parent[x] = x
		return x
	}
	for _, ui := range chosen {
		ms := s.uses[ui].members()
		for _, w := range ms[1:] {
			a, b := find(ms[0]), find(w)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	byRoot := map[int][]int{}
	for w := range parent {
		byRoot[find(w)] = append(byRoot[find(w)], w)
	}
	var groups [][]int
	for _, g := range byRoot {
		if len(g) > 1 {
			slices.Sort(g)
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i][0] < groups[j][0] })
	return groups
}

func mergedAway(groups [][]int) int {
	n := 0
	for _, g := range groups {
		n += len(g) - 1
	}
	return n
}

// covered counts the uses that groups make removable.
func (s *serviceSearch) covered(groups [][]int) int {
	return len(finishPlan(s.uses, groups, len(s.uses)).Remove)
}

// ok asks try about every group, remembering each verdict.
func (s *serviceSearch) ok(groups [][]int) bool {
	for _, g := range groups {
		key := fmt.Sprint(g)
		why, seen := s.verdict[key]
		if !seen {
			why = s.try(g)
			s.verdict[key] = why
			if why != "" {
				s.blocked = append(s.blocked, why)
			}
		}
		if why != "" {
			return false
		}
	}
	return true
}

type serviceChoice struct {
	cost   int
	mask   int
	groups [][]int
}

func (s *serviceSearch) exact(cands []int) [][]int {
	var choices []serviceChoice
	for mask := 1; mask < 1<<len(cands); mask++ {
		var chosen []int
		for b, ui := range cands {
			if mask&(1<<b) != 0 {
				chosen = append(chosen, ui)
			}
		}
		groups := s.groupsOf(chosen)
		if s.covered(groups) >= s.need {
			choices = append(choices, serviceChoice{cost: mergedAway(groups), mask: mask, groups: groups})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].cost < choices[j].cost })
	for _, c := range choices {
		if len(s.blocked) >= MaxRefusedMerges {
			break
		}
		if s.ok(c.groups) {
			return c.groups
		}
	}
	return nil
}

func (s *serviceSearch) greedy(cands []int) [][]int {
	order := append([]int(nil), cands...)
	sort.SliceStable(order, func(i, j int) bool { return len(s.uses[order[i]].members()) < len(s.uses[order[j]].members()) })
	var chosen []int
	var groups [][]int
	for _, ui := range order {
		if len(s.blocked) >= MaxRefusedMerges {
			break
		}
		trial := s.groupsOf(append(append([]int(nil), chosen...), ui))
		if !s.ok(trial) {
			continue
		}
		chosen, groups = append(chosen, ui), trial
		if s.covered(groups) >= s.need {
			return groups
		}
	}
	return nil
}
