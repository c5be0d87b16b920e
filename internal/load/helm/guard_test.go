package helm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"

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
