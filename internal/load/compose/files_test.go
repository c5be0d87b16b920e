package compose

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
)

// loadIn loads dir/compose.yaml without changing the working directory,
// with a deadline: a FIFO read by mistake would block for ever.
func loadIn(t *testing.T, dir, content string) ([]*model.Object, []model.Finding, []string, error) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		objs     []*model.Object
		findings []model.Finding
		err      error
	}
	var read []string
	done := make(chan result, 1)
	go func() {
		objs, findings, err := Load(dir, Options{OnRead: func(p string) { read = append(read, p) }})
		done <- result{objs, findings, err}
	}()
	select {
	case r := <-done:
		return r.objs, r.findings, read, r.err
	case <-time.After(20 * time.Second):
		t.Fatal("loading did not end: a FIFO was opened")
		return nil, nil, nil, nil
	}
}

// An env_file outside the app directory is read (relative to the Compose
// file, not the working directory) and reported, so that outputs are kept
// away from it; a FIFO or device given as one is refused, never opened.
func TestEnvFiles(t *testing.T) {
	root := t.TempDir()
	app := filepath.Join(root, "app")
	shared := filepath.Join(root, "shared")
	for _, d := range []string{app, shared} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := filepath.Join(shared, "web.env")
	if err := os.WriteFile(env, []byte("GREETING=hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "labels"), []byte("tier=web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, _, read, err := loadIn(t, app, "services:\n  web:\n    image: nginx\n    env_file: ../shared/web.env\n    label_file: labels\n")
	if err != nil {
		t.Fatal(err)
	}
	d := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
	if d == nil {
		t.Fatal("no Deployment/web")
	}
	found := false
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		found = found || (e.Name == "GREETING" && e.Value == "hello")
	}
	if !found {
		t.Errorf("env %v: want GREETING=hello from ../shared/web.env", d.Spec.Template.Spec.Containers[0].Env)
	}
	want := []string{filepath.Join(app, "../shared/web.env"), filepath.Join(app, "labels")}
	for _, w := range want {
		ok := false
		for _, r := range read {
			ok = ok || filepath.Clean(r) == filepath.Clean(w)
		}
		if !ok {
			t.Errorf("files reported read %v: want %s", read, w)
		}
	}

	fifo := filepath.Join(shared, "fifo.env")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for name, ref := range map[string]string{"fifo": "env_file: ../shared/fifo.env", "device": "env_file: /dev/zero", "label fifo": "label_file: ../shared/fifo.env"} {
		_, _, _, err := loadIn(t, app, "services:\n  web:\n    image: nginx\n    "+ref+"\n")
		if err == nil || !strings.Contains(err.Error(), limit.ErrNotRegular.Error()) || !strings.Contains(err.Error(), "services.web.") {
			t.Errorf("%s: err = %v, want a refusal naming services.web and saying it is not a regular file", name, err)
		}
	}
}

// compose-go's warnings become findings without its logger: an unset
// variable used without a default, an obsolete version key.
func TestWarningsAreFindings(t *testing.T) {
	_, findings, _, err := loadIn(t, t.TempDir(), "version: '3'\nservices:\n  web:\n    image: nginx:${TAG}\n    environment: {A: \"${DEFAULTED:-x}\"}\n")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range findings {
		msgs = append(msgs, f.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, `"TAG" variable is not set`) || !strings.Contains(all, "`version` is obsolete") {
		t.Errorf("findings %q: want the unset TAG and the obsolete version", msgs)
	}
	if strings.Contains(all, "DEFAULTED") {
		t.Errorf("findings %q: a variable with a default is not a warning", msgs)
	}
}

// Files compose-go reads itself (extends.file, include) are checked before
// it opens them, and reported.
func TestExtendsAndIncludeChecked(t *testing.T) {
	root := t.TempDir()
	app := filepath.Join(root, "app")
	if err := os.Mkdir(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "base.yaml"), []byte("services:\n  base:\n    image: nginx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, read, err := loadIn(t, app, "services:\n  web:\n    extends: {file: ../base.yaml, service: base}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 1 || filepath.Clean(read[0]) != filepath.Join(root, "base.yaml") {
		t.Errorf("files reported read %v: want ../base.yaml", read)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	// A file that extends a file that extends the FIFO, and one that
	// includes itself.
	if err := os.WriteFile(filepath.Join(root, "mid.yaml"), []byte("services:\n  mid:\n    extends: {file: fifo.yaml, service: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "self.yaml"), []byte("include: [self.yaml, fifo.yaml]\nservices:\n  s: {image: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		"services:\n  web:\n    extends: {file: ../mid.yaml, service: mid}\n",
		"include: [../self.yaml]\nservices:\n  web: {image: x}\n",
		"services:\n  web:\n    extends: {file: ../fifo.yaml, service: x}\n",
		"include: [../fifo.yaml]\nservices:\n  web: {image: x}\n",
		"include: [{path: /dev/zero}]\nservices:\n  web: {image: x}\n",
	} {
		if _, _, _, err := loadIn(t, app, doc); err == nil || !strings.Contains(err.Error(), limit.ErrNotRegular.Error()) {
			t.Errorf("%q: err = %v, want a refusal: not a regular file", doc, err)
		}
	}
}
