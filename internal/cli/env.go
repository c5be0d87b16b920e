package cli

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

func newEnv(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Named environments (targets with their defaults) from " + rightsize.EnvironmentFile,
		Long: `Environments name a target (a built-in plan, a file, or a cluster namespace)
with defaults for any flag, in ` + rightsize.EnvironmentFile + ` beside the app or in the user
configuration directory (<config>/rightsize/` + rightsize.EnvironmentFile + `):

  environments:
    dev:
      target: cluster:kind-dev/shop
      timeout: 2m
    edge:
      target: edge-4cpu-4gi
      allow: [resources, replicas]

Every command takes --env NAME; flags given on the command line win.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list [PATH]",
		Short: "List the environments that apply to the app at PATH (default .)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			envs, _, err := environments(args)
			if err != nil {
				return err
			}
			if len(envs) == 0 {
				fmt.Fprintf(s.Err, "no environments: no %s beside %s or in the user configuration directory\n", rightsize.EnvironmentFile, args[0])
				return nil
			}
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTARGET\tDEFAULTS\tFILE")
			for _, e := range envs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Target(), settings(e), e.File)
			}
			return tw.Flush()
		},
	})
	return cmd
}

func settings(e *rightsize.Environment) string {
	var parts []string
	for k, v := range e.Settings {
		if k != "target" {
			parts = append(parts, k+"="+strings.Join(v, ","))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
