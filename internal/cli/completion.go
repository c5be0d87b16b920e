package cli

import (
	"strings"

	"github.com/rightsize/rightsize"
	"github.com/spf13/cobra"
)

// registerCompletions adds shell completion for targets (plans, files,
// cluster:CONTEXT/), environments and kubeconfig contexts to every command
// that takes them ('rightsize completion bash|zsh|fish|powershell').
func registerCompletions(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		fs := c.Flags()
		if fs.Lookup("target") != nil {
			_ = c.RegisterFlagCompletionFunc("target", completeTarget)
		}
		if fs.Lookup("env") != nil {
			_ = c.RegisterFlagCompletionFunc("env", completeEnv)
		}
		if fs.Lookup("context") != nil {
			_ = c.RegisterFlagCompletionFunc("context", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return rightsize.KubeContexts(""), cobra.ShellCompDirectiveNoFileComp
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeTarget offers the built-in plans, cluster:CONTEXT/ for every
// kubeconfig context, and files.
func completeTarget(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if strings.HasPrefix(toComplete, rightsize.ClusterTargetPrefix) {
		var out []string
		for _, c := range rightsize.KubeContexts("") {
			out = append(out, rightsize.ClusterTargetPrefix+c+"/")
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, p := range rightsize.Plans() {
		out = append(out, p.Name+"\t"+p.Description)
	}
	out = append(out, rightsize.ClusterTargetPrefix)
	return out, cobra.ShellCompDirectiveDefault // files too
}

func completeEnv(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		args = []string{"."}
	}
	envs, _, err := environments(args)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, e := range envs {
		out = append(out, e.Name+"\t"+e.Target())
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
