#!/bin/sh
# How fit's whole-process time grows with the app: each shape at N and 2N
# workloads (default 5000 and 10000), against several targets, with the
# ratio of the two (2.0 is linear). Shapes: bench/gen's (-n) and the wide
# one (-wide: four namespaces, 2-5 containers a pod, two Services, two
# ConfigMaps and a Secret per workload, claims, PDBs and HPAs); targets:
# the built-in sandbox and edge plans, and bench/gen's -target roomy (the
# app fits once scaled), counts (Service, ConfigMap, Secret, claim and
# Deployment counts bind) and nodes (a LimitRange and three nodes).
# Usage: sh bench/fitscale.sh [N] [RUNS]   (medians of RUNS, default 3)
set -eu
cd "$(dirname "$0")/.."
n=${1:-5000}
runs=${2:-3}
out=bench/out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
go build -tags kustomize_disable_go_plugin_support -o "$tmp/rightsize" ./cmd/rightsize
for m in "$n" $((2 * n)); do
	go run ./bench/gen -n "$m" > "$out/app-$m.yaml"
	go run ./bench/gen -wide -n "$m" > "$out/wide-$m.yaml"
	for t in roomy counts nodes; do
		go run ./bench/gen -target "$t" -n "$m" > "$out/target-$t-$m.yaml"
	done
done

# median CMD...: the median wall and user seconds and peak RSS (MiB) of
# $runs runs of CMD (exit 0 or 3 accepted).
median() {
	: > "$tmp/t"
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f "%e %U %M" -o "$tmp/one" "$@" > /dev/null 2>&1 || [ $? -eq 3 ] || { echo "failed: $*" >&2; exit 1; }
		tail -n 1 "$tmp/one" >> "$tmp/t"
		i=$((i + 1))
	done
	sort -n "$tmp/t" | awk '{w[NR]=$1} END {printf "%s ", w[int((NR+1)/2)]}'
	awk '{print $2}' "$tmp/t" | sort -n | awk '{u[NR]=$1} END {printf "%s ", u[int((NR+1)/2)]}'
	awk '{print $3}' "$tmp/t" | sort -n | awk '{m[NR]=$1} END {printf "%.0f\n", m[int((NR+1)/2)]/1024}'
}

echo "fit, medians of $runs runs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %-14s %24s %24s %13s\n' shape target "N=$n wall/user/MiB" "N=$((2 * n)) wall/user/MiB" "ratio (user)"
for shape in app wide; do
	for t in sandbox edge-4cpu-4gi roomy counts nodes; do
		case $t in
		roomy | counts | nodes) t1="$out/target-$t-$n.yaml" t2="$out/target-$t-$((2 * n)).yaml" ;;
		*) t1=$t t2=$t ;;
		esac
		set -- $(median "$tmp/rightsize" fit "$out/$shape-$n.yaml" --target "$t1" -o yaml)
		w1=$1 u1=$2 m1=$3
		set -- $(median "$tmp/rightsize" fit "$out/$shape-$((2 * n)).yaml" --target "$t2" -o yaml)
		printf '%-7s %-14s %9s %6s %6s   %9s %6s %6s   %9s\n' "$shape" "$t" "$w1" "$u1" "$m1" "$1" "$2" "$3" "$(awk -v a="$2" -v b="$u1" 'BEGIN {printf "%.2f", a / b}')"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
