package kustomize

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/kube"
)

func TestBuild(t *testing.T) {
	objs, _, err := Load("testdata/ok", kube.Options{})
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
	_, _, err := Load("testdata/broken", kube.Options{})
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
