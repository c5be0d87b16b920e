package helm

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
)

func oneTemplate(tpl string) *chart.Chart {
	return &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: "c", Version: "0.1.0"},
		Templates: []*chart.File{{Name: "templates/t.yaml", Data: []byte(tpl)}},
		Values:    map[string]any{"n": 100000},
	}
}

func TestExpansionBounded(t *testing.T) {
	for _, tpl := range []string{
		`a: {{ repeat 300000000 "x" }}`,
		`a: {{ "x" | repeat 300000000 }}`,
		`a: {{ range until 300000000 }}x{{ end }}`,
		`a: {{ randAlpha 300000000 }}`,
		// Within each call's bound, over the total.
		`{{ range until 1000 }}a: {{ repeat 100000 "x" }}{{ end }}`,
	} {
		start := time.Now()
		_, _, err := Render(oneTemplate(tpl), "c", map[string]any{}, Options{Kube: kube.Options{Limits: limit.Limits{Expansion: 16 << 20}}})
		var le *limit.Error
		if !errors.As(err, &le) || le.Limit != "expansion" {
			t.Errorf("%s: err = %v, want the expansion limit", tpl, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: took %s", tpl, d)
		}
	}
}

func TestMissingDependencyRefused(t *testing.T) {
	ch := oneTemplate("a: b\n")
	ch.Metadata.Dependencies = []*chart.Dependency{{Name: "postgresql", Version: "12.x", Repository: "https://charts.example.com"}}
	_, _, err := Render(ch, "c", map[string]any{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing in charts/ directory: postgresql") {
		t.Errorf("err = %v, want the missing dependency named as helm install does", err)
	}
}

// A count read from values is refused before rendering, so that nothing of
// its size is ever allocated: Helm's engine takes no custom functions,
// but the count is known from the values.
func TestCountFromValuesRefusedBeforeRendering(t *testing.T) {
	for _, tpl := range []string{
		`a: {{ repeat .Values.big "x" }}`,
		`a: {{ "x" | repeat (int .Values.big) }}`,
		`a: {{ range until (int .Values.big) }}x{{ end }}`,
		`a: {{ range .Values.list }}{{ repeat $.Values.big "x" }}{{ end }}`,
		`a: {{ .Values.nested.big | int | until | len }}`,
		`a: {{ randAlpha .Values.text }}`,
	} {
		ch := oneTemplate(tpl)
		ch.Values = map[string]any{"big": 300000000, "list": []any{1}, "nested": map[string]any{"big": 100000000}, "text": "300000000"}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, _, err := Render(ch, "c", map[string]any{}, Options{})
		runtime.ReadMemStats(&after)
		var le *limit.Error
		if !errors.As(err, &le) || le.Limit != "expansion" || !strings.Contains(err.Error(), "templates/t.yaml:1") {
			t.Errorf("%s: err = %v, want the expansion limit, naming the template and line", tpl, err)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 32<<20 {
			t.Errorf("%s: %d MiB allocated before the refusal", tpl, grown>>20)
		}
	}
	// A count within the bound renders as before.
	ch := oneTemplate("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"{{ repeat .Values.n \"x\" | len }}\"}\n")
	objs, _, err := Render(ch, "c", map[string]any{}, Options{})
	if err != nil || len(objs) != 1 {
		t.Fatalf("repeat of .Values.n = 100000: %d objects, err %v", len(objs), err)
	}
	if cm := objs[0].Obj.(*corev1.ConfigMap); cm.Data["a"] != "100000" {
		t.Errorf("data.a = %q, want 100000", cm.Data["a"])
	}
}
