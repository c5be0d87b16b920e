package rightsize_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Format options reach their loader, per call: two loads with different
// values in one process see each its own.
func TestFormatOptions(t *testing.T) {
	ctx := context.Background()
	compose := writeFiles(t, map[string]string{"compose.yaml": "services:\n  db:\n    image: postgres\n    volumes: [data:/var/lib/postgresql/data]\nvolumes:\n  data: {}\n"})
	for _, size := range []string{"1Gi", "5Gi"} {
		var opts []rightsize.LoadOption
		if size != "1Gi" {
			opts = append(opts, rightsize.WithComposeClaimSize(resource.MustParse(size)))
		}
		app, err := rightsize.LoadApp(ctx, []string{compose}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range app.Objects() {
			if pvc, ok := o.(*corev1.PersistentVolumeClaim); ok {
				found = true
				if got := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; got.String() != size {
					t.Errorf("claim size %s, want %s", got.String(), size)
				}
			}
		}
		if !found {
			t.Fatal("no claim for the named volume")
		}
	}

	chart := writeFiles(t, map[string]string{
		"Chart.yaml":               "apiVersion: v2\nname: caps\nversion: 0.1.0\n",
		"templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caps}\ndata: {kube: \"{{ .Capabilities.KubeVersion.Version }}\"}\n",
	})
	for _, v := range []string{"", "v1.30.4"} {
		var opts []rightsize.LoadOption
		want := "v1.37.0"
		if v != "" {
			opts, want = append(opts, rightsize.WithHelmKubeVersion(v)), v
		}
		app, err := rightsize.LoadApp(ctx, []string{chart}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range app.Objects() {
			if cm, ok := o.(*corev1.ConfigMap); ok && cm.Data["kube"] != want {
				t.Errorf("chart saw Kubernetes %q, want %q", cm.Data["kube"], want)
			}
		}
	}
}

// Options that apply to none of the input's formats are refused, naming
// the option; those that apply to one of several inputs are not.
func TestOptionsThatDoNotApply(t *testing.T) {
	ctx := context.Background()
	compose := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web: {image: nginx}\n"})
	for _, c := range []struct {
		name   string
		paths  []string
		opt    rightsize.LoadOption
		option string
	}{
		{"values on manifests", []string{"examples/shop"}, rightsize.WithHelmValues("x.yaml"), rightsize.OptHelmValues},
		{"answers on manifests", []string{"examples/shop"}, rightsize.WithRancherAnswers("a.txt"), rightsize.OptRancherAnswers},
		{"profiles on manifests", []string{"examples/shop"}, rightsize.WithComposeProfiles("dev"), rightsize.OptComposeProfiles},
		{"claim size on manifests", []string{"examples/shop"}, rightsize.WithComposeClaimSize(resource.MustParse("2Gi")), rightsize.OptComposeClaimSize},
		{"template params on compose", []string{compose}, rightsize.WithTemplateParams("A=1"), rightsize.OptTemplateParams},
		{"kube version on compose", []string{compose}, rightsize.WithHelmKubeVersion("v1.30.0"), rightsize.OptHelmKubeVersion},
		{"profiles on compose and manifests", []string{compose, "examples/shop"}, rightsize.WithComposeProfiles("dev"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := rightsize.LoadApp(ctx, c.paths, c.opt)
			var oe *rightsize.OptionError
			if c.option == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &oe) || oe.Option != c.option {
				t.Fatalf("err = %v, want an OptionError for %s", err, c.option)
			}
		})
	}
}
