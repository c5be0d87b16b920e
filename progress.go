package rightsize

import (
	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/progress"
	"github.com/rightsize/rightsize/internal/verify"
)

// Progress is one step of long work: the stage ("verify", "fit"), what
// is happening, and Done of Total units (Total 0: unknown). Finished marks
// a stage's last event.
type Progress = progress.Event

// WithVerifyProgress makes Verify report each object it creates and, while the
// controllers settle, how many pods exist and are scheduled. fn is called
// on Verify's goroutine; it must not block for long.
func WithVerifyProgress(fn func(Progress)) VerifyOption {
	return func(o *verify.Options) { o.Progress = fn }
}

// WithFitProgress makes Fit report each stage as it starts.
func WithFitProgress(fn func(Progress)) FitOption {
	return func(o *fit.Options) error { o.Progress = fn; return nil }
}
