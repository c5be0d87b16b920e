package cli

import (
	"io"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/report/html"
)

// writers are the report formats the commands offer: the built-in ones,
// and any the CLI adds.
func writers() map[string]report.Writer {
	w := report.Writers()
	w["html"] = report.WriterFunc(html.Write)
	return w
}

func reportWriter(format string) (report.Writer, error) {
	return report.Lookup(writers(), format)
}

// outputFlag checks an -o/--output report format.
func outputFlag(format string) error {
	if _, err := reportWriter(format); err != nil {
		return usageError("--output: %v", err)
	}
	return nil
}

// writeReport renders r in format to w.
func writeReport(w io.Writer, format string, r *rightsize.Report) error {
	wr, err := reportWriter(format)
	if err != nil {
		return usageError("%v", err)
	}
	return wr.Write(w, r)
}

// writeVerdict writes r and returns noFit (exit 3) when the app does not
// fit: the end of analyze and verify.
func writeVerdict(w io.Writer, format string, r *rightsize.Report) error {
	if err := writeReport(w, format, r); err != nil {
		return err
	}
	if !r.Fits {
		return noFit
	}
	return nil
}
