package buildsrc

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed module
var files embed.FS

// Versions of what the module builds; a test checks that go.mod says the same.
const (
	Kubernetes = "v1.37.2"
	Etcd       = "v3.7.3"
)

// Commands are the binaries the module builds, by file name.
func Commands() []string {
	return []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}
}

// packages are the import paths of Commands, in the same order, relative to
// the module root.
func packages() []string {
	return []string{
		"./etcd",
		"k8s.io/kubernetes/cmd/kube-apiserver",
		"k8s.io/kubernetes/cmd/kube-controller-manager",
		"k8s.io/kubernetes/cmd/kube-scheduler",
	}
}

// ldflags strip debug information (the binaries are large enough) and give
// the Kubernetes binaries their real version, which they report and which
// the apiserver's compatibility-version checks read.
func ldflags() string {
	minor := strings.Split(strings.TrimPrefix(Kubernetes, "v"), ".")[1]
	return "-s -w" +
		" -X k8s.io/component-base/version.gitVersion=" + Kubernetes +
		" -X k8s.io/component-base/version.gitMajor=1" +
		" -X k8s.io/component-base/version.gitMinor=" + minor
}

// BuildArgs returns the arguments of the `go` command that builds every
// command into outDir, to be run in a directory written by WriteModule.
// -v lists packages as they compile, which callers turn into progress.
func BuildArgs(outDir string) []string {
	args := []string{"build", "-v", "-trimpath", "-ldflags=" + ldflags(), "-o", outDir + string(filepath.Separator)}
	return append(args, packages()...)
}

// WriteModule writes the module's files into dir, without the ".txt" suffix.
func WriteModule(dir string) error {
	return fs.WalkDir(files, "module", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "module/"), ".txt")
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("writing control plane module: %w", err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return fmt.Errorf("writing control plane module: %w", err)
		}
		return nil
	})
}

// Version names one build: the Kubernetes and etcd versions and a digest of
// the module's files and build flags, so that any change to them selects a
// fresh cache directory.
func Version() string {
	h := sha256.New()
	_ = fs.WalkDir(files, "module", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
		h.Write(data)
		return nil
	})
	fmt.Fprintf(h, "%q", BuildArgs("out"))
	return fmt.Sprintf("%s-etcd-%s-%s", Kubernetes, Etcd, hex.EncodeToString(h.Sum(nil))[:8])
}
