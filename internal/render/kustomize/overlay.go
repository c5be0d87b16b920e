package kustomize

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/report"
)

// Options controls Write.
type Options struct {
	// Inputs are the paths the app was read from (the overlay may not be
	// written into or over one of them).
	Inputs []string
	// Force allows replacing a directory that already holds files.
	Force bool
	// Changes comment the patches and the created and deleted objects.
	Changes []report.Change
}

// Write writes an overlay into dir that Kustomize builds into fitted, from
// the objects of orig (which must be what was loaded, unchanged).
func Write(ctx context.Context, dir string, orig, fitted []*model.Object, opts Options) error {
	files, err := Plan(dir, orig, fitted, opts)
	if err != nil {
		return err
	}
	want, err := canonAll(fitted)
	if err != nil {
		return err
	}
	check := func(staged string) error {
		got, err := buildCanon(staged)
		if err != nil {
			return fmt.Errorf("overlay %s: %w", dir, err)
		}
		return compare(dir, got, want)
	}
	return render.WriteFiles(ctx, dir, files, render.DirOptions{Inputs: opts.Inputs, Force: opts.Force, Check: check})
}

// Plan returns the overlay's files for dir without writing dir. It reads
// the input files, and builds each with krusty in a scratch directory next
// to dir to learn whether Kustomize reads it as rightsize did.
func Plan(dir string, orig, fitted []*model.Object, opts Options) ([]render.File, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("overlay %s: %w", dir, err)
	}
	p := &planner{dir: abs, changes: map[model.Key][]report.Change{}}
	for _, c := range opts.Changes {
		p.changes[c.Object] = append(p.changes[c.Object], c)
	}
	if err := p.bases(orig); err != nil {
		return nil, err
	}
	if err := p.edits(orig, fitted); err != nil {
		return nil, err
	}
	k, err := p.kustomization()
	if err != nil {
		return nil, err
	}
	return append([]render.File{{Path: "kustomization.yaml", Data: k}}, p.files...), nil
}

type planner struct {
	dir     string
	changes map[model.Key][]report.Change
	// resources and patches of the kustomization, in order.
	resources []string
	patches   []patchRef
	files     []render.File
	// base holds each original object as Kustomize reads it, by origin.
	base map[origin]map[string]any
}

type patchRef struct {
	Path   string    `json:"path"`
	Target *selector `json:"target,omitempty"`
}

type selector struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// origin identifies an original object across fit: fit keeps every
// object's source, kind and name unless it replaces the object.
type origin struct {
	file string
	doc  int
	kind string
	name string
}

func originOf(o *model.Object) origin {
	return origin{file: o.Source.File, doc: o.Source.Doc, kind: o.Kind(), name: o.Name()}
}

// group is the original objects of one input.
type group struct {
	file   string
	format string
	objs   []*model.Object
}

func groups(orig []*model.Object) []*group {
	var out []*group
	by := map[string]*group{}
	for _, o := range orig {
		g := by[o.Source.File]
		if g == nil {
			g = &group{file: o.Source.File, format: o.Source.Format}
			by[o.Source.File] = g
			out = append(out, g)
		}
		g.objs = append(g.objs, o)
	}
	return out
}

// bases decides, per input, whether the overlay can name the user's file
// (or kustomization directory) as a resource, or must carry the converted
// objects under base/.
func (p *planner) bases(orig []*model.Object) error {
	p.base = map[origin]map[string]any{}
	scratch, err := p.scratch()
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	n := 0
	for _, g := range groups(orig) {
		rel, view, err := p.reference(scratch, g)
		if err != nil {
			return err
		}
		if view != nil {
			p.resources = append(p.resources, rel)
			for o, m := range view {
				p.base[o] = m
			}
			continue
		}
		for _, o := range g.objs {
			data, err := render.Encode(o, render.YAML)
			if err != nil {
				return err
			}
			n++
			path := "base/" + render.FileName(n-1, o, render.YAML)
			p.files = append(p.files, render.File{Path: path, Data: data})
			p.resources = append(p.resources, path)
			m, err := cleanCanon(o)
			if err != nil {
				return err
			}
			p.base[originOf(o)] = m
		}
	}
	return nil
}

// scratch makes a directory next to the overlay, so that relative paths
// from it are those from the overlay.
func (p *planner) scratch() (string, error) {
	parent := filepath.Dir(p.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("overlay %s: %w", p.dir, err)
	}
	s, err := os.MkdirTemp(parent, "."+filepath.Base(p.dir)+".probe-")
	if err != nil {
		return "", fmt.Errorf("overlay %s: %w", p.dir, err)
	}
	return s, nil
}

// reference returns the relative path of g's input and what Kustomize reads
// from it, by origin, when that is exactly what rightsize loaded; else nil.
func (p *planner) reference(scratch string, g *group) (string, map[origin]map[string]any, error) {
	path := g.file
	if path == "" || path == "-" {
		return "", nil, nil
	}
	if g.format == "kustomize" {
		path = filepath.Dir(path)
	}
	st, err := os.Stat(path)
	if err != nil || (st.IsDir() != (g.format == "kustomize")) {
		return "", nil, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, nil
	}
	rel, err := filepath.Rel(p.dir, abs)
	if err != nil {
		return "", nil, nil
	}
	rel = filepath.ToSlash(rel)
	k := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- %s\n", quote(rel))
	if err := os.WriteFile(filepath.Join(scratch, "kustomization.yaml"), []byte(k), 0o644); err != nil {
		return "", nil, fmt.Errorf("overlay %s: %w", p.dir, err)
	}
	got, err := buildCanon(scratch)
	if err != nil || len(got) != len(g.objs) {
		return "", nil, nil
	}
	view := map[origin]map[string]any{}
	for _, o := range g.objs {
		want, err := cleanCanon(o)
		if err != nil {
			return "", nil, err
		}
		m, ok := got[identity(want)]
		if !ok || !reflect.DeepEqual(m, want) {
			return "", nil, nil
		}
		view[originOf(o)] = m
	}
	return rel, view, nil
}

// edits adds a patch for every original object fit changed, a delete for
// every one it removed, and a resource for every object it created.
func (p *planner) edits(orig, fitted []*model.Object) error {
	kept := map[origin]bool{}
	n := 0
	for _, o := range fitted {
		m, err := cleanCanon(o)
		if err != nil {
			return err
		}
		b, ok := p.base[originOf(o)]
		if !ok || kept[originOf(o)] || b["apiVersion"] != m["apiVersion"] {
			data, err := render.Encode(o, render.YAML)
			if err != nil {
				return err
			}
			n++
			path := "added/" + render.FileName(n-1, o, render.YAML)
			data = append(comment(p.changes[o.Key()], "created by rightsize fit"), data...)
			p.files = append(p.files, render.File{Path: path, Data: data})
			p.resources = append(p.resources, path)
			continue
		}
		kept[originOf(o)] = true
		ops := diff("", b, m)
		if len(ops) == 0 {
			continue
		}
		if err := p.patch(o, b, ops); err != nil {
			return err
		}
	}
	for _, o := range orig {
		if kept[originOf(o)] {
			continue
		}
		b := p.base[originOf(o)]
		del := map[string]any{"$patch": "delete", "apiVersion": b["apiVersion"], "kind": b["kind"],
			"metadata": map[string]any{"name": name(b)}}
		if ns := namespace(b); ns != "" {
			del["metadata"].(map[string]any)["namespace"] = ns
		}
		data, err := render.MarshalYAML(del)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Where(), err)
		}
		data = append(comment(objectChanges(p.changes[o.Key()]), "removed by rightsize fit"), data...)
		p.addPatch(strings.Replace(render.FileName(len(p.patches), o, render.YAML), "-", "-delete-", 1), data, nil)
	}
	return nil
}

func (p *planner) patch(o *model.Object, base map[string]any, ops []op) error {
	list := make([]map[string]any, len(ops))
	for i, x := range ops {
		list[i] = map[string]any{"op": x.Op, "path": x.Path}
		if x.Op != "remove" {
			list[i]["value"] = x.Value
		}
	}
	data, err := render.MarshalYAML(list)
	if err != nil {
		return fmt.Errorf("%s: %w", o.Where(), err)
	}
	data = append(comment(p.changes[o.Key()], "changed by rightsize fit"), data...)
	apiVersion, _ := base["apiVersion"].(string)
	group, version := "", apiVersion
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		group, version = apiVersion[:i], apiVersion[i+1:]
	}
	kind, _ := base["kind"].(string)
	sel := &selector{Group: group, Version: version, Kind: kind, Name: name(base), Namespace: namespace(base)}
	p.addPatch(render.FileName(len(p.patches), o, render.YAML), data, sel)
	return nil
}

func (p *planner) addPatch(file string, data []byte, sel *selector) {
	path := "patches/" + file
	p.files = append(p.files, render.File{Path: path, Data: data})
	p.patches = append(p.patches, patchRef{Path: path, Target: sel})
}

// objectChanges keeps the changes that add or remove the object itself:
// what else was changed on a removed object no longer matters.
func objectChanges(cs []report.Change) []report.Change {
	var out []report.Change
	for _, c := range cs {
		if c.Field == "(object)" {
			out = append(out, c)
		}
	}
	return out
}

// comment renders the changes made to one object as YAML comment lines.
func comment(changes []report.Change, what string) []byte {
	var b bytes.Buffer
	if len(changes) == 0 {
		fmt.Fprintf(&b, "# %s\n", what)
	}
	for _, c := range changes {
		line := fmt.Sprintf("%s %s: %s -> %s", c.Object.String(), c.Field, c.Before, c.After)
		if c.Reason != "" {
			line += " (" + c.Reason + ")"
		}
		fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(line, "\n", " "))
	}
	return b.Bytes()
}

func (p *planner) kustomization() ([]byte, error) {
	// Two marshals keep resources before patches, as people write them.
	var data []byte
	parts := []any{map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": p.resources}}
	if len(p.patches) > 0 {
		parts = append(parts, map[string]any{"patches": p.patches})
	}
	for _, part := range parts {
		b, err := render.MarshalYAML(part)
		if err != nil {
			return nil, fmt.Errorf("overlay %s: %w", p.dir, err)
		}
		data = append(data, b...)
	}
	head := "# Written by rightsize fit: the inputs as resources, one patch per changed object.\n" +
		"# Resources outside this directory need: kustomize build --load-restrictor LoadRestrictionsNone\n"
	return append([]byte(head), data...), nil
}

func quote(s string) string {
	b, _ := render.MarshalYAML(s)
	return strings.TrimSpace(string(b))
}

// cleanCanon is canon of the object as render writes it.
func cleanCanon(o *model.Object) (map[string]any, error) {
	m, err := render.Clean(o)
	if err != nil {
		return nil, err
	}
	return canon(m)
}

func canonAll(objs []*model.Object) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, o := range objs {
		m, err := cleanCanon(o)
		if err != nil {
			return nil, err
		}
		out[identity(m)] = m
	}
	return out, nil
}

// identity is "apiVersion kind namespace/name".
func identity(m map[string]any) string {
	return fmt.Sprintf("%v %v %s/%s", m["apiVersion"], m["kind"], namespace(m), name(m))
}

// compare names the first difference between got and want.
func compare(dir string, got, want map[string]map[string]any) error {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, ok := got[k]
		if !ok {
			return fmt.Errorf("overlay %s: kustomize build lacks %s", dir, k)
		}
		w, ok := want[k]
		if !ok {
			return fmt.Errorf("overlay %s: kustomize build has %s, which fit removed", dir, k)
		}
		if ops := diff("", w, g); len(ops) > 0 {
			return fmt.Errorf("overlay %s: kustomize build differs from fit at %s %s", dir, k, ops[0].Path)
		}
	}
	return nil
}
