package html

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/rightsize/rightsize/internal/report"
)

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct":      func(x float64) string { return fmt.Sprintf("%.1f%%", x) },
	"fraction": func(x float64) string { return fmt.Sprintf("%.4f", x) },
}).Parse(pageTemplate))

// Write writes r as one HTML page, as the template makes it, through a
// buffer: on an error, part of the page may have been written.
func Write(w io.Writer, r *report.Report) error {
	b := bufio.NewWriterSize(w, 64<<10)
	if err := tmpl.Execute(b, view(r)); err != nil {
		return fmt.Errorf("rendering HTML report: %w", err)
	}
	return b.Flush()
}
