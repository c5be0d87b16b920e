package compose

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fuzzseed"
)

// shortcutCases are Compose files around the interpolation shortcut's
// edges; shortcut says whether it applies (compose-go's interpolation
// would change nothing).
var shortcutCases = []struct {
	name, content string
	shortcut      bool
}{
	{"plain", "services:\n  web:\n    image: nginx\n    ports: [\"80:8080\"]\n", true},
	{"numbers unquoted", "services:\n  web:\n    image: x\n    cpus: 0.5\n    scale: 2\n    deploy: {replicas: 3}\n    ulimits: {nproc: 65535, nofile: {soft: 1, hard: 2}}\n", true},
	{"quoted replicas", "services:\n  web:\n    image: x\n    deploy: {replicas: \"2\"}\n", false},
	{"quoted scale", "services:\n  web:\n    image: x\n    scale: \"3\"\n", false},
	{"quoted ulimit", "services:\n  web:\n    image: x\n    ulimits: {nproc: \"65535\"}\n", false},
	{"quoted ulimit soft", "services:\n  web:\n    image: x\n    ulimits: {nofile: {soft: \"20000\", hard: 40000}}\n", false},
	{"quoted boolean", "services:\n  web:\n    image: x\n    read_only: \"yes\"\n", false},
	{"quoted external", "services:\n  web:\n    image: x\nvolumes:\n  v:\n    external: \"true\"\n", false},
	{"volume read_only in a list", "services:\n  web:\n    image: x\n    volumes:\n      - {type: volume, source: v, target: /v, read_only: \"true\"}\nvolumes: {v: {}}\n", false},
	{"variable", "services:\n  web:\n    image: \"nginx:${TAG:-1}\"\n", false},
	{"unset variable", "services:\n  web:\n    image: \"nginx:$TAG\"\n", false},
	{"escaped dollar", "services:\n  web:\n    image: x\n    command: [\"echo\", \"$$HOME\"]\n", false},
	{"dollar from an escape", "services:\n  web:\n    image: \"\\x24HOME\"\n", false},
	{"dollar in a key only", "services:\n  web:\n    image: x\n    environment: {\"$X\": y}\n", true},
	{"bad variable", "services:\n  web:\n    image: \"${\"\n", false},
	{"anchors and merge keys", `x-common: &common
  image: example.com/a:1
  environment: {A: b}
  volumes: &vols ["data:/data", "/cache"]
services:
  a: *common
  b:
    <<: *common
    ports: ["80"]
  c:
    image: x
    volumes: *vols
volumes: {data: {}}
`, true},
	{"anchored cast path", "x-r: &r \"2\"\nservices:\n  web:\n    image: x\n    deploy: {replicas: *r}\n", false},
	{"reset and override", `services:
  web:
    image: x
    ports: !reset []
    environment: !override {A: b}
    deploy: !reset {replicas: "2"}
`, false},
	{"dotted top-level key", "x-a.b: {replicas: \"1\"}\nservices:\n  web:\n    image: x\n", true},
	{"dotted service name", "services:\n  a.b:\n    image: x\n    deploy: {replicas: \"2\"}\n", false},
	{"dotted service name, no cast", "services:\n  a.b:\n    image: x\n    deploy: {replicas: 2}\n", true},
	// compose-go paths the children of a top-level "" without it: "deploy.replicas".
	{"empty top-level key", "\"\": {deploy: {replicas: \"1\"}}\nservices:\n  web:\n    image: x\n", true},
	{"two documents", "services:\n  a:\n    image: x\n---\nservices:\n  b:\n    image: y\n", false},
	{"document start", "---\nservices:\n  a:\n    image: x\n", true},
	{"document end", "services:\n  a:\n    image: x\n...\n", false},
	{"extends in the file", "services:\n  base:\n    image: x\n    environment: {A: b}\n  web:\n    extends: base\n    ports: [\"80\"]\n", true},
	{"extends in the file, mapping", "services:\n  base:\n    image: x\n  web:\n    extends: {service: base}\n", true},
	{"version 3", "version: \"3.8\"\nservices:\n  web:\n    image: x\n", true},
	{"version 2", "version: \"2\"\nservices:\n  web:\n    image: x\n    net: host\n", false},
	{"version 1", "web:\n  image: x\n", false},
	{"integer service name", "services:\n  1:\n    image: x\n", false},
	{"integer key deeper", "services:\n  web:\n    image: x\n    labels: {1: a}\n", false},
	{"wrong type", "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n", false},
	{"unknown key", "services:\n  web:\n    image: nginx\n    replicaz: 2\n", true},
	{"bad port", "services:\n  web:\n    image: nginx\n    ports: [\"80:abc\"]\n", true},
	{"port range", "services:\n  web:\n    image: nginx\n    ports: [\"8000-8002:8000-8002\"]\n", true},
	{"bad ulimit", "services:\n  web:\n    image: x\n    ulimits: {nproc: abc}\n", false},
	{"profiles", "services:\n  web:\n    image: x\n  debug:\n    image: y\n    profiles: [debug]\n", true},
	{"empty", "", false},
	{"null", "null\n", false},
	{"no services", "services: {}\n", true},
	{"list at the top", "- a\n- b\n", false},
	{"syntax error", "services:\n  web: [\n", false},
	{"duplicate key", "services:\n  web:\n    image: x\n    image: y\n", false},
	{"tabs", "services:\n\tweb:\n", false},
	{"long", string(appgen.ComposeGenerate(50, 7)), true},
}

// parseBothWays loads data as compose.yaml in dir as compose-go's
// LoadWithContext does, and with the interpolation shortcut and the split
// (from two services), and says how the results differ, if they do.
func parseBothWays(data []byte, dir string) (shortcut bool, diff string) {
	shortcut, _, diff = parseWays(data, dir)
	return shortcut, diff
}

// parseWays is parseBothWays, also telling whether the split applied.
func parseWays(data []byte, dir string) (shortcut, split bool, diff string) {
	load := func(plain bool) (*Parsed, error) {
		src, _, err := legacySource("compose.yaml", newSource(data))
		if err != nil {
			return nil, err
		}
		if !plain {
			shortcut = src.tree != nil && singleDocument(src.data) && !needsInterpolation(src.tree)
			split = singleDocument(src.data) && splittable(src, 2)
		}
		return parse("compose.yaml", src, dir, map[string]string{}, Options{plain: plain, splitFrom: 2})
	}
	fast, errFast := load(false)
	if !shortcut && !split {
		return false, false, "" // both ways are compose-go's load of the whole file
	}
	slow, errSlow := load(true)
	// compose-go names one of several schema errors, the first in map
	// order: the same message need only be one it gives without the
	// shortcut.
	for i := 0; i < 200 && errFast != nil && errSlow != nil && errFast.Error() != errSlow.Error(); i++ {
		slow, errSlow = load(true)
	}
	switch {
	case (errFast == nil) != (errSlow == nil):
		return shortcut, split, fmt.Sprintf("error %v with the shortcut, %v without", errFast, errSlow)
	case errFast != nil && errFast.Error() != errSlow.Error():
		return shortcut, split, fmt.Sprintf("error\n%v\nwith the shortcut,\n%v\nwithout", errFast, errSlow)
	case errFast != nil:
		return shortcut, split, ""
	}
	if !reflect.DeepEqual(fast, slow) {
		a, _ := json.MarshalIndent(fast, "", " ")
		b, _ := json.MarshalIndent(slow, "", " ")
		return shortcut, split, fmt.Sprintf("with the shortcut:\n%s\nwithout:\n%s", a, b)
	}
	return shortcut, split, ""
}

// TestInterpolationShortcut checks that skipping compose-go's
// interpolation where it changes nothing gives the same projects,
// warnings and errors, on edge cases, generated files, the package's
// testdata and every YAML file of the corpus.
func TestInterpolationShortcut(t *testing.T) {
	dir := t.TempDir()
	for _, c := range shortcutCases {
		t.Run(c.name, func(t *testing.T) {
			shortcut, diff := parseBothWays([]byte(c.content), dir)
			if diff != "" {
				t.Error(diff)
			}
			if shortcut != c.shortcut {
				t.Errorf("shortcut taken: %v, want %v", shortcut, c.shortcut)
			}
		})
	}
	for seed := uint64(1); seed <= 3; seed++ {
		data := appgen.ComposeGenerate(300, seed)
		shortcut, split, diff := parseWays(data, dir)
		if diff != "" {
			t.Errorf("generated, seed %d: %s", seed, diff)
		}
		if !shortcut || !split {
			t.Errorf("generated, seed %d: shortcut taken %v, split %v", seed, shortcut, split)
		}
		// The split gives the project itself, not the whole file's load
		// after giving up.
		src := newSource(data)
		details := types.ConfigDetails{WorkingDir: dir, ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: data}}, Environment: map[string]string{}}
		if loadSplit(src, details, "x", map[string]bool{}, func(u map[string]bool) func(*loader.Options) { return loadOptions("x", nil, false, u) }) == nil {
			t.Errorf("generated, seed %d: the split gave up", seed)
		}
	}
	files := yamlFiles(t, "testdata", fuzzseed.Corpus())
	if _, err := os.Stat(fuzzseed.Corpus()); err != nil {
		t.Logf("corpus %s absent: only testdata and generated files compared", fuzzseed.Corpus())
	}
	taken, split := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		shortcut, s, diff := parseWays(data, filepath.Dir(f))
		if diff != "" {
			t.Errorf("%s: %s", f, diff)
		}
		if shortcut {
			taken++
		}
		if s {
			split++
		}
	}
	t.Logf("%d files, shortcut taken for %d, split for %d", len(files), taken, split)
}

// yamlFiles lists the YAML files (and Rancher templates) under roots.
func yamlFiles(t *testing.T, roots ...string) []string {
	t.Helper()
	var out []string
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				for _, ext := range []string{".yml", ".yaml", ".yml.tpl", ".yaml.tpl"} {
					if strings.HasSuffix(p, ext) {
						out = append(out, p)
						break
					}
				}
			}
			return nil
		})
	}
	return out
}

// TestSplit checks the load in two halves of the services against
// compose-go's load of the whole file, where it applies and where it must
// give up or not apply.
func TestSplit(t *testing.T) {
	svc := func(n int, extra string) string {
		var b strings.Builder
		b.WriteString("services:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "  s%d:\n    image: x\n", i)
			if i == n-1 {
				b.WriteString(extra)
			}
		}
		return b.String()
	}
	cases := []struct {
		name, content string
		split         bool
	}{
		{"plain", svc(6, ""), true},
		{"depends on the other half", svc(6, "    depends_on: [s0]\n"), true},
		{"depends on no service", svc(6, "    depends_on: [nope]\n"), true},
		{"no image", svc(6, "    image: null\n"), false},
		{"no image, no duplicate", "services:\n  a: {image: x}\n  b: {build: .}\n  c: {}\n", true},
		{"network_mode of the other half", svc(6, "    network_mode: service:s0\n"), true},
		{"only one half on the default network", "services:\n  a: {image: x, network_mode: host}\n  b: {image: x}\n", true},
		{"volumes_from the other half", svc(6, "    volumes_from: [s1]\n"), true},
		{"links", svc(6, "    links: [s1]\n"), true},
		{"bad port", svc(6, "    ports: [\"99999999\"]\n"), true},
		{"unknown key", svc(6, "    replicaz: 2\n"), true},
		{"top-level keys", "name: demo\nx-note: hi\nvolumes: {data: {}}\nnetworks: {front: {}}\n" + svc(4, "    volumes: [\"data:/d\"]\n    networks: [front]\n"), true},
		{"undeclared volume", svc(4, "    volumes: [\"data:/d\"]\n"), true},
		{"version", "version: \"3\"\n" + svc(4, ""), true},
		{"profiles", svc(4, "    profiles: [debug]\n"), true},
		{"anchor", "x-i: &i x\n" + svc(4, "    image: *i\n"), false},
		{"reset", svc(4, "    ports: !reset []\n"), false},
		{"duplicate key", svc(4, "    image: y\n"), false},
		{"extends", svc(4, "    extends: s0\n"), false},
		{"merge key", svc(4, "    <<: {restart: always}\n"), false},
		{"jobs", "jobs:\n  j: {image: x}\n" + svc(4, ""), false},
		{"one service", svc(1, ""), false},
		{"integer top-level key", "1: x\n" + svc(4, ""), false},
		{"binary", svc(4, "    labels: {a: !!binary aGk=}\n"), true},
		{"variables", "x-v: ${V:-1}\n" + svc(4, "    hostname: \"x${TAG:-1}\"\n    environment: {A: $$B, C: \"${UNSET}\"}\n"), true},
		{"unset variables in both halves", "services:\n  a: {image: \"${A}\"}\n  b: {image: \"${B}${A}\"}\n", true},
		{"bad variable in one half", svc(4, "    hostname: \"${\"\n"), true},
		{"required variable", svc(4, "    hostname: \"${R:?set R}\"\n"), true},
		{"quoted replicas", svc(4, "    deploy: {replicas: \"2\"}\n    read_only: \"yes\"\n"), true},
		{"bad cast", svc(4, "    deploy: {replicas: two}\n"), true},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, split, diff := parseWays([]byte(c.content), dir)
			if diff != "" {
				t.Error(diff)
			}
			if split != c.split {
				t.Errorf("split: %v, want %v", split, c.split)
			}
		})
	}
}

// TestSourceDecode checks that decoding the parsed first document gives
// what yaml.Unmarshal of the bytes gives, value and error, for every
// target the checks before compose-go decode into.
func TestSourceDecode(t *testing.T) {
	inputs := [][]byte{appgen.ComposeGenerate(100, 1)}
	for _, c := range shortcutCases {
		inputs = append(inputs, []byte(c.content))
	}
	for _, f := range yamlFiles(t, "testdata", fuzzseed.Corpus()) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	for i, data := range inputs {
		if diff := decodeBothWays(data); diff != "" {
			t.Errorf("input %d (%.40q): %s", i, data, diff)
		}
	}
}

// decodeBothWays says how source.decode and yaml.Unmarshal differ on data.
func decodeBothWays(data []byte) string {
	targets := []func() any{
		func() any { return new(map[string]any) },
		func() any { return new(any) },
		func() any {
			return new(struct {
				Version  any `yaml:"version"`
				Services map[string]struct {
					Ports []any `yaml:"ports"`
				} `yaml:"services"`
			})
		},
		func() any {
			return new(struct {
				Services map[string]struct {
					Extends any `yaml:"extends"`
				} `yaml:"services"`
				Include []any `yaml:"include"`
			})
		},
	}
	src := newSource(data)
	for _, target := range targets {
		a, b := target(), target()
		errA, errB := src.decode(a), yaml.Unmarshal(data, b)
		if fmt.Sprint(errA) != fmt.Sprint(errB) {
			return fmt.Sprintf("%T: error %v, yaml.Unmarshal %v", a, errA, errB)
		}
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("%T: %v, yaml.Unmarshal %v", a, a, b)
		}
	}
	return ""
}

// TestPathMatches compares pathMatches with compose-go's Path.Matches.
func TestPathMatches(t *testing.T) {
	paths := []string{"", ".", "services", "services.web.deploy.replicas", "services.web.deploy", "services..deploy.replicas",
		"services.web.ulimits.nofile", "services.web.ulimits.nofile.soft", "services.a👻b.scale", "volumes.v.external", "x.y.z"}
	for _, list := range castPaths() {
		for _, pattern := range list {
			paths = append(paths, pattern, strings.ReplaceAll(pattern, "*", "web"), pattern+".x")
		}
	}
	for _, list := range castPaths() {
		for _, pattern := range list {
			for _, p := range paths {
				if got, want := pathMatches(p, pattern), tree.Path(p).Matches(tree.Path(pattern)); got != want {
					t.Errorf("pathMatches(%q, %q) = %v, Path.Matches %v", p, pattern, got, want)
				}
			}
		}
	}
}

func FuzzPathMatches(f *testing.F) {
	f.Add("services.web.deploy.replicas", "services.*.deploy.replicas")
	f.Add("a..b", "a.*.b")
	f.Fuzz(func(t *testing.T, p, pattern string) {
		if got, want := pathMatches(p, pattern), tree.Path(p).Matches(tree.Path(pattern)); got != want {
			t.Errorf("pathMatches(%q, %q) = %v, Path.Matches %v", p, pattern, got, want)
		}
	})
}
