// Command gen writes a synthetic application of N workloads as one
// multi-document YAML stream, deterministically from a seed, for benchmarks:
//
//	go run ./bench/gen -n 5000 > /tmp/app.yaml
//	go run ./bench/gen -compose -n 1000 > /tmp/compose.yaml
//	go run ./bench/gen -wide -n 5000 > /tmp/wide.yaml
//	go run ./bench/gen -target roomy -n 5000 > /tmp/roomy.yaml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rightsize/rightsize/bench/gen/appgen"
)

func main() {
	n := flag.Int("n", 5000, "number of workloads")
	seed := flag.Uint64("seed", 1, "random seed")
	compose := flag.Bool("compose", false, "write a Compose file of N services instead of Kubernetes YAML")
	wide := flag.Bool("wide", false, "write the other shape of app: four namespaces, 2-5 containers a pod, many Services, ConfigMaps, Secrets and claims")
	tgt := flag.String("target", "", "write a target for a -wide app of N workloads instead: roomy, counts or nodes")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	write := appgen.Write
	switch {
	case *tgt != "":
		write = func(w io.Writer, n int, _ uint64) error { return appgen.WriteTarget(w, *tgt, n) }
	case *compose:
		write = appgen.WriteCompose
	case *wide:
		write = appgen.WriteWide
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
