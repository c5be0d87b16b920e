package report

import (
	"bytes"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/model"
)

func list(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

// Two quotas limit pods: each is shown on its own with its scopes, and the
// summary takes the one that binds most.
func TestQuotasOnTheirOwn(t *testing.T) {
	r := &Report{Command: Analyze, Target: "t", Quotas: []Quota{
		{Name: "long", Origin: "target", Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating},
			Hard: list("pods", "10"), Requested: list("pods", "4"), Admitted: list("pods", "4")},
		{Name: "high", Origin: "target", ScopeSelector: []corev1.ScopedResourceSelectorRequirement{
			{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}},
			Hard: list("pods", "1"), Requested: list("pods", "2"), Admitted: list("pods", "1")},
	}, Findings: []model.Finding{{Severity: model.Error, Key: "pods", Object: model.Key{Group: "apps", Kind: "Deployment", Name: "web"}, Message: "m"}}}
	r.Summarize()
	if s := r.Quota["pods"]; s.Quota != "high" || s.Requested.String() != "2" {
		t.Errorf("summary %+v, want quota high's 2 of 1", s)
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"Quota: long (target)\nScopes: NotTerminating\n", "Quota: high (target)\nScopes: PriorityClass In (high)\n", "200% over", "40%", "error   [pods] Deployment/web: m"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, f := range []string{JSON, YAML} {
		w, err := Lookup(Writers(), f)
		if err != nil {
			t.Fatal(err)
		}
		b.Reset()
		if err := w.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "scopeSelector") || !strings.Contains(b.String(), "apps") {
			t.Errorf("%s lacks the selector or the object's group:\n%s", f, b.String())
		}
	}
	if _, err := Lookup(Writers(), "xml"); err == nil || !strings.Contains(err.Error(), "json, text, yaml") {
		t.Errorf("unknown format: %v", err)
	}
}
