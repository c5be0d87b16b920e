// Command rightsize tells whether a multi-container application fits a
// constrained Kubernetes target, and rewrites it so that it does.
package main

import (
	"os"

	"github.com/rightsize/rightsize/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
