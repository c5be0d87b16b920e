package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rightsize/rightsize/internal/model"
)

// DirOptions controls WriteDir.
type DirOptions struct {
	Format Format
	// Force allows replacing a directory that already holds files.
	Force bool
	// Inputs are the paths the app was read from: the output may not be one
	// of them, lie inside one, or hold one.
	Inputs []string
	// Check, when set, is called with the staging directory once every file
	// is written there and before it replaces dir; an error leaves dir as it
	// was. The staging directory is a sibling of dir, so relative paths that
	// leave dir resolve the same from it.
	Check func(staged string) error
}

// File is one file of a directory output: its slash-separated path relative
// to the directory, and its contents.
type File struct {
	Path string
	Data []byte
}

// WriteDir writes one file per object under dir, atomically: the files are
// written into a temporary directory next to dir, which is then renamed into
// place, so that dir holds either the old contents or the whole new set.
func WriteDir(dir string, objs []*model.Object, opts DirOptions) error {
	if opts.Format == "" {
		opts.Format = YAML
	}
	// Encode everything before touching the disk.
	files := make([]File, len(objs))
	for i, o := range objs {
		b, err := Encode(o, opts.Format)
		if err != nil {
			return err
		}
		files[i] = File{Path: FileName(i, o, opts.Format), Data: b}
	}
	return WriteFiles(dir, files, opts)
}

// WriteFiles writes files under dir with the same guarantees as WriteDir:
// never over an input, never into a non-empty dir without Force, and
// atomically.
func WriteFiles(dir string, files []File, opts DirOptions) error {
	if err := CheckOutput(dir, opts.Inputs); err != nil {
		return err
	}
	exists := false
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("output %s: exists and is not a directory", dir)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		if len(entries) > 0 && !opts.Force {
			return fmt.Errorf("output %s: directory is not empty (use --force to replace it)", dir)
		}
		exists = true
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	clean := filepath.Clean(dir)
	parent := filepath.Dir(clean)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(clean)+".tmp-")
	if err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
	}
	if opts.Check != nil {
		if err := opts.Check(tmp); err != nil {
			return err
		}
	}
	if !exists {
		if err := os.Rename(tmp, clean); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		done = true
		return nil
	}
	// The previous contents move aside under a fresh name (os.Rename does
	// not replace directories), and are removed once the new set is in place.
	oldParent, err := os.MkdirTemp(parent, "."+filepath.Base(clean)+".old-")
	if err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	old := filepath.Join(oldParent, "previous")
	if err := os.Rename(clean, old); err != nil {
		os.Remove(oldParent)
		return fmt.Errorf("output %s: %w", dir, err)
	}
	if err := os.Rename(tmp, clean); err != nil {
		if rerr := os.Rename(old, clean); rerr != nil {
			return fmt.Errorf("output %s: %w (previous contents left in %s)", dir, err, old)
		}
		return fmt.Errorf("output %s: %w", dir, err)
	}
	done = true
	if err := os.RemoveAll(oldParent); err != nil {
		return fmt.Errorf("output %s: removing previous contents %s: %w", dir, old, err)
	}
	return nil
}

// CheckOutput refuses an output path (a directory or a file) that is an
// input, lies inside an input directory, or contains an input. Inputs named
// "-" (standard input) are skipped.
func CheckOutput(out string, inputs []string) error {
	o, err := resolve(out)
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	for _, in := range inputs {
		if in == "-" || in == "" {
			continue
		}
		i, err := resolve(in)
		if err != nil {
			return fmt.Errorf("input %s: %w", in, err)
		}
		switch {
		case o == i:
			return fmt.Errorf("output %s: is the input %s; choose another path", out, in)
		case within(o, i):
			return fmt.Errorf("output %s: is inside the input directory %s; choose another path", out, in)
		case within(i, o):
			return fmt.Errorf("output %s: holds the input %s; choose another path", out, in)
		}
	}
	return nil
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
