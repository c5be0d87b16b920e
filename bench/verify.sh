#!/bin/sh
# Times the local control plane with cached binaries: `rightsize sim up`
# until the control plane is ready (then `sim down`), and `rightsize verify`
# of online-boutique (12 Deployments, 12 Services) end to end, three times
# each, then `verify --sim` on a running `sim up` (five times); the load
# average before and after, as wall times depend on it: sh bench/verify.sh
set -eu
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags kustomize_disable_go_plugin_support -o "$tmp/rightsize" ./cmd/rightsize
"$tmp/rightsize" sim install > /dev/null # builds once; cached after
app=../shared/corpus/online-boutique
[ -d "$app" ] || app=examples/shop
for i in 1 2 3; do
	/usr/bin/time -f "sim up (ready): %e s" "$tmp/rightsize" sim up --state-dir "$tmp/state" > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; exit 1; }
	grep '^sim up' "$tmp/err"
	"$tmp/rightsize" sim down --state-dir "$tmp/state" 2> /dev/null
done
for i in 1 2 3; do
	/usr/bin/time -f "verify $app --target sandbox: %e s" "$tmp/rightsize" verify "$app" --target sandbox -o json > /dev/null 2> "$tmp/err" || [ $? -eq 3 ]
	grep '^verify' "$tmp/err"
done
# verify --sim: the same app on the control plane 'sim up' keeps running
# (target sandbox's quotas, limit ranges and nodes), a fresh namespace each time.
"$tmp/rightsize" sim up --target sandbox --state-dir "$tmp/state" > /dev/null 2>&1
trap '"$tmp/rightsize" sim down --state-dir "$tmp/state" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
for i in 1 2 3 4 5; do
	/usr/bin/time -f "verify --sim $app --target sandbox: %e s" "$tmp/rightsize" verify "$app" --target sandbox --sim --state-dir "$tmp/state" -o json > /dev/null 2> "$tmp/err" || [ $? -eq 3 ] || { cat "$tmp/err"; exit 1; }
	grep '^verify' "$tmp/err"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
