package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckOutput refuses an output path (a directory or a file) that is an
// input, lies inside an input directory, or contains an input: through the
// paths as given, through symbolic links, and through file identity (device
// and inode), so that a hard link or a bind mount of an input is refused
// too. Inputs named "-" (standard input) or "" are skipped.
func CheckOutput(out string, inputs []string) error {
	o, err := resolve(out)
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	oChain := chain(o)
	for _, in := range inputs {
		if in == "-" || in == "" {
			continue
		}
		i, err := resolve(in)
		if err != nil {
			return fmt.Errorf("input %s: %w", in, err)
		}
		iChain := chain(i)
		switch {
		case o == i || sameFile(oChain, iChain):
			return fmt.Errorf("output %s: is the input %s; choose another path", out, in)
		case within(o, i) || below(oChain, iChain):
			return fmt.Errorf("output %s: is inside the input directory %s; choose another path", out, in)
		case within(i, o) || below(iChain, oChain):
			return fmt.Errorf("output %s: holds the input %s; choose another path", out, in)
		}
	}
	return nil
}

// chain returns the identities of p (when it exists) and of each of its
// existing ancestors, p first. A missing p gives the chain of the deepest
// existing ancestor, with a nil first entry standing for p.
func chain(p string) []os.FileInfo {
	var out []os.FileInfo
	cur := p
	for {
		st, err := os.Stat(cur)
		if err == nil {
			out = append(out, st)
		} else {
			out = append(out, nil)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return out
		}
		cur = parent
	}
}

// sameFile is true when both paths exist and are the same file.
func sameFile(a, b []os.FileInfo) bool {
	return len(a) > 0 && len(b) > 0 && a[0] != nil && b[0] != nil && os.SameFile(a[0], b[0])
}

// below is true when one of p's strict ancestors is the directory dir.
func below(p, dir []os.FileInfo) bool {
	if len(dir) == 0 || dir[0] == nil || !dir[0].IsDir() {
		return false
	}
	for _, a := range p[1:] {
		if a != nil && os.SameFile(a, dir[0]) {
			return true
		}
	}
	return false
}

// resolve makes p absolute and follows symbolic links as far as p exists.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	cur := abs
	for {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether p lies strictly below dir.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return false
	}
	return rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
