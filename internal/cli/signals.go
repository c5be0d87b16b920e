package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// ExitInterrupted is the exit code after SIGINT or SIGTERM, as shells give
// a process killed by SIGINT (128+2).
const ExitInterrupted = 130

// signalContext is cancelled on SIGINT or SIGTERM: the library stops at its
// next check, removes the temporary files it made and returns; earlier
// outputs stay as they were. A second signal calls force: the user wants
// out now, even from work that does not stop (a read that never returns);
// the control plane's processes die with the process (Pdeathsig), and a
// temporary folder left behind is removed by the next run into the same
// place.
func signalContext(force func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-ch:
			}
			if n > 0 {
				force()
				return
			}
			cancel()
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
}

// interrupted tells whether err comes from a cancelled run.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err()))
}
