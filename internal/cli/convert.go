package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/render"
)

type convertFlags struct {
	load loadFlags
	outputFlags
}

func newConvert(s Streams) *cobra.Command {
	f := &convertFlags{}
	cmd := &cobra.Command{
		Use:   "convert PATH...",
		Short: "Convert Compose, Rancher, Vamp, Helm or Kustomize input to Kubernetes manifests",
		Long: `Convert reads the application at PATH in any format rightsize understands
(detected, or --format) and writes the Kubernetes manifests it becomes, with a
report of every decision made and of everything that was not carried over.

Every name a container uses to reach another still resolves after the
conversion: each Compose service gets a Service (headless when it declares no
ports), link and network aliases get theirs, and ROS 1 nodes get headless
Services named after ROS_HOSTNAME. The report lists any name that does not.

Manifests go to standard output (-o yaml|json) or, one file per object, to
--out DIR (written atomically; a non-empty DIR needs --force). The report goes
to standard error, or to --report FILE.`,
		Example: `  rightsize convert docker-compose.yml --out k8s/
  rightsize convert templates/wordpress --answers answers.txt --set public_port=8080
  rightsize convert charts/hello-world --values prod.yaml -o json
  rightsize convert compose.yaml --profile seed --statefulset db --report report.txt`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	// Converting does not need a target.
	_ = fs.MarkHidden("target")
	f.outputFlags.register(fs, "write the report to this file instead of standard error")
	return cmd
}

// convertObject is one converted object in the JSON report.
type convertObject struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Format string `json:"format"`
	Source string `json:"source"`
}

type convertJSON struct {
	Objects  []convertObject `json:"objects"`
	Names    []names.Ref     `json:"names"`
	Findings []model.Finding `json:"findings"`
}

func (f *convertFlags) run(ctx context.Context, s Streams, args []string) error {
	format, err := f.check(f.load.inputs(args))
	if err != nil {
		return err
	}
	app, err := f.load.loadApp(s, args)
	if err != nil {
		return err
	}
	refs := names.Check(app)
	findings := append([]model.Finding(nil), app.Findings...)
	for _, r := range refs {
		if r.Resolves == "" {
			findings = append(findings, model.Finding{Severity: model.Warning, Key: "names", Object: r.Object,
				Message: fmt.Sprintf("%s does not resolve to a Service of the app", r)})
		}
	}
	var report bytes.Buffer
	if f.reportFormat == "json" {
		err = render.WriteJSON(&report, convertReport(app, refs, findings))
	} else {
		err = render.WriteText(&report, convertText(app, refs, findings))
	}
	if err != nil {
		return err
	}
	if f.out != "" {
		err = render.WriteDir(ctx, f.out, app.Objects, render.DirOptions{Format: format, Force: f.force, Inputs: f.load.inputs(args)})
	} else {
		err = render.Stream(s.Out, app.Objects, format)
	}
	if err != nil {
		return err
	}
	var rw io.Writer = s.Err
	if f.report != "" {
		return render.WriteFile(ctx, f.report, report.Bytes())
	}
	_, err = rw.Write(report.Bytes())
	return err
}

func convertReport(app *model.App, refs []names.Ref, findings []model.Finding) convertJSON {
	r := convertJSON{Objects: []convertObject{}, Names: refs, Findings: findings}
	if r.Names == nil {
		r.Names = []names.Ref{}
	}
	if r.Findings == nil {
		r.Findings = []model.Finding{}
	}
	for _, o := range app.Objects {
		r.Objects = append(r.Objects, convertObject{Kind: o.Kind(), Name: o.Name(), Format: o.Source.Format, Source: o.Source.File})
	}
	return r
}

func convertText(app *model.App, refs []names.Ref, findings []model.Finding) *render.Report {
	r := &render.Report{Title: "rightsize convert"}
	counts := map[string]int{}
	var rows [][]string
	for _, o := range app.Objects {
		counts[o.Source.Format+"\x00"+o.Kind()]++
		rows = append(rows, []string{o.Ref(), o.Source.Format, o.Source.File})
	}
	var summary []string
	for _, k := range sortedKeys(counts) {
		format, kind, _ := strings.Cut(k, "\x00")
		summary = append(summary, fmt.Sprintf("%s: %d %s", format, counts[k], kind))
	}
	r.Verdict = fmt.Sprintf("%d objects", len(app.Objects))
	r.Sections = append(r.Sections,
		render.Section{Title: "converted", Lines: summary},
		render.Section{Title: "objects", Header: []string{"OBJECT", "FORMAT", "SOURCE"}, Rows: rows})
	var resolved []string
	seen := map[string]bool{}
	for _, ref := range refs {
		line := fmt.Sprintf("%s -> %s", ref.Host, orUnresolved(ref.Resolves))
		if !seen[line] {
			seen[line] = true
			resolved = append(resolved, line)
		}
	}
	sort.Strings(resolved)
	r.Sections = append(r.Sections, render.Section{Title: "host names used by containers", Lines: resolved})
	r.Findings = findings
	return r
}

func orUnresolved(s string) string {
	if s == "" {
		return "(does not resolve)"
	}
	return s
}
