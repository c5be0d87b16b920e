package helm

import (
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// maxCount bounds the count argument of the template functions that build
// a value of that size (repeat, indent, until, randAlpha, ...). Helm's
// engine takes no custom functions, so a call with a constant count over
// the bound is refused before rendering; the rendered output is bounded
// afterwards (checkRendered).
const maxCount = 1 << 20

// sizing are the functions whose integer arguments size what they build.
var sizing = map[string]bool{
	"repeat": true, "indent": true, "nindent": true, "until": true, "untilStep": true, "seq": true,
	"randAlpha": true, "randAlphaNum": true, "randAscii": true, "randNumeric": true, "randBytes": true,
}

// guardTemplates parses every template of the chart and its subcharts and
// refuses a sizing call with a constant count over maxCount, naming the
// template and line.
func guardTemplates(ch *chart.Chart) error {
	for _, t := range ch.Templates {
		if t == nil {
			continue
		}
		tr := parse.New(t.Name)
		tr.Mode = parse.SkipFuncCheck | parse.ParseComments
		if _, err := tr.Parse(string(t.Data), "{{", "}}", map[string]*parse.Tree{}); err != nil {
			continue // the engine words syntax errors
		}
		if err := walk(tr.Root, tr, t.Name); err != nil {
			return err
		}
	}
	for _, dep := range ch.Dependencies() {
		if err := guardTemplates(dep); err != nil {
			return err
		}
	}
	return nil
}

func walk(n parse.Node, tr *parse.Tree, file string) error {
	switch t := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if t == nil {
			return nil
		}
		for _, c := range t.Nodes {
			if err := walk(c, tr, file); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return walk(t.Pipe, tr, file)
	case *parse.PipeNode:
		if t == nil {
			return nil
		}
		for _, c := range t.Cmds {
			if err := walk(c, tr, file); err != nil {
				return err
			}
		}
	case *parse.CommandNode:
		return command(t, tr, file)
	case *parse.IfNode:
		return branch(&t.BranchNode, tr, file)
	case *parse.RangeNode:
		return branch(&t.BranchNode, tr, file)
	case *parse.WithNode:
		return branch(&t.BranchNode, tr, file)
	case *parse.TemplateNode:
		return walk(t.Pipe, tr, file)
	}
	return nil
}

func branch(b *parse.BranchNode, tr *parse.Tree, file string) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := walk(n, tr, file); err != nil {
			return err
		}
	}
	return nil
}

func command(c *parse.CommandNode, tr *parse.Tree, file string) error {
	for _, a := range c.Args {
		if p, ok := a.(*parse.PipeNode); ok {
			if err := walk(p, tr, file); err != nil {
				return err
			}
		}
	}
	if len(c.Args) == 0 {
		return nil
	}
	id, ok := c.Args[0].(*parse.IdentifierNode)
	if !ok || !sizing[id.Ident] {
		return nil
	}
	for _, a := range c.Args[1:] {
		num, ok := a.(*parse.NumberNode)
		if !ok {
			continue
		}
		if (num.IsInt && (num.Int64 > maxCount || num.Int64 < -maxCount)) || (!num.IsInt && num.IsFloat && (num.Float64 > maxCount || num.Float64 < -maxCount)) {
			loc, _ := tr.ErrorContext(c)
			return &limit.Error{What: fmt.Sprintf("%s: %s %s", loc, id.Ident, num.Text), Limit: "expansion", Max: maxCount,
				Note: "a count over " + strconv.Itoa(maxCount) + " in a template function"}
		}
	}
	return nil
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
