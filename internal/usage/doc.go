// Package usage turns observed container usage into per-container samples
// keyed by workload and container: recorded files (OpenMetrics/Prometheus
// text, a Prometheus query_range JSON result), a live Prometheus, or the
// metrics.k8s.io API of metrics-server.
//
// Samples stream into a Sink as they are read; nothing keeps the whole
// recording in memory. CPU counters become rates between consecutive samples
// of one series, never across a gap and with counter resets handled; memory
// is the working set in bytes; OOM kills come from kube-state-metrics'
// last-terminated reason where it was recorded.
//
// Pods map to their workload through owner references (live sources) or,
// offline, through the controllers' pod-name patterns: Deployment
// <name>-<pod-template-hash>-<5>, StatefulSet <name>-<ordinal>, DaemonSet
// and Job <name>-<5>, CronJob <name>-<schedule time>-<5>.
package usage
