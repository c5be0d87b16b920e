package usage

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// PrometheusConfig is how to reach a Prometheus server, with the options
// kubectl users expect.
type PrometheusConfig struct {
	URL string
	// BearerToken or BearerTokenFile authenticate (Authorization: Bearer).
	BearerToken, BearerTokenFile string
	// CAFile verifies the server; Insecure skips verification.
	CAFile   string
	Insecure bool
	// Timeout bounds each request (default 60 s).
	Timeout time.Duration
}

// DefaultWindow is the history a live source reads when the strategy names
// none: the VPA recommender's 8 days.
const DefaultWindow = 8 * 24 * time.Hour

// chunk is the span of one raw-sample query.
const chunk = 6 * time.Hour

// ReadPrometheus reads raw samples of the CPU counter, the working set and,
// when kube-state-metrics is scraped, the OOM reasons from a Prometheus
// server over the window, in chunks, into sink. It reads raw samples (range
// selectors evaluated by the query API) rather than a resampled query_range,
// so that rates are taken between real samples and never across a gap, and
// counter resets are seen.
func ReadPrometheus(ctx context.Context, cfg PrometheusConfig, opts Options, sink Sink) (*Summary, error) {
	client, err := newPromClient(cfg)
	if err != nil {
		return nil, err
	}
	until := opts.Until
	if until.IsZero() {
		until = opts.now()
	}
	since := opts.Since
	if since.IsZero() {
		w := opts.Window
		if w == 0 {
			w = DefaultWindow
		}
		since = until.Add(-w)
	}
	if !since.Before(until) {
		return nil, fmt.Errorf("%s: empty window %s .. %s", cfg.URL, since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	opts.Since, opts.Until = since, until
	r := newReader(cfg.URL, opts, sink)
	l := r.labels
	sel := fmt.Sprintf(`%s!="",%s!="",%s!="POD"`, l.Pod, l.Container, l.Container)
	if opts.Namespace != "" {
		sel = fmt.Sprintf(`%s=%q,`, l.Namespace, opts.Namespace) + sel
	}
	queries := []struct {
		m     Metric
		query string
	}{
		{CPU, l.CPUMetric + "{" + sel + "}"},
		{Memory, l.MemoryMetric + "{" + sel + "}"},
		{OOM, l.OOMMetric + "{" + sel + `,reason="OOMKilled"}`},
	}
	var spans []time.Time
	for t := since; t.Before(until); t = t.Add(chunk) {
		spans = append(spans, t)
	}
	total := len(spans) * len(queries)
	done := 0
	for _, q := range queries {
		for _, start := range spans {
			end := start.Add(chunk)
			if end.After(until) {
				end = until
			}
			if err := r.promChunk(ctx, client, cfg, q.m, q.query, start, end); err != nil {
				return nil, err
			}
			done++
			if opts.Progress != nil {
				opts.Progress(done, total, fmt.Sprintf("%s %s", q.m, end.Format(time.RFC3339)))
			}
		}
	}
	return r.finish(), nil
}

// promChunk reads the raw samples of query in (start, end].
func (r *reader) promChunk(ctx context.Context, client promv1.API, cfg PrometheusConfig, m Metric, query string, start, end time.Time) error {
	url := cfg.URL
	d := end.Sub(start)
	expr := fmt.Sprintf("%s[%dms]", query, d.Milliseconds())
	qctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	v, _, _, err := client.Query(qctx, expr, end)
	if err != nil {
		var ne net.Error
		if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()) {
			return fmt.Errorf("prometheus %s: no answer within %s to query %s at %s: %w", url, cfg.timeout(), expr, end.Format(time.RFC3339), err)
		}
		var pe *promv1.Error
		if errors.As(err, &pe) && pe.Detail != "" && !strings.Contains(pe.Msg, pe.Detail) {
			return fmt.Errorf("prometheus %s: query %s at %s: %w (the server said: %s)", url, expr, end.Format(time.RFC3339), err, clip([]byte(strings.TrimSpace(pe.Detail))))
		}
		return fmt.Errorf("prometheus %s: query %s at %s: %w", url, expr, end.Format(time.RFC3339), err)
	}
	mat, ok := v.(model.Matrix)
	if !ok {
		return fmt.Errorf("prometheus %s: query %s: got %s, want a range vector", url, expr, v.Type())
	}
	// Each chunk lists series in Prometheus' order; sort for determinism.
	sort.Slice(mat, func(a, b int) bool { return mat[a].Metric.String() < mat[b].Metric.String() })
	l := r.labels
	for _, ss := range mat {
		ns, pod, ctr := string(ss.Metric[model.LabelName(l.Namespace)]), string(ss.Metric[model.LabelName(l.Pod)]), string(ss.Metric[model.LabelName(l.Container)])
		id := fmt.Sprintf("%d/%s/%s/%s", m, ns, pod, ctr)
		s := r.lookup(id, m, ns, pod, ctr)
		if s == nil {
			continue
		}
		for _, p := range ss.Values {
			s.add(r.sum, int64(p.Timestamp), float64(p.Value), r.since, r.until, r.sink)
		}
	}
	return nil
}

func newPromClient(cfg PrometheusConfig) (promv1.API, error) {
	tlsCfg := &tls.Config{InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the user's --insecure-skip-tls-verify
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("prometheus CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("prometheus CA file %s: no PEM certificate", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	token := cfg.BearerToken
	if cfg.BearerTokenFile != "" {
		b, err := os.ReadFile(cfg.BearerTokenFile)
		if err != nil {
			return nil, fmt.Errorf("prometheus token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	var rt http.RoundTripper = &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment,
		ResponseHeaderTimeout: cfg.timeout()}
	if token != "" {
		rt = bearer{token: token, next: rt}
	}
	c, err := api.NewClient(api.Config{Address: cfg.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", cfg.URL, err)
	}
	return promv1.NewAPI(c), nil
}

// timeout bounds each request: Timeout, else 60 s.
func (cfg PrometheusConfig) timeout() time.Duration {
	if cfg.Timeout > 0 {
		return cfg.Timeout
	}
	return 60 * time.Second
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}

// ErrNoSource is returned for a --usage-from value that names no source.
var ErrNoSource = errors.New("no usage source")
