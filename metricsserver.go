package rightsize

import (
	"context"
	"fmt"

	"github.com/rightsize/rightsize/internal/usage"
)

// MetricsServerOptions say how to sample metrics-server.
type MetricsServerOptions = usage.MetricsServerConfig

// WithMetricsServer sets how a metrics-server source is sampled.
func WithMetricsServer(m MetricsServerOptions) RecommendOption {
	return func(o *recommendOptions) error { o.metrics = &m; return nil }
}

func (o *recommendOptions) readMetricsServer(ctx context.Context, kubeContext string, uo usage.Options, sink usage.Sink) (*usage.Summary, error) {
	cfg := usage.MetricsServerConfig{}
	if o.metrics != nil {
		cfg = *o.metrics
	}
	if kubeContext != "" {
		cfg.Context = kubeContext
	}
	s, err := usage.ReadMetricsServer(ctx, cfg, uo, sink)
	if err != nil {
		return nil, fmt.Errorf("metrics-server: %w", err)
	}
	return s, nil
}
