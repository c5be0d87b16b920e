package verify_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
)

// TestFittedConfigsAdmitted fits an app of 5 ConfigMaps and 3 Secrets, read
// through env, envFrom with prefixes, whole and itemised volumes and a
// projected volume, into 3 ConfigMaps (the namespace's kube-root-ca.crt
// among them) and 1 Secret: fit merges them (fit's TestConfigMerges checks
// that every container reads the same env and files), and the control
// plane must admit every rewritten object, with status.used at the counts
// computed: 2 of the app's ConfigMaps + kube-root-ca.crt, and 1 Secret.
func TestFittedConfigsAdmitted(t *testing.T) {
	app, err := load.Load([]string{"../fit/testdata/configs.yaml"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tg := &model.Target{Name: "configs", Namespace: "cfg", Quotas: []*corev1.ResourceQuota{{
		ObjectMeta: metav1.ObjectMeta{Name: "counts", Namespace: "cfg"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			"configmaps":    resource.MustParse("3"),
			"count/secrets": resource.MustParse("1"),
			"pods":          resource.MustParse("2"),
		}}}}}
	res, err := fit.Run(app, tg, fit.Options{Allow: []string{fit.AllowConfigMaps, fit.AllowSecrets}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fits || res.Cost.ConfigsMerged != 5 {
		t.Fatalf("fit: fits %v, %d configs merged; want a fit with 5 merged: %v", res.Fits, res.Cost.ConfigsMerged, res.Findings)
	}
	c := &vcase{name: "configs", app: res.App, target: tg}
	verifyAll(t, verifier, []*vcase{c}, 0)
	if c.err != nil {
		t.Fatal(c.err)
	}
	if !c.report.OK || len(c.report.Refusals) > 0 {
		t.Errorf("not admitted in full: %+v", c.report.Refusals)
	}
	for key, want := range map[corev1.ResourceName]int64{"configmaps": 3, "count/secrets": 1, "pods": 1} {
		got := c.report.QuotaUsed["counts"][key]
		if got.Value() != want {
			t.Errorf("status.used %s = %s, want %d", key, got.String(), want)
		}
	}
	if d := compare(c.app, c.target, c.report); len(d) > 0 {
		t.Errorf("the control plane disagrees with the footprint: %v", d)
	}
}
