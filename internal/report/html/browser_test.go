package html_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

const corpusDir = "../../../../shared/corpus"

// chromium returns Debian's chromium, installing it through .ci/setup when
// it is missing (CI runs as root on a fresh machine).
func chromium(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	out, err := exec.Command("sh", "../../../.ci/setup").CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/setup: %v\n%s", err, out)
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium is not installed and .ci/setup could not install it: %s", out)
	}
	return p
}

// screenshotDir is $RIGHTSIZE_SCREENSHOT_DIR, else the test's own directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("RIGHTSIZE_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

type page struct {
	name   string
	report *rightsize.Report
	// want quota bars, change rows, refusal rows; findings always.
	bars bool
}

// load reads the app at path and the target, as every report below needs.
func load(ctx context.Context, t *testing.T, path, target string) (*rightsize.App, *rightsize.Target) {
	t.Helper()
	app, err := rightsize.LoadApp(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := rightsize.LoadTarget(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	return app, tg
}

func analyze(t *testing.T, path, target string) *rightsize.Report {
	t.Helper()
	ctx := context.Background()
	app, tg := load(ctx, t, path, target)
	r, err := rightsize.Analyze(ctx, app, tg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fit(t *testing.T, path, target string) *rightsize.Report {
	t.Helper()
	ctx := context.Background()
	app, tg := load(ctx, t, path, target)
	r, err := rightsize.Fit(ctx, app, tg)
	if err != nil {
		t.Fatal(err)
	}
	return r.Report
}

func verify(t *testing.T, path, target string) *rightsize.Report {
	t.Helper()
	bin, err := simtest.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	app, tg := load(ctx, t, path, target)
	c, err := rightsize.StartLocalCluster(ctx, tg, rightsize.WithBinDir(bin))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	var settled bool
	r, err := rightsize.Verify(ctx, c, app, tg, rightsize.WithVerifyProgress(func(e rightsize.Progress) { settled = settled || (e.Stage == "verify" && e.Finished) }))
	if err != nil {
		t.Fatal(err)
	}
	if !settled {
		t.Errorf("verify reported no finished progress event")
	}
	return r
}

// TestBrowser renders the HTML report of corpus apps (analyze, fit) and the
// example shop (verify, on the local control plane) and opens each in
// headless Chromium at desktop and phone widths: the quota bars, change
// rows, refusal rows and findings must all be there, nothing may stick out
// of the viewport, and a screenshot of each is written for review.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Skipf("corpus not found at %s (../shared/corpus beside the repository)", corpusDir)
	}
	exe := chromium(t)
	pages := []page{
		{name: "analyze-online-boutique-okteto-free", report: analyze(t, corpusDir+"/online-boutique", "okteto-free"), bars: true},
		{name: "analyze-bookinfo-edge", report: analyze(t, corpusDir+"/bookinfo", "edge-4cpu-4gi")},
		{name: "fit-online-boutique-okteto-free", report: fit(t, corpusDir+"/online-boutique", "okteto-free"), bars: true},
		{name: "fit-openshift-django-starter", report: fit(t, corpusDir+"/openshift-django-psql-persistent", "openshift-starter-2018"), bars: true},
		{name: "verify-shop-sandbox", report: verify(t, "../../../examples/shop", "sandbox"), bars: true},
		{name: "recommend-synthetic", report: recommendReport()},
	}
	dir := screenshotDir(t)
	t.Logf("screenshots in %s", dir)

	ctx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := rightsize.WriteReport(&b, "html", p.report); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := rightsize.WriteReport(&again, "html", p.report); err != nil || !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Fatalf("two renderings differ (%v)", err)
			}
			for _, bad := range []string{"<script", "http://", "https://", "<link", "@import"} {
				if strings.Contains(b.String(), bad) {
					t.Errorf("page holds %q: it must work offline and without script", bad)
				}
			}
			file := filepath.Join(dir, p.name+".html")
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, width := range []int64{1280, 390} {
				check(t, ctx, p, file, width, dir)
			}
		})
	}
}

// counts are what the page shows, read in the browser.
type counts struct {
	Bars, Changes, Refusals, Findings, Workloads, Usage int
	Overflow                                            []string
	ScrollWidth, ClientWidth                            int
}

const countJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const over = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5)) {
      over.push(e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') + ' right=' + Math.round(r.right));
    }
  }
  return {
    Bars: document.querySelectorAll('#quotas .quota-row svg.bar rect.requested').length,
    Changes: document.querySelectorAll('table.changes tr.change').length,
    Refusals: document.querySelectorAll('table.refusals tr.refusal').length,
    Findings: document.querySelectorAll('#findings li.finding').length,
    Workloads: document.querySelectorAll('table.workloads tr.workload').length,
    Usage: document.querySelectorAll('#usage .usage-row svg.bar').length,
    Overflow: over.slice(0, 10),
    ScrollWidth: document.documentElement.scrollWidth,
    ClientWidth: vw,
  };
})()`

func check(t *testing.T, ctx context.Context, p page, file string, width int64, dir string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate("file://"+absPath(t, file)),
		chromedp.WaitReady("#findings"),
	)
	if err != nil {
		t.Fatalf("width %d: %v", width, err)
	}
	c, err := chromedp.Run(ctx, chromedp.Evaluate[counts](countJS))
	if err != nil {
		t.Fatalf("width %d: %v", width, err)
	}
	if p.name == "fit-online-boutique-okteto-free" && width == 390 {
		// The overflow check itself must be able to fail.
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[counts](`(() => { const d = document.createElement('div'); d.style.width = '700px'; d.style.height = '1px'; document.querySelector('main').appendChild(d); return 0; })(), `+countJS))
		if err != nil {
			t.Fatal(err)
		}
		if len(wide.Overflow) == 0 {
			t.Errorf("a 700px element in a 390px viewport went unnoticed")
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("width %d: screenshot: %v", width, err)
	}
	shot := filepath.Join(dir, fmt.Sprintf("%s-%d.png", p.name, width))
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.report
	keys := 0
	for _, q := range r.Quotas {
		keys += len(q.Hard)
	}
	if p.bars && (keys == 0 || c.Bars != keys) {
		t.Errorf("width %d: %d quota bars, want one per quota key (%d)", width, c.Bars, keys)
	}
	if c.Changes != len(r.Changes) {
		t.Errorf("width %d: %d change rows, want %d", width, c.Changes, len(r.Changes))
	}
	if c.Refusals != len(r.Refusals) {
		t.Errorf("width %d: %d refusal rows, want %d", width, c.Refusals, len(r.Refusals))
	}
	if c.Findings != len(r.Findings) {
		t.Errorf("width %d: %d findings, want %d", width, c.Findings, len(r.Findings))
	}
	if c.Workloads != len(r.Workloads) {
		t.Errorf("width %d: %d workload rows, want %d", width, c.Workloads, len(r.Workloads))
	}
	if r.Recommend != nil && c.Usage != 2*len(r.Recommend.Containers) {
		t.Errorf("width %d: %d usage bars, want cpu and memory of %d containers", width, c.Usage, len(r.Recommend.Containers))
	}
	if len(c.Overflow) > 0 || c.ScrollWidth > c.ClientWidth {
		t.Errorf("width %d: page is %dpx wide in a %dpx viewport; elements sticking out: %v (screenshot %s)", width, c.ScrollWidth, c.ClientWidth, c.Overflow, shot)
	}
}

func absPath(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// recommendReport is a recommend report with usage, as the usage sources
// make it: one container with samples, one without.
func recommendReport() *rightsize.Report {
	f := func(x float64) *float64 { return &x }
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	return &report.Report{Command: report.Recommend, Fits: true, Findings: []model.Finding{{Severity: model.Warning, Key: "usage", Object: model.Key{Group: "apps", Kind: "Deployment", Name: "worker"}, Message: "no samples for container worker"}},
		Recommend: &report.RecommendDetail{Strategy: "rightsize", Source: "prometheus", Start: start, End: start.Add(8 * 24 * time.Hour), Samples: 11520,
			Containers: []report.ContainerSizing{
				{Object: model.Key{Group: "apps", Kind: "Deployment", Name: "frontend-with-a-rather-long-name"}, Container: "server", Status: "ok",
					Current:     report.Requirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("500m"), "memory": resource.MustParse("512Mi")}, Limits: corev1.ResourceList{"memory": resource.MustParse("1Gi")}},
					Observed:    &report.Observed{CPUSamples: 11520, MemorySamples: 192, Pods: 3, CPU: report.Percentiles{P50: 0.04, P90: 0.09, P95: 0.12, P99: 0.2, Max: 0.31}, Memory: report.Percentiles{P50: 180 << 20, P95: 230 << 20, Max: 260 << 20}},
					Recommended: &report.Requirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("138m"), "memory": resource.MustParse("300Mi")}, Limits: corev1.ResourceList{"memory": resource.MustParse("300Mi")}},
					Risk:        report.Risk{CPUOverRequest: f(0.04), MemoryOverLimit: f(0)}},
				{Object: model.Key{Group: "apps", Kind: "Deployment", Name: "worker"}, Container: "worker", Status: "no-data",
					Current: report.Requirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("100m")}}, Notes: []string{"no samples: sizes kept"}},
			}}}
}
