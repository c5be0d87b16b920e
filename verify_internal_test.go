package rightsize

import (
	"context"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/verify"
)

// The verify report keeps the prediction's findings but states the control
// plane's refusals, not the predicted ones.
func TestVerifyReportFindings(t *testing.T) {
	ctx := context.Background()
	app, err := LoadApp(ctx, []string{"examples/shop"})
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := LoadTarget(ctx, "sandbox")
	predicted, err := Analyze(ctx, app, tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(predicted.Refusals) == 0 {
		t.Fatal("the example should be refused in sandbox")
	}
	vr := &verify.Report{Namespace: "ns", Settled: true,
		Refusals:  []verify.Refusal{{Object: "Deployment/cache", Count: 1, Message: "forbidden: exceeded quota: compute, ..."}},
		QuotaUsed: nil}
	r := verifyReport(app.app, predicted, vr)
	var refused []string
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "creation(s) refused") {
			refused = append(refused, f.Object.String())
		}
	}
	if strings.Join(refused, ",") != "Deployment/cache" {
		t.Errorf("refusal findings name %v, want the control plane's Deployment/cache only", refused)
	}
	if r.Refusals[0].Object.Group != "apps" {
		t.Errorf("refusal object %+v: want the app's key (group apps)", r.Refusals[0].Object)
	}
	if r.Findings[0].Severity != Error {
		t.Errorf("findings not errors first: %+v", r.Findings)
	}
}
