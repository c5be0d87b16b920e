package helm

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
)

func TestRenderValuesAndHooks(t *testing.T) {
	objs, findings, err := Load("testdata/hooked", Options{Values: []string{"testdata/more-values.yaml"}, Set: []string{"image=app:3"}})
	if err != nil {
		t.Fatal(err)
	}
	var dep *appsv1.Deployment
	var hook *model.Object
	for _, o := range objs {
		switch o.Ref() {
		case "Deployment/hooked":
			dep, _ = o.Obj.(*appsv1.Deployment)
			if o.Source.File != "hooked/templates/deployment.yaml" || o.Source.Format != "helm" {
				t.Errorf("source = %+v, want the template file and format helm", o.Source)
			}
		case "Job/hooked-migrate":
			hook = o
		}
	}
	if dep == nil {
		t.Fatalf("no Deployment/hooked in %d objects", len(objs))
	}
	if *dep.Spec.Replicas != 4 {
		t.Errorf("replicas = %d, want 4 from --values", *dep.Spec.Replicas)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "app:3" {
		t.Errorf("image = %q, want app:3 (--set wins over --values)", img)
	}
	if hook == nil {
		t.Fatal("the pre-install hook was not included")
	}
	said := false
	for _, f := range findings {
		said = said || (f.Object.String() == "Job/hooked-migrate" && strings.Contains(f.Message, "pre-install"))
	}
	if !said {
		t.Errorf("no finding about the hook in %+v", findings)
	}
}

func TestRenderFailureNamesFileAndField(t *testing.T) {
	_, _, err := Load("testdata/bad", Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"chart bad", "bad/templates/deployment.yaml", "image.repository"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
	if _, _, err := Load("testdata/bad", Options{Set: []string{"image.repository=nginx"}}); err != nil {
		t.Errorf("with the value set: %v", err)
	}
}

func TestBadValues(t *testing.T) {
	if _, _, err := Load("testdata/hooked", Options{Values: []string{"testdata/nope.yaml"}}); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing values file: err = %v", err)
	}
	if _, _, err := Load("testdata/hooked", Options{Set: []string{"a[=1"}}); err == nil || !strings.Contains(err.Error(), "value a[=1") {
		t.Errorf("bad --set: err = %v", err)
	}
}

// FuzzTemplate renders a one-template chart whose template is the input,
// seeded from the templates of testdata's charts and the corpus's, and
// checks: no panic, an error names the chart, output stays within the
// limit, rendering twice gives the same objects, and they decode again as
// rightsize writes them.
func FuzzTemplate(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: {{ .Values.a | quote }}\n"))
	f.Add([]byte("{{ required \"x\" .Values.x }}"))
	for _, b := range fuzzseed.Files(40, []string{".yaml", ".tpl"}, "testdata", filepath.Join(fuzzseed.Corpus(), "helm-hello-world")) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, tpl []byte) {
		defer fuzzseed.Watch(tpl)()
		first, err := fuzzRender(tpl)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz") {
				t.Fatalf("error does not name the chart: %v", err)
			}
			return
		}
		second, err := fuzzRender(tpl)
		if err != nil || !bytes.Equal(first, second) {
			t.Fatalf("rendering again gave other objects (err %v)", err)
		}
		if _, _, err := kube.Decode(first, "out.yaml", kube.Options{}); err != nil {
			t.Fatalf("rendered objects do not decode again: %v\n%s", err, first)
		}
	})
}

// fuzzRender renders a one-template chart and writes its objects as YAML.
func fuzzRender(tpl []byte) ([]byte, error) {
	ch := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: "fuzz", Version: "0.1.0"},
		Templates: []*chart.File{{Name: "templates/t.yaml", Data: tpl}},
		Values:    map[string]any{"a": "b"},
	}
	objs, _, err := Render(ch, "fuzz", map[string]any{}, Options{Kube: kube.Options{Limits: limit.Limits{Expansion: 1 << 20}}})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = render.Stream(&buf, objs, render.YAML)
	return buf.Bytes(), err
}
