package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

// progressView shows the library's progress events on standard error: a
// bar (a spinner when the total is unknown) on a terminal, timestamped
// lines otherwise, nothing with --quiet. Standard output never sees it.
type progressView struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	tty   bool
	color bool
	now   func() time.Time
	bar   *progressbar.ProgressBar
	stage string
	total int
	last  string
	// lastAt is when the last line was written (off a terminal).
	lastAt time.Time
}

func newProgress(cmd *cobra.Command, s Streams) *progressView {
	quiet, _ := cmd.Flags().GetBool("quiet")
	return &progressView{w: s.Err, quiet: quiet, tty: isTerminal(s.Err), color: colorTerminal(s.Err), now: time.Now}
}

// Event shows one event.
func (p *progressView) Event(e rightsize.Progress) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		p.line(e)
		return
	}
	if p.bar == nil || e.Stage != p.stage || (e.Total != p.total && (e.Total == 0 || p.total == 0)) {
		p.finish()
		p.stage, p.total = e.Stage, e.Total
		max := e.Total
		if max == 0 {
			max = -1 // a spinner
		}
		p.bar = progressbar.NewOptions(max, progressbar.OptionSetWriter(p.w), progressbar.OptionEnableColorCodes(p.color),
			progressbar.OptionSetWidth(24), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetElapsedTime(true))
	}
	if e.Total != p.total {
		p.total = e.Total
		p.bar.ChangeMax(e.Total)
	}
	p.bar.Describe(e.Stage + ": " + e.Message)
	_ = p.bar.Set(e.Done)
	if e.Finished {
		p.finish()
	}
}

// line writes an event as one timestamped line when it starts another
// phase (its first word differs from the last line's), finishes one, or two
// seconds have passed: a log gets a line per phase, not one per object.
func (p *progressView) line(e rightsize.Progress) {
	now := p.now()
	if e.Message == p.last || (firstWord(e.Message) == firstWord(p.last) && !e.Finished && now.Sub(p.lastAt) < 2*time.Second) {
		return
	}
	p.last, p.lastAt = e.Message, now
	count := ""
	if e.Total > 0 {
		count = fmt.Sprintf(" [%d/%d]", e.Done, e.Total)
	}
	fmt.Fprintf(p.w, "%s %s: %s%s\n", now.UTC().Format(time.RFC3339), e.Stage, e.Message, count)
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " :"); i >= 0 {
		return s[:i]
	}
	return s
}

func (p *progressView) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// Close removes a bar still on the screen.
func (p *progressView) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finish()
}

// lines adapts a writer of log lines (the control plane's build) to
// events: each line is a unit done of an unknown total.
type lines struct {
	p     *progressView
	stage string
	n     int
	buf   bytes.Buffer
}

func (l *lines) Write(b []byte) (int, error) {
	l.buf.Write(b)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(bytes.TrimSpace(l.buf.Next(i + 1)))
		if line == "" {
			continue
		}
		l.n++
		msg := line
		if !l.p.tty && l.n%100 != 0 && !bytes.HasPrefix([]byte(line), []byte("waiting")) {
			continue // a line per package is too many in a log
		}
		if !l.p.tty {
			msg = fmt.Sprintf("%d packages built, now %s", l.n, line)
		}
		l.p.Event(rightsize.Progress{Stage: l.stage, Message: msg, Done: l.n})
	}
}
