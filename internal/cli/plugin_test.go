package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginSpeaksAsKubectl(t *testing.T) {
	for _, argv0 := range []string{"/usr/local/bin/kubectl-rightsize", "kubectl-rightsize.exe"} {
		var out, errb bytes.Buffer
		if code := Main([]string{argv0, "apply", "--help"}, nil, &out, &errb); code != 0 {
			t.Fatalf("%s apply --help: exit %d: %s", argv0, code, errb.String())
		}
		if !strings.Contains(out.String(), "kubectl rightsize apply PATH...") {
			t.Errorf("%s: usage does not say 'kubectl rightsize apply':\n%s", argv0, out.String())
		}
	}
	var out bytes.Buffer
	Main([]string{"/usr/bin/rightsize", "apply", "--help"}, nil, &out, &out)
	if strings.Contains(out.String(), "kubectl rightsize apply PATH") {
		t.Errorf("rightsize under its own name speaks as kubectl:\n%s", out.String())
	}
}

// The binary installed as kubectl-rightsize on PATH gives what rightsize
// gives; through kubectl itself when kubectl is installed.
func TestPluginBinaryOnPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir()
	plugin := filepath.Join(bin, "kubectl-rightsize")
	build := exec.Command("go", "build", "-o", plugin, "../../cmd/rightsize")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	direct := Run
	var want bytes.Buffer
	direct([]string{"analyze", "../../examples/shop", "-o", "json"}, nil, &want, &bytes.Buffer{})
	runs := [][]string{{plugin, "analyze", "../../examples/shop", "-o", "json"}}
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		runs = append(runs, []string{kubectl, "rightsize", "analyze", "../../examples/shop", "-o", "json"})
	} else {
		t.Log("kubectl is not installed: the plugin is run by its name only")
	}
	for _, r := range runs {
		cmd := exec.Command(r[0], r[1:]...)
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		got, _ := cmd.Output() // exit 3: the shop does not fit the default target
		if cmd.ProcessState.ExitCode() != ExitNoFit || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: exit %d, output differs from rightsize analyze (%d vs %d bytes)", strings.Join(r, " "), cmd.ProcessState.ExitCode(), len(got), want.Len())
		}
	}
}

// The krew manifest names the binary kubectl finds.
func TestKrewManifest(t *testing.T) {
	data, err := os.ReadFile("../../plugins/rightsize.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"kind: Plugin", "name: rightsize", "bin: " + PluginName, "bin: " + PluginName + ".exe"} {
		if !strings.Contains(s, want) {
			t.Errorf("plugins/rightsize.yaml lacks %q", want)
		}
	}
}
