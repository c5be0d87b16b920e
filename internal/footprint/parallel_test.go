package footprint_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/footprint"
)

// TestParallelPreparationMatchesSequential analyzes an app large enough for
// the pods to be prepared on every CPU, once on one CPU and once on four,
// and requires the same result: refusals in order, the quota usage, every
// workload. Run with -race, it also checks that preparation shares nothing
// it writes (LimitRanges and quotas are read by every worker).
func TestParallelPreparationMatchesSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString(`apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec:
  limits:
  - type: Container
    default: {cpu: 300m, memory: 128Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
    max: {cpu: "2", memory: 2Gi}
`)
	for i := 0; i < 150; i++ {
		res := ""
		switch i % 4 {
		case 1:
			res = "resources: {limits: {cpu: 500m, memory: 256Mi}}"
		case 2:
			res = "resources: {limits: {cpu: '3'}}" // over the LimitRange max: refused
		case 3:
			res = "resources: {requests: {cpu: 50m}}"
		}
		fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d}\nspec:\n  replicas: %d\n  selector: {matchLabels: {app: d%d}}\n  template:\n    metadata: {labels: {app: d%d}}\n    spec:\n      containers:\n      - {name: a, image: x, %s}\n", i, 1+i%3, i, i, res)
	}
	app := mustApp(t, b.String())
	tg := mustTarget(t, `apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec:
  hard: {requests.cpu: "20", limits.memory: 20Gi, pods: "200"}
`)
	run := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := footprint.Analyze(app, tg)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Workloads) != 150 || len(res.Refusals) == 0 {
			t.Fatalf("%d workloads, %d refusals: want 150 and some refused", len(res.Workloads), len(res.Refusals))
		}
		j, err := json.Marshal(struct {
			Q any
			R any
			W any
			F any
		}{res.Quota, res.Refusals, res.Workloads, res.Findings})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	one, four := run(1), run(4)
	if string(one) != string(four) {
		t.Errorf("results differ between 1 and 4 CPUs")
	}
}
