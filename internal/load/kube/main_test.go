package kube

import (
	"flag"
	"os"
	"testing"
)

// TestMain caps the time the fuzzer spends minimizing each new input at 500
// calls, unless -fuzzminimizetime is given. Go minimizes every input that
// adds coverage, up to 60 s by default, and does not count those calls as
// executions: with a target that finds new coverage every few seconds, a
// short run (.ci/fuzz runs 5 s) reported 0 execs/s for most of its time
// while the workers ran thousands of decodes a second.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", "500x"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
