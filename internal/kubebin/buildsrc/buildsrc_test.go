package buildsrc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestModuleMatchesVersions(t *testing.T) {
	dir := t.TempDir()
	if err := WriteModule(dir); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"module github.com/rightsize/rightsize/controlplane\n",
		"k8s.io/kubernetes " + Kubernetes,
		"go.etcd.io/etcd/server/v3 " + Etcd,
	} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("go.mod does not contain %q", want)
		}
	}
	// Every staging module must be replaced by its published v0 twin, or the
	// build resolves k8s.io/kubernetes' "v0.0.0" requirements and fails.
	staging := "v0." + strings.Split(strings.TrimPrefix(Kubernetes, "v"), ".")[1] + "." + strings.Split(Kubernetes, ".")[2]
	replaces := regexp.MustCompile(`(?m)^\s+(k8s\.io/\S+) => (k8s\.io/\S+) (\S+)$`).FindAllStringSubmatch(string(mod), -1)
	if len(replaces) < 30 {
		t.Fatalf("go.mod has %d staging replacements, want every staging module (30+)", len(replaces))
	}
	for _, r := range replaces {
		if r[1] != r[2] || r[3] != staging {
			t.Errorf("replace %s => %s %s, want %s => %s %s", r[1], r[2], r[3], r[1], r[1], staging)
		}
	}
	for _, f := range []string{"go.sum", "etcd/main.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("module file missing: %v", err)
		}
	}
}

func TestVersionIsStableAndNamesVersions(t *testing.T) {
	v := Version()
	if v != Version() {
		t.Fatal("Version is not deterministic")
	}
	if !regexp.MustCompile(`^v1\.\d+\.\d+-etcd-v3\.\d+\.\d+-[0-9a-f]{8}$`).MatchString(v) {
		t.Errorf("Version() = %q, want kubernetes, etcd and a digest", v)
	}
}

func TestBuildArgsBuildEveryCommand(t *testing.T) {
	args := BuildArgs("/out")
	if got, want := len(args)-len(packages()), 6; got != want {
		t.Fatalf("BuildArgs has %d flags before the packages, want %d: %q", got, want, args)
	}
	for i, c := range Commands() {
		if p := packages()[i]; filepath.Base(p) != c {
			t.Errorf("package %s builds %s, want %s", p, filepath.Base(p), c)
		}
	}
}
