package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rightsize/rightsize"
)

// kubeFlags are kubectl's flags that choose a cluster and a namespace, and
// --env.
type kubeFlags struct {
	kubeconfig string
	context    string
	namespace  string
	env        string
}

func (f *kubeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file for cluster targets (default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context for cluster targets (default the current context)")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace of a cluster target (default the context's), and the one fit's output objects carry (default the target's)")
	fs.StringVar(&f.env, "env", "", "named environment from "+rightsize.EnvironmentFile+" (beside the app, else in the user config directory): its target and defaults")
}

// isCluster reports whether the flags name a live namespace: a cluster:
// target, or kubectl's --context or --kubeconfig with the default target.
func (f *loadFlags) isCluster() bool {
	if rightsize.IsClusterTarget(f.target) {
		return true
	}
	return f.fs != nil && !f.fs.Changed("target") && (f.kube.context != "" || f.kube.kubeconfig != "")
}

func (f *loadFlags) namespace() string { return f.kube.namespace }

// connect opens the live namespace the flags name.
func (f *loadFlags) connect() (*rightsize.LiveCluster, error) {
	spec := f.target
	if !rightsize.IsClusterTarget(spec) {
		spec = ""
	}
	return rightsize.ConnectCluster(spec, rightsize.KubeOptions{Kubeconfig: f.kube.kubeconfig, Context: f.kube.context, Namespace: f.namespace()})
}

// connectAndLoad opens the live namespace --target names (plain "cluster:"
// when --target is not given), then loads the app at paths: the start of
// apply and verify --cluster; what names the command in the error for a
// --target that is not a live namespace.
func (f *loadFlags) connectAndLoad(ctx context.Context, s Streams, paths []string, what string) (*rightsize.LiveCluster, *rightsize.App, error) {
	if !f.isCluster() {
		if f.fs.Changed("target") {
			return nil, nil, usageError("--target %s: %s needs a live namespace, cluster:[CONTEXT/]NAMESPACE", f.target, what)
		}
		f.target = rightsize.ClusterTargetPrefix
	}
	c, err := f.connect()
	if err != nil {
		return nil, nil, err
	}
	app, err := f.loadApp(ctx, s, paths)
	if err != nil {
		return nil, nil, err
	}
	return c, app, nil
}

// loadTarget loads the target: a live namespace (the app's existing
// objects counted as updates), or a plan or file.
func (f *loadFlags) loadTarget(ctx context.Context, app *rightsize.App) (*rightsize.Target, error) {
	if !f.isCluster() {
		return rightsize.LoadTarget(ctx, f.target)
	}
	c, err := f.connect()
	if err != nil {
		return nil, err
	}
	return c.Target(ctx, app)
}

// applyEnv runs before every command: with --env, the environment's
// settings become the defaults of the command's flags that were not given.
func applyEnv(cmd *cobra.Command, args []string) error {
	fl := cmd.Flags().Lookup("env")
	if fl == nil || fl.Value.String() == "" {
		return nil
	}
	envs, files, err := environments(args)
	if err != nil {
		return err
	}
	e, err := rightsize.FindEnvironment(envs, fl.Value.String(), files)
	if err != nil {
		return usageError("--env: %v", err)
	}
	fs := cmd.Flags()
	for name, vals := range e.Settings {
		target := fs.Lookup(name)
		if target == nil || fs.Changed(name) {
			continue // a setting of other commands, or given on the command line
		}
		if sv, ok := target.Value.(pflag.SliceValue); ok {
			err = sv.Replace(vals)
		} else {
			err = target.Value.Set(strings.Join(vals, ","))
		}
		if err != nil {
			return fmt.Errorf("%s: environment %s: %s: %w", e.File, e.Name, name, err)
		}
		target.Changed = true
	}
	return nil
}

// environments loads the environments that apply to an app at paths.
func environments(paths []string) ([]*rightsize.Environment, []string, error) {
	userDir, _ := os.UserConfigDir()
	files := rightsize.EnvironmentFiles(paths, userDir)
	envs, err := rightsize.LoadEnvironments(files)
	return envs, files, err
}
