// Command gen writes a synthetic application of N workloads as one
// multi-document YAML stream, deterministically from a seed, for benchmarks:
//
//	go run ./bench/gen -n 5000 > /tmp/app.yaml
//	go run ./bench/gen -compose -n 1000 > /tmp/compose.yaml
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
	compose := flag.Bool("compose", false, "write a Compose file of N services instead of Kubernetes YAML")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	write := appgen.Write
	if *compose {
		write = appgen.WriteCompose
	}
	if err := write(w, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
