package usage

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// MetricsServerConfig says which cluster to sample and how.
type MetricsServerConfig struct {
	// Kubeconfig is the file (default: $KUBECONFIG, ~/.kube/config) and
	// Context its context (default: the current one).
	Kubeconfig, Context string
	// REST, when set, is used instead of a kubeconfig.
	REST *rest.Config
	// Every is the time between two samples (default 30 s; metrics-server
	// refreshes every 15 to 60 s); For how long to sample (default 10 min,
	// or until Options.Until).
	Every, For time.Duration
}

// ReadMetricsServer samples the metrics.k8s.io API (metrics-server) of a
// namespace (Options.Namespace, else the context's) over a window: every
// Every, the pods' CPU (already a rate over the scrape window) and working
// set. Pods map to workloads through their owner references. Progress is
// reported through Options.Progress; nothing is printed.
func ReadMetricsServer(ctx context.Context, cfg MetricsServerConfig, opts Options, sink Sink) (*Summary, error) {
	rc, ns, err := cfg.rest()
	if err != nil {
		return nil, err
	}
	if opts.Namespace != "" {
		ns = opts.Namespace
	}
	mc, err := metricsclient.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	kc, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	every, span := cfg.Every, cfg.For
	if every <= 0 {
		every = 30 * time.Second
	}
	if span <= 0 {
		span = 10 * time.Minute
		if !opts.Until.IsZero() {
			span = time.Until(opts.Until)
		}
	}
	if opts.Mapper == nil {
		opts.Mapper = NewMapper(nil)
	}
	r := newReader("metrics-server "+rc.Host+" namespace "+ns, opts, sink)
	total := int(span/every) + 1
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; i < total; i++ {
		if err := r.owners(ctx, kc, ns); err != nil {
			return nil, err
		}
		if err := r.metricsOnce(ctx, mc, ns); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(i+1, total, fmt.Sprintf("sample %d of %d", i+1, total))
		}
		if i == total-1 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
	return r.finish(), nil
}

func (cfg MetricsServerConfig) rest() (*rest.Config, string, error) {
	if cfg.REST != nil {
		return cfg.REST, "default", nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if cfg.Kubeconfig != "" {
		rules.ExplicitPath = cfg.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: cfg.Context})
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	return rc, ns, nil
}

// owners records the owner workload of every pod of the namespace:
// ReplicaSet -> Deployment, Job -> CronJob followed one step up.
func (r *reader) owners(ctx context.Context, kc kubernetes.Interface, ns string) error {
	pods, err := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing pods of %s: %w", ns, err)
	}
	for _, p := range pods.Items {
		ref := metav1.GetControllerOf(&p)
		if ref == nil {
			r.opts.Mapper.SetOwner(ns, p.Name, Workload{Namespace: ns, Kind: "Pod", Name: p.Name})
			continue
		}
		w := Workload{Namespace: ns, Kind: ref.Kind, Name: ref.Name}
		switch ref.Kind {
		case "ReplicaSet":
			if rs, err := kc.AppsV1().ReplicaSets(ns).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
				if up := metav1.GetControllerOf(rs); up != nil {
					w.Kind, w.Name = up.Kind, up.Name
				}
			}
		case "Job":
			if job, err := kc.BatchV1().Jobs(ns).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
				if up := metav1.GetControllerOf(job); up != nil {
					w.Kind, w.Name = up.Kind, up.Name
				}
			}
		}
		r.opts.Mapper.SetOwner(ns, p.Name, w)
	}
	return nil
}

func (r *reader) metricsOnce(ctx context.Context, mc metricsclient.Interface, ns string) error {
	list, err := mc.MetricsV1beta1().PodMetricses(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing metrics.k8s.io pods of %s (is metrics-server installed?): %w", ns, err)
	}
	for _, pm := range list.Items {
		t := pm.Timestamp.UnixMilli()
		start := t - pm.Window.Duration.Milliseconds()
		for _, c := range pm.Containers {
			if cpu, ok := c.Usage["cpu"]; ok {
				if s := r.lookup(fmt.Sprintf("%d/%s/%s/%s", CPU, ns, pm.Name, c.Name), CPU, ns, pm.Name, c.Name); s != nil {
					s.addRate(r.sum, start, t, float64(cpu.MilliValue())/1000, r.since, r.until, r.sink)
				}
			}
			if mem, ok := c.Usage["memory"]; ok {
				if s := r.lookup(fmt.Sprintf("%d/%s/%s/%s", Memory, ns, pm.Name, c.Name), Memory, ns, pm.Name, c.Name); s != nil {
					s.add(r.sum, t, float64(mem.Value()), r.since, r.until, r.sink)
				}
			}
		}
	}
	return nil
}
