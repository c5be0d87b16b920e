package rewrite

import (
	"strings"

	"github.com/rightsize/rightsize/internal/model"
)

// Net folds successive changes of one field of one object into one change
// from the field's first value to its last, listed where the field was first
// changed, so that a report says what differs between the input and the
// output rather than each stage that got there (fit scales requests once to
// fit and again to leave room for a rolling update). A field that ends at
// the value it started from is dropped. The reasons of the steps are kept in
// order, each once. Changes of whole objects ("(object)") are not folded:
// each says what happened to the object.
func Net(changes []Change) []Change {
	type key struct {
		object model.Key
		field  string
	}
	at := make(map[key]int, len(changes))
	out := make([]Change, 0, len(changes))
	for _, c := range changes {
		if c.Field == "(object)" {
			out = append(out, c)
			continue
		}
		k := key{c.Object, c.Field}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, c)
			continue
		}
		prev := &out[i]
		prev.After = c.After
		if !hasReason(prev.Reason, c.Reason) {
			prev.Reason += "; then " + c.Reason
		}
	}
	kept := out[:0]
	for _, c := range out {
		if c.Field == "(object)" || c.Before != c.After {
			kept = append(kept, c)
		}
	}
	return kept
}

func hasReason(all, r string) bool {
	for _, s := range strings.Split(all, "; then ") {
		if s == r {
			return true
		}
	}
	return false
}
