package report

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/model"
)

// A Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// WriterFunc adapts a function to Writer.
type WriterFunc func(w io.Writer, r *Report) error

// Write calls f.
func (f WriterFunc) Write(w io.Writer, r *Report) error { return f(w, r) }

// Built-in formats.
const (
	Text = "text"
	JSON = "json"
	YAML = "yaml"
)

// Writers returns the built-in writers by format name. The map is new on
// every call: callers add their own formats (HTML) to it.
func Writers() map[string]Writer {
	return map[string]Writer{
		Text: WriterFunc(WriteText),
		JSON: WriterFunc(WriteJSON),
		YAML: WriterFunc(WriteYAML),
	}
}

// Formats lists the names of writers, sorted.
func Formats(writers map[string]Writer) []string {
	out := make([]string, 0, len(writers))
	for k := range writers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the writer for format, or an error naming the formats
// there are.
func Lookup(writers map[string]Writer, format string) (Writer, error) {
	if w, ok := writers[format]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("format %q: want %s", format, strings.Join(Formats(writers), ", "))
}

// WriteJSON writes r as indented JSON and a newline. Maps marshal with
// sorted keys and lists keep their order, so the bytes are deterministic.
// The bytes are json.Encoder's (two-space indent, no HTML escaping:
// messages quote Kubernetes, "<none>", "a > b"), written as they are made,
// through a buffer: on an error, part of the report may have been written
// (a caller that must not leave part of a file writes to a temporary file
// or a buffer first).
func WriteJSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := newJSONStream(bw).value(reflect.ValueOf(r.normalized()), 0); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// WriteYAML writes r as YAML, with the JSON form's field names.
func WriteYAML(w io.Writer, r *Report) error {
	b, err := yaml.Marshal(r.normalized())
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// normalized returns r with the lists that are always present non-nil, so
// that they marshal as [] rather than null.
func (r *Report) normalized() *Report {
	out := *r
	if out.Quotas == nil {
		out.Quotas = []Quota{}
	}
	if out.Quota == nil {
		out.Quota = map[corev1.ResourceName]KeyUsage{}
	}
	if out.Findings == nil {
		out.Findings = []model.Finding{}
	}
	if out.Refusals == nil {
		out.Refusals = []Refusal{}
	}
	return &out
}
