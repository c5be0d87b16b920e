package load

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Negative values are refused with the object and field, whatever the
// format, as the API server refuses them.
func TestNegativeNumbersRefused(t *testing.T) {
	for name, c := range map[string]struct{ doc, want string }{
		"negative request": {`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: a, image: x, resources: {requests: {memory: 20Gi}}}
  - {name: b, image: x, resources: {requests: {memory: -19Gi}}}
`, `Pod/p: spec.containers[1].resources.requests[memory]: Invalid value: "-19Gi": must be greater than or equal to 0`},
		"negative replicas": {`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: -100
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {containers: [{name: a, image: x}]}
`, `Deployment/d: spec.replicas: Invalid value: -100: must be greater than or equal to 0`},
		"negative quota": {`apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "-3"}}
`, `ResourceQuota/q: spec.hard[pods]: Invalid value: "-3"`},
		"configmap over 1 MiB": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: " + strings.Repeat("x", 600<<10) + "\n  b: " + strings.Repeat("y", 600<<10) + "\n",
			`ConfigMap/c: data: Too long: may not be more than 1048576 bytes`},
	} {
		t.Run(name, func(t *testing.T) {
			f := write(t, t.TempDir(), "app.yaml", c.doc)
			_, err := Load([]string{f}, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant it to hold %s", err, c.want)
			}
		})
	}
}

// A FIFO or a device among the inputs never blocks or exhausts memory.
func TestOnlyRegularFilesRead(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Skip(err)
	}
	done := make(chan struct{})
	var app *model.App
	var err error
	go func() {
		defer close(done)
		app, err = Load([]string{dir}, Options{})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("loading a directory holding a FIFO hangs")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Objects) != 1 || app.Objects[0].Name() != "c" {
		t.Errorf("objects = %v, want the one ConfigMap", app.Objects)
	}
	skipped := 0
	for _, f := range app.Findings {
		if strings.Contains(f.Message, "not a regular file") && (strings.Contains(f.Message, "pipe.yaml") || strings.Contains(f.Message, "zero.yaml")) {
			skipped++
		}
	}
	if skipped != 2 {
		t.Errorf("findings = %v, want the FIFO and the device named as skipped", app.Findings)
	}
}

func TestDeviceAsInputRefused(t *testing.T) {
	link := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Skip(err)
	}
	_, err := Load([]string{link}, Options{})
	if !errors.Is(err, limit.ErrNotRegular) {
		t.Errorf("err = %v, want not a regular file", err)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestStdinCapped(t *testing.T) {
	_, err := Load([]string{"-"}, Options{Stdin: io.Reader(endless{}), Limits: limit.Limits{Input: 1 << 20}})
	var le *limit.Error
	if !errors.As(err, &le) || le.Limit != "input" {
		t.Errorf("endless stdin: err = %v, want the input limit", err)
	}
}
