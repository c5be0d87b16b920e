package cli

import (
	"os"
	"strings"

	"github.com/rightsize/rightsize"
)

// inputs lists every file and directory a command reads: the positional
// paths and every file a flag names. None of them may be overwritten or
// removed by --out, --force or --report.
func (f *loadFlags) inputs(args []string) []string {
	in := append([]string(nil), args...)
	if f.target != "" {
		if _, err := os.Stat(f.target); err == nil {
			in = append(in, f.target)
		}
	}
	in = append(in, f.paramFiles...)
	in = append(in, f.values...)
	in = append(in, f.envFiles...)
	if f.answers != "" {
		in = append(in, f.answers)
	}
	return in
}

// checkOutputs refuses an --out or --report that is, holds or lies inside an
// input, and a --report inside --out (which --force replaces whole).
func (f *outputFlags) checkOutputs(inputs []string) error {
	for _, out := range []string{f.out, f.report} {
		if out != "" {
			if err := rightsize.CheckOutput(out, inputs); err != nil {
				return err
			}
		}
	}
	if f.out != "" && f.report != "" {
		if err := rightsize.CheckOutput(f.report, []string{f.out}); err != nil {
			return usageError("--report %s: is or lies inside --out %s; choose another path", f.report, f.out)
		}
	}
	return nil
}

// inputs adds a recorded --usage-from file to the files fit reads.
func (f *fitFlags) inputs(args []string) []string {
	return f.usageFrom.inputs(f.load.inputs(args))
}

// inputs adds the --usage-from file, when it is one, to in.
func (f *usageFlags) inputs(in []string) []string {
	live := strings.HasPrefix(f.from, "http://") || strings.HasPrefix(f.from, "https://") ||
		f.from == "metrics-server" || strings.HasPrefix(f.from, "metrics-server:")
	if f.from != "" && !live {
		in = append(in, f.from)
	}
	return in
}
