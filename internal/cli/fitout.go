package cli

import (
	"context"
	"io"
	"os"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rightsize/rightsize"
)

// fitOutput are fit's flags for the shape of its manifests: plain files or
// a Kustomize overlay under --out, and a diff instead of the manifests.
type fitOutput struct {
	outFormat string
	diff      bool
	progress  *progressView
}

// bigApp is the object count from which fit shows its stages as progress:
// smaller apps fit in well under a second.
const bigApp = 1000

func (f *fitOutput) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.outFormat, "out-format", "files", "what --out holds: files (one per object) or kustomize (an overlay over the input files: kustomization.yaml, one patch per changed object)")
	fs.BoolVar(&f.diff, "diff", false, "write a unified diff of every object before and after (as kubectl diff) to standard output instead of the manifests")
}

func (f *fitOutput) check(out string) error {
	switch f.outFormat {
	case "files":
	case "kustomize":
		if out == "" {
			return usageError("--out-format kustomize needs --out DIR")
		}
	default:
		return usageError("--out-format %q: want files or kustomize", f.outFormat)
	}
	return nil
}

// manifestsOnStdout tells whether fit's standard output carries data
// (manifests or a diff), so that the report goes elsewhere.
func (f *fitFlags) manifestsOnStdout() bool { return f.out == "" || f.diff }

// writeFitted writes the fitted app where the flags say: a diff against
// the input, a Kustomize overlay, files, or a stream.
func (f *fitFlags) writeFitted(ctx context.Context, s Streams, app *rightsize.App, res *rightsize.FitResult, inputs []string) error {
	if f.diff {
		if _, err := res.App.WriteDiff(s.Out, app, rightsize.DiffOptions{Color: colorTerminal(s.Out)}); err != nil {
			return err
		}
		if f.out == "" {
			return nil
		}
	}
	if f.outFormat == "kustomize" {
		return res.App.WriteOverlay(ctx, f.out, app, rightsize.OverlayOptions{Replace: f.force, Inputs: inputs, Changes: res.Report.Changes})
	}
	return f.writeManifests(ctx, s, res.App, inputs)
}

// colorTerminal tells whether w is a terminal that may show colour: not
// when NO_COLOR is set (no-color.org) or TERM is dumb.
func colorTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
