package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/rightsize/rightsize/internal/model"
)

// Report is a human-readable report: a title, a verdict, tables and
// findings. Commands build one from their result; JSON reports marshal the
// result itself (see JSON).
type Report struct {
	Title   string
	Verdict string
	// Sections are printed in order.
	Sections []Section
	Findings []model.Finding
}

// Section is a titled table, or titled lines when Header is empty.
type Section struct {
	Title  string
	Header []string
	Rows   [][]string
	Lines  []string
}

// WriteText writes the report as aligned plain text.
func WriteText(w io.Writer, r *Report) error {
	var buf bytes.Buffer
	if r.Title != "" {
		fmt.Fprintln(&buf, r.Title)
	}
	if r.Verdict != "" {
		fmt.Fprintf(&buf, "verdict: %s\n", r.Verdict)
	}
	for _, s := range r.Sections {
		if len(s.Rows) == 0 && len(s.Lines) == 0 {
			continue
		}
		fmt.Fprintf(&buf, "\n%s\n", s.Title)
		for _, l := range s.Lines {
			fmt.Fprintf(&buf, "  %s\n", l)
		}
		if len(s.Rows) > 0 {
			tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
			if len(s.Header) > 0 {
				fmt.Fprintf(tw, "  %s\n", strings.Join(s.Header, "\t"))
			}
			for _, row := range s.Rows {
				fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
			}
			tw.Flush()
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(&buf, "\nfindings\n")
		for _, f := range r.Findings {
			obj := ""
			if f.Object != "" {
				obj = " " + f.Object
			}
			fmt.Fprintf(&buf, "  %-7s %s%s: %s\n", f.Severity, f.Key, obj, f.Message)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes v as indented JSON followed by a newline. Struct fields keep
// their order and map keys are sorted, so the bytes are deterministic.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
