package kube

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/limit"
)

// trickyStreams are YAML streams whose documents a parser could read
// otherwise when they follow each other in one stream than each on its
// own: document end markers, directives, byte order marks, other
// encodings, the line breaks of YAML 1.1 that splitYAML does not split at,
// separators that start documents, empty and comment-only documents, block
// scalars that keep trailing lines, anchors used across documents, errors
// (whose line numbers are each document's own), a last line without "\n",
// and documents longer than the parser's read buffer.
var trickyStreams = []string{
	"a: 1\n...\nb: 2\n---\nc: 3\n",
	"a: 1\n---\n...\n---\nc: 3\n",
	"a: 1\n---\nb: 2\n...\n",
	"%YAML 1.1\n---\na: 1\n---\nb: 2\n",
	"a: 1\n---\n%TAG ! tag:x,2000:\nb: !foo 1\n---\nc: 3\n",
	"a: 1\n---\n%YAML 1.1\n",
	"\ufeffa: 1\n---\nb: 2\n",
	"a: 1\n---\n\ufeffb: 2\n---\nc: 3\n",
	"a: 1\n---\n\xff\xfeb\x00:\x00 \x001\x00\n\x00",
	"a: 1\n---\n\xfe\xff\x00b\x00:\x00 \x001\x00\n",
	"a: 1\rb: 2\n---\nc: 3\n",
	"a: 1\r---\rb: 2\n---\nc: 3\n",
	"a: 1\n---\nb: 2\u2028---\u2028c: 3\n",
	"a: 1\n---\nb: 2\u0085---\u0085c: 3\n",
	"a: 1\n---\nb: 2\u2029c: 3\n",
	"# c\n---\n# d\n---\na: 1\n",
	"---\n---\n---\na: 1\n---\n",
	"--- # c\na: 1\n--- \t\nb: 2\n---\n---\n",
	"a: |+\n  x\n\n\n---\nb: >+\n  y\n\n---\nc: |-\n  z\n\n",
	"a: &x 1\n---\nb: *x\n---\nc: 3\n",
	"a: &x {k: v}\nb: *x\n---\nc: &x 2\nd: *x\n---\ne: {<<: *x}\n",
	"a: &x {k: v}\n---\nb: {<<: *x, c: 1}\n",
	"a: 'x\n---\nb: 2\n",
	"a: \"x\n---\nb: 2\n",
	"a: [1,\n---\nb: 2\n",
	"a: {b: 1\n---\nc: 2\n",
	"'x'\n'y'\n---\nb: 2\n",
	"a: 1\nb\n---\nc: 2\n",
	"a: 1\n---\nb: 2",
	"a: 1\n---\r\nb: 2\r\n---\nc: 3\n",
	"a:\t1\n---\nb: 2\n",
	"- x\n- y\n---\nfoo\n---\nnull\n---\n~\n---\n123\n---\n\"s\"\n",
	"? complex\n: key\n---\n? [a, b]\n: c\n---\n{a: 1}: b\n",
	"# c\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}\n---\n[1, 2]\n",
	"a: caf\u00e9\n---\nb: \u00fc\n---\nc: \U0001F600\n",
	"a: \xff\n---\nb: 2\n",
	"a: \xc3\n---\nb: 2\n",
	"a: 1\n---\nb: \x00\n---\nc: 3\n",
	"a: 1\n---\nb: \x07\n",
	"a: !!binary aGVsbG8=\n---\nb: !!str 1\n---\nc: !!int '2'\n",
	"a: 1\n  ---\nb: 2\n---\nc: 3\n",
	"a: |\n  x\n---\n  y\n---\nb: 2\n",
	"a:\n  - b\n   - c\n---\nd: 1\n",
	"a: 1\n---\nkey: " + strings.Repeat("x", 700) + "\n---\nk: [" + strings.Repeat("1, ", 300) + "2]\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: 1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, resources: {limits: {cpu: 2Gbb}}}]}\n",
}

// TestStreamMatchesOneByOne parses the documents of the corpus, generated
// apps and tricky streams both ways, in runs as one stream and one by one,
// and requires the same results; and that the corpus and generated apps
// are read as streams (else the fast path would be gone unnoticed).
func TestStreamMatchesOneByOne(t *testing.T) {
	lim := limit.Limits{}.Defaults()
	for i, s := range trickyStreams {
		if _, msg := compareStream([]byte(s), lim); msg != "" {
			t.Errorf("tricky stream %d %q: %s", i, s, msg)
		}
	}
	for _, s := range []string{"---\na: 1\n---\nb: 2\n", "# c\n---\na: 1\n---\n---\nb: 2\n--- # d\n", "a: caf\u00e9\n---\nb: 2", "a: 1\n---\n# c\n---\n- x\n"} {
		if n, msg := compareStream([]byte(s), lim); msg != "" || n != 1 {
			t.Errorf("%q: not read as one stream (%d), or differs: %s", s, n, msg)
		}
	}
	inputs := fuzzseed.FilesUnder(1<<20, 1000, []string{".yaml", ".yml"}, "testdata", fuzzseed.Corpus())
	if _, err := os.Stat(fuzzseed.Corpus()); err != nil {
		t.Logf("corpus %s absent: comparing on testdata, generated apps and tricky streams only", fuzzseed.Corpus())
	}
	inputs = append(inputs, appgen.Generate(300, 1), appgen.Generate(40, 2))
	runs, streamed := 0, 0
	for i, in := range inputs {
		n, msg := compareStream(in, lim)
		if msg != "" {
			t.Errorf("input %d: %s", i, msg)
		}
		if n > 0 {
			runs++
		}
		if n > 0 && n%2 == 1 {
			streamed++
		}
	}
	if runs == 0 || streamed < runs {
		t.Errorf("%d of %d inputs of several documents were read as one stream, want all", streamed, runs)
	}
	t.Logf("%d of %d inputs of several documents read as one stream", streamed, runs)
}

// compareStream splits data and parses its documents as one run
// (parseChunk) and one by one (parse), and says how the results differ ("").
// n is 0 when data is not a YAML stream of several documents, else odd when
// parseChunk read them as one stream.
func compareStream(data []byte, lim limit.Limits) (n int, msg string) {
	docs, yamlStream, err := splitDocuments(data, lim)
	if err != nil || !yamlStream || len(docs) < 2 {
		return 0, ""
	}
	want := make([]parsed, len(docs))
	for i, doc := range docs {
		want[i] = parse(doc)
	}
	got := make([]parsed, len(docs))
	n = 2
	if parseChunk(docs, got) {
		n = 1
	}
	for i := range docs {
		if d := diffParsed(got[i], want[i]); d != "" {
			return n, fmt.Sprintf("document %d %q: %s", i+1, docs[i], d)
		}
	}
	// parseAll's runs, on every CPU, with a run size that does not divide
	// the count.
	all := parseAll(docs, true)
	for i := range docs {
		if d := diffParsed(all[i], want[i]); d != "" {
			return n, fmt.Sprintf("parseAll: document %d %q: %s", i+1, docs[i], d)
		}
	}
	return n, ""
}

// diffParsed says how a document parsed in a stream (got) differs from the
// same parsed on its own (want).
func diffParsed(got, want parsed) string {
	if fmt.Sprint(got.err) != fmt.Sprint(want.err) {
		return fmt.Sprintf("error %v, one by one %v", got.err, want.err)
	}
	if !reflect.DeepEqual(got.raw, want.raw) {
		return fmt.Sprintf("tree %v, one by one %v", got.raw, want.raw)
	}
	if fmt.Sprint(got.strict) != fmt.Sprint(want.strict) {
		return fmt.Sprintf("strict findings %v, one by one %v", got.strict, want.strict)
	}
	if reflect.TypeOf(got.obj) != reflect.TypeOf(want.obj) || !reflect.DeepEqual(got.obj, want.obj) {
		a, _ := json.Marshal(got.obj)
		b, _ := json.Marshal(want.obj)
		return fmt.Sprintf("object %T %s, one by one %T %s", got.obj, a, want.obj, b)
	}
	return ""
}
