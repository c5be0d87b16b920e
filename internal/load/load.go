package load

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/load/compose"
	"github.com/rightsize/rightsize/internal/load/helm"
	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/kustomize"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/rancher"
	"github.com/rightsize/rightsize/internal/load/vamp"
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
	// StatefulSets names Compose (and Rancher) services to convert to
	// StatefulSets rather than Deployments.
	StatefulSets []string
	// ClaimSize is what the claim of a Compose (and Rancher) named volume
	// requests; nil means compose.DefaultClaimSize.
	ClaimSize *resource.Quantity
	// HelmKubeVersion is the Kubernetes version charts see in
	// .Capabilities; "" means helm.DefaultKubeVersion.
	HelmKubeVersion string

	// Limits bound what is read and expanded; zero fields take defaults.
	Limits limit.Limits

	// Detected maps paths to the format Detect named for them, when the
	// caller has asked already: detecting reads a whole file (a YAML parse
	// of a 1,000-service Compose file costs as much as converting it).
	Detected map[string]string
}

// Formats lists the formats Load understands, for --format's help.
var Formats = []string{"kubernetes", "compose", "rancher", "vamp", "helm", "kustomize"}

// Load reads every path and returns the objects of all of them, in order.
func Load(paths []string, opts Options) (*model.App, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no input: give a file, a directory or - for standard input")
	}
	opts.Limits = opts.Limits.Defaults()
	app := &model.App{}
	// Detect each path once (with Detect's limit; loadPath asks again only
	// under another limit).
	detected := maps.Clone(opts.Detected)
	if detected == nil {
		detected = map[string]string{}
	}
	opts.Detected = detected
	vampPaths, vampRead := vampGroup(paths, opts), false
	for _, p := range paths {
		if vampPaths[p] {
			// Vamp artifacts name each other across files: read them at once.
			if !vampRead {
				objs, findings, err := vamp.Load(inOrder(paths, vampPaths)...)
				if err := add(app, objs, findings, err); err != nil {
					return nil, err
				}
				vampRead = true
			}
			continue
		}
		if err := loadPath(app, p, opts); err != nil {
			return nil, err
		}
	}
	if err := checkDuplicates(app); err != nil {
		return nil, err
	}
	if err := validate(app); err != nil {
		return nil, err
	}
	return app, nil
}

// vampGroup returns the paths in Vamp format, when more than one is.
func vampGroup(paths []string, opts Options) map[string]bool {
	group := map[string]bool{}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		format := opts.Format
		if format == "" {
			format = opts.Detected[p]
		}
		if format == "" {
			format, _ = Detect(p)
			opts.Detected[p] = format
		}
		if format == "vamp" {
			group[p] = true
		}
	}
	if len(group) < 2 {
		return map[string]bool{}
	}
	return group
}

func inOrder(paths []string, in map[string]bool) []string {
	var out []string
	for _, p := range paths {
		if in[p] {
			out = append(out, p)
		}
	}
	return out
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
		data, err := limit.Read(opts.Stdin, "standard input", opts.Limits.Input)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		objs, findings, err := kube.Decode(data, "-", kopts)
		return add(app, objs, findings, err)
	}
	format := opts.Format
	if format == "" && opts.Limits.Input == limit.DefaultInput {
		format = opts.Detected[path]
	}
	if format == "" {
		format, err = detect(path, opts.Limits.Input)
		if err != nil {
			return err
		}
	}
	onRead := func(f string) {
		if !slices.Contains(app.Inputs, f) {
			app.Inputs = append(app.Inputs, f)
		}
	}
	switch format {
	case "kubernetes", "openshift":
		return loadKube(app, path, kopts, opts.Limits.Input)
	case "compose":
		objs, findings, err := compose.Load(path, compose.Options{EnvFiles: opts.EnvFiles, Profiles: opts.Profiles, StatefulSets: opts.StatefulSets, ClaimSize: opts.ClaimSize, OnRead: onRead, Limits: opts.Limits})
		return add(app, objs, findings, err)
	case "helm":
		objs, findings, err := helm.Load(path, helm.Options{Values: opts.Values, Set: opts.Set, Kube: kopts, KubeVersion: opts.HelmKubeVersion})
		return add(app, objs, findings, err)
	case "kustomize":
		objs, findings, err := kustomize.Load(path, kopts, onRead)
		return add(app, objs, findings, err)
	case "vamp":
		objs, findings, err := vamp.Load(path)
		return add(app, objs, findings, err)
	case "rancher":
		objs, findings, err := rancher.Load(path, rancher.Options{Answers: opts.Answers, Set: opts.Set, StatefulSets: opts.StatefulSets, ClaimSize: opts.ClaimSize, OnRead: onRead, Limits: opts.Limits})
		return add(app, objs, findings, err)
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

// Detect names the format of a path by what it holds: a chart, a
// kustomization, a Rancher catalog entry, a Compose file, a Vamp blueprint,
// else Kubernetes manifests.
func Detect(path string) (string, error) {
	return detect(path, limit.DefaultInput)
}

func detect(path string, max int64) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return detectFile(path, max)
	}
	return detectDir(path, max)
}

// detectFile names a file's format by its name, else by its content.
func detectFile(path string, max int64) (string, error) {
	base := filepath.Base(path)
	lower := strings.ToLower(base)
	switch {
	case strings.HasSuffix(lower, ".tgz") || strings.HasSuffix(lower, ".tar.gz") || base == "Chart.yaml":
		return "helm", nil
	case base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization":
		return "kustomize", nil
	case base == "rancher-compose.yml" || base == "rancher-compose.yaml":
		return "rancher", nil
	case slices.Contains(compose.FileNames, base):
		return "compose", nil
	}
	doc, err := readFirstDoc(path, max)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return detectDoc(doc), nil
}

// detectDir names a directory's format by the files it holds: a chart, a
// kustomization, a Rancher catalog entry, a Compose file, a Vamp file among
// its YAML files, else Kubernetes manifests.
func detectDir(path string, max int64) (string, error) {
	if f := markedFormat(path); f != "" {
		return f, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		if doc, err := readFirstDoc(filepath.Join(path, e.Name()), max); err == nil && detectDoc(doc) == "vamp" {
			return "vamp", nil
		}
	}
	return "kubernetes", nil
}

// vampKinds are the kinds of Vamp's artifacts (lower case, unlike
// Kubernetes kinds; a Kubernetes manifest also has apiVersion).
var vampKinds = map[string]bool{
	"breed": true, "breeds": true, "blueprint": true, "blueprints": true, "deployment": true, "deployments": true,
	"scale": true, "scales": true, "gateway": true, "gateways": true, "workflow": true, "workflows": true,
	"sla": true, "slas": true, "escalation": true, "escalations": true, "condition": true, "conditions": true,
}

// detectContent tells Compose and Vamp files from Kubernetes manifests by
// the top-level keys of their first document.
func detectContent(data []byte) string {
	doc, _ := firstDoc(data)
	return detectDoc(doc)
}

// detectDoc is detectContent of a file's first document (see firstDoc).
func detectDoc(doc []byte) string {
	var top map[string]any
	if err := yaml.Unmarshal(doc, &top); err != nil || top == nil {
		return "kubernetes"
	}
	if _, ok := top["apiVersion"]; ok {
		return "kubernetes"
	}
	if kind, ok := top["kind"].(string); ok && top["clusters"] == nil {
		if vampKinds[kind] {
			return "vamp"
		}
		return "kubernetes"
	}
	if _, ok := top["clusters"]; ok {
		return "vamp"
	}
	if _, ok := top["services"]; ok {
		return "compose"
	}
	// A version 1 Compose file: every top-level value is a service.
	for _, v := range top {
		svc, ok := v.(map[string]any)
		if !ok {
			return "kubernetes"
		}
		if svc["image"] == nil && svc["build"] == nil {
			return "kubernetes"
		}
	}
	return "compose"
}

// firstDoc returns the first document of data that is not blank: its
// lines, from the one after a "---" line (trailing spaces and "\r"
// aside), up to the "\n" before the next; ended is false when no "---"
// line follows it (it runs to the end of data).
func firstDoc(data []byte) (doc []byte, ended bool) {
	start := 0 // where the document being read starts
	for pos := 0; pos <= len(data); {
		line, next := data[pos:], len(data)+1
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		if string(bytes.TrimRight(line, "\r ")) == "---" {
			if doc := data[start:max(start, pos-1)]; !blank(doc) {
				return doc, true
			}
			start = min(next, len(data))
		}
		pos = next
	}
	return data[start:], false
}

// blank says whether doc holds only white space (Unicode's) once its
// "\n" are taken out.
func blank(doc []byte) bool {
	for _, c := range doc {
		if c < utf8.RuneSelf && !strings.ContainsRune(" \t\n\v\f\r", rune(c)) {
			return false // the usual case, at the first line that holds anything
		}
	}
	return strings.TrimSpace(strings.ReplaceAll(string(doc), "\n", "")) == ""
}

// readFirstDoc reads the file at path up to the end of its first document
// that is not blank (see firstDoc), not the whole file: detecting the
// format of a large file of manifests reads its first lines.
func readFirstDoc(path string, max int64) ([]byte, error) {
	f, _, err := limit.Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return firstDocOf(f, path, max)
}

// firstDocOf reads r (what) up to the end of its first document that is
// not blank, refusing more than max bytes.
func firstDocOf(r io.Reader, what string, max int64) ([]byte, error) {
	r = io.LimitReader(r, max+1)
	buf := make([]byte, 0, 16<<10)
	for {
		if len(buf) == cap(buf) {
			// Looked for the document's end only now and then, so that the
			// looking costs no more than the reading.
			if doc, ended := firstDoc(buf[:bytes.LastIndexByte(buf, '\n')+1]); ended {
				return doc, nil
			}
			buf = slices.Grow(buf, len(buf))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return nil, &limit.Error{What: what, Limit: "input", Max: max}
		}
		if err == io.EOF {
			doc, _ := firstDoc(buf)
			return doc, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func kubeOptions(opts Options) (kube.Options, error) {
	params := map[string]string{}
	for _, f := range opts.ParamFiles {
		data, err := limit.ReadFile(f, opts.Limits.Input)
		if err != nil {
			return kube.Options{}, fmt.Errorf("reading template parameter file %s: %w", f, err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return kube.Options{}, fmt.Errorf("%s:%d: want KEY=VALUE (the line is not shown: it may hold a secret)", f, i+1)
			}
			params[strings.TrimSpace(k)] = v
		}
	}
	for _, p := range opts.Params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return kube.Options{}, fmt.Errorf("template parameter %q: want KEY=VALUE", p)
		}
		params[k] = v
	}
	return kube.Options{Params: params, Seed: opts.Seed, Limits: opts.Limits}, nil
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

// validate refuses what the API server would refuse for its numbers: a
// negative quantity or replica count, ConfigMap or Secret data over 1 MiB.
// Whatever format an object came from, its first problem is named with the
// object and the field path.
func validate(app *model.App) error {
	for _, o := range app.Objects {
		if errs := model.Validate(o.Obj); len(errs) > 0 {
			return fmt.Errorf("%s: %v", o.Where(), errs[0])
		}
	}
	return nil
}
