package fit

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/render"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/target"
)

const corpus = "../../../shared/corpus"

// mustFit are the app/target pairs that fit only with a given change kind:
// a regression that loses the change shows here, not as a lower count.
var mustFit = map[string]string{
	"online-boutique/okteto-free": AllowMerge, // 12 Deployments for 10 pods
}

// corpusApps lists the Kubernetes and OpenShift apps of the shared corpus,
// read from its INDEX.md.
func corpusApps(t *testing.T) []string {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(corpus, "INDEX.md"))
	if os.IsNotExist(err) {
		t.Skipf("shared corpus not found at %s: skipping", corpus)
	}
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| \[([^\]]+)\][^|]*\| (K8s|OpenShift)[^|]*\|`)
	var apps []string
	for _, m := range row.FindAllStringSubmatch(string(index), -1) {
		apps = append(apps, m[1])
	}
	if len(apps) < 4 {
		t.Fatalf("INDEX.md lists %d Kubernetes/OpenShift apps; the table format changed?", len(apps))
	}
	return apps
}

func stream(t *testing.T, app *model.App) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := render.Stream(&buf, app.Objects, render.YAML); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCorpus fits every Kubernetes/OpenShift corpus app to every built-in
// target; where it fits, the rendered output, loaded back, must analyze as
// fitting, keep every name resolving, keep requests within limits, and
// come out byte-identical on a second run; the input must be untouched.
func TestCorpus(t *testing.T) {
	fits := 0
	for _, name := range corpusApps(t) {
		for _, tg := range target.Builtins() {
			t.Run(name+"/"+tg.Name, func(t *testing.T) {
				app, err := load.Load([]string{filepath.Join(corpus, name)}, load.Options{})
				if err != nil {
					t.Fatal(err)
				}
				original := stream(t, app)
				res, err := Run(app, tg, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(stream(t, app), original) {
					t.Fatal("fit changed its input app")
				}
				if kind, ok := mustFit[name+"/"+tg.Name]; ok && !res.Fits {
					t.Errorf("does not fit; it must, with %s: over %v, findings %v", kind, res.Over, res.Findings)
				}
				if !res.Fits {
					if len(res.Over) == 0 && len(res.Findings)+len(res.After.Findings) == 0 {
						t.Errorf("does not fit, and says neither which key binds nor why")
					}
					t.Logf("no fit: over %v", res.Over)
					return
				}
				fits++
				out := stream(t, res.App)
				dir := t.TempDir()
				file := filepath.Join(dir, "out.yaml")
				if err := os.WriteFile(file, out, 0o644); err != nil {
					t.Fatal(err)
				}
				back, err := load.Load([]string{file}, load.Options{})
				if err != nil {
					t.Fatalf("loading the output back: %v", err)
				}
				fp, err := footprint.Analyze(back, tg)
				if err != nil {
					t.Fatal(err)
				}
				if !fp.Fits {
					t.Errorf("output does not fit: %v", fp.Findings)
				}
				if broken := names.Broken(app, back); len(broken) > 0 {
					t.Errorf("names broken: %v", broken)
				}
				if kind, ok := mustFit[name+"/"+tg.Name]; ok && kind == AllowMerge {
					checkMerges(t, app, back)
				}
				for _, w := range fp.Workloads {
					for _, c := range append(w.Pod.Spec.InitContainers, w.Pod.Spec.Containers...) {
						for r, req := range c.Resources.Requests {
							if lim, ok := c.Resources.Limits[r]; ok && req.Cmp(lim) > 0 {
								t.Errorf("%s container %s: request %s above limit %s", w.Object.Ref(), c.Name, req.String(), lim.String())
							}
						}
					}
				}
				for _, o := range back.Objects {
					if o.Namespace() != tg.Namespace {
						t.Errorf("%s: namespace %q, want the target's %q", o.Ref(), o.Namespace(), tg.Namespace)
					}
				}
				again, err := Run(app, tg, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(stream(t, again.App), out) {
					t.Error("two runs give different output")
				}
				for _, c := range res.Changes {
					if c.Reason == "" || c.Object.IsZero() || c.Field == "" || strings.TrimSpace(c.After) == "" {
						t.Errorf("incomplete change %+v", c)
					}
				}
			})
		}
	}
	if fits < 10 {
		t.Errorf("only %d app/target pairs fit; the corpus should give more", fits)
	}
}

// checkMerges: some Deployment was merged; every merged Deployment selects
// its own pods only; every Service that selected a pod still selects one.
func checkMerges(t *testing.T, in, out *model.App) {
	t.Helper()
	var templates []map[string]string
	merged := 0
	for _, o := range out.Objects {
		if _, md, ok := footprint.PodSpec(o); ok {
			templates = append(templates, md.Labels)
		}
	}
	for _, o := range out.Objects {
		d, ok := o.Obj.(*appsv1.Deployment)
		if !ok || d.Annotations[rewrite.MergedFromAnnotation] == "" {
			continue
		}
		merged++
		if n := len(strings.Split(d.Annotations[rewrite.MergedFromAnnotation], ",")); len(d.Spec.Template.Spec.Containers) < n {
			t.Errorf("%s merged %d Deployments into %d containers", o.Ref(), n, len(d.Spec.Template.Spec.Containers))
		}
		matches := 0
		for _, l := range templates {
			if names.Selects(d.Spec.Selector.MatchLabels, l) {
				matches++
			}
		}
		if matches != 1 {
			t.Errorf("%s selector %v matches %d pod templates, want its own only", o.Ref(), d.Spec.Selector.MatchLabels, matches)
		}
	}
	if merged == 0 {
		t.Error("fits without a merged Deployment")
	}
	for _, o := range out.Objects {
		s, ok := o.Obj.(*corev1.Service)
		if !ok || len(s.Spec.Selector) == 0 {
			continue
		}
		found := false
		for _, l := range templates {
			found = found || names.Selects(s.Spec.Selector, l)
		}
		if !found {
			t.Errorf("%s selects no pod after the fit", o.Ref())
		}
	}
}
