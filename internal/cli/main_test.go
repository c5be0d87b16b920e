package cli

import (
	"os"
	"testing"
)

// envRunCLI makes the test binary act as the rightsize binary, so that
// 'sim up', which starts 'rightsize sim serve' from os.Executable, can be
// tested: the child process is this test binary with that variable set.
const envRunCLI = "RIGHTSIZE_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envRunCLI) == "1" {
		os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
