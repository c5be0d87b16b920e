package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/model"
)

func TestCheckOutputHardLink(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "values.yaml")
	if err := os.WriteFile(in, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "other", "report.txt")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(in, link); err != nil {
		t.Skip(err)
	}
	err := CheckOutput(link, []string{in})
	if err == nil || !strings.Contains(err.Error(), "is the input") {
		t.Errorf("a hard link to an input was accepted as output: %v", err)
	}
	// A bind-mount-like alias of a directory: the identity of an ancestor.
	dirLink := filepath.Join(root, "alias")
	if err := os.Symlink(root, dirLink); err != nil {
		t.Skip(err)
	}
	if err := CheckOutput(filepath.Join(dirLink, "out"), []string{root}); err == nil {
		t.Error("an output inside an input directory, reached through an alias, was accepted")
	}
}

func TestWriteFileIsAtomicAndSparesLinks(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "target.yaml")
	if err := os.WriteFile(in, []byte("input\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(root, "report.txt")
	if err := os.Link(in, report); err != nil {
		t.Skip(err)
	}
	if err := WriteFile(context.Background(), report, []byte("report\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(in); string(b) != "input\n" {
		t.Errorf("writing through a hard link changed the input: %q", b)
	}
	if b, _ := os.ReadFile(report); string(b) != "report\n" {
		t.Errorf("report = %q", b)
	}
	if got := strings.Join(listDir(t, root), " "); got != "report.txt target.yaml" {
		t.Errorf("left behind: %s", got)
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	return cmd.Process.Pid
}

func TestStaleTemporariesRemoved(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	pid := deadPID(t)
	// A killed run left a half-written directory and a report temp file.
	stale := filepath.Join(root, fmt.Sprintf(".out.tmp-%d-123", pid))
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "0001-x.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A live process's temporary directory is not touched.
	live := filepath.Join(root, fmt.Sprintf(".out.tmp-%d-456", os.Getppid()))
	if err := os.Mkdir(live, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, fmt.Sprintf(".r.txt.tmp-%d-9", pid)), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(context.Background(), out, []*model.Object{deployment("web")}, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), filepath.Join(root, "r.txt"), []byte("r")); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(".out.tmp-%d-456 out r.txt", os.Getppid())
	if got := strings.Join(listDir(t, root), " "); got != want {
		t.Errorf("after the run: %s, want %s", got, want)
	}
}

func TestStalePreviousContentsRestored(t *testing.T) {
	root := t.TempDir()
	pid := deadPID(t)
	// Killed between moving out/ aside and moving the new set in.
	prev := filepath.Join(root, fmt.Sprintf(".out.old-%d-1", pid), "previous")
	if err := os.MkdirAll(prev, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prev, "keep.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteDir(context.Background(), filepath.Join(root, "out"), []*model.Object{deployment("web")}, DirOptions{})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("the restored earlier output must count as existing: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "out", "keep.yaml")); err != nil {
		t.Errorf("earlier output not restored: %v", err)
	}
	if got := strings.Join(listDir(t, root), " "); got != "out" {
		t.Errorf("left behind: %s", got)
	}
}

func TestWriteDirCancelled(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	if err := WriteDir(context.Background(), out, []*model.Object{deployment("old")}, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var objs []*model.Object
	for i := 0; i < 50; i++ {
		objs = append(objs, deployment(fmt.Sprintf("web-%d", i)))
	}
	err := WriteDir(ctx, out, objs, DirOptions{Force: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := strings.Join(listDir(t, root), " "); got != "out" {
		t.Errorf("left behind: %s", got)
	}
	if got := strings.Join(listDir(t, out), " "); got != "0001-deployment-old.yaml" {
		t.Errorf("earlier output changed: %s", got)
	}
	if err := WriteFile(ctx, filepath.Join(root, "r.txt"), []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFile after cancel: %v", err)
	}
}

func TestLongNamesGetHashedFileNames(t *testing.T) {
	a := deployment(strings.Repeat("a", 250) + "x")
	b := deployment(strings.Repeat("a", 250) + "y")
	na, nb := FileName(0, a, YAML), FileName(0, b, YAML)
	if len(na) > 255 || len(nb) > 255 || na == nb {
		t.Fatalf("file names %q (%d) and %q (%d): want distinct and short", na, len(na), nb, len(nb))
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := WriteDir(context.Background(), out, []*model.Object{a, b}, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(listDir(t, out)); n != 2 {
		t.Errorf("%d files, want 2", n)
	}
	if got := FileName(0, deployment("web"), YAML); got != "0001-deployment-web.yaml" {
		t.Errorf("short name changed: %s", got)
	}
}
