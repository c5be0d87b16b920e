package kubebin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rightsize/rightsize/internal/kubebin/buildsrc"
)

// EnvKubeBin names the environment variable that points at a directory of
// control plane binaries, consulted after the --kube-bin flag.
const EnvKubeBin = "RIGHTSIZE_KUBE_BIN"

// CacheDir returns the directory Install builds into:
// $XDG_CACHE_HOME/rightsize/controlplane/<version> (os.UserCacheDir).
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory: %w", err)
	}
	return filepath.Join(base, "rightsize", "controlplane", buildsrc.Version()), nil
}

// ErrNoBinaries is returned by Find when no directory holds the binaries.
var ErrNoBinaries = errors.New("control plane binaries not found")

// Find returns the directory holding etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler: flagDir when set, else
// $RIGHTSIZE_KUBE_BIN, else the cache directory Install fills.
func Find(flagDir string) (string, error) {
	if flagDir != "" {
		return flagDir, complete(flagDir, "the given directory")
	}
	if env := os.Getenv(EnvKubeBin); env != "" {
		return env, complete(env, "$"+EnvKubeBin)
	}
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := complete(dir, "the cache"); err != nil {
		return "", fmt.Errorf("%w in %s; build them once with 'rightsize sim install' "+
			"(needs the Go toolchain and the Go module proxy, takes several minutes), "+
			"or name a directory (or $%s) holding %s",
			ErrNoBinaries, dir, EnvKubeBin, strings.Join(buildsrc.Commands(), ", "))
	}
	return dir, nil
}

// complete checks that dir holds every binary; from says who named dir.
func complete(dir, from string) error {
	var missing []string
	for _, c := range buildsrc.Commands() {
		fi, err := os.Stat(filepath.Join(dir, c))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s (%s) lacks %s", ErrNoBinaries, dir, from, strings.Join(missing, ", "))
	}
	return nil
}

// Install builds the control plane binaries into CacheDir unless they are
// there already, and returns the directory. It holds a file lock while it
// builds, so concurrent callers (parallel test packages, two terminals) wait
// for one build rather than run several; the result appears atomically (built
// in a temporary directory, then renamed). progress receives status lines.
func Install(ctx context.Context, progress io.Writer) (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if complete(dir, "the cache") == nil {
		return dir, nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", parent, err)
	}
	unlock, err := lockFile(ctx, dir+".lock", func() {
		fmt.Fprintf(progress, "waiting for another build of the control plane (%s.lock)\n", dir)
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if complete(dir, "the cache") == nil { // built while we waited
		return dir, nil
	}
	if err := build(ctx, parent, dir, progress); err != nil {
		return "", fmt.Errorf("building the control plane (Kubernetes %s, etcd %s): %w", buildsrc.Kubernetes, buildsrc.Etcd, err)
	}
	return dir, nil
}

func build(ctx context.Context, parent, dir string, progress io.Writer) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the Go toolchain (go 1.26 or newer) must be on PATH: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src, out := filepath.Join(tmp, "src"), filepath.Join(tmp, "bin")
	if err := buildsrc.WriteModule(src); err != nil {
		return err
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(progress, "building %s from the Go module proxy into %s\n", strings.Join(buildsrc.Commands(), ", "), dir)
	fmt.Fprintf(progress, "this downloads Kubernetes %s and etcd %s and takes several minutes the first time\n", buildsrc.Kubernetes, buildsrc.Etcd)
	cmd := exec.CommandContext(ctx, goBin, buildsrc.BuildArgs(out)...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = progress
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	tail := reportProgress(stderr, progress, start)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(buildsrc.BuildArgs("..."), " "), err, tail)
	}
	if err := complete(out, "the build"); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil { // an incomplete earlier attempt
		return err
	}
	if err := os.Rename(out, dir); err != nil {
		return fmt.Errorf("moving the binaries into place: %w", err)
	}
	fmt.Fprintf(progress, "built the control plane in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// reportProgress turns `go build -v` output (one line per package) into a
// status line every few seconds, and returns the lines that were not package
// names (compiler errors) for the error message.
func reportProgress(r io.Reader, progress io.Writer, start time.Time) string {
	var (
		n      int
		last   = time.Now()
		errors []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "go: downloading"):
			if time.Since(last) > 5*time.Second {
				fmt.Fprintf(progress, "  %s\n", strings.TrimPrefix(line, "go: "))
				last = time.Now()
			}
		case !strings.Contains(line, " ") && !strings.HasPrefix(line, "#"):
			n++
			if time.Since(last) > 10*time.Second {
				fmt.Fprintf(progress, "  compiled %d packages (%s)\n", n, time.Since(start).Round(time.Second))
				last = time.Now()
			}
		default:
			errors = append(errors, line)
		}
	}
	if len(errors) > 40 {
		errors = errors[len(errors)-40:]
	}
	return strings.Join(errors, "\n")
}

// Check returns an error (ErrNoBinaries) unless dir holds every binary;
// from says who named dir, for the message.
func Check(dir, from string) error { return complete(dir, from) }
