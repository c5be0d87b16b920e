package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/rewrite"
)

type fitFlags struct {
	load      loadFlags
	namespace string
	outputFlags
	fitOutput
	allow         []string
	allowDataLoss bool
	minCPU        string
	minMemory     string
	usage         string
}

func newFit(s Streams) *cobra.Command {
	f := &fitFlags{}
	cmd := &cobra.Command{
		Use:   "fit PATH...",
		Short: "Rewrite an application, as little as possible, so that it fits a target",
		Long: `Fit rewrites the application at PATH so that the target admits all of it:
it fills missing requests and limits, scales them down with an exact solver
(the largest common retained fraction under every quota key, never below a
floor), reduces replicas, merges Deployments into multi-container pods while
a pod or object count binds, turns NodePort/LoadBalancer Services into
ClusterIP plus an Ingress, and folds namespaces into the target's. Every change is
reported with its reason; a change that would break a host name a container
uses is not made. A PersistentVolumeClaim becomes emptyDir only with
--allow-data-loss.

Manifests go to standard output (-o yaml|json) or, one file per object, to
--out DIR (written atomically; a non-empty DIR needs --force). With
--out-format kustomize, DIR is a Kustomize overlay instead: its
kustomization.yaml names the input files by relative path and carries one
JSON 6902 patch per changed object (commented with the reasons), the
objects fit created, and a delete per object it removed; inputs that are
not Kubernetes files are written converted under DIR/base. --diff writes a
unified diff of every object before and after, as kubectl diff does. The report
goes to --report FILE, else to standard error when manifests are on standard
output, else to standard output.

Exit codes: 0 fits, 3 no allowed rewrite fits, 1 error, 2 usage.`,
		Example: `  rightsize fit examples/shop --target sandbox --out shop-fitted
  rightsize fit app.yaml --target okteto-free --allow resources,replicas -o json
  rightsize fit app.yaml --min-memory 64Mi --report report.json --report-format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace the output objects carry (default: the target's, else none)")
	f.outputFlags.register(fs, "write the report to this file")
	f.fitOutput.register(fs)
	fs.StringSliceVar(&f.allow, "allow", fit.Kinds, "change kinds allowed: "+strings.Join(fit.Kinds, ", "))
	fs.BoolVar(&f.allowDataLoss, "allow-data-loss", false, "allow replacing PersistentVolumeClaims with emptyDir when storage binds")
	fs.StringVar(&f.minCPU, "min-cpu", "", "never scale a container's CPU below this (default "+"10m"+")")
	fs.StringVar(&f.minMemory, "min-memory", "", "never scale a container's memory below this (default 32Mi)")
	fs.StringVar(&f.usage, "usage", "", "YAML file of observed usage, \"Kind/name/container\": {cpu: 50m, memory: 100Mi}, used as floors")
	return cmd
}

func (f *fitFlags) options() (fit.Options, error) {
	opts := fit.Options{Namespace: f.namespace, Allow: f.allow, AllowDataLoss: f.allowDataLoss}
	for _, a := range f.allow {
		ok := false
		for _, k := range fit.Kinds {
			ok = ok || a == k
		}
		if !ok {
			return opts, usageError("--allow %q: want some of %s", a, strings.Join(fit.Kinds, ", "))
		}
	}
	for _, q := range []struct {
		flag, val string
		dst       **resource.Quantity
	}{{"--min-cpu", f.minCPU, &opts.MinCPU}, {"--min-memory", f.minMemory, &opts.MinMemory}} {
		if q.val == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.val)
		if err != nil {
			return opts, usageError("%s %q: invalid quantity", q.flag, q.val)
		}
		*q.dst = &v
	}
	if f.usage != "" {
		data, err := os.ReadFile(f.usage)
		if err != nil {
			return opts, fmt.Errorf("reading --usage: %w", err)
		}
		if err := yaml.UnmarshalStrict(data, &opts.Usage); err != nil {
			return opts, fmt.Errorf("%s: want \"Kind/name/container\": {cpu: Q, memory: Q}: %w", f.usage, err)
		}
	}
	return opts, nil
}

func (f *fitFlags) run(ctx context.Context, s Streams, args []string) error {
	format, err := f.outputFlags.check(f.inputs(args))
	if err != nil {
		return err
	}
	if err := f.fitOutput.check(f.out); err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	app, t, err := f.load.loadAppAndTarget(s, args)
	if err != nil {
		return err
	}
	res, err := fit.Run(app, t, opts)
	if err != nil {
		return err
	}
	var report bytes.Buffer
	if f.reportFormat == "json" {
		err = render.WriteJSON(&report, fitReport(res))
	} else {
		err = render.WriteText(&report, fitText(res))
	}
	if err != nil {
		return err
	}
	if res.Fits {
		if err := f.writeManifests(ctx, s, app, res, format, f.inputs(args)); err != nil {
			return err
		}
	}
	var rw io.Writer = s.Err
	switch {
	case f.report != "":
		if err := render.WriteFile(ctx, f.report, report.Bytes()); err != nil {
			return err
		}
		rw = nil
	case !f.manifestsOnStdout() || !res.Fits:
		rw = s.Out
	}
	if rw != nil {
		if _, err := rw.Write(report.Bytes()); err != nil {
			return err
		}
	}
	if !res.Fits {
		return noFit
	}
	return nil
}

// quotaRow is one quota key before and after.
type quotaRow struct {
	Key    string `json:"key"`
	Quota  string `json:"quota"`
	Before string `json:"before"`
	After  string `json:"after"`
	Hard   string `json:"hard"`
}

type fitJSON struct {
	Target    string             `json:"target"`
	Fits      bool               `json:"fits"`
	Changes   []rewrite.Change   `json:"changes"`
	Quota     []quotaRow         `json:"quota"`
	Fractions map[string]float64 `json:"fractions,omitempty"`
	Binding   map[string]string  `json:"binding,omitempty"`
	Over      map[string]string  `json:"over,omitempty"`
	Needs     map[string]string  `json:"needs,omitempty"`
	Findings  any                `json:"findings"`
}

func quotaRows(res *fit.Result) []quotaRow {
	var keys []string
	for k := range res.After.Quota {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	var rows []quotaRow
	for _, k := range keys {
		a := res.After.Quota[corev1.ResourceName(k)]
		b := res.Before.Quota[corev1.ResourceName(k)]
		rows = append(rows, quotaRow{Key: k, Quota: a.Quota, Before: b.Requested.String(), After: a.Requested.String(), Hard: a.Hard.String()})
	}
	return rows
}

func quantities(m map[string]resource.Quantity) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func fitReport(res *fit.Result) fitJSON {
	changes := res.Changes
	if changes == nil {
		changes = []rewrite.Change{}
	}
	findings := append(append([]any{}, anySlice(res.Findings)...), anySlice(res.After.Findings)...)
	return fitJSON{Target: res.Target, Fits: res.Fits, Changes: changes, Quota: quotaRows(res),
		Fractions: res.Fractions, Binding: res.Binding, Over: quantities(res.Over), Needs: quantities(res.Needs), Findings: findings}
}

func anySlice[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func fitText(res *fit.Result) *render.Report {
	verdict := "fits"
	if !res.Fits {
		verdict = "does not fit with the allowed changes"
	}
	r := &render.Report{Title: "rightsize fit: target " + res.Target, Verdict: verdict}
	var rows [][]string
	for _, q := range quotaRows(res) {
		rows = append(rows, []string{q.Key, q.Before, q.After, q.Hard})
	}
	r.Sections = append(r.Sections, render.Section{Title: "quota", Header: []string{"KEY", "BEFORE", "AFTER", "HARD"}, Rows: rows})
	var fr []string
	for _, k := range sortedKeys(res.Fractions) {
		fr = append(fr, fmt.Sprintf("%s: %.4f (bound by %s)", k, res.Fractions[k], orNone(res.Binding[k])))
	}
	r.Sections = append(r.Sections, render.Section{Title: "retained fractions", Lines: fr})
	var ch [][]string
	for _, c := range res.Changes {
		ch = append(ch, []string{c.Object, c.Field, c.Before, c.After, c.Reason})
	}
	r.Sections = append(r.Sections, render.Section{Title: fmt.Sprintf("changes (%d)", len(res.Changes)), Header: []string{"OBJECT", "FIELD", "BEFORE", "AFTER", "REASON"}, Rows: ch})
	if !res.Fits {
		var over []string
		for _, k := range sortedKeys(res.Over) {
			over = append(over, fmt.Sprintf("%s: over by %s", k, qs(res.Over[k])))
		}
		r.Sections = append(r.Sections, render.Section{Title: "binding keys", Lines: over})
		var needs []string
		for _, k := range sortedKeys(res.Needs) {
			needs = append(needs, fmt.Sprintf("%s: %s", k, qs(res.Needs[k])))
		}
		r.Sections = append(r.Sections, render.Section{Title: "smallest target that fits (hard per key)", Lines: needs})
	}
	r.Findings = append(append(r.Findings, res.Findings...), res.After.Findings...)
	return r
}

func qs(q resource.Quantity) string { return q.String() }

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
