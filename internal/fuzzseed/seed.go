// Package fuzzseed finds seed inputs for fuzz targets: the files of a
// package's testdata and of the shared corpus of real applications
// (../shared/corpus from the repository), read in place at test time and
// never copied into the repository. Only tests import it.
package fuzzseed

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// MaxSeed is the largest seed kept by default: a fuzzer mutates small
// inputs fastest, and a large valid input makes every execution slow.
const MaxSeed = 8 << 10

// Corpus is the shared corpus directory, whether or not it exists.
func Corpus() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
}

// Files returns the contents of the regular files under the roots whose
// base name matches (a name, or an extension such as ".yaml"), in path
// order, at most max of them. Missing roots are skipped.
func Files(max int, match []string, roots ...string) [][]byte {
	return FilesUnder(MaxSeed, max, match, roots...)
}

// FilesUnder is Files for seeds of at most size bytes.
func FilesUnder(size int64, max int, match []string, roots ...string) [][]byte {
	var paths []string
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			base := d.Name()
			for _, m := range match {
				if base == m || (strings.HasPrefix(m, ".") && strings.HasSuffix(strings.ToLower(base), m)) {
					paths = append(paths, p)
					break
				}
			}
			return nil
		})
	}
	sort.Strings(paths)
	var out [][]byte
	for _, p := range paths {
		if len(out) >= max {
			break
		}
		st, err := os.Stat(p)
		if err != nil || st.Size() > size {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// Watch helps find the inputs that make a fuzz target slow: with FUZZ_SLOW
// set to a duration (FUZZ_SLOW=200ms go test -fuzz ...), an execution that
// runs longer has its inputs written to $FUZZ_SLOW_DIR (default the
// temporary directory) as slow-PID-N-I, each input in its own file. Call it
// first in the fuzz function: defer fuzzseed.Watch(data)(). Unset, it costs
// nothing.
func Watch(inputs ...[]byte) (stop func()) {
	limit, err := time.ParseDuration(os.Getenv("FUZZ_SLOW"))
	if err != nil || limit <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(limit):
			dir := os.Getenv("FUZZ_SLOW_DIR")
			if dir == "" {
				dir = os.TempDir()
			}
			n := slowCount.Add(1)
			for i, in := range inputs {
				name := filepath.Join(dir, fmt.Sprintf("slow-%d-%d-%d", os.Getpid(), n, i))
				_ = os.WriteFile(name, in, 0o644)
			}
		}
	}()
	return func() { close(done) }
}

var slowCount atomic.Int64
