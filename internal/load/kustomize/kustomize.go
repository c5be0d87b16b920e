package kustomize

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/model"
)

// Load builds the kustomization at path (a directory, or its
// kustomization.yaml) and decodes the result.
func Load(path string, kopts kube.Options) ([]*model.Object, []model.Finding, error) {
	dir := path
	if st, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	} else if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	var data []byte
	warnings, err := quiet(func() error {
		var err error
		data, err = Build(filesys.MakeFsOnDisk(), dir)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	file := filepath.Join(dir, "kustomization.yaml")
	for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			file = filepath.Join(dir, n)
			break
		}
	}
	objs, findings, err := kube.Decode(data, file, kopts)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range objs {
		o.Source.Format = "kustomize"
	}
	for _, w := range warnings {
		findings = append(findings, model.Finding{Severity: model.Info, Key: "kustomize", Message: fmt.Sprintf("%s: %s", file, w)})
	}
	return objs, findings, nil
}

// Build runs kustomize on dir of fs and returns the resulting YAML stream.
// kustomize panics on some malformed input; that is an error here.
func Build(fs filesys.FileSystem, dir string) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("kustomization %s: kustomize failed: %v", dir, r)
		}
	}()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(fs, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomization %s: %s", dir, relative(err.Error(), dir))
	}
	data, err = resources.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomization %s: %w", dir, err)
	}
	return data, nil
}

// relative removes the absolute path of dir from kustomize's messages.
func relative(msg, dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return msg
	}
	return strings.ReplaceAll(msg, abs, dir)
}

// stderrMu serializes quiet, which swaps the process's standard error.
var stderrMu sync.Mutex

// quiet runs f with standard error captured: kustomize writes deprecation
// warnings straight to os.Stderr, and only the CLI may print. The captured
// lines are returned, to become findings.
func quiet(f func() error) ([]string, error) {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, f()
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(r)
		done <- data
	}()
	ferr := f()
	os.Stderr = saved
	w.Close()
	out := <-done
	r.Close()
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, ferr
}
