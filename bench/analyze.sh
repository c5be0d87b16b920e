#!/bin/sh
# Times `rightsize analyze` of a generated 5,000-workload app and reports its
# peak memory: sh bench/analyze.sh
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags kustomize_disable_go_plugin_support -o "$tmp/rightsize" ./cmd/rightsize
go run ./bench/gen -n 5000 > "$tmp/app.yaml"
echo "app: $(wc -c < "$tmp/app.yaml") bytes, $(grep -c '^kind:' "$tmp/app.yaml") objects"
for i in 1 2 3; do
	/usr/bin/time -f "analyze: %e s wall, %M KiB peak RSS" "$tmp/rightsize" analyze "$tmp/app.yaml" -o json > /dev/null || [ $? -eq 3 ]
done
