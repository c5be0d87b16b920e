package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// ExitInterrupted is the exit code after SIGINT or SIGTERM, as shells give
// a process killed by SIGINT (128+2).
const ExitInterrupted = 130

// signalContext is cancelled on SIGINT or SIGTERM: the library stops at its
// next check, removes the temporary files it made and returns; earlier
// outputs stay as they were.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// interrupted tells whether err comes from a cancelled run.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err()))
}
