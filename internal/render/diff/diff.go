package diff

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/fatih/color"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
)

// Options controls Write.
type Options struct {
	// Color marks removed lines red, added lines green and hunk headers
	// cyan with ANSI escapes.
	Color bool
	// Context is the number of unchanged lines around each change; 0 means
	// 3, as diff -u.
	Context int
}

// Stats counts what Write found.
type Stats struct {
	Changed, Added, Removed int
}

// Write writes the diff of every object that differs between before and
// after to w, ordered by file name, and returns the counts.
func Write(w io.Writer, before, after []*model.Object, opts Options) (Stats, error) {
	if opts.Context == 0 {
		opts.Context = udiff.DefaultContextLines
	}
	a, err := encode(before)
	if err != nil {
		return Stats{}, err
	}
	b, err := encode(after)
	if err != nil {
		return Stats{}, err
	}
	names := map[string]bool{}
	for n := range a {
		names[n] = true
	}
	for n := range b {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	p := newPainter(opts.Color)
	var out bytes.Buffer
	var st Stats
	for _, n := range sorted {
		old, hadOld := a[n]
		cur, hasNew := b[n]
		if old == cur {
			continue
		}
		switch {
		case !hadOld:
			st.Added++
		case !hasNew:
			st.Removed++
		default:
			st.Changed++
		}
		from, to := "before/"+n, "after/"+n
		edits := udiff.Lines(old, cur)
		u, err := udiff.ToUnified(from, to, old, edits, opts.Context)
		if err != nil {
			return st, fmt.Errorf("diff of %s: %w", n, err)
		}
		fmt.Fprintf(&out, "%s\n", p.header.Sprintf("diff -u -N %s %s", from, to))
		p.write(&out, u)
	}
	_, err = w.Write(out.Bytes())
	return st, err
}

// FileName names an object as kubectl diff does:
// "apps.v1.Deployment.shop.web" (the group is left out for the core group).
func FileName(o *model.Object) string {
	gvk := o.GVK()
	parts := []string{}
	if gvk.Group != "" {
		parts = append(parts, gvk.Group)
	}
	parts = append(parts, gvk.Version, gvk.Kind)
	if ns := o.Namespace(); ns != "" {
		parts = append(parts, ns)
	}
	return strings.Join(append(parts, o.Name()), ".")
}

func encode(objs []*model.Object) (map[string]string, error) {
	out := make(map[string]string, len(objs))
	for _, o := range objs {
		data, err := render.Encode(o, render.YAML)
		if err != nil {
			return nil, err
		}
		out[FileName(o)] = string(data)
	}
	return out, nil
}

type painter struct {
	header, hunk, add, del *color.Color
}

func newPainter(on bool) *painter {
	p := &painter{header: color.New(color.Bold), hunk: color.New(color.FgCyan), add: color.New(color.FgGreen), del: color.New(color.FgRed)}
	for _, c := range []*color.Color{p.header, p.hunk, p.add, p.del} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// write colours each line of a unified diff by its first character.
func (p *painter) write(w *bytes.Buffer, u string) {
	for _, line := range strings.SplitAfter(u, "\n") {
		if line == "" {
			continue
		}
		body := strings.TrimSuffix(line, "\n")
		var c *color.Color
		switch {
		case strings.HasPrefix(body, "---"), strings.HasPrefix(body, "+++"):
			c = p.header
		case strings.HasPrefix(body, "@@"):
			c = p.hunk
		case strings.HasPrefix(body, "+"):
			c = p.add
		case strings.HasPrefix(body, "-"):
			c = p.del
		}
		if c == nil {
			w.WriteString(line)
			continue
		}
		w.WriteString(c.Sprint(body))
		if strings.HasSuffix(line, "\n") {
			w.WriteByte('\n')
		}
	}
}
