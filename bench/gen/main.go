// Command gen writes a synthetic application of N workloads as one
// multi-document YAML stream, deterministically from a seed, for benchmarks:
//
//	go run ./bench/gen -n 5000 > /tmp/app.yaml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/rightsize/rightsize/bench/gen/appgen"
)

func main() {
	n := flag.Int("n", 5000, "number of workloads")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	if err := appgen.Write(w, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
