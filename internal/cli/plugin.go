package cli

import (
	"io"
	"path/filepath"
	"strings"
)

// PluginName is the name under which kubectl finds rightsize as a plugin
// (kubectl-rightsize on PATH runs as 'kubectl rightsize').
const PluginName = "kubectl-rightsize"

// Main runs rightsize with the whole argument vector, program name
// included: installed as kubectl-rightsize it speaks as 'kubectl
// rightsize' in help and errors.
func Main(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var args []string
	if len(argv) > 0 {
		args = argv[1:]
	}
	return runAs(args, stdin, stdout, stderr, isPlugin(argv))
}

// isPlugin reports whether argv[0] names the kubectl plugin
// (kubectl-rightsize, kubectl-rightsize.exe, or a path to it).
func isPlugin(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	base := strings.TrimSuffix(filepath.Base(argv[0]), ".exe")
	return base == PluginName
}
