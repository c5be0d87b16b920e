package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/rightsize/rightsize/internal/kubebin"
	"github.com/rightsize/rightsize/internal/report/schematest"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

func kubeBin(t *testing.T) string {
	t.Helper()
	dir, err := simtest.BinDir()
	if err != nil {
		t.Fatalf("control plane binaries: %v", err)
	}
	return dir
}

// TestVerifyRefusesWhatDoesNotFitAndAdmitsItsFit is the issue's "done
// when": the example shop overflows the sandbox's requests.cpu, so verify
// lists the quota refusals Kubernetes gives and exits 3; its fit output is
// admitted and scheduled whole, exits 0, and status.used is what analyze
// predicted.
func TestVerifyRefusesWhatDoesNotFitAndAdmitsItsFit(t *testing.T) {
	bin := kubeBin(t)
	app := filepath.Join("..", "..", "examples", "shop")

	out, errs, code := run(t, "verify", app, "--target", "sandbox", "--kube-bin", bin, "-o", "json")
	if code != ExitNoFit {
		t.Fatalf("verify exit %d, want %d\n%s%s", code, ExitNoFit, out, errs)
	}
	r := decodeReport(t, out)
	if r.Fits || len(r.Refusals) == 0 {
		t.Fatalf("report fits=%v with %d refusals, want refusals", r.Fits, len(r.Refusals))
	}
	for _, f := range r.Refusals {
		if !strings.HasPrefix(f.Message, "forbidden: exceeded quota: compute, requested: requests.cpu=") {
			t.Errorf("refusal of %s: %q, want Kubernetes' requests.cpu quota message", f.Object, f.Message)
		}
	}
	if q := r.Quota["requests.cpu"]; q.Used == "" || q.Hard != "1750m" {
		t.Errorf("requests.cpu %+v, want status.used against 1750m", q)
	}

	out, errs, code = run(t, "verify", app, "--target", "sandbox", "--kube-bin", bin, "--fit", "-o", "json")
	if code != ExitOK {
		t.Fatalf("verify --fit exit %d, want 0\n%s%s", code, out, errs)
	}
	r = decodeReport(t, out)
	if !r.Fits || len(r.Refusals) != 0 || len(r.Workloads) != 4 {
		t.Fatalf("verify --fit: fits=%v refusals=%v workloads=%d, want fits, none, 4", r.Fits, r.Refusals, len(r.Workloads))
	}
	for _, w := range r.Workloads {
		if w.Status.Created != w.Replicas || w.Status.Scheduled != w.Replicas || w.Replicas == 0 {
			t.Errorf("%v: desired %d created %d scheduled %d", w.Object, w.Replicas, w.Status.Created, w.Status.Scheduled)
		}
	}
	// Each quota's status.used is what analyze predicted for that quota.
	for _, q := range r.Quotas {
		if len(q.Used) == 0 {
			t.Errorf("quota %s: no status.used", q.Name)
		}
		for k, used := range q.Used {
			if q.Admitted[k] != used {
				t.Errorf("quota %s %s: status.used %s, analyze predicted %s", q.Name, k, used, q.Admitted[k])
			}
		}
	}
}

// verifyJSON is the part of the report the verify tests read.
type verifyJSON struct {
	Fits   bool
	Quotas []struct {
		Name                 string
		Used, Admitted, Hard map[string]string
	}
	Quota    map[string]struct{ Used, Hard string }
	Refusals []struct {
		Object  map[string]string
		Message string
	}
	Workloads []struct {
		Object   map[string]string
		Replicas int32
		Status   struct{ Created, Scheduled int32 }
	}
}

func decodeReport(t *testing.T, out string) verifyJSON {
	t.Helper()
	if err := schematest.Validate([]byte(out)); err != nil {
		t.Errorf("verify -o json does not match docs/report.schema.json: %v", err)
	}
	var r verifyJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("verify -o json: %v\n%s", err, out)
	}
	return r
}

func TestVerifyTextReport(t *testing.T) {
	out, errs, code := run(t, "verify", filepath.Join("..", "..", "examples", "shop"), "--target", "edge-4cpu-4gi", "--kube-bin", kubeBin(t))
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if want := "target edge-4cpu-4gi, namespace rightsize: every pod admitted and scheduled (7 desired, 7 created, 7 scheduled)"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	// KIND NAME DESIRED CREATED SCHEDULED READY, as the text writer aligns them.
	if row := regexp.MustCompile(`(?m)^\s*Deployment\s+frontend\s+3\s+3\s+3\s+3\s*$`); !row.MatchString(out) {
		t.Errorf("output lacks the row of Deployment frontend with 3 pods desired, created, scheduled and ready:\n%s", out)
	}
}

func TestVerifySaysHowToGetBinaries(t *testing.T) {
	t.Setenv(kubebin.EnvKubeBin, "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	_, errs, code := run(t, "verify", filepath.Join("..", "..", "examples", "shop"))
	if code != ExitError || !strings.Contains(errs, "'rightsize sim install'") {
		t.Errorf("exit %d, stderr %q: want 1 and how to install", code, errs)
	}
	empty := t.TempDir()
	_, errs, code = run(t, "verify", filepath.Join("..", "..", "examples", "shop"), "--kube-bin", empty)
	if code != ExitError || !strings.Contains(errs, "kube-apiserver") {
		t.Errorf("--kube-bin %s: exit %d, stderr %q: want 1 naming the missing binaries", empty, code, errs)
	}
}

func TestVerifyFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "x.yaml", "-o", "xml"},
		{"verify", "x.yaml", "--nodes", "2", "--node-size", "4"},
		{"sim", "up", "--node-size", "4,lots"},
	} {
		if _, errs, code := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errs, ExitUsage)
		}
	}
}

// TestSimUpDown starts a simulator in the background as a user would, uses
// its kubeconfig, and stops it: no process may survive 'sim down'.
func TestSimUpDown(t *testing.T) {
	bin := kubeBin(t)
	state := t.TempDir()
	t.Setenv(envRunCLI, "1") // the child 'sim serve' is this test binary
	out, errs, code := run(t, "sim", "up", "--target", "okteto-free", "--kube-bin", bin, "--state-dir", state)
	if code != ExitOK {
		t.Fatalf("sim up: exit %d\n%s%s", code, out, errs)
	}
	st, err := sim.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // also when an assertion below fails
		if sim.Alive(st.PID) {
			run(t, "sim", "down", "--state-dir", state)
		}
	})
	if !strings.Contains(out, "export KUBECONFIG="+st.Kubeconfig) {
		t.Errorf("sim up output lacks the kubeconfig:\n%s", out)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", st.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	q, err := cs.CoreV1().ResourceQuotas(st.Namespace).Get(context.Background(), "compute", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading the seeded quota through the kubeconfig: %v", err)
	}
	if got := q.Spec.Hard.Pods().String(); got != "10" {
		t.Errorf("seeded quota allows %s pods, want okteto-free's 10", got)
	}
	raw, err := clientcmd.LoadFromFile(st.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if ns := raw.Contexts[raw.CurrentContext].Namespace; ns != "rightsize" || st.Namespace != ns {
		t.Errorf("kubeconfig namespace %q, state %q: want both rightsize", ns, st.Namespace)
	}
	// status and env describe the running simulator.
	if out, errs, code := run(t, "sim", "env", "--state-dir", state); code != ExitOK || !strings.HasPrefix(out, "export KUBECONFIG="+st.Kubeconfig+"\n") {
		t.Errorf("sim env: exit %d, %q (%s); want the export of %s", code, out, errs, st.Kubeconfig)
	}
	if out, errs, code := run(t, "sim", "status", "--state-dir", state); code != ExitOK || !strings.Contains(out, fmt.Sprintf("pid:        %d\n", st.PID)) || !strings.Contains(out, "target:     okteto-free\n") {
		t.Errorf("sim status: exit %d, %q (%s); want pid %d and target okteto-free", code, out, errs, st.PID)
	}
	if _, errs, code := run(t, "sim", "up", "--kube-bin", bin, "--state-dir", state); code != ExitError || !strings.Contains(errs, "already running") {
		t.Errorf("second sim up: exit %d, %q; want 1, already running", code, errs)
	}
	if len(st.PIDs) != 4 || !sim.Alive(st.PID) {
		t.Fatalf("state %+v: want a live simulator with 4 components", st)
	}
	if _, errs, code := run(t, "sim", "down", "--state-dir", state); code != ExitOK {
		t.Fatalf("sim down: exit %d: %s", code, errs)
	}
	for _, pid := range append([]int{st.PID}, st.PIDs...) {
		if sim.Alive(pid) {
			t.Errorf("process %d survived sim down", pid)
		}
	}
	if _, err := os.Stat(filepath.Join(state, "state.json")); !os.IsNotExist(err) {
		t.Errorf("state file left behind: %v", err)
	}
	if _, errs, code := run(t, "sim", "status", "--state-dir", state); code != ExitError || !strings.Contains(errs, "sim up") {
		t.Errorf("sim status after down: exit %d, %q; want 1 and how to start one", code, errs)
	}
}
