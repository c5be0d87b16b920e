package kube

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/limit"
)

func TestTemplateProcessing(t *testing.T) {
	data, err := os.ReadFile("testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, findings, err := Decode(data, "template.yaml", Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.Ref())
	}
	if got := strings.Join(kinds, " "); got != "Service/web Deployment/web Ingress/web" {
		t.Fatalf("objects = %s", got)
	}
	dep := objs[1].Obj.(*appsv1.Deployment)
	if *dep.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2 from ${{REPLICAS}}", *dep.Spec.Replicas)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != "quay.io/example/web:1.0" {
		t.Errorf("image = %q, want the ImageStream's tag", c.Image)
	}
	if m := c.Resources.Limits.Memory(); m.String() != "256Mi" {
		t.Errorf("memory limit = %s", m.String())
	}
	if dep.Labels["template"] != "t" {
		t.Errorf("template label not applied: %v", dep.Labels)
	}
	secret := c.Env[0].Value
	if len(secret) != 12 || strings.Trim(secret, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("generated SECRET %q does not match [a-z0-9]{12}", secret)
	}
	again, _, _ := Decode(data, "template.yaml", Options{Seed: 7})
	if again[1].Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Env[0].Value != secret {
		t.Error("the same seed generated a different value")
	}
	other, _, _ := Decode(data, "template.yaml", Options{Seed: 8})
	if other[1].Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Env[0].Value == secret {
		t.Error("another seed generated the same value")
	}
	ing := objs[2].Obj.(*networkingv1.Ingress)
	b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if b.Name != "web" || b.Port.Name != "http" || ing.Spec.Rules[0].Host != "web.example.com" {
		t.Errorf("ingress backend = %+v host %q", b, ing.Spec.Rules[0].Host)
	}
	dropped := 0
	for _, f := range findings {
		if f.Key == "dropped" && f.Object.String() == "ImageStream/web" {
			dropped++
		}
	}
	if dropped != 1 {
		t.Errorf("want one dropped finding for the ImageStream: %+v", findings)
	}

	withParam, _, err := Decode(data, "template.yaml", Options{Params: map[string]string{"NAME": "shop"}})
	if err != nil || withParam[1].Name() != "shop" {
		t.Errorf("--param NAME=shop: %v %v", err, withParam)
	}
}

func TestListAndUnknownKinds(t *testing.T) {
	data, _ := os.ReadFile("testdata/list.json")
	objs, _, err := Decode(data, "list.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 {
		t.Fatalf("want 2 objects, got %d", len(objs))
	}
	if _, ok := objs[1].Obj.(*unstructured.Unstructured); !ok {
		t.Errorf("Widget decoded as %T, want unstructured", objs[1].Obj)
	}
	if objs[1].Source.Doc != 0 || objs[1].Source.File != "list.json" {
		t.Errorf("source = %+v", objs[1].Source)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, data string
		opts       Options
		want       []string // substrings of the error
	}{
		{"invalid YAML", "apiVersion: v1\nkind: [Pod\n", Options{}, []string{"f.yaml (document 1)", "invalid YAML"}},
		{"second document", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: Pod\n", Options{}, []string{"f.yaml (document 2)", "apiVersion is missing"}},
		{"not a manifest", "hello: world\n", Options{}, []string{"not a Kubernetes manifest"}},
		{"apiVersion in another case", "apiVersIon: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", Options{}, []string{"f.yaml (document 1)", "apiVersion is missing"}},
		{"a list document", "- a\n- b\n", Options{}, []string{"not a Kubernetes object"}},
		{"invalid quantity", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        resources: {limits: {memory: 2Gbb}}\n", Options{},
			[]string{"f.yaml (document 1)", "Deployment/web", "spec.template.spec.containers[0].resources.limits.memory", `invalid quantity "2Gbb"`}},
		{"apiVersion that never existed", "apiVersion: extensions/v1beta2\nkind: Deployment\nmetadata: {name: web}\n", Options{}, []string{"Deployment/web", `apiVersion "extensions/v1beta2" does not exist`, `"apps/v1"`}},
		{"wrong type", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 80}\n", Options{}, []string{"Service/s", "spec.ports", "a list"}},
		{"required parameter", "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata: {name: t}\nparameters: [{name: DB, required: true}]\nobjects: []\n", Options{}, []string{"Template/t", "parameter DB is required", "template parameter DB="}},
		{"unknown parameter", "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata: {name: t}\nobjects: []\n", Options{Params: map[string]string{"X": "1"}}, []string{"template parameter X", "no such parameter"}},
		{"missing name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", Options{}, []string{"ConfigMap: metadata.name: required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode([]byte(tc.data), "f.yaml", tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// FuzzDecode checks properties of every input: no panic, an error names the
// file, an accepted object re-decodes from its JSON to the same object,
// decoding is deterministic, and documents parse the same in one stream as
// one by one (see parseChunk). Seeds are at most 2 KiB: the baseline run over
// them must end within the few seconds .ci/fuzz gives a target, and the
// mutations of a small input run fastest.
func FuzzDecode(f *testing.F) {
	for _, b := range fuzzseed.FilesUnder(2<<10, 200, []string{".yaml", ".yml", ".json"}, "testdata", fuzzseed.Corpus()) {
		f.Add(b)
	}
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, resources: {limits: {cpu: 1}}}]}\n---\n"))
	for _, s := range trickyStreams {
		f.Add([]byte(s))
	}
	lim := limit.Limits{Input: 1 << 20, Documents: 1000, Expansion: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, msg := compareStream(data, lim.Defaults()); msg != "" {
			t.Fatalf("one stream and one by one differ: %s", msg)
		}
		objs, _, err := Decode(data, "fuzz.yaml", Options{Seed: 1, Limits: lim})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		again, _, err := Decode(data, "fuzz.yaml", Options{Seed: 1, Limits: lim})
		if err != nil || len(again) != len(objs) {
			t.Fatalf("decoding again: %d objects, err %v; first time %d", len(again), err, len(objs))
		}
		for i, o := range objs {
			if _, ok := o.Obj.(*unstructured.Unstructured); ok {
				continue // kept as given: a CRD's List is not ours to re-read
			}
			j, err := json.Marshal(o.Obj)
			if err != nil {
				t.Fatalf("%s: encoding: %v", o.Ref(), err)
			}
			j2, _ := json.Marshal(again[i].Obj)
			if !bytes.Equal(j, j2) {
				t.Fatalf("%s: decoding is not deterministic:\n%s\n%s", o.Ref(), j, j2)
			}
			back, _, err := Decode(j, "again.json", Options{Seed: 1, Limits: lim})
			if err != nil {
				t.Fatalf("%s: output does not re-decode: %v\n%s", o.Ref(), err, j)
			}
			if len(back) != 1 || back[0].Ref() != o.Ref() {
				t.Fatalf("%s: re-decoded as %d objects", o.Ref(), len(back))
			}
		}
	})
}
