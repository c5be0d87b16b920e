package solve

// ConfigCandidate is a ConfigMap or Secret that may be merged with others
// of its class.
type ConfigCandidate struct {
	// Object indexes the app's objects.
	Object int
	// Class groups what may merge: kind, namespace and (Secrets) type.
	Class string
	// Size is its data's size in bytes, keys included.
	Size int
}

// ConfigMerges chooses groups of candidates to merge, each into its first
// member, so that need objects go: classes in order of first appearance,
// members in app order, a group closed when it would hold more than max
// bytes. It returns the groups and how many objects too many remain.
func ConfigMerges(cands []ConfigCandidate, need, max int) ([][]int, int) {
	var classes []string
	byClass := map[string][]ConfigCandidate{}
	for _, c := range cands {
		if _, ok := byClass[c.Class]; !ok {
			classes = append(classes, c.Class)
		}
		byClass[c.Class] = append(byClass[c.Class], c)
	}
	var groups [][]int
	for _, cl := range classes {
		var g []int
		size := 0
		flush := func() {
			if len(g) > 1 {
				groups = append(groups, g)
				need -= len(g) - 1
			}
			g, size = nil, 0
		}
		for _, c := range byClass[cl] {
			if need <= 0 && len(g) <= 1 {
				break
			}
			if len(g) > 0 && size+c.Size > max {
				flush()
			}
			g, size = append(g, c.Object), size+c.Size
			if len(g)-1 == need {
				flush()
			}
		}
		flush()
		if need <= 0 {
			return groups, 0
		}
	}
	return groups, need
}
