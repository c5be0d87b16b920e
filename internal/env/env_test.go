package env

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAppFileHidesUserFile(t *testing.T) {
	dir := t.TempDir()
	app, user := filepath.Join(dir, "app"), filepath.Join(dir, "config")
	write(t, filepath.Join(app, FileName), "environments:\n  dev:\n    target: cluster:kind/shop\n    allow: [resources, replicas]\n    timeout: 90s\n")
	write(t, filepath.Join(app, "app.yaml"), "kind: List\n")
	write(t, filepath.Join(user, "rightsize", FileName), "environments:\n  dev:\n    target: sandbox\n  edge:\n    target: edge-4cpu-4gi\n    nodes: 2\n")
	for _, p := range []string{app, filepath.Join(app, "app.yaml")} {
		files := Files([]string{p}, user)
		if len(files) != 2 || !strings.HasPrefix(files[0], app) {
			t.Fatalf("Files(%s) = %v, want the app's file first, then the user's", p, files)
		}
		envs, err := Load(files)
		if err != nil {
			t.Fatal(err)
		}
		if len(envs) != 2 || envs[0].Name != "dev" || envs[1].Name != "edge" {
			t.Fatalf("environments %+v", envs)
		}
		if envs[0].Target() != "cluster:kind/shop" || !reflect.DeepEqual(envs[0].Settings["allow"], []string{"resources", "replicas"}) {
			t.Errorf("dev = %+v, want the app's definition", envs[0].Settings)
		}
		if !reflect.DeepEqual(envs[1].Settings["nodes"], []string{"2"}) {
			t.Errorf("edge nodes = %v, want [2]", envs[1].Settings["nodes"])
		}
	}
}

func TestErrorsNameFileAndField(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, FileName), "environments:\n  dev:\n    fit: {allow: x}\n")
	_, err := Load([]string{filepath.Join(dir, FileName)})
	if err == nil || !strings.Contains(err.Error(), "environments.dev.fit") {
		t.Fatalf("err = %v, want one naming environments.dev.fit", err)
	}
	envs, _ := Load(nil)
	if _, err := Find(envs, "prod", []string{"a/rightsize.yaml"}); err == nil || !strings.Contains(err.Error(), "a/rightsize.yaml") {
		t.Errorf("Find: %v", err)
	}
}
