package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

func newPlans(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "plans",
		Short: "List the built-in targets with their main limits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLIMITS")
			for _, p := range rightsize.Plans() {
				def := ""
				if p.Name == rightsize.DefaultTarget {
					def = " (default)"
				}
				fmt.Fprintf(tw, "%s%s\t%s\n", p.Name, def, p.Summary)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, "\nUse one with --target NAME, or give --target FILE with your own ResourceQuota/LimitRange/Node objects.")
			return nil
		},
	}
}
