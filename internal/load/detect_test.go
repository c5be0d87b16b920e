package load

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/limit"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string // relative path -> content
		path  string            // what to detect, relative to the temp dir
		want  string
	}{
		{"chart dir", map[string]string{"c/Chart.yaml": "name: c\n"}, "c", "helm"},
		{"chart archive", map[string]string{"c-1.0.0.tgz": ""}, "c-1.0.0.tgz", "helm"},
		{"kustomization", map[string]string{"k/kustomization.yml": "resources: []\n"}, "k", "kustomize"},
		{"rancher version folder", map[string]string{"r/0/rancher-compose.yml": "{}\n", "r/0/docker-compose.yml": "{}\n"}, "r/0", "rancher"},
		{"rancher template folder", map[string]string{"r/config.yml": "version: 1\n", "r/0/rancher-compose.yml": "{}\n"}, "r", "rancher"},
		{"compose dir", map[string]string{"d/docker-compose.yml": "services: {}\n"}, "d", "compose"},
		{"compose by content", map[string]string{"app.yml": "services:\n  web: {image: nginx}\n"}, "app.yml", "compose"},
		{"compose version 1", map[string]string{"v1.yml": "web:\n  image: nginx\ndb:\n  build: .\n"}, "v1.yml", "compose"},
		{"vamp file", map[string]string{"bp.yml": "---\nname: x\nclusters:\n  a: {}\n"}, "bp.yml", "vamp"},
		{"vamp dir", map[string]string{"v/bp.yaml": "name: x\nclusters: {}\n"}, "v", "vamp"},
		{"kubernetes manifest", map[string]string{"m.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"}, "m.yaml", "kubernetes"},
		{"kubernetes dir", map[string]string{"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}, "k8s", "kubernetes"},
		{"a mapping that is no compose service", map[string]string{"x.yaml": "foo:\n  bar: 1\n"}, "x.yaml", "kubernetes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range c.files {
				full := filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Detect(filepath.Join(dir, c.path))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Detect(%s) = %q, want %q", c.path, got, c.want)
			}
		})
	}
	if _, err := Detect(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("Detect of a missing path: no error")
	}
}

// TestLoadTakesDetectedFormats: a format the caller detected already is
// used as it is (the file is not read again to detect it), and only for its
// path; a smaller input limit than Detect's detects again, under the limit.
func TestLoadTakesDetectedFormats(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(app, []byte("services:\n  web:\n    image: nginx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load([]string{app}, Options{})
	if err != nil || len(got.Objects) == 0 {
		t.Fatalf("detected as Compose: %d objects, %v", len(got.Objects), err)
	}
	_, err = Load([]string{app}, Options{Detected: map[string]string{app: "kubernetes"}})
	if err == nil || !strings.Contains(err.Error(), "holds no Kubernetes manifests") {
		t.Errorf("told Kubernetes: error %v, want the Kubernetes loader's", err)
	}
	got, err = Load([]string{app}, Options{Detected: map[string]string{"other.yaml": "kubernetes"}})
	if err != nil || len(got.Objects) == 0 {
		t.Errorf("told about another path: %d objects, %v", len(got.Objects), err)
	}
	opts := Options{Detected: map[string]string{app: "kubernetes"}}
	opts.Limits.Input = 10
	if _, err := Load([]string{app}, opts); err == nil || strings.Contains(err.Error(), "holds no Kubernetes manifests") {
		t.Errorf("under a 10-byte limit: error %v, want the limit's", err)
	}
}

// firstDocReference is firstDoc as it was written first, on strings: the
// one that cuts bytes in place must return the same document.
func firstDocReference(data []byte) []byte {
	var doc []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimRight(line, "\r ") == "---" {
			if strings.TrimSpace(strings.Join(doc, "")) != "" {
				break
			}
			doc = doc[:0]
			continue
		}
		doc = append(doc, line)
	}
	return []byte(strings.Join(doc, "\n"))
}

// firstDocStreams are where firstDoc could cut otherwise than the
// reference: separators with spaces and "\r", blank documents of every
// kind of white space (a NEL split by a line end among them), separators
// at the start and the end, and documents longer than firstDocOf's first
// read.
var firstDocStreams = []string{
	"", "\n", "---", "---\n", "\n---\n\n", "a: 1", "a: 1\n", "a: 1\n---", "a: 1\n---\nb: 2\n", "---\na: 1\n---\nb: 2\n",
	"  \n\t\n---\na: 1\n---\nb: 2", "--- \r\n\r\n---  \na: 1\r\n--- \r\nb", "----\na: 1\n---\nb", " ---\na\n---\nb",
	"# c\n---\na: 1\n", "\xc2\n\x85\n---\na: 1\n", "\xc2\x85\n---\na: 1\n", "\u00a0\u2028\n---\nx\n", "\xff\n---\nb\n",
	"---\n---\n---\n", "a\n---\r", "a\n---\n", "---x\na\n---\nb\n", "--- # c\na\n---\nb\n",
	strings.Repeat("a: 1\n", 10000) + "---\nb: 2\n", strings.Repeat(" \n", 20000) + "---\nb: 2\n---\nc\n", "a: " + strings.Repeat("x", 40000),
}

// TestFirstDocMatchesReference compares firstDoc, and firstDocOf reading
// in pieces of every size, with the reference on the corpus, generated
// apps and the edge cases of separators and blank documents.
func TestFirstDocMatchesReference(t *testing.T) {
	inputs := firstDocStreams
	for _, in := range fuzzseed.FilesUnder(1<<20, 1000, []string{".yaml", ".yml", ".json"}, "testdata", fuzzseed.Corpus()) {
		inputs = append(inputs, string(in))
	}
	inputs = append(inputs, string(appgen.Generate(300, 1)))
	for i, in := range inputs {
		if msg := compareFirstDoc([]byte(in)); msg != "" {
			t.Errorf("input %d: %s", i, msg)
		}
	}
}

func compareFirstDoc(data []byte) string {
	want := firstDocReference(data)
	if got, _ := firstDoc(data); !bytes.Equal(got, want) {
		return fmt.Sprintf("firstDoc %q, reference %q", got, want)
	}
	for name, r := range map[string]io.Reader{
		"whole": bytes.NewReader(data), "one byte": iotest.OneByteReader(bytes.NewReader(data)), "half": iotest.HalfReader(bytes.NewReader(data)),
	} {
		got, err := firstDocOf(r, "f", limit.DefaultInput)
		if err != nil || !bytes.Equal(got, want) {
			return fmt.Sprintf("firstDocOf, %s: %q (%v), reference %q", name, got, err, want)
		}
	}
	return ""
}

// FuzzFirstDoc checks that firstDoc and firstDocOf cut the reference's
// document from every input.
func FuzzFirstDoc(f *testing.F) {
	for _, s := range firstDocStreams {
		if len(s) < 2<<10 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := compareFirstDoc(data); msg != "" {
			t.Fatal(msg)
		}
	})
}

// TestReadFirstDocReadsLittle checks that detecting the format of a large
// file of manifests reads its first document, not the file.
func TestReadFirstDocReadsLittle(t *testing.T) {
	data := appgen.Generate(2000, 1)
	r := &countingReader{r: bytes.NewReader(data)}
	doc, err := firstDocOf(r, "app.yaml", limit.DefaultInput)
	if want := firstDocReference(data); err != nil || !bytes.Equal(doc, want) {
		t.Fatalf("first document %q (%v), want %q", doc, err, want)
	}
	if r.n > 64<<10 {
		t.Errorf("read %d bytes of %d to find a first document of %d", r.n, len(data), len(doc))
	}
	if _, err := firstDocOf(bytes.NewReader(data), "app.yaml", 1000); err == nil {
		t.Error("read past the limit")
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
