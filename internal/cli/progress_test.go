package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rightsize/rightsize"
)

func fixedNow() time.Time { return time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC) }

// TestProgressLines: off a terminal every new message is one timestamped
// line with its count, repeats are dropped, and --quiet shows nothing.
func TestProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := &progressView{w: &b, now: fixedNow}
	for _, e := range []rightsize.Progress{
		{Stage: "verify", Message: "creating Deployment/web", Done: 0, Total: 2},
		{Stage: "verify", Message: "creating Deployment/db", Done: 1, Total: 2}, // same phase, same second
		{Stage: "verify", Message: "waiting: 1 of 3 pods", Done: 1, Total: 3},
		{Stage: "verify", Message: "waiting: 1 of 3 pods", Done: 1, Total: 3},
		{Stage: "verify", Message: "waiting: 3 of 3 pods", Done: 3, Total: 3, Finished: true},
	} {
		p.Event(e)
	}
	p.Close()
	want := "2026-12-06T16:00:00Z verify: creating Deployment/web [0/2]\n" +
		"2026-12-06T16:00:00Z verify: waiting: 1 of 3 pods [1/3]\n" +
		"2026-12-06T16:00:00Z verify: waiting: 3 of 3 pods [3/3]\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	var q bytes.Buffer
	quiet := &progressView{w: &q, quiet: true, now: fixedNow}
	quiet.Event(rightsize.Progress{Stage: "verify", Message: "x"})
	if q.Len() != 0 {
		t.Errorf("--quiet printed %q", q.String())
	}
	var none *progressView
	none.Event(rightsize.Progress{Stage: "verify"}) // a command without a view
	none.Close()
}

// TestProgressBar: on a terminal the events drive a bar that names the
// stage and message and ends its line when finished; without colour it
// writes no colour codes.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := &progressView{w: &b, tty: true, now: fixedNow}
	p.Event(rightsize.Progress{Stage: "verify", Message: "waiting: 1 of 4 pods", Done: 1, Total: 4})
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	p.Event(rightsize.Progress{Stage: "verify", Message: "waiting: 4 of 4 pods", Done: 4, Total: 4, Finished: true})
	out := b.String()
	if !strings.Contains(out, "verify: waiting: 1 of 4 pods") || !strings.Contains(out, "1/4") {
		t.Errorf("bar lacks stage, message or count: %q", out)
	}
	if strings.Contains(out, "\x1b[3") {
		t.Errorf("colour codes without colour: %q", out)
	}
}

// TestProgressBuildLines: the control plane's build log (a line per
// package) becomes a line per hundred packages off a terminal.
func TestProgressBuildLines(t *testing.T) {
	var b bytes.Buffer
	l := &lines{p: &progressView{w: &b, now: fixedNow}, stage: "control plane"}
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(l, "k8s.io/pkg%d\n", i)
	}
	got := strings.Count(b.String(), "\n")
	if got != 2 || !strings.Contains(b.String(), "control plane: 200 packages built, now k8s.io/pkg200") {
		t.Errorf("want 2 lines (100, 200), got %d:\n%s", got, b.String())
	}
}

// TestQuietFlag: every command accepts --quiet.
func TestQuietFlag(t *testing.T) {
	code, _, errs := runCLI("analyze", "../../examples/shop", "--quiet")
	if code != 0 && code != 3 {
		t.Errorf("analyze --quiet: exit %d: %s", code, errs)
	}
}
