package cli

import "github.com/spf13/cobra"

func newAnalyze(s Streams) *cobra.Command {
	return &cobra.Command{Use: "analyze PATH...", Short: "Tell whether an application fits a target, and why not"}
}
