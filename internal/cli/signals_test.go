package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT and SIGTERM cancel the command's context (and do not kill the
// process, which must first remove its temporary files).
func TestSignalsCancel(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		ctx, stop := signalContext(func() { t.Errorf("one %v forced the exit", sig) })
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			stop()
			t.Skip(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Errorf("%v did not cancel the context", sig)
		}
		stop()
	}
}

// A second signal forces the exit, for work that does not stop when asked.
func TestSecondSignalForces(t *testing.T) {
	forced := make(chan struct{}, 2)
	ctx, stop := signalContext(func() { forced <- struct{}{} })
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Skip(err)
	}
	<-ctx.Done()
	select {
	case <-forced:
		t.Fatal("the first signal forced the exit")
	case <-time.After(200 * time.Millisecond):
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-forced:
	case <-time.After(5 * time.Second):
		t.Fatal("a second signal did not force the exit")
	}
}

func names(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// An interrupted convert or fit leaves no temporary file or directory and
// leaves an earlier output as it was.
func TestInterruptedWriteLeavesNothing(t *testing.T) {
	app := writeCompose(t, convertCompose)
	root := t.TempDir()
	out := filepath.Join(root, "out")
	report := filepath.Join(root, "report.txt")
	if code, _, stderr := runCLI("convert", app, "--out", out, "--report", report); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := names(t, out)
	oldReport, _ := os.ReadFile(report)
	// The interrupted runs would write other objects.
	other := writeCompose(t, strings.Replace(convertCompose, "services:\n", "services:\n  cache:\n    image: redis\n", 1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as a SIGINT would
	for _, args := range [][]string{
		{"convert", other, "--out", out, "--force", "--report", report},
		{"fit", other, "--out", out, "--force", "--report", report},
	} {
		var o, e bytes.Buffer
		cmd := newRoot(Streams{In: strings.NewReader(""), Out: &o, Err: &e})
		cmd.SetArgs(args)
		err := cmd.ExecuteContext(ctx)
		if err == nil || !interrupted(ctx, err) {
			t.Errorf("%s: err = %v, want an interruption", args[0], err)
		}
		if got := names(t, root); got != "out report.txt" {
			t.Errorf("%s: left beside the outputs: %s", args[0], got)
		}
		if got := names(t, out); got != before {
			t.Errorf("%s: earlier output changed: %s, was %s", args[0], got, before)
		}
		if b, _ := os.ReadFile(report); !bytes.Equal(b, oldReport) {
			t.Errorf("%s: earlier report changed", args[0])
		}
	}
}
