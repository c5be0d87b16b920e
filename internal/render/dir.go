package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

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
// When ctx is cancelled (an interrupt), the temporary directory is removed
// and dir is left as it was.
func WriteDir(ctx context.Context, dir string, objs []*model.Object, opts DirOptions) error {
	if opts.Format == "" {
		opts.Format = YAML
	}
	// Encode everything before touching the disk.
	docs, err := EncodeAll(objs, opts.Format)
	if err != nil {
		return err
	}
	files := make([]File, len(objs))
	for i, o := range objs {
		files[i] = File{Path: FileName(i, o, opts.Format), Data: docs[i]}
	}
	return WriteFiles(ctx, dir, files, opts)
}

// WriteFiles writes files under dir with the same guarantees as WriteDir:
// never over an input, never into a non-empty dir without Force, atomically.
func WriteFiles(ctx context.Context, dir string, files []File, opts DirOptions) error {
	if err := CheckOutput(dir, opts.Inputs); err != nil {
		return err
	}
	clean := filepath.Clean(dir)
	parent := filepath.Dir(clean)
	removeStale(parent, filepath.Base(clean))
	exists, err := checkDir(clean, opts.Force)
	if err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, tempPattern(filepath.Base(clean), "tmp"))
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
	if err := writeAll(ctx, tmp, files); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	if opts.Check != nil {
		if err := opts.Check(tmp); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	if err := replaceDir(tmp, clean, exists); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	done = true
	return nil
}

// checkDir tells whether dir exists, refusing a file and, without force, a
// directory that holds anything.
func checkDir(dir string, force bool) (bool, error) {
	st, err := os.Stat(dir)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !st.IsDir() {
		return false, fmt.Errorf("exists and is not a directory")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) > 0 && !force {
		return false, fmt.Errorf("directory is not empty (use --force to replace it)")
	}
	return true, nil
}

// replaceDir renames tmp to dir. An existing dir first moves aside under a
// fresh name (os.Rename does not replace directories), and is removed once
// the new set is in place.
func replaceDir(tmp, dir string, exists bool) error {
	if !exists {
		return os.Rename(tmp, dir)
	}
	oldParent, err := os.MkdirTemp(filepath.Dir(dir), tempPattern(filepath.Base(dir), "old"))
	if err != nil {
		return err
	}
	old := filepath.Join(oldParent, "previous")
	if err := os.Rename(dir, old); err != nil {
		os.Remove(oldParent)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w (previous contents left in %s)", err, old)
		}
		os.Remove(oldParent)
		return err
	}
	if err := os.RemoveAll(oldParent); err != nil {
		return fmt.Errorf("removing previous contents %s: %w", old, err)
	}
	return nil
}

// writeAll writes files under dir: the directories first, then the files
// by several workers (creating a file is a system call that waits on the
// file system, thousands of them for a large app); the error is the one of
// the first file in order that failed.
func writeAll(ctx context.Context, dir string, files []File) error {
	made := map[string]bool{}
	for _, f := range files {
		d := filepath.Dir(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
	}
	errs := make([]error, len(files))
	next := make(chan int, len(files))
	for i := range files {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < 4 && w < len(files); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if errs[i] = ctx.Err(); errs[i] != nil {
					continue
				}
				errs[i] = os.WriteFile(filepath.Join(dir, filepath.FromSlash(files[i].Path)), files[i].Data, 0o644)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
