// Package limit holds the bounds every loader keeps to, so that no input,
// however large or hostile, makes rightsize run out of memory or hang: the
// size of what is read, the number of documents, the size of one object
// (as the Kubernetes API server bounds it), the output of template
// expansion and of generated values.
//
// It must not know about formats: loaders ask it to read, count and measure.
package limit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Limits are the bounds of one load. The zero value of a field means its
// default (see Defaults).
type Limits struct {
	// Input is the most bytes read from one file or standard input.
	Input int64
	// Documents is the most YAML or JSON documents in one file.
	Documents int
	// Object is the most bytes of one object's manifest: the API server's
	// request body limit (3 MiB).
	Object int64
	// Expansion is the most bytes a template (Helm, Rancher, OpenShift) may
	// expand to.
	Expansion int64
	// Generated is the most characters of one generated OpenShift template
	// parameter value.
	Generated int
	// Ports is the most ports one Compose port range ("8000-8999") may
	// expand to: Compose makes one port of each, and a Service of tens of
	// thousands of ports is no conversion.
	Ports int
}

// Default values of the limits.
const (
	DefaultInput     = 64 << 20
	DefaultDocuments = 100000
	DefaultObject    = 3 << 20
	DefaultExpansion = 64 << 20
	DefaultGenerated = 1024
	DefaultPorts     = 1000
)

// Defaults returns l with every unset (zero or negative) field set to its default.
func (l Limits) Defaults() Limits {
	if l.Input <= 0 {
		l.Input = DefaultInput
	}
	if l.Documents <= 0 {
		l.Documents = DefaultDocuments
	}
	if l.Object <= 0 {
		l.Object = DefaultObject
	}
	if l.Expansion <= 0 {
		l.Expansion = DefaultExpansion
	}
	if l.Generated <= 0 {
		l.Generated = DefaultGenerated
	}
	if l.Ports <= 0 {
		l.Ports = DefaultPorts
	}
	return l
}

// Names lists the limits Set understands, for help texts.
var Names = []string{"input", "documents", "object", "expansion", "generated", "ports"}

// Set sets one limit from "NAME=VALUE"; sizes take quantities ("256Mi").
func (l *Limits) Set(kv string) error {
	name, val, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("limit %q: want NAME=VALUE, NAME one of %s", kv, strings.Join(Names, ", "))
	}
	var n int64
	if q, err := resource.ParseQuantity(val); err == nil && q.Sign() > 0 {
		n = q.Value()
	} else if v, err := strconv.ParseInt(val, 10, 64); err == nil && v > 0 {
		n = v
	} else {
		return fmt.Errorf("limit %s: %q is not a positive size or count", name, val)
	}
	switch name {
	case "input":
		l.Input = n
	case "documents":
		l.Documents = clampInt(n)
	case "object":
		l.Object = n
	case "expansion":
		l.Expansion = n
	case "generated":
		l.Generated = clampInt(n)
	case "ports":
		l.Ports = clampInt(n)
	default:
		return fmt.Errorf("limit %q: unknown, want one of %s", name, strings.Join(Names, ", "))
	}
	return nil
}

func clampInt(n int64) int {
	if n > int64(int(^uint(0)>>1)) {
		return int(^uint(0) >> 1)
	}
	return int(n)
}

// Error is a limit exceeded. Its message names the limit and its value.
type Error struct {
	What  string // "standard input", "web.yaml", ...
	Limit string // one of Names
	Max   int64
	Note  string // what was over, e.g. "the file has 200 MiB"
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: over the %s limit of %s", e.What, e.Limit, Size(e.Max))
	if e.Limit == "documents" || e.Limit == "generated" || e.Limit == "ports" {
		msg = fmt.Sprintf("%s: over the %s limit of %d", e.What, e.Limit, e.Max)
	}
	if e.Note != "" {
		msg += " (" + e.Note + ")"
	}
	return msg + "; raise it with --limit " + e.Limit + "=VALUE if this input is trusted"
}

// Size words a byte count as a binary quantity ("64Mi").
func Size(n int64) string {
	return resource.NewQuantity(n, resource.BinarySI).String()
}

// ErrNotRegular is returned for inputs that are not regular files: a FIFO
// or a device would block or never end.
var ErrNotRegular = errors.New("not a regular file (a FIFO, device or socket is never read)")

// ReadFile reads a regular file of at most max bytes, following symbolic
// links. A FIFO, device or socket is refused before it is opened, so that
// reading never blocks.
func ReadFile(path string, max int64) ([]byte, error) {
	f, size, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, path, max, size)
}

// Open opens a regular file of at most max bytes for reading, as ReadFile
// does, and returns its size; the caller reads it with Read (which
// refuses more than max bytes, should it grow) or a part of it.
func Open(path string, max int64) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, 0, fmt.Errorf("%s: is a directory", path)
		}
		return nil, 0, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if st.Size() > max {
		return nil, 0, &Error{What: path, Limit: "input", Max: max, Note: "the file has " + Size(st.Size())}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	// Checked again on the open file: it may have been swapped since Stat.
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f, st.Size(), nil
}

// Read reads r to its end, refusing more than max bytes.
func Read(r io.Reader, what string, max int64) ([]byte, error) {
	return read(r, what, max, sizeOf(r))
}

// sizeOf is what is left to read of r when r says (a bytes.Reader, a
// regular file), else 0.
func sizeOf(r io.Reader) int64 {
	switch t := r.(type) {
	case interface{ Len() int }:
		return int64(t.Len())
	case *os.File:
		st, err := t.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0
		}
		if at, err := t.Seek(0, io.SeekCurrent); err == nil && at <= st.Size() {
			return st.Size() - at
		}
	}
	return 0
}

// read is Read into a buffer of size bytes and one more (to see the end
// without growing), as os.ReadFile does: io.ReadAll grows its buffer
// from 512 bytes, and allocated four times a large file's size.
func read(r io.Reader, what string, max, size int64) ([]byte, error) {
	size = min(size, max)
	if size <= 0 {
		size = 511
	}
	data := make([]byte, 0, size+1)
	lr := io.LimitReader(r, max+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew since: let append choose the next size
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > max {
		return nil, &Error{What: what, Limit: "input", Max: max}
	}
	return data, nil
}

// Regular tells whether path (after symbolic links) is a regular file.
func Regular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// Writer is an io.Writer that refuses to grow past Max bytes: template
// output goes through one, so that a template that expands without end
// fails with a clear error rather than exhausting memory.
type Writer struct {
	W    io.Writer
	What string
	Max  int64
	n    int64
}

func (w *Writer) Write(p []byte) (int, error) {
	if w.n+int64(len(p)) > w.Max {
		return 0, &Error{What: w.What, Limit: "expansion", Max: w.Max}
	}
	w.n += int64(len(p))
	return w.W.Write(p)
}

// Check refuses a path that is not a regular file of at most max bytes,
// for files that a library reads by name after us.
func Check(path string, max int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if st.Size() > max {
		return &Error{What: path, Limit: "input", Max: max, Note: "the file has " + Size(st.Size())}
	}
	return nil
}
