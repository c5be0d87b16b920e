package html

import (
	"bytes"
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

// Write writes r as one HTML page.
func Write(w io.Writer, r *report.Report) error {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, view(r)); err != nil {
		return fmt.Errorf("rendering HTML report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
