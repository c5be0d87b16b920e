package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
)

// Load builds the kustomization at path (a directory, or its
// kustomization.yaml) and decodes the result. Every file kustomize reads
// must be a regular file within the input limit (a FIFO or device is
// refused, never opened); onRead, when set, is told each one, so that
// outputs can be kept away from files outside path (a base in ../base).
// Kustomize's deprecation warnings become findings.
func Load(path string, kopts kube.Options, onRead func(string)) ([]*model.Object, []model.Finding, error) {
	dir := path
	if st, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	} else if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	fs := &guardedFS{FileSystem: filesys.MakeFsOnDisk(), max: kopts.Limits.Defaults().Input, onRead: onRead}
	data, err := Build(fs, dir)
	if err != nil {
		return nil, nil, err
	}
	file := filepath.Join(dir, "kustomization.yaml")
	for _, n := range kustomizationNames {
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
	for _, w := range fs.warnings {
		findings = append(findings, model.Finding{Severity: model.Info, Key: "kustomize", Message: relative(w, dir)})
	}
	return objs, findings, nil
}

// kustomizationNames are the names kustomize looks for, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// guardedFS is the disk as kustomize reads it: only regular files within
// max bytes, each reported to onRead; a kustomization's deprecated fields
// are noted in warnings (kustomize itself prints them to standard error).
type guardedFS struct {
	filesys.FileSystem
	max      int64
	onRead   func(string)
	warnings []string
	seen     map[string]bool
}

func (g *guardedFS) ReadFile(path string) ([]byte, error) {
	data, err := limit.ReadFile(path, g.max)
	if err != nil {
		return nil, err
	}
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	if g.seen[path] {
		return data, nil
	}
	g.seen[path] = true
	if g.onRead != nil {
		g.onRead(path)
	}
	if slices.Contains(kustomizationNames, filepath.Base(path)) {
		var k types.Kustomization
		if k.Unmarshal(data) == nil {
			for _, m := range *k.CheckDeprecatedFields() {
				g.warnings = append(g.warnings, fmt.Sprintf("%s: %s", path, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "#"))))
			}
		}
	}
	return data, nil
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

// relative removes the absolute path of dir from kustomize's messages, as
// written and with its symbolic links resolved (as kustomize names files).
func relative(msg, dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return msg
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		msg = strings.ReplaceAll(msg, real, dir)
	}
	return strings.ReplaceAll(msg, abs, dir)
}
