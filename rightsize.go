package rightsize

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/report/html"
	"github.com/rightsize/rightsize/internal/target"
)

// The report's types, named here so that programs outside this module can
// use them.
type (
	// Report is what a command found: see docs/report.md.
	Report = report.Report
	// Quota is one ResourceQuota object's charge.
	Quota = report.Quota
	// KeyUsage is one quota key's charge, from its most binding quota.
	KeyUsage = report.KeyUsage
	// Change is one edit Fit made.
	Change = report.Change
	// Workload is one pod-creating object.
	Workload = report.Workload
	// Refusal is a creation admission refuses.
	Refusal = report.Refusal
	// Finding is one statement about the app.
	Finding = model.Finding
	// Severity orders findings.
	Severity = model.Severity
	// Key identifies an object: group, kind, namespace, name.
	Key = model.Key
)

// Severities.
const (
	Error   = model.Error
	Warning = model.Warning
	Info    = model.Info
)

// App is an application: Kubernetes objects, whatever format they were
// read from, and what loading noticed.
type App struct {
	app *model.App
	// formats are the input formats the app was read from.
	formats []string
}

// Inputs returns the files loading read besides the paths it was given (a
// Compose env_file, a kustomization's base in another directory): outputs
// must be kept away from them as from the paths given. WriteDir does so.
func (a *App) Inputs() []string { return slices.Clone(a.app.Inputs) }

// Objects returns the app's objects in load order: typed objects from
// k8s.io/api for the kinds rightsize understands, *unstructured.Unstructured
// for others. They belong to the App: copy before changing them.
func (a *App) Objects() []runtime.Object {
	out := make([]runtime.Object, len(a.app.Objects))
	for i, o := range a.app.Objects {
		out[i] = o.Obj
	}
	return out
}

// Keys returns the identity of every object, in load order.
func (a *App) Keys() []Key {
	out := make([]Key, len(a.app.Objects))
	for i, o := range a.app.Objects {
		out[i] = o.Key()
	}
	return out
}

// Findings returns what loading noticed (conversions, dropped fields).
func (a *App) Findings() []Finding { return append([]Finding(nil), a.app.Findings...) }

// Formats returns the input formats the app was read from, in path order.
func (a *App) Formats() []string { return append([]string(nil), a.formats...) }

// Manifest formats for WriteManifests and WriteDir.
const (
	ManifestYAML = "yaml"
	ManifestJSON = "json"
)

// WriteManifests writes the app's objects to w as one YAML stream
// (format "yaml") or a JSON List ("json"), cleaned of empty fields.
func (a *App) WriteManifests(w io.Writer, format string) error {
	f, err := render.ParseFormat(format)
	if err != nil {
		return err
	}
	return render.Stream(w, a.app.Objects, f)
}

// DirOptions configure WriteDir.
type DirOptions struct {
	// Format is "yaml" (default) or "json".
	Format string
	// Replace allows replacing a non-empty directory.
	Replace bool
	// Inputs are the paths the app was read from: WriteDir refuses to write
	// over them or inside them.
	Inputs []string
}

// WriteDir writes one file per object into dir, atomically: on an error or
// when ctx is done, dir is as it was.
func (a *App) WriteDir(ctx context.Context, dir string, opts DirOptions) error {
	format := opts.Format
	if format == "" {
		format = ManifestYAML
	}
	f, err := render.ParseFormat(format)
	if err != nil {
		return err
	}
	inputs := append(slices.Clip(opts.Inputs), a.app.Inputs...)
	return render.WriteDir(ctx, dir, a.app.Objects, render.DirOptions{Format: f, Force: opts.Replace, Inputs: inputs})
}

// WriteFile writes data to path atomically (a report file, say): readers
// see the old content or the new, never a part.
func WriteFile(ctx context.Context, path string, data []byte) error {
	return render.WriteFile(ctx, path, data)
}

// CheckOutput refuses an output path that is one of inputs or lies inside
// one, before any work is done.
func CheckOutput(out string, inputs []string) error { return render.CheckOutput(out, inputs) }

// LoadApp reads the application at paths (files, directories, or "-" for
// the reader WithStdin gives) in any format rightsize understands. Options
// that apply to none of the detected formats are an *OptionError.
func LoadApp(ctx context.Context, paths []string, opts ...LoadOption) (*App, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Seed 0: generated template parameters are random per run, as oc
	// process makes them, unless WithTemplateSeed asks for reproducible ones.
	o := loadOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.limitErr != nil {
		return nil, o.limitErr
	}
	formats, err := detect(paths, o.format)
	if err != nil {
		return nil, err
	}
	if err := checkApplies(&o, formats); err != nil {
		return nil, err
	}
	app, err := load.Load(paths, load.Options{
		Format: o.format, Stdin: o.stdin,
		Params: o.params, ParamFiles: o.paramFiles, Seed: o.seed,
		Values: o.values, Set: o.set, Answers: o.answers,
		EnvFiles: o.envFiles, Profiles: o.profiles, StatefulSets: o.stateful,
		ClaimSize: o.claimSize, HelmKubeVersion: o.kubeVer,
		Limits: o.limits, Detected: detected(paths, formats),
	})
	if err != nil {
		return nil, err
	}
	return &App{app: app, formats: formats}, nil
}

// detected maps each path to its format, for load to read each file once.
func detected(paths, formats []string) map[string]string {
	m := make(map[string]string, len(paths))
	for i, p := range paths {
		if p != "-" {
			m[p] = formats[i]
		}
	}
	return m
}

// detect names the format of every path.
func detect(paths []string, forced string) ([]string, error) {
	out := make([]string, len(paths))
	for i, p := range paths {
		switch {
		case forced != "":
			out[i] = forced
		case p == "-":
			out[i] = "kubernetes"
		default:
			f, err := load.Detect(p)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
	}
	return out, nil
}

// checkApplies refuses options that apply to none of formats.
func checkApplies(o *loadOptions, formats []string) error {
	for _, name := range sortedOptions(o.given) {
		applies, ok := formatOptions[name]
		if !ok {
			continue
		}
		hit := false
		for _, f := range formats {
			for _, a := range applies {
				hit = hit || a == f
			}
		}
		if hit {
			continue
		}
		var want []string
		for _, a := range applies {
			if a != "openshift" {
				want = append(want, formatNames[a])
			}
		}
		var got []string
		for _, f := range uniq(formats) {
			got = append(got, formatNames[f])
		}
		return &OptionError{Option: name, Reason: fmt.Sprintf("applies to %s; the input is %s", strings.Join(want, " and "), strings.Join(got, " and "))}
	}
	return nil
}

// Target is a constrained place to run an app: ResourceQuota, LimitRange
// and Node objects.
type Target struct {
	t *model.Target
}

// Name is the plan's name or the file the target was read from.
func (t *Target) Name() string { return t.t.Name }

// Namespace is the namespace the target's objects name, "" when none.
func (t *Target) Namespace() string { return t.t.Namespace }

// Objects returns the target's objects: ResourceQuotas, LimitRanges, Nodes.
func (t *Target) Objects() []runtime.Object {
	var out []runtime.Object
	for _, q := range t.t.Quotas {
		out = append(out, q)
	}
	for _, l := range t.t.LimitRanges {
		out = append(out, l)
	}
	for _, n := range t.t.Nodes {
		out = append(out, n)
	}
	return out
}

// DefaultTarget is the plan LoadTarget reads for "".
const DefaultTarget = target.Default

// LoadTarget returns the built-in plan called spec (see Plans), or reads
// the file of that name: ResourceQuota, LimitRange and Node objects.
func LoadTarget(ctx context.Context, spec string) (*Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := target.Load(spec)
	if err != nil {
		return nil, err
	}
	return &Target{t: t}, nil
}

// Plan is a built-in target.
type Plan struct {
	Name        string
	Description string
	// Summary gives the main limits in one line.
	Summary string
}

// Plans lists the built-in targets.
func Plans() []Plan {
	var out []Plan
	for _, t := range target.Builtins() {
		out = append(out, Plan{Name: t.Name, Description: t.Description, Summary: target.Summary(t)})
	}
	return out
}

// ReportFormats lists the formats WriteReport knows: html, json, text, yaml.
func ReportFormats() []string { return report.Formats(reportWriters()) }

// reportWriters are the shared writers plus the HTML page.
func reportWriters() map[string]report.Writer {
	w := report.Writers()
	w["html"] = report.WriterFunc(html.Write)
	return w
}

// WriteReport renders r in format (see ReportFormats) to w. The html format
// is one self-contained page (inline CSS and SVG, no script).
func WriteReport(w io.Writer, format string, r *Report) error {
	wr, err := report.Lookup(reportWriters(), format)
	if err != nil {
		return err
	}
	return wr.Write(w, r)
}
