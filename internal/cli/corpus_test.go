package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rightsize/rightsize/internal/report/schematest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// corpusDir is the shared corpus of real applications, read in place.
const corpusDir = "../../../shared/corpus"

func needCorpus(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Skipf("corpus not found at %s (../shared/corpus beside the repository): %v", corpusDir, err)
	}
}

// kubeApps are the corpus apps in Kubernetes or OpenShift form.
var kubeApps = []string{
	"bookinfo", "guestbook", "online-boutique", "ros-k8s-icclab", "voting-app-k8s",
	"openshift-django-psql-persistent",
}

// run runs the CLI and returns stdout, stderr and the exit code.
func run(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, bytes.NewReader(nil), &out, &errb)
	return out.String(), errb.String(), code
}

// TestAnalyzeCorpusGolden analyzes every Kubernetes/OpenShift app of the
// corpus against several built-in targets and compares the JSON report with
// the golden file (refresh with go test ./internal/cli -run Golden -update).
func TestAnalyzeCorpusGolden(t *testing.T) {
	needCorpus(t)
	for _, app := range kubeApps {
		for _, tg := range []string{"sandbox", "okteto-free", "openshift-starter-2018", "edge-4cpu-4gi"} {
			t.Run(app+"/"+tg, func(t *testing.T) {
				// --seed: generated template parameters are random per run otherwise.
				out, errs, code := run(t, "analyze", filepath.Join(corpusDir, app), "--target", tg, "-o", "json", "--seed", "1")
				if code != 0 && code != 3 {
					t.Fatalf("exit %d: %s", code, errs)
				}
				if err := schematest.Validate([]byte(out)); err != nil {
					t.Errorf("does not match docs/report.schema.json: %v", err)
				}
				golden := filepath.Join("testdata", "golden", "analyze-"+app+"-"+tg+".json")
				if *update {
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if out != string(want) {
					t.Errorf("analyze %s --target %s differs from %s:\n%s", app, tg, golden, out)
				}
				fits := bytes.Contains([]byte(out), []byte(`"fits": true`))
				if fits != (code == 0) {
					t.Errorf("exit %d disagrees with fits=%v", code, fits)
				}
			})
		}
	}
}
