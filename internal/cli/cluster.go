package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/env"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/target"
)

// kubeFlags are kubectl's flags that choose a cluster and a namespace.
type kubeFlags struct {
	kubeconfig string
	context    string
	namespace  string
	env        string
}

func (f *kubeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file for cluster targets (default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context for cluster targets (default the current context)")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace: of a cluster target, and the one output objects carry (default the target's)")
	fs.StringVar(&f.env, "env", "", "named environment from "+env.FileName+" (beside the app, else in the user config directory): its target and defaults")
}

// isCluster reports whether the flags name a live namespace: a cluster:
// target, or kubectl's --context or --kubeconfig with the default target.
func (f *loadFlags) isCluster() bool {
	if strings.HasPrefix(f.target, cluster.TargetPrefix) {
		return true
	}
	return f.fs != nil && !f.fs.Changed("target") && (f.kube.context != "" || f.kube.kubeconfig != "")
}

// connect opens the cluster the flags name.
func (f *loadFlags) connect() (*cluster.Handle, error) {
	opts := cluster.Options{Kubeconfig: f.kube.kubeconfig, Context: f.kube.context, Namespace: f.kube.namespace}
	if ctxName, ns, ok := cluster.ParseTarget(f.target); ok {
		if ctxName != "" {
			opts.Context = ctxName
		}
		if ns != "" {
			opts.Namespace = ns
		}
	}
	return cluster.Connect(opts)
}

// loadClusterTarget reads the live namespace as a target, the app's
// existing objects counted as updates.
func (f *loadFlags) loadClusterTarget(app *model.App) (*model.Target, error) {
	h, err := f.connect()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(f.context(), 2*time.Minute)
	defer cancel()
	t, err := h.Target(ctx, app)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", h.Name(), err)
	}
	return t, nil
}

func (f *loadFlags) context() context.Context {
	if f.ctx != nil {
		return f.ctx
	}
	return context.Background()
}

// applyEnv runs before every command: with --env, the environment's
// settings become the defaults of the command's flags that were not given.
func applyEnv(cmd *cobra.Command, args []string) error {
	fl := cmd.Flags().Lookup("env")
	if fl == nil || fl.Value.String() == "" {
		return nil
	}
	userDir, _ := os.UserConfigDir()
	files := env.Files(args, userDir)
	envs, err := env.Load(files)
	if err != nil {
		return err
	}
	e, err := env.Find(envs, fl.Value.String(), files)
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
			if err := sv.Replace(vals); err != nil {
				return fmt.Errorf("%s: environment %s: %s: %w", e.File, e.Name, name, err)
			}
			continue
		}
		if err := target.Value.Set(strings.Join(vals, ",")); err != nil {
			return fmt.Errorf("%s: environment %s: %s: %w", e.File, e.Name, name, err)
		}
	}
	return nil
}

// loadTargetFor loads the target: a live namespace, or a plan or file.
func (f *loadFlags) loadTargetFor(app *model.App) (*model.Target, error) {
	if f.isCluster() {
		return f.loadClusterTarget(app)
	}
	return target.Load(f.target)
}
