#!/bin/sh
# Whole-process timings of rightsize against the floors it is held to, in one
# run on the same machine, with the ratios (issue 14's targets):
#   analyze of 5,000 workloads   <= 1.5x decoding the same YAML into generic maps, peak RSS <= 150 MiB
#                                (analyze_plain: the same with a plain `go build`)
#   fit of the same app to sandbox < 1.5 s
#   convert of 1,000 Compose services to files < 1.0 s and <= 3x loading the file with compose-go alone
# Usage: sh bench/compare.sh [RUNS]   (default 5; medians are printed)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
out=bench/out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# The binary as the README installs it: without kustomize's Go plugin
# loader (which rightsize never enables), the binary is not dynamically
# linked and maps about 20 MB less of itself. A plain `go build` is
# measured too (analyze_plain).
go build -tags kustomize_disable_go_plugin_support -o "$tmp/rightsize" ./cmd/rightsize
go build -o "$tmp/rightsize-plain" ./cmd/rightsize
go build -o "$tmp/floor" ./bench/floor
go run ./bench/gen -n 5000 > "$out/app-5000.yaml"
go run ./bench/gen -compose -n 1000 > "$out/compose-1000.yaml"

# run1 DIR CMD...: runs CMD once under /usr/bin/time (exit 0 or 3 accepted),
# with an argument @OUT@ replaced by DIR.
run1() {
	dir=$1
	shift
	for a in "$@"; do
		shift
		if [ "$a" = @OUT@ ]; then a=$dir; fi
		set -- "$@" "$a"
	done
	/usr/bin/time -f "%e %M %U" -o "$tmp/one" "$@" > /dev/null 2>&1 || [ $? -eq 3 ]
}

# measure NAME CMD...: runs CMD $runs times, prints and stores the median
# wall seconds, the median user CPU seconds (what a loaded machine disturbs
# least) and the median peak RSS in MiB. Each run's @OUT@ is a
# directory of its own, removed only at the end: on ext4 without a journal
# (this machine's disk), creating a file skips, one by one, every inode of
# its group freed in the last 5-10 s, so that deleting the previous run's
# 2,193 files just before a run makes each of its file creations cost about
# 1 ms (perf: recently_deleted under __ext4_new_inode).
measure() {
	name=$1
	shift
	: > "$tmp/$name.t"
	i=0
	while [ "$i" -lt "$runs" ]; do
		run1 "$tmp/out-$name-$i" "$@" || { echo "$name: command failed: $*" >&2; exit 1; }
		tail -n 1 "$tmp/one" >> "$tmp/$name.t"
		i=$((i + 1))
	done
	sec=$(sort -n "$tmp/$name.t" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	mib=$(awk '{print $2}' "$tmp/$name.t" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
	user=$(awk '{print $3}' "$tmp/$name.t" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '%-34s %6.2f s  %6.2f s user  %5s MiB\n' "$name" "$sec" "$user" "$mib"
	eval "sec_$name=$sec"
	eval "user_$name=$user"
	eval "mib_$name=$mib"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "medians of $runs runs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
measure floor_yaml "$tmp/floor" -yaml "$out/app-5000.yaml"
measure analyze "$tmp/rightsize" analyze "$out/app-5000.yaml" -o json
measure analyze_plain "$tmp/rightsize-plain" analyze "$out/app-5000.yaml" -o json
measure fit "$tmp/rightsize" fit "$out/app-5000.yaml" --target sandbox -o yaml
measure floor_compose "$tmp/floor" -compose "$out/compose-1000.yaml"
measure convert_files "$tmp/rightsize" convert "$out/compose-1000.yaml" --out @OUT@
measure convert_stdout "$tmp/rightsize" convert "$out/compose-1000.yaml"
echo
echo "analyze / decode floor:         $(ratio "$sec_analyze" "$sec_floor_yaml")x wall, $(ratio "$user_analyze" "$user_floor_yaml")x user CPU (target <= 1.5x wall; the floor uses one core, analyze both)"
echo "analyze peak memory:            ${mib_analyze} MiB, ${mib_analyze_plain} MiB from a plain go build (target <= 150 MiB)"
echo "fit to sandbox:                 ${sec_fit} s, ${user_fit} s user CPU (target < 1.5 s)"
echo "convert to files / compose-go:  $(ratio "$sec_convert_files" "$sec_floor_compose")x (target <= 3x; < 1.0 s)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
