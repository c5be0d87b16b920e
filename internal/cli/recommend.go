package cli

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rightsize/rightsize"
)

// usageFlags choose a usage source and how to read it (recommend, fit).
type usageFlags struct {
	// progress shows the slow sources' sampling (set by the command).
	progress     *progressView
	from         string
	since, until string
	promToken    string
	promTokenF   string
	promCA       string
	promInsecure bool
	promTimeout  time.Duration
	labelNS      string
	labelPod     string
	labelCtr     string
	cpuMetric    string
	memMetric    string
	sampleEvery  time.Duration
	sampleFor    time.Duration
}

func (f *usageFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.from, "usage-from", "", "usage source: a recorded file (OpenMetrics/Prometheus text, or a Prometheus query_range JSON answer), an http(s):// Prometheus URL, or metrics-server[:CONTEXT]")
	fs.StringVar(&f.since, "since", "", "read usage from this time (RFC 3339, or a duration back from --until/now such as 72h); default: the whole recording, or the strategy's history for live sources")
	fs.StringVar(&f.until, "until", "", "read usage up to this time (RFC 3339); default: the end of the recording, or now")
	fs.StringVar(&f.promToken, "prometheus-token", "", "bearer token for the Prometheus source")
	fs.StringVar(&f.promTokenF, "prometheus-token-file", "", "file holding the bearer token for the Prometheus source")
	fs.StringVar(&f.promCA, "prometheus-ca-file", "", "CA certificate file that verifies the Prometheus source")
	fs.BoolVar(&f.promInsecure, "prometheus-insecure-skip-tls-verify", false, "do not verify the Prometheus source's certificate")
	fs.DurationVar(&f.promTimeout, "prometheus-timeout", 60*time.Second, "give up on a Prometheus request that has no answer after this long")
	fs.StringVar(&f.labelNS, "label-namespace", "namespace", "label holding the namespace in usage series")
	fs.StringVar(&f.labelPod, "label-pod", "pod", "label holding the pod name in usage series")
	fs.StringVar(&f.labelCtr, "label-container", "container", "label holding the container name in usage series")
	fs.StringVar(&f.cpuMetric, "cpu-metric", "container_cpu_usage_seconds_total", "CPU counter metric (CPU-seconds)")
	fs.StringVar(&f.memMetric, "memory-metric", "container_memory_working_set_bytes", "memory metric (bytes)")
	fs.DurationVar(&f.sampleEvery, "sample-every", 30*time.Second, "metrics-server: time between two samples")
	fs.DurationVar(&f.sampleFor, "sample-for", 10*time.Minute, "metrics-server: how long to sample")
}

func (f *usageFlags) options(s Streams, kube kubeFlags) ([]rightsize.RecommendOption, error) {
	until, err := parseTime("--until", f.until, time.Time{})
	if err != nil {
		return nil, err
	}
	end := until
	if end.IsZero() {
		end = time.Now()
	}
	since, err := parseTime("--since", f.since, end)
	if err != nil {
		return nil, err
	}
	opts := []rightsize.RecommendOption{
		rightsize.WithUsageFrom(f.from),
		rightsize.WithUsageWindow(since, until),
		rightsize.WithPrometheus(rightsize.PrometheusOptions{BearerToken: f.promToken, BearerTokenFile: f.promTokenF, CAFile: f.promCA, Insecure: f.promInsecure, Timeout: f.promTimeout}),
		rightsize.WithUsageLabels(rightsize.UsageLabels{Namespace: f.labelNS, Pod: f.labelPod, Container: f.labelCtr, CPUMetric: f.cpuMetric, MemoryMetric: f.memMetric}),
		rightsize.WithMetricsServer(rightsize.MetricsServerOptions{Kubeconfig: kube.kubeconfig, Context: kube.context, Every: f.sampleEvery, For: f.sampleFor}),
		rightsize.WithProgress(func(done, total int, what string) {
			f.progress.Event(rightsize.Progress{Stage: "usage", Message: "reading " + what, Done: done, Total: total, Finished: done == total})
		}),
	}
	if kube.namespace != "" {
		opts = append(opts, rightsize.WithUsageNamespace(kube.namespace))
	}
	return opts, nil
}

// parseTime parses RFC 3339, or a duration back from end.
func parseTime(flag, v string, end time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && !end.IsZero() {
		return end.Add(-d), nil
	}
	return time.Time{}, usageError("%s %q: want an RFC 3339 time (2022-08-23T00:00:00Z)%s", flag, v, map[bool]string{true: " or a duration (72h)", false: ""}[!end.IsZero()])
}

type recommendFlags struct {
	load     loadFlags
	usage    usageFlags
	strategy string
	output   string
	out      string
	force    bool
}

func newRecommend(s Streams) *cobra.Command {
	f := &recommendFlags{}
	cmd := &cobra.Command{
		Use:   "recommend PATH... --usage-from SOURCE",
		Short: "Size an application's containers from observed usage, under a target's quota if given",
		Long: `Recommend reads the usage of the application's containers (pods mapped to
their workloads) from a recorded file, a Prometheus server or metrics-server,
and gives per container: the current requests and limits, the observed
percentiles and peaks, the strategy's lower bound, target and recommendation,
and the risk of the sizes (how often the recorded usage exceeded them: CPU
over request or throttled, memory over request or over the limit).

Strategies: rightsize (default; lower bound = CPU p50 and memory peak, target
= CPU p95 and memory peak + 15%, OOM kills raise memory), vpa (the Vertical Pod
Autoscaler recommender's histograms), krr (krr's simple strategy). A container
with too little data (under 100 samples or 3 h) gets no recommendation.

With --target, the recommendations become the targets and lower bounds of the
exact solver under the target's quota (as 'fit --usage-from'), and the report
says what each container got and the risk left.

-o text|json prints the report; -o yaml prints the app's manifests with the
sizes written in (the report then goes to standard error); --out DIR writes
them one file per object.

Exit codes: 0 done, 3 with --target: it does not fit, 1 error, 2 usage.`,
		Example: `  rightsize recommend ../shared/corpus/online-boutique --usage-from ../shared/usage/online-boutique/usage.om
  rightsize recommend app/ --usage-from https://prometheus.example:9090 --prometheus-token-file token --strategy vpa -o json
  rightsize recommend app/ --usage-from usage.om --target okteto-free --out app-sized`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.usage.progress = newProgress(cmd, s)
			defer f.usage.progress.Close()
			return f.run(cmd.Context(), s, args)
		},
	}
	fs := cmd.Flags()
	f.load.register(fs)
	f.usage.register(fs)
	fs.StringVar(&f.strategy, "strategy", "rightsize", "sizing strategy: "+strings.Join(rightsize.Strategies(), ", "))
	fs.StringVarP(&f.output, "output", "o", "text", "text or json (the report), or yaml (the manifests with the sizes written in)")
	fs.StringVar(&f.out, "out", "", "write the manifests with the sizes written in, one file per object, into this directory")
	fs.BoolVar(&f.force, "force", false, "replace a non-empty --out directory")
	return cmd
}

func (f *recommendFlags) run(ctx context.Context, s Streams, args []string) error {
	if f.usage.from == "" {
		return usageError("--usage-from is required")
	}
	if f.output != "text" && f.output != "json" && f.output != "yaml" {
		return usageError("--output %q: want text, json or yaml", f.output)
	}
	if f.out != "" {
		if err := rightsize.CheckOutput(f.out, f.usage.inputs(f.load.inputs(args))); err != nil {
			return usageError("%v", err)
		}
	}
	opts, err := f.usage.options(s, f.load.kube)
	if err != nil {
		return err
	}
	opts = append(opts, rightsize.WithStrategy(f.strategy))
	app, err := f.load.loadApp(ctx, s, args)
	if err != nil {
		return err
	}
	if f.load.fs.Changed("target") || f.load.isCluster() {
		t, err := f.load.loadTarget(ctx, app)
		if err != nil {
			return err
		}
		opts = append(opts, rightsize.WithRecommendTarget(t))
	}
	res, err := rightsize.Recommend(ctx, app, opts...)
	if err != nil {
		return optionUsage(err)
	}
	format, rw := f.output, s.Out
	if f.output == "yaml" {
		format, rw = "text", s.Err
		if err := res.App.WriteManifests(s.Out, rightsize.ManifestYAML); err != nil {
			return err
		}
	}
	if f.out != "" {
		if err := res.App.WriteDir(ctx, f.out, rightsize.DirOptions{Format: rightsize.ManifestYAML, Replace: f.force, Inputs: f.usage.inputs(f.load.inputs(args))}); err != nil {
			return err
		}
	}
	var rep bytes.Buffer
	if err := writeReport(&rep, format, res.Report); err != nil {
		return err
	}
	if _, err := rw.Write(rep.Bytes()); err != nil {
		return err
	}
	if !res.Report.Fits {
		return noFit
	}
	return nil
}
