package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

type applyFlags struct {
	load    loadFlags
	name    string
	fit     bool
	timeout time.Duration
	grace   time.Duration
	output  string
}

func newApply(s Streams) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply PATH...",
		Short: "Apply an application to a live namespace, all or nothing",
		Long: `Apply puts the application into a namespace of a live cluster (--target
cluster:[CONTEXT/]NAMESPACE, or kubectl's --context, --namespace and
--kubeconfig; default the current context's namespace) all or nothing: a
server-side dry run of every object first; then server-side apply in
dependency order; then a wait until every pod is admitted, scheduled and
Ready (Jobs complete). On any refusal, on --timeout, on Ctrl-C or a lost
connection it restores the namespace: objects it created are deleted (with
what their controllers made), objects it changed are put back as they were.
The report quotes Kubernetes' own messages.

Objects an apply creates carry the label rightsize.io/app=NAME (no inventory
object, which would count against a tight quota); 'rightsize delete NAME'
removes them. Applying the same app again changes nothing.

Exit codes: 0 applied and Ready, 3 refused or timed out (namespace restored),
130 interrupted (namespace restored), 1 error, 2 usage.`,
		Example: `  rightsize apply examples/shop --target cluster:kind-dev/shop
  rightsize apply app.yaml -n team-a --fit --timeout 2m
  kubectl rightsize apply app/ --context prod --namespace web`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	fs.StringVar(&f.name, "name", "", "the application's name, recorded on its objects (default the name of the first PATH)")
	fs.BoolVar(&f.fit, "fit", false, "apply what 'rightsize fit' makes of the app for the live namespace")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Minute, "how long to wait for every pod to be Ready before restoring")
	fs.DurationVar(&f.grace, "refusal-grace", 20*time.Second, "how long pods refused by admission may go without progress before restoring")
	fs.StringVarP(&f.output, "output", "o", "text", "report format: text or json")
	return cmd
}

// appName is the name recorded on the app's objects: --name, else the
// first path's base name without extension.
func appName(name string, paths []string) string {
	if name != "" || len(paths) == 0 {
		return name
	}
	base := filepath.Base(filepath.Clean(paths[0]))
	if base == "-" || base == "." || base == "/" {
		abs, _ := filepath.Abs(paths[0])
		base = filepath.Base(abs)
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func (f *applyFlags) run(ctx context.Context, s Streams, args []string) error {
	if f.output != "text" && f.output != "json" {
		return usageError("--output %q: want text or json", f.output)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	c, app, err := f.load.connectAndLoad(ctx, s, args, "apply")
	if err != nil {
		return err
	}
	if f.fit {
		t, err := c.Target(ctx, app)
		if err != nil {
			return err
		}
		res, err := rightsize.Fit(ctx, app, t, rightsize.WithNamespace(c.Namespace()))
		if err != nil {
			return fmt.Errorf("fitting the app: %w", err)
		}
		if !res.Report.Fits {
			fmt.Fprintf(s.Err, "rightsize: the app does not fit %s even after fitting; run 'rightsize fit' for the report\n", t.Name())
			return noFit
		}
		app = res.App
	}
	name := appName(f.name, args)
	r, err := rightsize.Apply(ctx, c, app, rightsize.ApplyOptions{Name: name, Timeout: f.timeout, RefusalGrace: f.grace, Progress: s.Err})
	if r == nil {
		return err
	}
	if werr := f.write(s, r); werr != nil && err == nil {
		err = werr
	}
	switch {
	case err != nil:
		return err
	case r.Failure != nil && r.Failure.Stage == rightsize.ApplyInterrupted:
		return &exitError{code: ExitInterrupted, err: fmt.Errorf("interrupted; namespace %s restored", r.Namespace)}
	case !r.OK:
		return noFit
	}
	return nil
}

func (f *applyFlags) write(s Streams, r *rightsize.ApplyReport) error {
	if f.output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeApplyText(s, r)
}

func writeApplyText(s Streams, r *rightsize.ApplyReport) error {
	switch {
	case r.Unchanged:
		fmt.Fprintf(s.Out, "app %s in namespace %s: unchanged (every object is as this apply would write it)\n", r.App, r.Namespace)
	case r.OK:
		fmt.Fprintf(s.Out, "app %s in namespace %s: applied, every pod Ready\n", r.App, r.Namespace)
	default:
		fmt.Fprintf(s.Out, "app %s in namespace %s: NOT applied (%s", r.App, r.Namespace, r.Failure.Stage)
		if r.Failure.Object != "" {
			fmt.Fprintf(s.Out, " at %s", r.Failure.Object)
		}
		fmt.Fprintf(s.Out, "): %s\n", r.Failure.Message)
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nOBJECT\tACTION")
	for _, o := range r.Objects {
		fmt.Fprintf(tw, "%s\t%s\n", o.Object, o.Action)
	}
	if len(r.Workloads) > 0 {
		fmt.Fprintln(tw, "\nWORKLOAD\tREADY\tDESIRED")
		for _, w := range r.Workloads {
			fmt.Fprintf(tw, "%s\t%d\t%d\n", w.Object, w.Ready, w.Desired)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(s.Out, "\nKUBERNETES SAID")
		for _, p := range r.Problems {
			fmt.Fprintf(s.Out, "  %s %s: %s\n", p.Object, p.Reason, p.Message)
		}
	}
	if r.RolledBack {
		fmt.Fprintln(s.Out, "\nRESTORED (the namespace is as it was before)")
		for _, o := range r.Restore {
			fmt.Fprintf(s.Out, "  %s %s\n", o.Object, o.Action)
		}
		for _, e := range r.RestoreErrors {
			fmt.Fprintf(s.Out, "  NOT RESTORED: %s\n", e)
		}
	}
	return nil
}

type deleteFlags struct {
	load    loadFlags
	timeout time.Duration
}

func newDelete(s Streams) *cobra.Command {
	f := &deleteFlags{}
	cmd := &cobra.Command{
		Use:   "delete NAME|PATH",
		Short: "Remove from a live namespace what 'rightsize apply' created",
		Long: `Delete removes every object of the namespace labelled rightsize.io/app=NAME
(what 'rightsize apply' created for the app NAME; a PATH stands for the name
apply derives from it), waits until they and what their controllers made
are gone. Objects the namespace had before the app stay.`,
		Example: `  rightsize delete shop --target cluster:kind-dev/shop`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if !f.load.isCluster() {
				f.load.target = rightsize.ClusterTargetPrefix
			}
			c, err := f.load.connect()
			if err != nil {
				return err
			}
			name := args[0]
			if _, err := os.Stat(name); err == nil {
				name = appName("", args)
			}
			r, err := rightsize.Delete(ctx, c, name, f.timeout)
			if r != nil {
				for _, d := range r.Deleted {
					fmt.Fprintf(s.Out, "deleted %s\n", d)
				}
				if len(r.Deleted) == 0 {
					fmt.Fprintf(s.Err, "no object of app %s in namespace %s\n", name, c.Namespace())
				}
			}
			return err
		},
	}
	f.load.registerTarget(cmd.Flags())
	cmd.Flags().DurationVar(&f.timeout, "timeout", 2*time.Minute, "how long to wait for the objects to be gone")
	return cmd
}
