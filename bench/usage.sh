#!/bin/sh
# Benchmark of `rightsize recommend` streaming a large recording: 1,000
# containers x 8 days at 1-minute resolution, CPU counter and working set
# (11.5 million samples per metric, 23 million lines, about 2.85 GB of
# OpenMetrics), generated into bench/out/ (gitignored, never committed).
# Prints wall time, user and system CPU, peak memory and the load average
# (on a shared machine, user CPU is the figure to compare).
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
if [ ! -s bench/out/usage.om ]; then
	go run ./bench/genusage -dir bench/out -containers "${CONTAINERS:-1000}" -days "${DAYS:-8}"
fi
ls -l bench/out/usage.om
go build -tags kustomize_disable_go_plugin_support -o bench/out/rightsize ./cmd/rightsize
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f '%e s wall, %U s user, %S s system, %M KB peak RSS' -o bench/out/time.txt \
	bench/out/rightsize recommend bench/out/app.yaml --usage-from bench/out/usage.om -o json >bench/out/recommend.json ||
	{ cat bench/out/time.txt; exit 1; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat bench/out/time.txt
