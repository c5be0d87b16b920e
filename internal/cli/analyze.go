package cli

import (
	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

type analyzeFlags struct {
	load   loadFlags
	output string
}

func newAnalyze(s Streams) *cobra.Command {
	f := &analyzeFlags{}
	cmd := &cobra.Command{
		Use:   "analyze PATH...",
		Short: "Tell whether an application fits a target, and why not",
		Long: `Analyze computes what Kubernetes admission would charge and refuse for the
application at PATH (files, directories, or - for standard input) in the
target: LimitRange defaults and validation, each ResourceQuota charged with
what its scopes match, replicas.

Exit codes: 0 fits, 3 does not fit, 1 error, 2 usage.`,
		Example: `  rightsize analyze examples/shop
  rightsize analyze app.yaml --target okteto-free -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFlag(f.output); err != nil {
				return err
			}
			ctx := cmd.Context()
			app, t, err := f.load.loadAppAndTarget(ctx, s, args)
			if err != nil {
				return err
			}
			r, err := rightsize.Analyze(ctx, app, t)
			if err != nil {
				return err
			}
			return writeVerdict(s.Out, f.output, r)
		},
	}
	f.load.register(cmd.Flags())
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: "+formatList())
	return cmd
}
