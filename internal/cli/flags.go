package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/pflag"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/report"
)

// loadFlags are the flags every command that reads an application shares.
type loadFlags struct {
	fs         *pflag.FlagSet
	target     string
	format     string
	params     []string
	paramFiles []string
	seed       int64
	values     []string
	set        []string
	answers    string
	envFiles   []string
	profiles   []string
	// statefulSets names Compose/Rancher services to convert to StatefulSets.
	statefulSets []string
	// kube chooses a live cluster and namespace for cluster targets.
	kube  kubeFlags
	limit limitFlags
}

func (f *loadFlags) register(fs *pflag.FlagSet) {
	f.registerTarget(fs)
	fs.StringVar(&f.format, "format", "", "input format, detected when empty: kubernetes, compose, rancher, vamp, helm, kustomize")
	fs.StringArrayVarP(&f.params, "param", "p", nil, "OpenShift template parameter KEY=VALUE (repeatable)")
	fs.StringArrayVar(&f.paramFiles, "param-file", nil, "file of OpenShift template parameters, KEY=VALUE lines (repeatable)")
	fs.Int64Var(&f.seed, "seed", 0, "seed for generated OpenShift template parameters, for reproducible values (default: random per run, as oc process)")
	fs.StringArrayVarP(&f.values, "values", "f", nil, "Helm values file (repeatable)")
	fs.StringArrayVar(&f.set, "set", nil, "Helm value or Rancher answer KEY=VALUE (repeatable)")
	fs.StringVar(&f.answers, "answers", "", "Rancher catalog answers file (KEY=VALUE lines, YAML or JSON)")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "Compose environment file (repeatable)")
	fs.StringArrayVar(&f.profiles, "profile", nil, "Compose profile to enable (repeatable)")
	fs.StringArrayVar(&f.statefulSets, "statefulset", nil, "Compose or Rancher service to convert to a StatefulSet, a claim per replica (repeatable)")
	f.limit.register(fs)
}

// registerTarget registers the flags that choose the target only.
func (f *loadFlags) registerTarget(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVarP(&f.target, "target", "t", rightsize.DefaultTarget, "built-in plan name (see 'rightsize plans'), a file of ResourceQuota/LimitRange/Node objects, or cluster:[CONTEXT/]NAMESPACE")
	f.kube.register(fs)
}

// optionFlags maps the library's option names to the flags that set them.
var optionFlags = map[string]string{
	rightsize.OptFormat:             "--format",
	rightsize.OptTemplateParams:     "--param",
	rightsize.OptTemplateParamFiles: "--param-file",
	rightsize.OptTemplateSeed:       "--seed",
	rightsize.OptHelmValues:         "--values",
	rightsize.OptSet:                "--set",
	rightsize.OptRancherAnswers:     "--answers",
	rightsize.OptComposeEnvFiles:    "--env-file",
	rightsize.OptComposeProfiles:    "--profile",
	rightsize.OptStatefulSets:       "--statefulset",
	rightsize.OptTarget:             "--target",
	"Allow":                         "--allow",
	"Rollout":                       "--rollout",
}

// optionUsage turns the library's *OptionError into a usage error naming
// the flag; other errors pass unchanged.
func optionUsage(err error) error {
	var oe *rightsize.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	flag, ok := optionFlags[oe.Option]
	if !ok {
		flag = oe.Option
	}
	return usageError("%s: %s", flag, oe.Reason)
}

// options returns the load options for the flags the user gave: the
// library refuses those that do not apply to the input.
func (f *loadFlags) options(s Streams) []rightsize.LoadOption {
	opts := []rightsize.LoadOption{rightsize.WithStdin(s.In)}
	changed := func(name string) bool { return f.fs != nil && f.fs.Changed(name) }
	if changed("format") {
		opts = append(opts, rightsize.WithFormat(f.format))
	}
	if changed("param") {
		opts = append(opts, rightsize.WithTemplateParams(f.params...))
	}
	if changed("param-file") {
		opts = append(opts, rightsize.WithTemplateParamFiles(f.paramFiles...))
	}
	if changed("seed") {
		opts = append(opts, rightsize.WithTemplateSeed(f.seed))
	}
	if changed("values") {
		opts = append(opts, rightsize.WithHelmValues(f.values...))
	}
	if changed("set") {
		opts = append(opts, rightsize.WithSet(f.set...))
	}
	if changed("answers") {
		opts = append(opts, rightsize.WithRancherAnswers(f.answers))
	}
	if changed("env-file") {
		opts = append(opts, rightsize.WithComposeEnvFiles(f.envFiles...))
	}
	if changed("profile") {
		opts = append(opts, rightsize.WithComposeProfiles(f.profiles...))
	}
	if changed("statefulset") {
		opts = append(opts, rightsize.WithStatefulSets(f.statefulSets...))
	}
	return opts
}

// loadApp loads the application at paths.
func (f *loadFlags) loadApp(ctx context.Context, s Streams, paths []string) (*rightsize.App, error) {
	limits, err := f.limit.options()
	if err != nil {
		return nil, err
	}
	app, err := rightsize.LoadApp(ctx, paths, append(f.options(s), limits...)...)
	return app, optionUsage(err)
}

// loadAppAndTarget loads the application at paths and the target.
func (f *loadFlags) loadAppAndTarget(ctx context.Context, s Streams, paths []string) (*rightsize.App, *rightsize.Target, error) {
	app, err := f.loadApp(ctx, s, paths)
	if err != nil {
		return nil, nil, err
	}
	t, err := f.loadTarget(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	return app, t, nil
}

// outputFlags are the flags of the commands that write manifests and a
// report (fit, convert).
type outputFlags struct {
	out          string
	output       string
	report       string
	reportFormat string
	force        bool
}

func (f *outputFlags) register(fs *pflag.FlagSet, reportHelp string) {
	fs.StringVar(&f.out, "out", "", "write one file per object into this directory instead of standard output")
	fs.StringVarP(&f.output, "output", "o", "yaml", "manifest format: yaml or json")
	fs.StringVar(&f.report, "report", "", reportHelp)
	fs.StringVar(&f.reportFormat, "report-format", "text", "report format: "+formatList())
	fs.BoolVar(&f.force, "force", false, "replace a non-empty --out directory")
}

// check validates the flags and refuses unsafe outputs (an input, or a
// place inside one) before any work is done.
func (f *outputFlags) check(inputs []string) error {
	if f.output != rightsize.ManifestYAML && f.output != rightsize.ManifestJSON {
		return usageError("--output %q: want yaml or json", f.output)
	}
	if _, err := reportWriter(f.reportFormat); err != nil {
		return usageError("--report-format: %v", err)
	}
	return f.checkOutputs(inputs)
}

// writeManifests writes the app to --out or to w.
func (f *outputFlags) writeManifests(ctx context.Context, s Streams, app *rightsize.App, inputs []string) error {
	if f.out != "" {
		return app.WriteDir(ctx, f.out, rightsize.DirOptions{Format: f.output, Replace: f.force, Inputs: inputs})
	}
	return app.WriteManifests(s.Out, f.output)
}

func formatList() string {
	return strings.Join(report.Formats(writers()), ", ")
}
