package kustomize

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/kube"
)

func TestBuild(t *testing.T) {
	objs, _, err := Load("testdata/ok", kube.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Ref() != "Deployment/dev-web" {
		t.Fatalf("objects = %v, want Deployment/dev-web (namePrefix applied)", objs)
	}
	d := objs[0].Obj.(*appsv1.Deployment)
	if *d.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2 from the replicas transformer", *d.Spec.Replicas)
	}
	if objs[0].Source.File != filepath.Join("testdata/ok", "kustomization.yaml") || objs[0].Source.Format != "kustomize" {
		t.Errorf("source = %+v", objs[0].Source)
	}
}

func TestBrokenNamesFile(t *testing.T) {
	_, _, err := Load("testdata/broken", kube.Options{}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "testdata/broken") || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("error %q does not name the kustomization and the missing resource", err)
	}
	abs, _ := filepath.Abs("testdata/broken")
	if strings.Contains(err.Error(), abs) {
		t.Errorf("error %q holds an absolute path", err)
	}
}

func FuzzKustomization(f *testing.F) {
	base := []byte("resources:\n- d.yaml\nnamePrefix: x-\n")
	f.Add(base, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"))
	// Seeds: the kustomizations of testdata and the corpus (their resources
	// are d.yaml's contents), and their manifests as d.yaml.
	names := []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
	kusts := fuzzseed.Files(20, names, "testdata", fuzzseed.Corpus())
	for i, res := range fuzzseed.Files(40, []string{".yaml"}, "testdata", filepath.Join(fuzzseed.Corpus(), "kustomize-wordpress")) {
		k := base
		if len(kusts) > 0 {
			k = kusts[i%len(kusts)]
		}
		f.Add(k, res)
		f.Add(base, res)
	}
	f.Fuzz(func(t *testing.T, k, res []byte) {
		defer fuzzseed.Watch(k, res)()
		fs := filesys.MakeFsInMemory()
		_ = fs.WriteFile("/app/kustomization.yaml", k)
		_ = fs.WriteFile("/app/d.yaml", res)
		data, err := Build(fs, "/app")
		if err != nil {
			return
		}
		// Property: building again gives the same stream.
		if again, err := Build(fs, "/app"); err != nil || !bytes.Equal(again, data) {
			t.Fatalf("building again gave another stream (err %v)", err)
		}
		// Property: what kustomize builds decodes, or the error names the file.
		if _, _, err := kube.Decode(data, "built.yaml", kube.Options{}); err != nil && !strings.HasPrefix(err.Error(), "built.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for n, c := range files {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A base outside the overlay's directory is read and reported (outputs
// must be kept away from it); a FIFO or device reached as a resource is
// refused, never opened; kustomize's deprecation warnings are findings,
// made without swapping the process's standard error.
func TestReferencedFiles(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"base/kustomization.yaml": "resources: [cm.yaml]\n",
		"base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"app/kustomization.yaml":  "resources: [../base]\ncommonLabels: {a: b}\n",
	})
	stderr := os.Stderr
	var read []string
	objs, findings, err := Load(filepath.Join(root, "app"), kube.Options{}, func(p string) { read = append(read, p) })
	if err != nil {
		t.Fatal(err)
	}
	if os.Stderr != stderr {
		t.Error("os.Stderr was changed")
	}
	if len(objs) != 1 {
		t.Fatalf("objects %v: want the base's ConfigMap", objs)
	}
	reported := strings.Join(read, "\n")
	for _, want := range []string{filepath.Join("base", "cm.yaml"), filepath.Join("base", "kustomization.yaml"), filepath.Join("app", "kustomization.yaml")} {
		if !strings.Contains(reported, want) {
			t.Errorf("files reported read %v: want one ending in %s", read, want)
		}
	}
	warned := false
	for _, f := range findings {
		warned = warned || strings.Contains(f.Message, "'commonLabels' is deprecated")
	}
	if !warned {
		t.Errorf("findings %v: want the commonLabels deprecation", findings)
	}

	fifo := filepath.Join(root, "base", "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "base", "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, res := range []string{"fifo.yaml", "zero.yaml"} {
		writeFiles(t, root, map[string]string{"base/kustomization.yaml": "resources: [" + res + "]\n"})
		done := make(chan error, 1)
		go func() {
			_, _, err := Load(filepath.Join(root, "app"), kube.Options{}, nil)
			done <- err
		}()
		select {
		case err := <-done:
			// kustomize refuses the symbolic link to /dev/zero itself (it
			// leads out of the base), the guard the FIFO.
			if err == nil || !strings.Contains(err.Error(), "not a regular file") && !strings.Contains(err.Error(), "is not in or below") {
				t.Errorf("%s: err = %v, want a refusal", res, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: loading did not end", res)
		}
	}
}
