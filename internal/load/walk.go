package load

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rightsize/rightsize/internal/load/compose"
	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/rancher"
	"github.com/rightsize/rightsize/internal/model"
)

// nested is an application of another format found inside a directory of
// Kubernetes manifests: a chart, a kustomization, a Rancher catalog entry, a
// Compose or Vamp file. Its files are not manifests (a chart's templates do
// not even parse as YAML), so the walk leaves it out and says so.
type nested struct {
	path, format string
}

func (n nested) String() string {
	return fmt.Sprintf("%s (%s)", n.path, formatNames[n.format])
}

var formatNames = map[string]string{
	"helm": "a Helm chart", "kustomize": "a kustomization", "rancher": "a Rancher catalog entry",
	"compose": "a Compose file", "vamp": "a Vamp blueprint",
}

// errNoManifests is a directory that holds no Kubernetes manifests but
// applications of other formats: the user gave the folder above the app.
type errNoManifests struct {
	dir    string
	nested []nested
}

func (e *errNoManifests) Error() string {
	if len(e.nested) == 1 {
		return fmt.Sprintf("%s: holds no Kubernetes manifests, but %s at %s: give that as the path",
			e.dir, formatNames[e.nested[0].format], e.nested[0].path)
	}
	var list []string
	for _, n := range e.nested {
		list = append(list, n.String())
	}
	return fmt.Sprintf("%s: holds no Kubernetes manifests, but %d applications of other formats: %s; give one of them as the path",
		e.dir, len(list), strings.Join(list, ", "))
}

func loadKube(app *model.App, path string, kopts kube.Options, max int64) error {
	files, skipped, others, err := manifestFiles(path)
	if err != nil {
		return err
	}
	for _, f := range skipped {
		app.Findings = append(app.Findings, model.Finding{Severity: model.Warning, Key: "input",
			Message: fmt.Sprintf("%s: skipped: %v", f, limit.ErrNotRegular)})
	}
	loaded := 0
	for _, f := range files {
		n, other, err := loadManifest(app, f, kopts, max)
		if err != nil {
			return err
		}
		loaded += n
		if other != "" {
			others = append(others, nested{f, other})
		}
	}
	if len(others) == 0 {
		return nil
	}
	sort.Slice(others, func(i, j int) bool { return others[i].path < others[j].path })
	if loaded == 0 {
		return &errNoManifests{dir: path, nested: others}
	}
	for _, n := range others {
		app.Findings = append(app.Findings, model.Finding{Severity: model.Warning, Key: "input",
			Message: fmt.Sprintf("%s: skipped: not Kubernetes manifests; load it on its own, as its own path", n)})
	}
	return nil
}

// loadManifest decodes one file of manifests into app and says how many
// objects it held. A file that fails to decode because it is another
// format's (a Compose or Vamp file among manifests) is not an error: its
// format is returned instead, for the caller to report.
func loadManifest(app *model.App, f string, kopts kube.Options, max int64) (int, string, error) {
	data, err := limit.ReadFile(f, max)
	if err != nil {
		return 0, "", fmt.Errorf("reading %s: %w", f, err)
	}
	objs, findings, err := kube.Decode(data, f, kopts)
	if err != nil {
		if format := detectContent(data); format != "kubernetes" {
			return 0, format, nil
		}
		return 0, "", err
	}
	return len(objs), "", add(app, objs, findings, nil)
}

// manifestFiles lists the .yaml, .yml and .json files under path, recursively
// and in sorted order; a file path is returned as it is. Files that are not
// regular (a FIFO would block, a device never end) are listed apart, as
// skipped; so are the directories below path that hold an application of
// another format.
func manifestFiles(path string) (files, skipped []string, others []nested, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return []string{path}, nil, nil, nil
	}
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return walkDir(path, p, d, &others)
		}
		if d.Name() == "rightsize.yaml" {
			return nil // rightsize's environments, beside the app, not part of it
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if limit.Regular(p) {
				files = append(files, p)
			} else {
				skipped = append(skipped, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	sort.Strings(files)
	if len(files) == 0 && len(others) > 0 {
		return nil, nil, nil, &errNoManifests{dir: path, nested: others}
	}
	if len(files) == 0 {
		return nil, skipped, nil, fmt.Errorf("%s: no readable .yaml, .yml or .json files", path)
	}
	return files, skipped, others, nil
}

// walkDir decides whether the walk of root enters the directory p: not a
// hidden one, and not one that holds an application of another format,
// which it records.
func walkDir(root, p string, d os.DirEntry, others *[]nested) error {
	if p == root {
		return nil
	}
	if strings.HasPrefix(d.Name(), ".") {
		return filepath.SkipDir
	}
	if f := markedFormat(p); f != "" {
		*others = append(*others, nested{p, f})
		return filepath.SkipDir
	}
	return nil
}

// markedFormat names the format of a directory by the file that marks it
// (as detectDir does, without reading any content), or "".
func markedFormat(dir string) string {
	has := func(n string) bool {
		_, err := os.Lstat(filepath.Join(dir, n))
		return err == nil || !errors.Is(err, os.ErrNotExist)
	}
	switch {
	case has("Chart.yaml"):
		return "helm"
	case has("kustomization.yaml") || has("kustomization.yml") || has("Kustomization"):
		return "kustomize"
	case rancher.Detect(dir):
		return "rancher"
	case slices.ContainsFunc(compose.FileNames, has):
		return "compose"
	}
	return ""
}
