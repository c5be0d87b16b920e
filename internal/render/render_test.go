package render

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/rightsize/rightsize/internal/model"
)

func deployment(name string) *model.Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo"},
		Spec: appsv1.DeploymentSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "nginx"}}},
			},
		},
	}
	return &model.Object{Obj: d, Source: model.Source{File: "in.yaml"}}
}

func service(name string) *model.Object {
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}},
	}
	return &model.Object{Obj: s}
}

func TestEncodeStripsNoise(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		t.Run(string(f), func(t *testing.T) {
			b, err := Encode(deployment("web"), f)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			for _, bad := range []string{"creationTimestamp", "status"} {
				if strings.Contains(s, bad) {
					t.Errorf("output holds %q:\n%s", bad, s)
				}
			}
			for _, want := range []string{"apiVersion", "apps/v1", "Deployment", "nginx", "demo"} {
				if !strings.Contains(s, want) {
					t.Errorf("output lacks %q:\n%s", want, s)
				}
			}
			// Service status is {loadBalancer: {}}: empty, so dropped.
			b, err = Encode(service("web"), f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "loadBalancer") {
				t.Errorf("empty service status kept:\n%s", b)
			}
		})
	}
}

func TestEncodeKeepsNonEmptyStatus(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Thing",
		"metadata": map[string]any{"name": "x", "creationTimestamp": "2020-01-01T00:00:00Z"},
		"status":   map[string]any{"phase": "Ready"},
	}}
	o := &model.Object{Obj: u}
	b, err := Encode(o, YAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"phase: Ready", "creationTimestamp: \"2020-01-01T00:00:00Z\""} {
		if !strings.Contains(string(b), want) {
			t.Errorf("output lacks %q:\n%s", want, b)
		}
	}
	if _, ok := u.Object["status"]; !ok {
		t.Error("Encode mutated its input")
	}
}

func TestStreamDecodesBack(t *testing.T) {
	objs := []*model.Object{deployment("a"), service("a"), deployment("b")}
	for _, f := range []Format{YAML, JSON} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Stream(&buf, objs, f); err != nil {
				t.Fatal(err)
			}
			dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(buf.Bytes()), 4096)
			var kinds []string
			for {
				var m map[string]any
				err := dec.Decode(&m)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("decoding stream: %v\n%s", err, buf.String())
				}
				kinds = append(kinds, m["kind"].(string)+"/"+m["metadata"].(map[string]any)["name"].(string))
			}
			want := "Deployment/a Service/a Deployment/b"
			if got := strings.Join(kinds, " "); got != want {
				t.Errorf("objects = %s, want %s", got, want)
			}
			var again bytes.Buffer
			if err := Stream(&again, objs, f); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("two renderings differ")
			}
		})
	}
}

func TestFileName(t *testing.T) {
	o := deployment("Web_Front")
	if got, want := FileName(0, o, YAML), "0001-deployment-web-front.yaml"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
	if got, want := FileName(41, service("db"), JSON), "0042-service-db.json"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestWriteDir(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	inFile := filepath.Join(in, "app.yaml")
	if err := os.WriteFile(inFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := []*model.Object{deployment("web"), service("web")}
	out := filepath.Join(root, "out")
	opts := DirOptions{Format: YAML, Inputs: []string{in}}

	if err := WriteDir(context.Background(), out, objs, opts); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(listDir(t, out), " "), "0001-deployment-web.yaml 0002-service-web.yaml"; got != want {
		t.Errorf("files = %s, want %s", got, want)
	}
	if got := listDir(t, root); strings.Join(got, " ") != "in out" {
		t.Errorf("temporary directories left behind: %v", got)
	}

	err := WriteDir(context.Background(), out, objs[:1], opts)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty output without force: err = %v", err)
	}

	opts.Force = true
	if err := WriteDir(context.Background(), out, objs[:1], opts); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(listDir(t, out), " "); got != "0001-deployment-web.yaml" {
		t.Errorf("after --force, files = %s; old files must be gone", got)
	}
	if got := listDir(t, root); strings.Join(got, " ") != "in out" {
		t.Errorf("temporary directories left behind: %v", got)
	}

	for name, bad := range map[string]string{
		"inside input":  filepath.Join(in, "out"),
		"is input":      in,
		"holds input":   root,
		"input as file": inFile,
	} {
		t.Run(name, func(t *testing.T) {
			err := WriteDir(context.Background(), bad, objs, opts)
			if err == nil {
				t.Fatalf("WriteDir(%s) accepted an output that touches the input", bad)
			}
			if _, err := os.Stat(inFile); err != nil {
				t.Fatalf("input file lost: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(in, "out")); !os.IsNotExist(err) {
		t.Errorf("output written into the input directory")
	}
}

func TestWriteDirRefusesFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(context.Background(), f, nil, DirOptions{Force: true}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("err = %v, want 'not a directory'", err)
	}
}

func TestCheckOutputSymlink(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link")
	if err := os.Symlink(in, link); err != nil {
		t.Skip(err)
	}
	if err := CheckOutput(filepath.Join(link, "report.json"), []string{in}); err == nil {
		t.Error("an output reached through a symbolic link into the input directory was accepted")
	}
	if err := CheckOutput(filepath.Join(root, "report.json"), []string{in, "-"}); err != nil {
		t.Errorf("a sibling output was refused: %v", err)
	}
}
