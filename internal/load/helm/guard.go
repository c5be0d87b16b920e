package helm

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// maxCount bounds the count argument of the template functions that build
// a value of that size (repeat, indent, until, randAlpha, ...). Helm's
// engine takes no custom functions, so the counts are checked before
// rendering, where they can be known: a number written in the template, or
// a value it reads (.Values.n, $.Values.n, (int .Values.n), .Values.n |
// int). A count computed while rendering is caught by the expansion limit
// once rendered (checkRendered).
const maxCount = 1 << 20

// sizing are the functions whose integer arguments size what they build.
var sizing = map[string]bool{
	"repeat": true, "indent": true, "nindent": true, "until": true, "untilStep": true, "seq": true,
	"randAlpha": true, "randAlphaNum": true, "randAscii": true, "randNumeric": true, "randBytes": true,
}

// conversions pass a count on unchanged, in size.
var conversions = map[string]bool{"int": true, "int64": true, "float64": true, "atoi": true, "toString": true}

// guardTemplates parses every template of the chart and its subcharts and
// refuses a sizing call with a count over maxCount, naming the template
// and line. values are the chart's values (.Values as its templates see
// them; a subchart's are under its name).
func guardTemplates(ch *chart.Chart, values map[string]any) error {
	for _, t := range ch.Templates {
		if t == nil {
			continue
		}
		tr := parse.New(t.Name)
		tr.Mode = parse.SkipFuncCheck | parse.ParseComments
		if _, err := tr.Parse(string(t.Data), "{{", "}}", map[string]*parse.Tree{}); err != nil {
			continue // the engine words syntax errors
		}
		g := &guard{tr: tr, values: values}
		if err := g.walk(tr.Root); err != nil {
			return err
		}
	}
	for _, dep := range ch.Dependencies() {
		sub, _ := asMap(values[dep.Name()])
		if err := guardTemplates(dep, sub); err != nil {
			return err
		}
	}
	return nil
}

// guard walks one template. scoped is set inside range and with, where dot
// is no longer the top-level context (only $.Values is known there).
type guard struct {
	tr     *parse.Tree
	values map[string]any
	scoped bool
}

func (g *guard) walk(n parse.Node) error {
	switch t := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if t == nil {
			return nil
		}
		for _, c := range t.Nodes {
			if err := g.walk(c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return g.walk(t.Pipe)
	case *parse.PipeNode:
		return g.pipe(t)
	case *parse.IfNode:
		return g.branch(&t.BranchNode, false)
	case *parse.RangeNode:
		return g.branch(&t.BranchNode, true)
	case *parse.WithNode:
		return g.branch(&t.BranchNode, true)
	case *parse.TemplateNode:
		return g.walk(t.Pipe)
	}
	return nil
}

func (g *guard) branch(b *parse.BranchNode, rebinds bool) error {
	if err := g.walk(b.Pipe); err != nil {
		return err
	}
	saved := g.scoped
	g.scoped = g.scoped || rebinds
	defer func() { g.scoped = saved }()
	if err := g.walk(b.List); err != nil {
		return err
	}
	return g.walk(b.ElseList)
}

// pipe checks each command of a pipeline; a sizing command's count may be
// the value the commands before it pass on (.Values.n | int | until).
func (g *guard) pipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for i, c := range p.Cmds {
		if err := g.command(c); err != nil {
			return err
		}
		if i > 0 && len(c.Args) == 1 && g.isSizing(c) {
			if v, ok := g.piped(p.Cmds[:i]); ok {
				if err := g.check(c, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *guard) isSizing(c *parse.CommandNode) bool {
	id, ok := c.Args[0].(*parse.IdentifierNode)
	return ok && sizing[id.Ident]
}

func (g *guard) command(c *parse.CommandNode) error {
	for _, a := range c.Args {
		if p, ok := a.(*parse.PipeNode); ok {
			if err := g.pipe(p); err != nil {
				return err
			}
		}
	}
	if len(c.Args) == 0 || !g.isSizing(c) {
		return nil
	}
	for _, a := range c.Args[1:] {
		if v, ok := g.value(a); ok {
			if err := g.check(c, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// check refuses a count over maxCount.
func (g *guard) check(c *parse.CommandNode, v float64) error {
	if v <= maxCount && v >= -maxCount {
		return nil
	}
	loc, _ := g.tr.ErrorContext(c)
	return &limit.Error{What: fmt.Sprintf("%s: %s (%s)", loc, c, strconv.FormatFloat(v, 'f', -1, 64)), Limit: "expansion", Max: maxCount,
		Note: "a count over " + strconv.Itoa(maxCount) + " in a template function"}
}

// value is the number an argument stands for, when it is known before
// rendering: a number, a value read from .Values, or a conversion of one.
func (g *guard) value(n parse.Node) (float64, bool) {
	switch t := n.(type) {
	case *parse.NumberNode:
		if t.IsInt {
			return float64(t.Int64), true
		}
		return t.Float64, t.IsFloat
	case *parse.FieldNode:
		if g.scoped || len(t.Ident) < 2 || t.Ident[0] != "Values" {
			return 0, false
		}
		return lookup(g.values, t.Ident[1:])
	case *parse.VariableNode:
		if len(t.Ident) < 3 || t.Ident[0] != "$" || t.Ident[1] != "Values" {
			return 0, false
		}
		return lookup(g.values, t.Ident[2:])
	case *parse.PipeNode:
		if t == nil || len(t.Decl) > 0 {
			return 0, false
		}
		return g.piped(t.Cmds)
	}
	return 0, false
}

// piped is the value a pipeline passes on: its first command's value,
// through conversions.
func (g *guard) piped(cmds []*parse.CommandNode) (float64, bool) {
	if len(cmds) == 0 {
		return 0, false
	}
	first := cmds[0]
	var v float64
	var ok bool
	switch {
	case len(first.Args) == 1:
		v, ok = g.value(first.Args[0])
	case len(first.Args) == 2 && isConversion(first.Args[0]):
		v, ok = g.value(first.Args[1])
	}
	for _, c := range cmds[1:] {
		ok = ok && len(c.Args) == 1 && isConversion(c.Args[0])
	}
	return v, ok
}

func isConversion(n parse.Node) bool {
	id, ok := n.(*parse.IdentifierNode)
	return ok && conversions[id.Ident]
}

func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case chartutil.Values:
		return m, true
	}
	return nil, false
}

// lookup finds a number in values by its path.
func lookup(values map[string]any, path []string) (float64, bool) {
	var cur any = values
	for _, k := range path {
		m, ok := asMap(cur)
		if !ok {
			return 0, false
		}
		cur = m[k]
	}
	switch v := cur.(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// checkRendered refuses rendered output over the expansion limit, before it
// is split and decoded (which needs several times its size).
func checkRendered(files map[string]string, max int64) error {
	var n int64
	for _, s := range files {
		n += int64(len(s))
	}
	if n > max {
		return &limit.Error{What: "rendered templates", Limit: "expansion", Max: max, Note: "they add up to " + limit.Size(n)}
	}
	return nil
}

// checkDependencies refuses a chart whose Chart.yaml lists a dependency that
// is not in charts/, as helm install does ("found in Chart.yaml, but
// missing in charts/ directory").
func checkDependencies(ch *chart.Chart) error {
	if ch.Metadata == nil {
		return nil
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if d != nil && !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s (run helm dependency build)", strings.Join(missing, ", "))
	}
	for _, d := range ch.Dependencies() {
		if err := checkDependencies(d); err != nil {
			return fmt.Errorf("subchart %s: %w", d.Name(), err)
		}
	}
	return nil
}
