package rightsize

import (
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The pipeline runs one way: load -> model -> footprint -> solve -> rewrite
// -> render / verify. Every stage may import model (and report, the shared
// report shape); an import of one stage by another must be listed here,
// and so must be every package the CLI imports. A package that is not
// listed may import model and report only: a new stage starts there.
var allowedImports = map[string][]string{
	// The front door wires the stages together.
	"": {"*"},
	// The CLI is flags -> options -> a call of the front door -> a writer.
	"internal/cli":    {"", "internal/report", "internal/report/*"},
	"internal/report": {"internal/model"},
	"internal/model":  {},
	// Loaders: load dispatches to the formats; formats share workload (the
	// pod-template builder), kube (OpenShift templates inside charts and
	// kustomizations), compose (Rancher catalogs are Compose files) and
	// limit (bounds on what input may make them read and expand, a leaf).
	"internal/load":           {"internal/load/*"},
	"internal/load/compose":   {"internal/load/workload", "internal/load/limit"},
	"internal/load/rancher":   {"internal/load/compose", "internal/load/workload", "internal/load/limit"},
	"internal/load/vamp":      {"internal/load/workload", "internal/load/limit"},
	"internal/load/helm":      {"internal/load/kube", "internal/load/limit"},
	"internal/load/kustomize": {"internal/load/kube", "internal/load/limit"},
	"internal/load/kube":      {"internal/load/limit", "internal/par"},
	"internal/load/workload":  {"internal/load/limit"},
	"internal/load/limit":     {},
	"internal/target":         {"internal/load/limit"},
	"internal/footprint":      {"internal/par"},
	"internal/solve":          {},
	// names resolves host names as the cluster would: which pods a Service
	// selects is the footprint's expansion; it reads objects on every CPU.
	"internal/names":   {"internal/footprint", "internal/par"},
	"internal/rewrite": {"internal/footprint", "internal/names", "internal/solve"},
	"internal/fit":     {"internal/footprint", "internal/names", "internal/rewrite", "internal/solve", "internal/progress"},
	// render encodes objects on every CPU.
	"internal/render": {"internal/par"},
	// progress is a leaf: the callback long work reports through.
	"internal/progress": {},
	// par is a leaf: the worker pool that loading, the footprint, names and render share.
	"internal/par": {},
	// Overlays and diffs are render's encodings of objects.
	"internal/render/kustomize": {"internal/render"},
	"internal/render/diff":      {"internal/render"},
	"internal/sim":              {"internal/kubebin"},
	"internal/kubebin":          {"internal/kubebin/buildsrc"},
	"internal/verify":           {"internal/footprint", "internal/sim", "internal/progress"},
	// Live clusters: cluster reads a namespace as a target (the footprint
	// prices the app's existing objects); apply writes through its handle.
	"internal/cluster": {"internal/footprint"},
	"internal/apply":   {"internal/cluster", "internal/footprint"},
	"internal/env":     {},
	// usage -> recommend: recommend accumulates usage's samples.
	"internal/usage":     {},
	"internal/recommend": {"internal/usage"},
	// Test helpers.
	"internal/sim/simtest": {"internal/sim", "internal/kubebin"},
}

// importViolations returns "a imports b" for every import of graph (module
// relative package -> module relative imports) that allowed does not list.
func importViolations(graph map[string][]string, allowed map[string][]string) []string {
	var bad []string
	for pkg, imports := range graph {
		for _, imp := range imports {
			if !allowedEdge(pkg, imp, allowed) {
				name := pkg
				if name == "" {
					name = "(root)"
				}
				bad = append(bad, name+" imports "+imp)
			}
		}
	}
	sort.Strings(bad)
	return bad
}

func allowedEdge(pkg, imp string, allowed map[string][]string) bool {
	switch {
	case strings.HasPrefix(pkg, "cmd/"):
		return imp == "internal/cli"
	case strings.HasPrefix(pkg, "examples/"):
		return imp == "" // examples use the public API only
	case pkg == "bench" || strings.HasPrefix(pkg, "bench/"):
		return true // benchmarks measure the stages directly
	case pkg == "internal/model":
		return false
	case imp == "internal/model" || imp == "internal/report":
		return true
	}
	return matches(allowed[pkg], imp)
}

func matches(rules []string, imp string) bool {
	for _, r := range rules {
		if r == "*" || r == imp || strings.HasSuffix(r, "/*") && strings.HasPrefix(imp, strings.TrimSuffix(r, "*")) {
			return true
		}
	}
	return false
}

// moduleGraph reads the non-test imports of every package of the module.
func moduleGraph(t *testing.T) map[string][]string {
	t.Helper()
	const module = "github.com/rightsize/rightsize"
	graph := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if base := d.Name(); path != "." && (strings.HasPrefix(base, ".") || base == "testdata" || strings.HasPrefix(base, "_")) {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(path)
		if rel == "." {
			rel = ""
		}
		var imports []string
		for _, imp := range p.Imports {
			if imp == module {
				imports = append(imports, "")
			} else if r, ok := strings.CutPrefix(imp, module+"/"); ok {
				imports = append(imports, r)
			}
		}
		graph[rel] = imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

func TestImportGraph(t *testing.T) {
	graph := moduleGraph(t)
	if len(graph["internal/fit"]) == 0 || len(graph["internal/cli"]) == 0 {
		t.Fatalf("graph misread: %v", graph)
	}
	for _, v := range importViolations(graph, allowedImports) {
		t.Errorf("%s: not in the allowed import graph (imports_test.go)", v)
	}
}

// TestImportGraphCatches tests the test: sideways imports between stages,
// and the CLI reaching past the front door, are reported.
func TestImportGraphCatches(t *testing.T) {
	fake := map[string][]string{
		"":                   {"internal/footprint", "internal/fit"},
		"internal/footprint": {"internal/model", "internal/solve"},
		"internal/solve":     {"internal/model"},
		"internal/cli":       {"", "internal/report", "internal/footprint"},
		"internal/usage":     {"internal/model", "internal/report", "internal/load"},
		"internal/report":    {"internal/model"},
		"cmd/rightsize":      {"internal/cli"},
		"examples/embed":     {""},
	}
	got := importViolations(fake, allowedImports)
	want := []string{
		"internal/cli imports internal/footprint",
		"internal/footprint imports internal/solve",
		"internal/usage imports internal/load",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v := importViolations(map[string][]string{"internal/model": {"internal/report"}}, allowedImports); len(v) != 1 {
		t.Errorf("model importing report: %v, want a violation", v)
	}
}
