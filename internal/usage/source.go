package usage

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
)

// Source is a parsed --usage-from value.
type Source struct {
	// Kind is "file", "prometheus" or "metrics-server".
	Kind string
	// Path is the file; URL the Prometheus; Context the kubeconfig context
	// of metrics-server (empty: the current one).
	Path, URL, Context string
}

// ParseSource parses SOURCE: an http(s):// URL is a Prometheus server,
// "metrics-server" or "metrics-server:CONTEXT" the metrics.k8s.io API of a
// kubeconfig context, anything else a recorded file.
func ParseSource(s string) (Source, error) {
	switch {
	case s == "":
		return Source{}, ErrNoSource
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		return Source{Kind: "prometheus", URL: s}, nil
	case s == "metrics-server":
		return Source{Kind: "metrics-server"}, nil
	case strings.HasPrefix(s, "metrics-server:"):
		return Source{Kind: "metrics-server", Context: strings.TrimPrefix(s, "metrics-server:")}, nil
	}
	return Source{Kind: "file", Path: s}, nil
}

// Live tells whether the source reads a running system (its window defaults
// to the strategy's history) rather than a recording (the whole of it).
func (s Source) Live() bool { return s.Kind != "file" }

// ReadFile reads a recorded file: a Prometheus query_range JSON answer when
// its first non-blank character is '{', else OpenMetrics/Prometheus text.
func ReadFile(path string, opts Options, sink Sink) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("usage file: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	for {
		b, err := br.Peek(1)
		if err != nil {
			return nil, fmt.Errorf("%s: empty", path)
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' {
			_, _ = br.ReadByte()
			continue
		}
		if b[0] == '{' {
			return ReadQueryRange(path, br, opts, sink)
		}
		return ReadText(path, br, opts, sink)
	}
}

// Read reads any source into sink.
func Read(ctx context.Context, src Source, prom PrometheusConfig, opts Options, sink Sink) (*Summary, error) {
	switch src.Kind {
	case "file":
		return ReadFile(src.Path, opts, sink)
	case "prometheus":
		prom.URL = src.URL
		return ReadPrometheus(ctx, prom, opts, sink)
	case "metrics-server":
		return nil, fmt.Errorf("metrics-server: use ReadMetricsServer with a REST config")
	}
	return nil, ErrNoSource
}
