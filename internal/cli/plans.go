package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize/internal/target"
)

func newPlans(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "plans",
		Short: "List the built-in targets with their main limits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLIMITS")
			for _, t := range target.Builtins() {
				def := ""
				if t.Name == target.Default {
					def = " (default)"
				}
				fmt.Fprintf(tw, "%s%s\t%s\n", t.Name, def, target.Summary(t))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, "\nUse one with --target NAME, or give --target FILE with your own ResourceQuota/LimitRange/Node objects.")
			return nil
		},
	}
}
