//go:build unix

package kubebin

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestLockFileExcludes: a second holder waits (and is told so) until the
// first lets go; flock also excludes between processes, which is what
// parallel test packages building the binaries rely on.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build.lock")
	unlock, err := lockFile(context.Background(), path, func() { t.Error("the first lock waited") })
	if err != nil {
		t.Fatal(err)
	}
	told := false
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path, func() { told = true }); err == nil {
		t.Fatal("a second lock succeeded while the first was held")
	}
	if !told {
		t.Error("the second holder was not told that it waits")
	}
	unlock()
	again, err := lockFile(context.Background(), path, func() { t.Error("waited for a released lock") })
	if err != nil {
		t.Fatal(err)
	}
	again()
}
