package kube

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fuzzseed"
)

// typedCases are documents of typed kinds with the values where YAML, JSON
// and the types' own decoders could part: nulls, empty lists and maps,
// quantities as numbers, ports by number and name, base64, YAML 1.1
// booleans and octal numbers, integers as floats, out-of-range integers,
// unknown and differently cased fields.
var typedCases = []string{
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: null, labels: {}, annotations: {a: 'yes'}}\nspec:\n  containers:\n  - name: a\n    image: x\n    args: []\n    env: [{name: A, value: 'on'}, {name: B}]\n    resources: {limits: {cpu: 1, memory: 1.5}, requests: {cpu: 0.25, memory: 64Mi}}\n    ports: [{containerPort: 80, protocol: TCP}]\n  volumes:\n  - name: v\n    configMap: {name: c, defaultMode: 0644}\n  - name: e\n    emptyDir: {sizeLimit: 1Gi}\n  terminationGracePeriodSeconds: 30\n  enableServiceLinks: no\n",
	"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: 8080}, {port: 81, targetPort: http, nodePort: null}]\n  selector: {app: a}\n",
	"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: aGVsbG8=, b: ''}\nstringData: {c: d}\ntype: Opaque\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: x}\nbinaryData: {c: AAEC}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: yes}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  1: x\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbinaryData: {c: not-base64!}\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2.0\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 1e1\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 4294967296\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: '3'\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  Replicas: 3\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicaz: 3\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}\n  template:\n    spec:\n      containers: [{name: a, resources: {limits: {cpu: .inf}}}]\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, resources: {limits: {cpu: 2Gbb}}}]\n",
	"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  volumeClaimTemplates:\n  - metadata: {name: d}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n",
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '*/5 * * * *'\n  suspend: false\n  jobTemplate:\n    spec:\n      activeDeadlineSeconds: 100\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: a, image: x, livenessProbe: {httpGet: {port: 80, path: /}, periodSeconds: 5}}]\n",
	"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  - host: a.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}\n",
	"apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Container, max: {cpu: 2}, maxLimitRequestRatio: {cpu: 4}}]}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: '2024-01-02T03:04:05Z', deletionGracePeriodSeconds: -1}\nspec: {containers: [{name: a, image: \"caf\\u00e9\"}]}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: 5}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: ''}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: {name: a}}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: [x]}]}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {securityContext: {runAsUser: -5, fsGroup: 0x10}}\n",
}

// TestTypedFastPathMatchesJSON decodes documents both ways, straight from
// the YAML tree and through sigs.k8s.io/yaml's JSON and the strict JSON
// decoder, and requires the same object wherever the fast path decides;
// it must decide for nearly all of a generated app and the corpus.
func TestTypedFastPathMatchesJSON(t *testing.T) {
	var docs [][]byte
	for _, c := range typedCases {
		docs = append(docs, []byte(c))
	}
	inputs := fuzzseed.FilesUnder(1<<20, 1000, []string{".yaml", ".yml", ".json"}, "testdata", fuzzseed.Corpus())
	inputs = append(inputs, appgen.Generate(300, 1))
	for _, in := range inputs {
		docs = append(docs, splitForTest(t, in)...)
	}
	fast, typedDocs := 0, 0
	for i, doc := range docs {
		isTyped, decided, msg := compareFastPath(doc)
		if isTyped {
			typedDocs++
		}
		if decided {
			fast++
		}
		if msg != "" {
			t.Errorf("document %d: %s", i, msg)
		}
	}
	if typedDocs == 0 || fast*100 < typedDocs*90 {
		t.Errorf("the fast path decided %d of %d documents of typed kinds, want 90%%", fast, typedDocs)
	}
	t.Logf("fast path: %d of %d documents of typed kinds", fast, typedDocs)
}

// compareFastPath decodes doc both ways and says whether it is of a typed
// kind, whether the fast path decided, and how the paths differ ("" when
// they agree).
func compareFastPath(doc []byte) (isTyped, decided bool, msg string) {
	var y any
	if yamlv2.Unmarshal(doc, &y) != nil {
		return false, false, ""
	}
	m, ok := y.(map[any]any)
	if !ok {
		return false, false, ""
	}
	_, isTyped = typed[stringOf(m["kind"])]
	obj := fastTyped(m)
	if obj == nil {
		return isTyped, false, ""
	}
	j, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return isTyped, true, fmt.Sprintf("the fast path decoded what YAMLToJSON refuses (%v):\n%s", err, doc)
	}
	slow := typed[stringOf(m["kind"])].new()
	strict, err := sigsjson.UnmarshalStrict(j, slow)
	if err != nil || len(strict) > 0 {
		return isTyped, true, fmt.Sprintf("the fast path decoded what the JSON decoder refuses (%v %v):\n%s", err, strict, doc)
	}
	if !reflect.DeepEqual(obj, slow) {
		a, _ := json.Marshal(obj)
		b, _ := json.Marshal(slow)
		return isTyped, true, fmt.Sprintf("the paths differ:\nfast %s\njson %s", a, b)
	}
	return isTyped, true, ""
}

// FuzzTypedFastPath checks that the fast path never decides otherwise than
// the JSON path.
func FuzzTypedFastPath(f *testing.F) {
	for _, c := range typedCases {
		f.Add([]byte(c))
	}
	for _, c := range genericCases {
		f.Add([]byte(c))
	}
	for _, b := range fuzzseed.FilesUnder(2<<10, 20, []string{".yaml", ".yml"}, "testdata", fuzzseed.Corpus()) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if _, _, msg := compareFastPath(doc); msg != "" {
			t.Fatal(msg)
		}
		if msg := compareSplit(doc); msg != "" {
			t.Fatal(msg)
		}
		if _, msg := compareGeneric(doc); msg != "" {
			t.Fatal(msg)
		}
	})
}

// genericCases are documents of kinds without a Go type, with the values
// where a plain copy of the YAML tree and its JSON round trip could part.
var genericCases = []string{
	"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, labels: {a: 'yes', b: yes}}\nspec: {minAvailable: 1, selector: {matchLabels: {app: a}}}\n",
	"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {minReplicas: 1, maxReplicas: 9223372036854775807, big: 18446744073709551615, f: 1.5e300, neg: -0.0, oct: 0755, hex: 0x1F}\n",
	"apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, creationTimestamp: 2024-01-02T03:04:05Z}\nspec: {bin: !!binary aGVsbG8=, empty: {}, list: [], nulls: [null, ~], nested: [[1, [2]], {a: [b]}]}\n",
	"apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {x: .nan}\n",
	"apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {x: [-.inf]}\n",
	"apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {1: a, true: b, 1.5: c}\n",
	"apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {s: \"\\xff\\u2028<&>\"}\n",
	"apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d}\n",
	"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n",
	"kind: Thing\nmetadata: {name: t}\n",
	"apiVersion: 1\nkind: [Thing]\n",
}

// TestGenericMapMatchesJSON decodes documents of kinds without a Go type
// both ways, copying the YAML tree and through its JSON, and requires the
// same map wherever the copy decides; it must decide for nearly all of
// them in a generated app and the corpus.
func TestGenericMapMatchesJSON(t *testing.T) {
	var docs [][]byte
	for _, c := range genericCases {
		docs = append(docs, []byte(c))
	}
	inputs := fuzzseed.FilesUnder(1<<20, 1000, []string{".yaml", ".yml", ".json"}, "testdata", fuzzseed.Corpus())
	inputs = append(inputs, appgen.Generate(300, 1))
	for _, in := range inputs {
		docs = append(docs, splitForTest(t, in)...)
	}
	copied, generic := 0, 0
	for i, doc := range docs {
		decided, msg := compareGeneric(doc)
		if msg != "" {
			t.Errorf("document %d: %s", i, msg)
		}
		if decided {
			copied++
		}
		if isGeneric(doc) {
			generic++
		}
	}
	if generic == 0 || copied*100 < generic*90 {
		t.Errorf("the copy decided %d of %d documents of kinds without a Go type, want 90%%", copied, generic)
	}
	t.Logf("copy: %d of %d documents of kinds without a Go type", copied, generic)
}

// isGeneric says whether doc is a mapping of a kind without a Go type.
func isGeneric(doc []byte) bool {
	var y any
	if yamlv2.Unmarshal(doc, &y) != nil {
		return false
	}
	m, ok := y.(map[any]any)
	return ok && !typedKind(m)
}

// compareGeneric decodes doc both ways and says whether the copy decided,
// and how the paths differ ("" when they agree).
func compareGeneric(doc []byte) (decided bool, msg string) {
	var y any
	if yamlv2.Unmarshal(doc, &y) != nil {
		return false, ""
	}
	m, ok := y.(map[any]any)
	if !ok || typedKind(m) {
		return false, ""
	}
	got, ok := genericMap(m)
	if !ok {
		return false, ""
	}
	tree, err := jsonable(y)
	if err != nil {
		return true, fmt.Sprintf("the copy took what jsonable refuses (%v):\n%s", err, doc)
	}
	j, err := json.Marshal(tree)
	if err != nil {
		return true, fmt.Sprintf("the copy took what JSON cannot hold (%v):\n%s", err, doc)
	}
	want, err := jsonToMap(j)
	if err != nil {
		return true, fmt.Sprintf("the copy took what the JSON path refuses (%v):\n%s", err, doc)
	}
	if !reflect.DeepEqual(got, want) {
		return true, fmt.Sprintf("the paths differ:\ncopy %#v\njson %#v", got, want)
	}
	return true, ""
}

// TestTypedFastPathGivesUp checks that the cases the JSON path words (or
// records as strict-validation findings) are left to it.
func TestTypedFastPathGivesUp(t *testing.T) {
	for _, c := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicaz: 3\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2.5\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, resources: {limits: {cpu: 2Gbb}}}]}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {}\n",
	} {
		var y any
		if err := yamlv2.Unmarshal([]byte(c), &y); err != nil {
			t.Fatal(err)
		}
		if obj := fastTyped(y.(map[any]any)); obj != nil {
			t.Errorf("the fast path decided:\n%s", c)
		}
	}
}

// compareSplit splits data with splitYAML and with apimachinery's
// YAMLReader, which it replaces, and says how they differ.
func compareSplit(data []byte) string {
	var got [][]byte
	gotErr := splitYAML(data, func(d []byte) error { got = append(got, d); return nil })
	want, wantErr := readerDocs(data)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		return fmt.Sprintf("errors differ: %v, YAMLReader %v", gotErr, wantErr)
	}
	if gotErr != nil {
		got = got[:min(len(got), len(want))] // YAMLReader stops at the bad separator
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d documents, YAMLReader %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Sprintf("document %d: %q, YAMLReader %q", i, got[i], want[i])
		}
	}
	return ""
}

func readerDocs(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, doc)
	}
}

// TestSplitMatchesYAMLReader compares the document splitter with the reader
// it replaces on the corpus, a generated app and the edge cases of lines.
func TestSplitMatchesYAMLReader(t *testing.T) {
	inputs := []string{"", "\n", "---", "---\n", "a: 1", "a: 1\n---\nb: 2", "a: 1\r\n---\r\nb: 2\r\n", "a: 1\r", "a: 1\nb: 2\r\nc: 3\n---\nd: 4\r\ne: 5\n", "---\r\na: 1\n---\n---\nb: 2", "a: 1\r\r\nb: 2\n", "--- # c\na: 1\n--- \t\n\n---\n# only a comment\n",
		"---x\n", "--- x\na: 1\n", "a: 1\n----\n", "a: 1\n---", " ---\n", "a: |\n  ---\n", strings.Repeat("x", 10000) + "\r\n---\r\n" + strings.Repeat("y", 4095) + "\r\n"}
	for _, in := range fuzzseed.FilesUnder(1<<20, 1000, []string{".yaml", ".yml"}, "testdata", fuzzseed.Corpus()) {
		inputs = append(inputs, string(in))
	}
	inputs = append(inputs, string(appgen.Generate(300, 1)))
	for i, in := range inputs {
		if msg := compareSplit([]byte(in)); msg != "" {
			t.Errorf("input %d: %s", i, msg)
		}
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func splitForTest(t *testing.T, data []byte) [][]byte {
	t.Helper()
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		return [][]byte{data}
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			return docs
		}
		docs = append(docs, doc)
	}
}
