package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
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
target: LimitRange defaults and validation, ResourceQuota per key, replicas.

Exit codes: 0 fits, 3 does not fit, 1 error, 2 usage.`,
		Example: `  rightsize analyze examples/shop
  rightsize analyze app.yaml --target okteto-free -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.output != "text" && f.output != "json" {
				return usageError("--output %q: want text or json", f.output)
			}
			app, t, err := f.load.loadAppAndTarget(s, args)
			if err != nil {
				return err
			}
			res, err := footprint.Analyze(app, t)
			if err != nil {
				return err
			}
			if f.output == "json" {
				err = writeJSON(s.Out, res.Report())
			} else {
				err = writeAnalysis(s.Out, res)
			}
			if err != nil {
				return err
			}
			if !res.Fits {
				return noFit
			}
			return nil
		},
	}
	f.load.register(cmd.Flags())
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeAnalysis prints the quota table, the findings and the pod sizes.
func writeAnalysis(w io.Writer, res *footprint.Result) error {
	verdict := "fits"
	if !res.Fits {
		verdict = "does NOT fit"
	}
	fmt.Fprintf(w, "Target %s: the application %s.\n\n", res.Target, verdict)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "QUOTA KEY\tREQUESTED\tHARD\tUSE\t")
	for _, k := range res.QuotaKeys() {
		u := res.Quota[k]
		mark := ""
		if u.Over() {
			mark = "over"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k, u.Requested.String(), u.Hard.String(), percent(u), mark)
	}
	if len(res.Quota) == 0 {
		fmt.Fprintln(tw, "(none: the target sets no quota)\t\t\t\t")
	}
	tw.Flush()
	if res.Nodes != nil {
		fmt.Fprintln(w, "\nNODES (sum of pod requests against the target's nodes):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RESOURCE\tREQUESTED\tALLOCATABLE\t")
		for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods} {
			r, a := res.Nodes.Requested[k], res.Nodes.Allocatable[k]
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", k, r.String(), a.String())
		}
		tw.Flush()
	}
	if len(res.Findings) > 0 {
		fmt.Fprintln(w, "\nFindings:")
		for _, f := range res.Findings {
			obj := ""
			if f.Object != "" {
				obj = " " + f.Object
			}
			fmt.Fprintf(w, "  %-7s [%s]%s: %s\n", f.Severity, f.Key, obj, f.Message)
		}
	}
	if len(res.Workloads) > 0 {
		fmt.Fprintln(w, "\nWorkloads (one pod, after LimitRange defaults):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tNAME\tPODS\tREQUESTS\tLIMITS\t")
		for _, wl := range res.Workloads {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t\n", wl.Kind, wl.Name, wl.Replicas, resources(wl.PodRequests), resources(wl.PodLimits))
		}
		tw.Flush()
	}
	return nil
}

func percent(u footprint.Usage) string {
	h := u.Hard.AsApproximateFloat64()
	if h == 0 {
		if u.Requested.IsZero() {
			return "0%"
		}
		return "inf"
	}
	return fmt.Sprintf("%.0f%%", 100*u.Requested.AsApproximateFloat64()/h)
}

func resources(l corev1.ResourceList) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := l[corev1.ResourceName(k)]
		parts = append(parts, k+"="+v.String())
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}
