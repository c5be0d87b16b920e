package kustomize

import (
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"

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
	f.Add([]byte("resources:\n- d.yaml\nnamePrefix: x-\n"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"))
	f.Fuzz(func(t *testing.T, k, res []byte) {
		fs := filesys.MakeFsInMemory()
		_ = fs.WriteFile("/app/kustomization.yaml", k)
		_ = fs.WriteFile("/app/d.yaml", res)
		data, err := Build(fs, "/app")
		if err != nil {
			return
		}
		// Property: what kustomize builds decodes, or the error names the file.
		if _, _, err := kube.Decode(data, "built.yaml", kube.Options{}); err != nil && !strings.HasPrefix(err.Error(), "built.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
