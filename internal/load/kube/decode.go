package kube

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/par"
)

// Options holds what OpenShift template processing needs.
type Options struct {
	// Params are --param and --param-file values, by name.
	Params map[string]string
	// Seed makes generated parameter values reproducible; zero means
	// random per run (crypto/rand), as oc process does.
	Seed int64
	// Limits bound documents, objects and template expansion; zero fields
	// take defaults.
	Limits limit.Limits
	// Format is recorded in every object's Source ("kubernetes" when empty).
	Format string
}

// typed are the kinds decoded into k8s.io/api types, with the one
// apiVersion Kubernetes serves for each.
var typed = map[string]struct {
	gv  schema.GroupVersion
	new func() runtime.Object
}{
	"Pod":                   {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.Pod{} }},
	"Service":               {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.Service{} }},
	"PersistentVolumeClaim": {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.PersistentVolumeClaim{} }},
	"ConfigMap":             {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.ConfigMap{} }},
	"Secret":                {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.Secret{} }},
	"Namespace":             {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.Namespace{} }},
	"ServiceAccount":        {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.ServiceAccount{} }},
	"ResourceQuota":         {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.ResourceQuota{} }},
	"LimitRange":            {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.LimitRange{} }},
	"ReplicationController": {corev1.SchemeGroupVersion, func() runtime.Object { return &corev1.ReplicationController{} }},
	"Deployment":            {appsv1.SchemeGroupVersion, func() runtime.Object { return &appsv1.Deployment{} }},
	"ReplicaSet":            {appsv1.SchemeGroupVersion, func() runtime.Object { return &appsv1.ReplicaSet{} }},
	"StatefulSet":           {appsv1.SchemeGroupVersion, func() runtime.Object { return &appsv1.StatefulSet{} }},
	"DaemonSet":             {appsv1.SchemeGroupVersion, func() runtime.Object { return &appsv1.DaemonSet{} }},
	"Job":                   {batchv1.SchemeGroupVersion, func() runtime.Object { return &batchv1.Job{} }},
	"CronJob":               {batchv1.SchemeGroupVersion, func() runtime.Object { return &batchv1.CronJob{} }},
	"Ingress":               {networkingv1.SchemeGroupVersion, func() runtime.Object { return &networkingv1.Ingress{} }},
}

// retiredGroups are the built-in API groups whose old versions Kubernetes
// no longer serves: a typed kind under one of them is an error, not a CRD.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "extensions": true, "batch": true, "networking.k8s.io": true,
	"policy": true, "autoscaling": true, "rbac.authorization.k8s.io": true,
}

// Decode reads every document of data (the contents of file) into objects.
func Decode(data []byte, file string, opts Options) ([]*model.Object, []model.Finding, error) {
	if opts.Format == "" {
		opts.Format = "kubernetes"
	}
	opts.Limits = opts.Limits.Defaults()
	docs, yamlStream, err := splitDocuments(data, opts.Limits)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	d := &decoder{file: file, opts: opts}
	for i, p := range parseAll(docs, yamlStream) {
		src := model.Source{File: file, Doc: i, Format: opts.Format}
		if p.err != nil {
			return nil, nil, fmt.Errorf("%s: %w", src, p.err)
		}
		if p.obj != nil {
			d.add(src, p.obj, p.strict)
			continue
		}
		raw := p.raw
		if raw == nil {
			continue // empty document, e.g. a trailing "---"
		}
		if err := d.object(src, raw, ""); err != nil {
			return nil, nil, err
		}
	}
	if err := d.convertOpenShift(); err != nil {
		return nil, nil, err
	}
	return d.objects, d.findings, nil
}

type decoder struct {
	file     string
	opts     Options
	objects  []*model.Object
	findings []model.Finding
	// openshift holds OpenShift objects until every document is read, so that
	// Routes and image triggers resolve against the whole file.
	openshift []pending
}

type pending struct {
	src  model.Source
	raw  map[string]any
	path string
}

// splitDocuments returns the documents of a YAML stream (yamlStream), or of
// a JSON stream of values.
func splitDocuments(data []byte, lim limit.Limits) (docs [][]byte, yamlStream bool, err error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var m json.RawMessage
			if err := dec.Decode(&m); err == io.EOF {
				return docs, false, nil
			} else if err != nil {
				return nil, false, fmt.Errorf("document %d: invalid JSON: %w", len(docs)+1, err)
			}
			if err := checkDoc(len(docs)+1, len(m), lim); err != nil {
				return nil, false, err
			}
			docs = append(docs, m)
		}
	}
	// Room for every document, as counted by their separators (at most the
	// limit), rather than growing to it.
	docs = make([][]byte, 0, min(bytes.Count(data, []byte("\n---"))+1, lim.Documents+1))
	err = splitYAML(data, func(doc []byte) error {
		if err := checkDoc(len(docs)+1, len(doc), lim); err != nil {
			return err
		}
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		var se *separatorError
		if errors.As(err, &se) {
			return nil, false, fmt.Errorf("document %d: %w", len(docs)+1, err)
		}
		return nil, false, err
	}
	return docs, true, nil
}

// splitYAML calls emit with each document of a YAML stream as
// k8s.io/apimachinery's YAMLReader returns them (which this replaces, for
// speed: it allocated a buffer per line): lines end in "\n" ("\r\n"
// too is read as a line end), a line starting "---" separates documents
// and holds at most a comment after it (it is kept when it starts the
// document, which the YAML parser then reads as its start).
//
// A document is a sub-slice of data when it holds data's bytes as they are
// (the usual case: no copy), else a copy: when a line ended in "\r\n" or
// the last line has no "\n".
func splitYAML(data []byte, emit func([]byte) error) error {
	s := splitter{data: data}
	for pos := 0; pos < len(data); {
		lineStart := pos
		line, exact := data[pos:], false // exact: the document holds the line and its "\n" as data has them
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, pos = line[:i], pos+i+1
			var cr bool
			line, cr = bytes.CutSuffix(line, []byte("\r"))
			exact = !cr
		} else {
			pos = len(data)
		}
		if rest, ok := bytes.CutPrefix(line, []byte("---")); ok {
			if trimmed := strings.TrimSpace(string(rest)); len(trimmed) > 0 && trimmed[0] != '#' {
				return &separatorError{trimmed}
			}
			if s.size(lineStart) > 0 {
				if err := emit(s.take(lineStart, pos)); err != nil {
					return err
				}
				continue
			}
			// A separator that starts a document stays in it, as in YAMLReader.
		}
		if !exact || s.copied {
			s.rewrite(lineStart, line)
		}
	}
	if s.size(len(data)) > 0 {
		return emit(s.take(len(data), len(data)))
	}
	return nil
}

// splitter holds the document splitYAML is reading: data[start:end] (end
// is where the next line starts), or, once a line of it had to change, the
// copy in buf.
type splitter struct {
	data   []byte
	start  int
	buf    []byte
	copied bool
}

// size is the length of the document read up to end.
func (s *splitter) size(end int) int {
	if s.copied {
		return len(s.buf)
	}
	return end - s.start
}

// rewrite adds the line that starts at lineStart as line and "\n" to the
// copy, which it starts when the document is not one yet (the line is not
// as data has it).
func (s *splitter) rewrite(lineStart int, line []byte) {
	if !s.copied {
		s.buf = append(s.buf[:0], s.data[s.start:lineStart]...)
		s.copied = true
	}
	s.buf = append(append(s.buf, line...), '\n')
}

// take returns the document read up to end and starts the next at next.
func (s *splitter) take(end, next int) []byte {
	doc := s.data[s.start:end:end]
	if s.copied {
		doc = bytes.Clone(s.buf)
		s.copied = false
	}
	s.start = next
	return doc
}

// separatorError is YAMLReader's error for text after a "---".
type separatorError struct{ trimmed string }

func (e *separatorError) Error() string {
	return "invalid Yaml document separator: " + e.trimmed
}

// checkDoc refuses the n-th document when there are too many documents or
// it is larger than the API server would accept for one object.
func checkDoc(n, size int, lim limit.Limits) error {
	if n > lim.Documents {
		return &limit.Error{What: fmt.Sprintf("document %d", n), Limit: "documents", Max: int64(lim.Documents)}
	}
	if int64(size) > lim.Object {
		return &limit.Error{What: fmt.Sprintf("document %d", n), Limit: "object", Max: lim.Object,
			Note: "the document has " + limit.Size(int64(size)) + "; the API server refuses larger requests"}
	}
	return nil
}

// parsed is one document after the parallel stage: a typed object when the
// document is a plain object of a typed kind that decoded cleanly (the fast
// path), else the generic map for the sequential stage.
type parsed struct {
	raw    map[string]any
	obj    runtime.Object
	strict []error
	err    error
}

// parseAll parses documents on every CPU: YAML parsing and decoding are most
// of the cost of loading a large app, and documents are independent. The
// documents of a YAML stream (yamlStream) are parsed in runs (see
// parseChunk); a JSON stream's one by one.
func parseAll(docs [][]byte, yamlStream bool) []parsed {
	out := make([]parsed, len(docs))
	if !yamlStream {
		par.Each(len(docs), 64, func(i int) { out[i] = parse(docs[i]) })
		return out
	}
	chunks := (len(docs) + chunkDocs - 1) / chunkDocs
	par.Each(chunks, 2, func(c int) {
		lo, hi := c*chunkDocs, min((c+1)*chunkDocs, len(docs))
		parseChunk(docs[lo:hi], out[lo:hi])
	})
	return out
}

type peek struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func parse(doc []byte) parsed {
	// sigs.k8s.io/yaml.YAMLToJSON, in two steps: the same YAML 1.1 decoder
	// into a generic tree, then the tree's JSON.
	var y any
	if err := yamlv2.Unmarshal(doc, &y); err != nil {
		return parsed{err: fmt.Errorf("invalid YAML: %w", err)}
	}
	return fromTree(y)
}

// fromTree is parse's work after the YAML parser, on the document's tree.
func fromTree(y any) parsed {
	if m, ok := y.(map[any]any); ok {
		if obj := fastTyped(m); obj != nil {
			return parsed{obj: obj}
		}
		if !typedKind(m) {
			if raw, ok := genericMap(m); ok {
				return parsed{raw: raw}
			}
		}
	}
	tree, err := jsonable(y)
	if err != nil {
		return parsed{err: fmt.Errorf("invalid YAML: %w", err)}
	}
	j, err := json.Marshal(tree)
	if err != nil {
		return parsed{err: fmt.Errorf("invalid YAML: %w", err)}
	}
	if len(j) == 0 || string(j) == "null" {
		return parsed{}
	}
	if j[0] == '{' {
		apiVersion, kind, ok := quickPeek(j)
		if !ok {
			// Case-sensitive, as the API server reads them: encoding/json
			// would take "apiVersIon" for apiVersion, and the object would
			// decode without it.
			var pk peek
			if sigsjson.UnmarshalCaseSensitivePreserveInts(j, &pk) == nil {
				apiVersion, kind = pk.APIVersion, pk.Kind
			}
		}
		if t, ok := typed[kind]; ok && t.gv.String() == apiVersion {
			obj := t.new()
			if strict, err := sigsjson.UnmarshalStrict(j, obj); err == nil {
				if m, err := meta.Accessor(obj); err == nil && m.GetName() != "" {
					return parsed{obj: obj, strict: strict}
				}
			}
			// Fall through: the generic path words the error.
		}
	}
	raw, err := jsonToMap(j)
	return parsed{raw: raw, err: err}
}

// fastTyped decodes a plain object of a typed kind straight from its YAML
// tree (see setTyped); nil when the JSON path must decide.
func fastTyped(m map[any]any) runtime.Object {
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	t, ok := typed[kind]
	if !ok || t.gv.String() != apiVersion {
		return nil
	}
	obj := t.new()
	if !setTyped(reflect.ValueOf(obj).Elem(), m) {
		return nil
	}
	if a, err := meta.Accessor(obj); err != nil || a.GetName() == "" {
		return nil
	}
	return obj
}

// typedKind says whether m is of a kind decoded into a Go type, at the
// apiVersion served for it: those take the JSON path when the fast path
// declines, for the strict decoder's errors and findings.
func typedKind(m map[any]any) bool {
	kind, _ := m["kind"].(string)
	t, ok := typed[kind]
	return ok && m["apiVersion"] == t.gv.String()
}

// quickPeek reads apiVersion and kind from the start of YAMLToJSON's
// output, which marshals maps with their keys sorted: an object that has
// both and no key sorting before "apiVersion" starts
// {"apiVersion":"...","kind":"...". ok is false for anything else (escapes
// included), and the caller decodes the whole document instead.
func quickPeek(j []byte) (apiVersion, kind string, ok bool) {
	rest, ok := bytes.CutPrefix(j, []byte(`{"apiVersion":"`))
	if !ok {
		return "", "", false
	}
	apiVersion, rest, ok = cutJSONString(rest)
	if !ok {
		return "", "", false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"kind":"`)); !ok {
		return "", "", false
	}
	kind, _, ok = cutJSONString(rest)
	return apiVersion, kind, ok
}

// cutJSONString returns the string up to the closing quote and what
// follows it; ok is false when it holds an escape or does not end.
func cutJSONString(b []byte) (string, []byte, bool) {
	i := bytes.IndexAny(b, `"\`)
	if i < 0 || b[i] != '"' {
		return "", nil, false
	}
	return string(b[:i]), b[i+1:], true
}

// jsonToMap parses one document's JSON into a generic map.
func jsonToMap(j []byte) (map[string]any, error) {
	if j[0] != '{' {
		return nil, fmt.Errorf("not a Kubernetes object: the document is a %s, not a mapping with apiVersion and kind", jsonKind(j[0]))
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	return m, nil
}

func jsonKind(c byte) string {
	switch c {
	case '[':
		return "list"
	case '"':
		return "string"
	default:
		return "scalar"
	}
}

// object decodes one object; path is its place inside a List or Template
// ("items[3]"), empty at the top.
func (d *decoder) object(src model.Source, raw map[string]any, path string) error {
	apiVersion, _ := raw["apiVersion"].(string)
	kind, _ := raw["kind"].(string)
	where := src.String()
	if path != "" {
		where += " " + path
	}
	if kind == "" || apiVersion == "" {
		missing := "kind"
		if apiVersion == "" {
			missing = "apiVersion"
		}
		return fmt.Errorf("%s: not a Kubernetes manifest: %s is missing", where, missing)
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return fmt.Errorf("%s: %s: apiVersion %q: %w", where, kind, apiVersion, err)
	}
	name := objectName(raw)
	ref := kind + "/" + name

	switch {
	case kind == "List" || (strings.HasSuffix(kind, "List") && raw["items"] != nil):
		return d.list(src, raw, path, where, kind)
	case kind == "Template" && (gv.Group == "template.openshift.io" || apiVersion == "v1"):
		return d.template(src, raw, path, where, name)
	case isOpenShift(gv, kind):
		src.Format = "openshift"
		d.openshift = append(d.openshift, pending{src: src, raw: raw, path: path})
		return nil
	}

	if err := requireName(raw, name, kind); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	gv, keep, err := d.served(src, where, raw, gv, ref)
	if err != nil || !keep {
		return err
	}
	t, known := typed[kind]
	if known && t.gv != gv {
		if builtinGroups[gv.Group] || gv.Group == t.gv.Group {
			return fmt.Errorf("%s: %s: apiVersion %q is not served for %s by Kubernetes; use %q", where, ref, apiVersion, kind, t.gv.String())
		}
		known = false // a custom resource that shares a built-in kind's name
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", where, ref, err)
	}
	var obj runtime.Object
	if known {
		if err := checkQuantities(raw, ""); err != nil {
			return fmt.Errorf("%s: %s: %w", where, ref, err)
		}
		if err := checkBase64(kind, raw); err != nil {
			return fmt.Errorf("%s: %s: %w", where, ref, err)
		}
		obj = t.new()
		strict, err := sigsjson.UnmarshalStrict(j, obj)
		if err != nil {
			return fmt.Errorf("%s: %s: %s", where, ref, jsonError(err, raw))
		}
		d.add(src, obj, strict)
		return nil
	}
	d.add(src, &unstructured.Unstructured{Object: raw}, nil)
	return nil
}

// list decodes the items of a List.
func (d *decoder) list(src model.Source, raw map[string]any, path, where, kind string) error {
	items, ok := raw["items"].([]any)
	if !ok && raw["items"] != nil {
		return fmt.Errorf("%s: %s: items: not a list", where, kind)
	}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s: items[%d]: not an object", where, kind, i)
		}
		if err := d.object(src, m, joinPath(path, fmt.Sprintf("items[%d]", i))); err != nil {
			return err
		}
	}
	return nil
}

func requireName(raw map[string]any, name, kind string) error {
	if name != "" {
		return nil
	}
	if md, ok := raw["metadata"].(map[string]any); ok && md["generateName"] != nil {
		return fmt.Errorf("%s: metadata.name: generateName is not supported, give the object a name", kind)
	}
	return fmt.Errorf("%s: metadata.name: required value", kind)
}

// served returns the served group version raw is read as: its own, or the
// successor of a retired one (raw migrated in place). keep is false when the
// object was dropped; an error names a version that never existed.
func (d *decoder) served(src model.Source, where string, raw map[string]any, gv schema.GroupVersion, ref string) (schema.GroupVersion, bool, error) {
	kind, _ := raw["kind"].(string)
	mig, err := versionCheck(gv.Group, gv.Version, gv.String(), kind)
	if err != nil {
		return gv, false, fmt.Errorf("%s: %s: %w", where, ref, err)
	}
	if mig == nil {
		return gv, true, nil
	}
	if !d.migrate(src, raw, ref, mig) {
		return gv, false, nil
	}
	to, err := schema.ParseGroupVersion(mig.to)
	return to, true, err
}

// migrate rewrites raw, of a retired API version, into its served version
// and reports it; it returns false when the kind has no successor and the
// object is dropped.
func (d *decoder) migrate(src model.Source, raw map[string]any, ref string, m *migration) bool {
	from, _ := raw["apiVersion"].(string)
	kind, _ := raw["kind"].(string)
	ns, _ := obj(raw, "metadata")["namespace"].(string)
	key := func(apiVersion string) model.Key {
		gv, _ := schema.ParseGroupVersion(apiVersion)
		return model.KeyOf(gv.Group, kind, ns, objectName(raw))
	}
	if m.drop != "" {
		d.findings = append(d.findings, model.Finding{
			Severity: model.Warning, Key: "dropped", Object: key(from),
			Message: fmt.Sprintf("%s: %s %s dropped: %s", src, from, ref, m.drop),
		})
		return false
	}
	var notes []string
	if m.fix != nil {
		notes = m.fix(raw)
	}
	raw["apiVersion"] = m.to
	delete(raw, "status") // written by the cluster, and of the old version's shape
	msg := fmt.Sprintf("%s: %s is %s, no longer served; migrated to %s as kubectl convert does", src, ref, from, m.to)
	if len(notes) > 0 {
		msg += ": " + strings.Join(notes, "; ")
	}
	d.findings = append(d.findings, model.Finding{Severity: model.Info, Key: "api-version", Object: key(m.to), Message: msg})
	return true
}

// add appends a decoded object, with a finding for each field the API
// server's strict validation would refuse.
func (d *decoder) add(src model.Source, obj runtime.Object, strict []error) {
	o := &model.Object{Source: src, Obj: obj}
	for _, se := range strict {
		d.findings = append(d.findings, model.Finding{
			Severity: model.Warning, Key: "schema", Object: o.Key(),
			Message: fmt.Sprintf("%s: %v (kubectl apply with --validate=strict refuses it)", src, se),
		})
	}
	d.objects = append(d.objects, o)
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func objectName(raw map[string]any) string {
	md, _ := raw["metadata"].(map[string]any)
	n, _ := md["name"].(string)
	return n
}

// jsonError words a decoding error with the full field path, list indexes
// included (the JSON decoder's own path has none), and the offending value,
// found again in raw.
func jsonError(err error, raw map[string]any) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(root)"
		} else if p, ok := findField(raw, strings.Split(te.Field, "."), te.Value); ok {
			field = strings.TrimPrefix(p, ".")
		}
		kind, val, _ := strings.Cut(te.Value, " ")
		if val != "" {
			return fmt.Sprintf("%s: invalid value %s: want %s", field, shorten(val), goTypeWord(te.Type.String()))
		}
		return fmt.Sprintf("%s: cannot use a %s as %s", field, kind, goTypeWord(te.Type.String()))
	}
	return err.Error()
}

// findField walks raw along parts, trying every element of the lists on the
// way, and returns the first path whose value is what the decoder refused.
func findField(v any, parts []string, value string) (string, bool) {
	switch t := v.(type) {
	case []any:
		if len(parts) == 0 {
			return "", value == "array"
		}
		for i, el := range t {
			if p, ok := findField(el, parts, value); ok {
				return fmt.Sprintf("[%d]%s", i, p), true
			}
		}
		return "", false
	case map[string]any:
		if len(parts) == 0 {
			return "", value == "object"
		}
		child, ok := t[parts[0]]
		if !ok {
			return "", false
		}
		p, ok := findField(child, parts[1:], value)
		if !ok {
			return "", false
		}
		return "." + parts[0] + p, true
	}
	if len(parts) > 0 {
		return "", false
	}
	kind, lit, _ := strings.Cut(value, " ")
	switch t := v.(type) {
	case float64:
		f, err := strconv.ParseFloat(lit, 64)
		return "", kind == "number" && err == nil && f == t
	case json.Number:
		return "", kind == "number" && string(t) == lit
	case string:
		return "", kind == "string"
	case bool:
		return "", kind == "bool"
	}
	return "", false
}

func goTypeWord(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "v1."), strings.HasPrefix(t, "struct"):
		return "an object"
	case t == "int32":
		return "a whole number from -2147483648 to 2147483647"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number (" + t + ")"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "a boolean"
	case t == "string":
		return "a string"
	}
	return t
}

// sortedKeys returns m's keys in order, for deterministic walks.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkBase64 names the key of a Secret's data (or a ConfigMap's binaryData)
// that is not base64, never its value.
func checkBase64(kind string, raw map[string]any) error {
	field := "data"
	if kind == "ConfigMap" {
		field = "binaryData"
	} else if kind != "Secret" {
		return nil
	}
	m, _ := raw[field].(map[string]any)
	for _, k := range sortedKeys(m) {
		s, ok := m[k].(string)
		if !ok {
			if m[k] == nil {
				continue
			}
			return fmt.Errorf("%s[%s]: want a base64 string, got a %s", field, k, jsonKindOf(m[k]))
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return fmt.Errorf("%s[%s]: invalid base64 (%v; value not shown)", field, k, err)
		}
	}
	return nil
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// template processes an OpenShift Template and decodes its objects, with a
// finding naming (never showing) the parameters it generated.
func (d *decoder) template(src model.Source, raw map[string]any, path, where, name string) error {
	objs, generated, err := processTemplate(raw, d.opts)
	if err != nil {
		return fmt.Errorf("%s: Template/%s: %w", where, name, err)
	}
	if len(generated) > 0 {
		how := "randomly for this run; give --seed to reproduce them"
		if d.opts.Seed != 0 {
			how = fmt.Sprintf("from seed %d: reproducible, do not use them as secrets", d.opts.Seed)
		}
		d.findings = append(d.findings, model.Finding{Severity: model.Info, Key: "generated", Object: model.KeyOf("template.openshift.io", "Template", "", name),
			Message: fmt.Sprintf("%s: parameters %s were generated %s (values not shown)", src, strings.Join(generated, ", "), how)})
	}
	src.Format = "openshift"
	for i, o := range objs {
		if err := d.object(src, o, joinPath(path, fmt.Sprintf("objects[%d]", i))); err != nil {
			return err
		}
	}
	return nil
}
