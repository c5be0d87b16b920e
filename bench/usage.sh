#!/bin/sh
# Benchmark of `rightsize recommend` streaming a large recording: 1,000
# containers x 8 days at 1-minute resolution, CPU counter and working set
# (11.5 million samples per metric, 23 million lines, about 2.3 GB of
# OpenMetrics), generated into bench/out/ (gitignored, never committed).
# Prints wall time and peak memory (/usr/bin/time -v).
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
if [ ! -s bench/out/usage.om ]; then
	go run ./bench/genusage -dir bench/out -containers "${CONTAINERS:-1000}" -days "${DAYS:-8}"
fi
ls -l bench/out/usage.om
go build -o bench/out/rightsize ./cmd/rightsize
/usr/bin/time -v bench/out/rightsize recommend bench/out/app.yaml --usage-from bench/out/usage.om -o json \
	>bench/out/recommend.json 2>bench/out/time.txt || { cat bench/out/time.txt; exit 1; }
grep -E 'Elapsed|Maximum resident' bench/out/time.txt
