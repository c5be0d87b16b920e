// Package fuzzseed finds seed inputs for fuzz targets: the files of a
// package's testdata and of the shared corpus of real applications
// (../shared/corpus from the repository), read in place at test time and
// never copied into the repository. Only tests import it.
package fuzzseed

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
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
