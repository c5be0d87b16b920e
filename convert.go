package rightsize

import (
	"context"
	"fmt"

	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/report"
)

// Convert reports what app became when it was loaded: every object with
// the format and file it came from, every host name a container uses to
// reach another and what it resolves to, and what loading noticed. A name
// that resolves to no Service of the app is a warning. The manifests
// themselves are App.WriteManifests' or App.WriteDir's.
func Convert(ctx context.Context, app *App) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &Report{Command: report.Convert, Fits: true, Findings: app.Findings()}
	for _, o := range app.app.Objects {
		r.Objects = append(r.Objects, report.Object{Object: o.Key(), Format: o.Source.Format, Source: o.Source.File})
	}
	for _, ref := range names.Check(app.app) {
		r.Names = append(r.Names, report.Name{Object: ref.Object, Container: ref.Container, Field: ref.Field, Host: ref.Host, Resolves: ref.Resolves})
		if ref.Resolves == "" {
			r.Findings = append(r.Findings, Finding{Severity: Warning, Key: "names", Object: ref.Object,
				Message: fmt.Sprintf("%s does not resolve to a Service of the app", ref)})
		}
	}
	return r, nil
}
