package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
	ExitNoFit = 3
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// noFit is returned by commands whose verdict is "does not fit": the report
// has been printed, only the exit code remains.
var noFit = &exitError{code: ExitNoFit}

func usageError(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// Streams are the terminal streams.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// gcPercent sets the garbage collector's target to percent of the live
// heap unless the user set GOGC, and returns what restores the previous.
func gcPercent(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(prev) }
}

// Run runs rightsize with args and returns the exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runAs(args, stdin, stdout, stderr, false)
}

func runAs(args []string, stdin io.Reader, stdout, stderr io.Writer, plugin bool) int {
	s := Streams{In: stdin, Out: stdout, Err: stderr}
	root := newRoot(s)
	if plugin {
		root.Use = "kubectl rightsize"
		root.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl rightsize"}
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, stop := signalContext(func() {
		fmt.Fprintf(stderr, "rightsize: interrupted again; exiting at once (a temporary folder left behind is removed by the next run into the same place)\n")
		os.Exit(ExitInterrupted)
	})
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if interrupted(ctx, err) {
		fmt.Fprintf(stderr, "rightsize: interrupted; temporary files removed, earlier outputs left as they were\n")
		return ExitInterrupted
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "rightsize: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "rightsize: %v\n", err)
	if isUsage(err) {
		return ExitUsage
	}
	return ExitError
}

// flagErr marks errors raised by flag parsing, which cobra returns unwrapped.
type flagErr struct{ error }

func isUsage(err error) bool {
	var fe flagErr
	if errors.As(err, &fe) {
		return true
	}
	// cobra's own argument and command errors are not typed.
	msg := err.Error()
	for _, p := range []string{"unknown command", "requires at least", "accepts ", "requires exactly", "accepts at most", "accepts between"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "rightsize",
		Short:         "Fit multi-container applications into constrained Kubernetes targets",
		SilenceUsage:  true,
		SilenceErrors: true,
		// --env: an environment's settings are the defaults of the flags.
		PersistentPreRunE: applyEnv,
	}
	root.PersistentFlags().Bool("quiet", false, "show no progress on standard error (building, waiting, sampling)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flagErr{fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())}
	})
	root.AddCommand(
		newAnalyze(s),
		newPlans(s),
		newFit(s),
		newRecommend(s),
		newSim(s),
		newVerify(s),
		newConvert(s),
		newApply(s),
		newDelete(s),
		newEnv(s),
		newVersion(s),
	)
	registerCompletions(root)
	// --version prints what 'rightsize version' prints.
	var version bool
	root.Flags().BoolVar(&version, "version", false, "print the version and exit")
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if version {
			return writeVersion(s.Out)
		}
		return cmd.Help()
	}
	return root
}
