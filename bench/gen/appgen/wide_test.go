package appgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/target"
)

// TestWideShape: the wide app loads, and has what its doc comment says:
// four namespaces, 2-5 containers a pod with some unset resources, every
// workload kind, claims of both sorts, PDBs and HPAs; each target loads.
func TestWideShape(t *testing.T) {
	app, err := load.Load([]string{"-"}, load.Options{Stdin: bytes.NewReader(WideGenerate(200, 1))})
	if err != nil {
		t.Fatal(err)
	}
	kinds, nss := map[string]int{}, map[string]bool{}
	unset, maxContainers, minContainers := 0, 0, 99
	for _, o := range app.Objects {
		kinds[o.Kind()]++
		nss[o.Namespace()] = true
		if spec, _, ok := footprint.PodSpec(o); ok {
			maxContainers, minContainers = max(maxContainers, len(spec.Containers)), min(minContainers, len(spec.Containers))
			for _, c := range spec.Containers {
				if len(c.Resources.Requests)+len(c.Resources.Limits) == 0 {
					unset++
				}
			}
		}
	}
	for _, k := range []string{"Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim", "PodDisruptionBudget", "HorizontalPodAutoscaler"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in %v", k, kinds)
		}
	}
	if len(nss) != 4 || minContainers != 2 || maxContainers != 5 || unset < 100 {
		t.Errorf("namespaces %v, %d-%d containers a pod, %d without resources", nss, minContainers, maxContainers, unset)
	}
	if kinds["Service"] != 400 || kinds["ConfigMap"] != 400 || kinds["Secret"] != 200 {
		t.Errorf("want 2 Services, 2 ConfigMaps and a Secret a workload, got %v", kinds)
	}
	for _, name := range Targets {
		var b bytes.Buffer
		if err := WriteTarget(&b, name, 200); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), name+".yaml")
		if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		tg, err := target.Load(file)
		if err != nil {
			t.Fatalf("target %s: %v", name, err)
		}
		if len(tg.Quotas)+len(tg.Nodes) == 0 || len(tg.LimitRanges) == 0 {
			t.Errorf("target %s: %d quotas, %d nodes, %d LimitRanges", name, len(tg.Quotas), len(tg.Nodes), len(tg.LimitRanges))
		}
	}
	if err := WriteTarget(&bytes.Buffer{}, "nope", 1); err == nil {
		t.Error("an unknown target is no error")
	}
}
