package load

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/model"
)

// Options carries every format's knobs; a loader reads only its own.
type Options struct {
	// Format forces a format for every path ("kubernetes", "compose", ...);
	// empty means detect.
	Format string
	// Stdin is read for the path "-".
	Stdin io.Reader

	// OpenShift templates.
	Params     []string // K=V
	ParamFiles []string
	Seed       int64

	// Helm charts and Rancher answers.
	Values  []string // values files
	Set     []string // K=V
	Answers string   // Rancher answers file

	// Compose.
	EnvFiles []string
	Profiles []string
}

// Formats lists the formats Load understands, for --format's help.
var Formats = []string{"kubernetes", "compose", "rancher", "vamp", "helm", "kustomize"}

// Load reads every path and returns the objects of all of them, in order.
func Load(paths []string, opts Options) (*model.App, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no input: give a file, a directory or - for standard input")
	}
	app := &model.App{}
	for _, p := range paths {
		if err := loadPath(app, p, opts); err != nil {
			return nil, err
		}
	}
	if err := checkDuplicates(app); err != nil {
		return nil, err
	}
	return app, nil
}

func loadPath(app *model.App, path string, opts Options) error {
	kopts, err := kubeOptions(opts)
	if err != nil {
		return err
	}
	if path == "-" {
		if opts.Stdin == nil {
			return fmt.Errorf("reading -: no standard input")
		}
		data, err := io.ReadAll(opts.Stdin)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		objs, findings, err := kube.Decode(data, "-", kopts)
		return add(app, objs, findings, err)
	}
	format := opts.Format
	if format == "" {
		format, err = Detect(path)
		if err != nil {
			return err
		}
	}
	switch format {
	case "kubernetes", "openshift":
		return loadKube(app, path, kopts)
	default:
		return fmt.Errorf("%s: format %q is not supported (supported: %s)", path, format, strings.Join(Formats, ", "))
	}
}

func add(app *model.App, objs []*model.Object, findings []model.Finding, err error) error {
	if err != nil {
		return err
	}
	app.Objects = append(app.Objects, objs...)
	app.Findings = append(app.Findings, findings...)
	return nil
}

// Detect names the format of a path by what it holds.
func Detect(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return "kubernetes", nil
	}
	return "kubernetes", nil
}

func loadKube(app *model.App, path string, kopts kube.Options) error {
	files, err := manifestFiles(path)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("reading %s: %w", f, err)
		}
		objs, findings, err := kube.Decode(data, f, kopts)
		if err := add(app, objs, findings, err); err != nil {
			return err
		}
	}
	return nil
}

// manifestFiles lists the .yaml, .yml and .json files under path, recursively
// and in sorted order; a file path is returned as it is.
func manifestFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .yaml, .yml or .json files", path)
	}
	return files, nil
}

func kubeOptions(opts Options) (kube.Options, error) {
	params := map[string]string{}
	for _, f := range opts.ParamFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return kube.Options{}, fmt.Errorf("reading --param-file %s: %w", f, err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return kube.Options{}, fmt.Errorf("%s:%d: want KEY=VALUE, got %q", f, i+1, line)
			}
			params[strings.TrimSpace(k)] = v
		}
	}
	for _, p := range opts.Params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return kube.Options{}, fmt.Errorf("--param %q: want KEY=VALUE", p)
		}
		params[k] = v
	}
	return kube.Options{Params: params, Seed: opts.Seed}, nil
}

// checkDuplicates refuses two objects of the same kind, namespace and name,
// as kubectl apply would silently let the second overwrite the first.
func checkDuplicates(app *model.App) error {
	seen := map[string]*model.Object{}
	for _, o := range app.Objects {
		g := o.GVK().Group
		key := g + "/" + o.Kind() + "/" + o.Namespace() + "/" + o.Name()
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("%s: duplicate object: %s is also defined in %s", o.Source, o.Ref(), prev.Source)
		}
		seen[key] = o
	}
	return nil
}
