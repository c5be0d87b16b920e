package cli

import (
	"github.com/spf13/pflag"

	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/target"
)

// loadFlags are the flags every command that reads an application shares.
type loadFlags struct {
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
}

func (f *loadFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.target, "target", "t", target.Default, "built-in plan name (see 'rightsize plans') or a file of ResourceQuota/LimitRange/Node objects")
	fs.StringVar(&f.format, "format", "", "input format, detected when empty: kubernetes, compose, rancher, vamp, helm, kustomize")
	fs.StringArrayVarP(&f.params, "param", "p", nil, "OpenShift template parameter KEY=VALUE (repeatable)")
	fs.StringArrayVar(&f.paramFiles, "param-file", nil, "file of OpenShift template parameters, KEY=VALUE lines (repeatable)")
	fs.Int64Var(&f.seed, "seed", 1, "seed for generated OpenShift template parameters")
	fs.StringArrayVarP(&f.values, "values", "f", nil, "Helm values file (repeatable)")
	fs.StringArrayVar(&f.set, "set", nil, "Helm value or Rancher answer KEY=VALUE (repeatable)")
	fs.StringVar(&f.answers, "answers", "", "Rancher catalog answers file (KEY=VALUE lines, YAML or JSON)")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "Compose environment file (repeatable)")
	fs.StringArrayVar(&f.profiles, "profile", nil, "Compose profile to enable (repeatable)")
	fs.StringArrayVar(&f.statefulSets, "statefulset", nil, "Compose or Rancher service to convert to a StatefulSet, a claim per replica (repeatable)")
}

func (f *loadFlags) options(s Streams) load.Options {
	return load.Options{
		Format:     f.format,
		Stdin:      s.In,
		Params:     f.params,
		ParamFiles: f.paramFiles,
		Seed:       f.seed,
		Values:     f.values,
		Set:        f.set,
		Answers:    f.answers,
		EnvFiles:   f.envFiles,
		Profiles:   f.profiles,

		StatefulSets: f.statefulSets,
	}
}

// loadApp loads the application at paths.
func (f *loadFlags) loadApp(s Streams, paths []string) (*model.App, error) {
	return load.Load(paths, f.options(s))
}

// loadTarget loads the target named by --target.
func (f *loadFlags) loadTarget() (*model.Target, error) {
	return target.Load(f.target)
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
	fs.StringVar(&f.reportFormat, "report-format", "text", "report format: text or json")
	fs.BoolVar(&f.force, "force", false, "replace a non-empty --out directory")
}

// check validates the flags and refuses unsafe outputs (an input, or a
// place inside one) before any work is done.
func (f *outputFlags) check(inputs []string) (render.Format, error) {
	format, err := render.ParseFormat(f.output)
	if err != nil {
		return "", usageError("--output: %v", err)
	}
	if f.reportFormat != "text" && f.reportFormat != "json" {
		return "", usageError("--report-format %q: want text or json", f.reportFormat)
	}
	if err := f.checkOutputs(inputs); err != nil {
		return "", err
	}
	return format, nil
}

// loadAppAndTarget loads the application at paths and the target.
func (f *loadFlags) loadAppAndTarget(s Streams, paths []string) (*model.App, *model.Target, error) {
	app, err := f.loadApp(s, paths)
	if err != nil {
		return nil, nil, err
	}
	t, err := f.loadTarget()
	if err != nil {
		return nil, nil, err
	}
	return app, t, nil
}
