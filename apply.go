package rightsize

import (
	"context"
	"io"
	"time"

	"github.com/rightsize/rightsize/internal/apply"
)

// The apply report's types.
type (
	// ApplyReport is what Apply did: per object created, updated or
	// unchanged; per workload its Ready pods; on failure why, with
	// Kubernetes' messages, and what the restore did.
	ApplyReport = apply.Report
	// DeleteReport lists what Delete removed.
	DeleteReport = apply.DeleteReport
	// ApplyStage names where an apply stopped.
	ApplyStage = apply.Stage
)

// Apply stages.
const (
	ApplyDryRun      = apply.StageDryRun
	ApplyApply       = apply.StageApply
	ApplyWait        = apply.StageWait
	ApplyTimeout     = apply.StageTimeout
	ApplyInterrupted = apply.StageInterrupted
	ApplyConnection  = apply.StageConnection
)

// LabelApp names the app on every object an apply created.
const LabelApp = apply.LabelApp

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// Name of the application, recorded on the objects it creates. Required.
	Name string
	// Timeout bounds the wait for every pod to be Ready (default 5m).
	Timeout time.Duration
	// RefusalGrace is how long refused pods may go without progress before
	// the apply gives up early (default 20s).
	RefusalGrace time.Duration
	// Progress receives status lines; nil discards them.
	Progress io.Writer
}

// Apply puts app into the cluster's namespace all or nothing: a
// server-side dry run of every object first; server-side apply in
// dependency order; a wait until every pod is admitted, scheduled and
// Ready (Jobs complete); and on any refusal, timeout, cancellation of ctx
// or lost connection, a restore of the namespace to exactly what it was
// (created objects deleted, changed ones put back). A second Apply of the
// same app changes nothing. The verdict is in the report; an error means
// the app could not be prepared, or the restore failed (the report says
// what is left).
func Apply(ctx context.Context, c *LiveCluster, app *App, opts ApplyOptions) (*ApplyReport, error) {
	if opts.Name == "" {
		return nil, &OptionError{Option: "Name", Reason: "the application's name is required"}
	}
	return apply.Apply(ctx, c.h, app.app, apply.Options{
		App: opts.Name, Timeout: opts.Timeout, RefusalGrace: opts.RefusalGrace, Progress: opts.Progress,
	})
}

// Delete removes from the cluster's namespace what Apply created for the
// app called name, and waits until it is gone (timeout 0: 2 minutes).
func Delete(ctx context.Context, c *LiveCluster, name string, timeout time.Duration) (*DeleteReport, error) {
	return apply.Delete(ctx, c.h, name, timeout)
}
