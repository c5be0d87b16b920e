package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	corev1 "k8s.io/api/core/v1"
)

// WriteText writes r for a terminal: the verdict, each quota on its own
// (as kubectl describe quota shows them, scopes named), then whatever the
// command measured: nodes, changes, workloads, refusals, findings.
func WriteText(w io.Writer, r *Report) error {
	b := bufio.NewWriterSize(w, 64<<10)
	if r.Command == Recommend && r.Target == "" {
		fmt.Fprintf(b, "rightsize recommend: %s strategy, no target.\n", r.Recommend.Strategy)
	} else {
		fmt.Fprintf(b, "%s\n", headline(r))
	}
	if r.Verify != nil && !r.Verify.Settled {
		fmt.Fprintln(b, "warning: the controllers were still making progress when the wait ended")
	}
	if r.Command != Convert && (r.Command != Recommend || r.Target != "") {
		quotasText(b, r)
	}
	if r.Command == Fit {
		fitUsageText(b, r.Recommend)
	} else {
		recommendText(b, r.Recommend)
	}
	nodesText(b, r.Nodes)
	fitText(b, r)
	changesText(b, r.Changes)
	workloadsText(b, r.Workloads)
	refusalsText(b, r.Refusals)
	if r.Verify != nil && len(r.Verify.Skipped) > 0 {
		fmt.Fprintln(b, "\nNot created:")
		for _, s := range r.Verify.Skipped {
			fmt.Fprintf(b, "  %s: %s\n", s.Object, s.Reason)
		}
	}
	objectsText(b, r)
	findingsText(b, r)
	return b.Flush()
}

func headline(r *Report) string {
	where := "target " + r.Target
	if r.Namespace != "" {
		where += ", namespace " + r.Namespace
	}
	switch r.Command {
	case Convert:
		return fmt.Sprintf("rightsize convert: %d objects.", len(r.Objects))
	case Fit:
		if r.Fits {
			return fmt.Sprintf("rightsize fit: %s: the rewritten application fits.", where)
		}
		return fmt.Sprintf("rightsize fit: %s: the application does NOT fit with the allowed changes.", where)
	case Verify:
		var desired, created, scheduled int32
		for _, wl := range r.Workloads {
			desired += wl.Replicas
			if wl.Status != nil {
				created += wl.Status.Created
				scheduled += wl.Status.Scheduled
			}
		}
		verdict := "every pod admitted and scheduled"
		if !r.Fits {
			verdict = "does NOT fit"
		}
		return fmt.Sprintf("rightsize verify: %s: %s (%d desired, %d created, %d scheduled).", where, verdict, desired, created, scheduled)
	}
	verdict := "fits"
	if !r.Fits {
		verdict = "does NOT fit"
	}
	return fmt.Sprintf("rightsize %s: %s: the application %s.", r.Command, where, verdict)
}

func newTab(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// quotasText shows each quota on its own, with its scopes.
func quotasText(b *bufio.Writer, r *Report) {
	if len(r.Quotas) == 0 {
		fmt.Fprintln(b, "\nQuota: none (the target sets no ResourceQuota)")
		return
	}
	for _, q := range r.Quotas {
		fmt.Fprintf(b, "\nQuota: %s (%s)\n", q.Name, q.Origin)
		if s := scopesText(q); s != "" {
			fmt.Fprintf(b, "Scopes: %s\n", s)
		}
		tw := newTab(b)
		cols := []string{"RESOURCE"}
		if q.Before != nil {
			cols = append(cols, "BEFORE")
		}
		cols = append(cols, "REQUESTED", "ADMITTED")
		if q.Used != nil {
			cols = append(cols, "USED")
		}
		cols = append(cols, "HARD", "USE")
		fmt.Fprintf(tw, "  %s\n", strings.Join(cols, "\t"))
		for _, k := range SortedKeys(q.Hard) {
			row := []string{string(k)}
			if q.Before != nil {
				row = append(row, qty(q.Before, k))
			}
			row = append(row, qty(q.Requested, k), qty(q.Admitted, k))
			if q.Used != nil {
				row = append(row, qty(q.Used, k))
			}
			use := percent(q.Requested, q.Hard, k)
			if r, h := q.Requested[k], q.Hard[k]; r.Cmp(h) > 0 {
				use += " over"
			}
			row = append(row, qty(q.Hard, k), use)
			fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
		}
		tw.Flush()
	}
}

// scopesText names a quota's scopes and selector as kubectl does.
func scopesText(q Quota) string {
	var parts []string
	for _, s := range q.Scopes {
		parts = append(parts, string(s))
	}
	for _, e := range q.ScopeSelector {
		switch e.Operator {
		case corev1.ScopeSelectorOpIn, corev1.ScopeSelectorOpNotIn:
			parts = append(parts, fmt.Sprintf("%s %s (%s)", e.ScopeName, e.Operator, strings.Join(e.Values, ", ")))
		default:
			parts = append(parts, fmt.Sprintf("%s %s", e.ScopeName, e.Operator))
		}
	}
	return strings.Join(parts, ", ")
}

func qty(l corev1.ResourceList, k corev1.ResourceName) string {
	v, ok := l[k]
	if !ok {
		return "0"
	}
	return v.String()
}

func percent(req, hard corev1.ResourceList, k corev1.ResourceName) string {
	r := Ratio(req[k], hard[k])
	if r >= 1e18 {
		return "inf"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

func nodesText(b *bufio.Writer, n *Nodes) {
	if n == nil {
		return
	}
	fmt.Fprintln(b, "\nNodes (sum of pod requests against the target's nodes):")
	tw := newTab(b)
	fmt.Fprintln(tw, "  RESOURCE\tREQUESTED\tALLOCATABLE")
	for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods} {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", k, qty(n.Requested, k), qty(n.Allocatable, k))
	}
	tw.Flush()
}

func fitText(b *bufio.Writer, r *Report) {
	f := r.Fit
	if f == nil {
		return
	}
	if len(f.Fractions) > 0 {
		fmt.Fprintln(b, "\nRetained fractions:")
		for _, k := range sortedStrings(f.Fractions) {
			bound := f.Binding[k]
			if bound == "" {
				bound = "nothing"
			}
			fmt.Fprintf(b, "  %s: %.4f (bound by %s)\n", k, f.Fractions[k], bound)
		}
	}
	if len(f.Over) > 0 {
		fmt.Fprintln(b, "\nBinding keys:")
		for _, k := range SortedKeys(f.Over) {
			fmt.Fprintf(b, "  %s: over by %s\n", k, qty(f.Over, k))
		}
	}
	if len(f.Needs) > 0 {
		fmt.Fprintln(b, "\nSmallest target that fits (hard per key):")
		for _, k := range SortedKeys(f.Needs) {
			fmt.Fprintf(b, "  %s: %s\n", k, qty(f.Needs, k))
		}
	}
}

func sortedStrings[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func changesText(b *bufio.Writer, cs []Change) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(b, "\nChanges (%d):\n", len(cs))
	tw := newTab(b)
	fmt.Fprintln(tw, "  OBJECT\tFIELD\tBEFORE\tAFTER\tREASON")
	for _, c := range cs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.Object, c.Field, c.Before, c.After, c.Reason)
	}
	tw.Flush()
}

func workloadsText(b *bufio.Writer, ws []Workload) {
	if len(ws) == 0 {
		return
	}
	live := false
	for _, w := range ws {
		live = live || w.Status != nil
	}
	fmt.Fprintln(b, "\nWorkloads (one pod, after LimitRange defaults):")
	tw := newTab(b)
	if live {
		fmt.Fprintln(tw, "  KIND\tNAME\tDESIRED\tCREATED\tSCHEDULED\tREADY")
	} else {
		fmt.Fprintln(tw, "  KIND\tNAME\tPODS\tREQUESTS\tLIMITS")
	}
	for _, w := range ws {
		if live {
			s := w.Status
			if s == nil {
				s = &WorkloadStatus{}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\n", w.Object.Kind, w.Object.Name, w.Replicas, s.Created, s.Scheduled, s.Ready)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", w.Object.Kind, w.Object.Name, w.Replicas, resources(w.PodRequests), resources(w.PodLimits))
	}
	tw.Flush()
	var unsched []string
	for _, w := range ws {
		if w.Status == nil {
			continue
		}
		for _, u := range w.Status.Unschedulable {
			unsched = append(unsched, fmt.Sprintf("  %s (%d): %s", w.Object, u.Count, u.Message))
		}
	}
	if len(unsched) > 0 {
		fmt.Fprintf(b, "\nUnschedulable:\n%s\n", strings.Join(unsched, "\n"))
	}
}

func resources(l corev1.ResourceList) string {
	var parts []string
	for _, k := range SortedKeys(l) {
		parts = append(parts, string(k)+"="+qty(l, k))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

func refusalsText(b *bufio.Writer, rs []Refusal) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(b, "\nRefused:")
	for _, r := range rs {
		fmt.Fprintf(b, "  %s (%d): %s\n", r.Object, r.Count, r.Message)
	}
}

func objectsText(b *bufio.Writer, r *Report) {
	if len(r.Objects) > 0 {
		counts := map[string]int{}
		for _, o := range r.Objects {
			counts[o.Format+": %d "+o.Object.Kind]++
		}
		fmt.Fprintln(b, "\nConverted:")
		for _, k := range sortedStrings(counts) {
			fmt.Fprintf(b, "  "+k+"\n", counts[k])
		}
		fmt.Fprintln(b, "\nObjects:")
		tw := newTab(b)
		fmt.Fprintln(tw, "  OBJECT\tFORMAT\tSOURCE")
		for _, o := range r.Objects {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", o.Object, o.Format, o.Source)
		}
		tw.Flush()
	}
	if len(r.Names) > 0 {
		// One line per name and what it resolves to: many containers use
		// the same names.
		seen := map[string]bool{}
		var lines []string
		for _, n := range r.Names {
			res := n.Resolves
			if res == "" {
				res = "(does not resolve)"
			}
			line := n.Host + " -> " + res
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
		sort.Strings(lines)
		fmt.Fprintln(b, "\nHost names used by containers:")
		for _, l := range lines {
			fmt.Fprintf(b, "  %s\n", l)
		}
	}
}

func findingsText(b *bufio.Writer, r *Report) {
	if len(r.Findings) == 0 {
		return
	}
	fmt.Fprintln(b, "\nFindings:")
	for _, f := range r.Findings {
		obj := ""
		if !f.Object.IsZero() {
			obj = " " + f.Object.String()
		}
		fmt.Fprintf(b, "  %-7s [%s]%s: %s\n", f.Severity, f.Key, obj, f.Message)
	}
}
