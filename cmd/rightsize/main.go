// Command rightsize tells whether a multi-container application fits a
// constrained Kubernetes target, and rewrites it so that it does.
package main

import (
	"io"
	"log"
	"os"

	"github.com/sirupsen/logrus"

	"github.com/rightsize/rightsize/internal/cli"
)

func main() {
	stderr := quietLibraries()
	os.Exit(cli.Main(os.Args, os.Stdin, os.Stdout, stderr))
}

// quietLibraries configures the process once, at startup, before anything
// runs: the libraries rightsize loads apps with log their warnings
// (compose-go through logrus's global logger, kustomize through the log
// package and straight to os.Stderr), and rightsize reports those warnings
// as findings itself. The library never touches this process-wide state;
// the command, which owns the process, does. It returns the real standard
// error, which the command writes to.
func quietLibraries() *os.File {
	stderr := os.Stderr
	logrus.SetOutput(io.Discard)
	log.SetOutput(io.Discard)
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = null
	}
	return stderr
}
