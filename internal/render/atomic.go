package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Temporary names are ".NAME.tmp-PID-RANDOM" (the new contents) and
// ".NAME.old-PID-RANDOM" (the previous contents of a directory being
// replaced), next to NAME. The process id lets a later run tell the
// leftovers of a killed run from the work of one still running.
func tempPattern(base, kind string) string {
	return "." + base + "." + kind + "-" + strconv.Itoa(os.Getpid()) + "-"
}

// WriteFile writes data to path atomically: into a temporary file in the
// same directory, then renamed over path. A reader (or a crash) sees the old
// contents or the new, never a mix; a hard link to the old file keeps the old
// contents. Leftovers of a killed earlier run next to path are removed first.
func WriteFile(ctx context.Context, path string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	clean := filepath.Clean(path)
	dir, base := filepath.Dir(clean), filepath.Base(clean)
	if st, err := os.Stat(clean); err == nil && st.IsDir() {
		return fmt.Errorf("writing %s: is a directory", path)
	}
	removeStale(dir, base)
	f, err := os.CreateTemp(dir, tempPattern(base, "tmp"))
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, clean); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	ok = true
	return nil
}

// removeStale removes the temporary files and directories that an earlier,
// killed run left next to dir/base. When the kill came between moving the
// previous contents aside and moving the new ones in, the previous contents
// are put back first.
func removeStale(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	target := filepath.Join(dir, base)
	for _, kind := range []string{"old", "tmp"} {
		prefix := "." + base + "." + kind + "-"
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, prefix) || !staleOwner(name[len(prefix):]) {
				continue
			}
			p := filepath.Join(dir, name)
			if kind == "old" {
				prev := filepath.Join(p, "previous")
				_, perr := os.Lstat(prev)
				if _, err := os.Lstat(target); perr == nil && errors.Is(err, os.ErrNotExist) {
					if os.Rename(prev, target) != nil {
						continue // keep it: it may be the only copy
					}
				}
			}
			os.RemoveAll(p)
		}
	}
}

// staleOwner is true when rest ("PID-RANDOM") names a process that is no
// longer running, or names no process at all (an older naming scheme).
func staleOwner(rest string) bool {
	pidText, _, ok := strings.Cut(rest, "-")
	if !ok {
		return true
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return true
	}
	if pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}
