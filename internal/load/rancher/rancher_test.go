package rancher

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/model"
)

func TestCatalog(t *testing.T) {
	objs, findings, err := Load("testdata/catalog", Options{Answers: "testdata/answers.yaml", Set: []string{"METRICS=true"}})
	if err != nil {
		t.Fatal(err)
	}
	web := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
	if web == nil {
		t.Fatalf("no Deployment/web: config.yml names version 2.0.0 (folder 1)")
	}
	if *web.Spec.Replicas != 3 {
		t.Errorf("replicas = %d, want 3 (scale: ${WORKERS}, WORKERS=3 from the YAML answers)", *web.Spec.Replicas)
	}
	cs := web.Spec.Template.Spec.Containers
	if len(cs) != 2 || cs[0].Name != "web" || cs[1].Name != "web-data" {
		t.Fatalf("containers = %v, want web and its sidekick web-data in one pod", cs)
	}
	if cs[0].Image != "web:3" {
		t.Errorf("image = %q, want web:3 from the .tpl template", cs[0].Image)
	}
	if len(cs[0].Ports) == 0 || cs[0].Ports[0].ContainerPort != 9100 {
		t.Errorf("ports = %v: --set METRICS=true must render the {{if}} block", cs[0].Ports)
	}
	if len(cs[0].VolumeMounts) != 1 || cs[0].VolumeMounts[0].MountPath != "/data" || cs[0].VolumeMounts[0].Name != cs[1].VolumeMounts[0].Name {
		t.Errorf("volumes_from web-data: web mounts %v, web-data %v", cs[0].VolumeMounts, cs[1].VolumeMounts)
	}
	env := map[string]string{}
	for _, e := range cs[0].Env {
		env[e.Name] = e.Value
	}
	if env["DB_PASSWORD"] != "s3cret" {
		t.Errorf("DB_PASSWORD = %q: ${VAR} interpolation of answers", env["DB_PASSWORD"])
	}
	p := cs[0].ReadinessProbe
	if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.PeriodSeconds != 3 || p.TimeoutSeconds != 2 || p.FailureThreshold != 4 || p.SuccessThreshold != 2 {
		t.Errorf("readiness probe = %+v, want GET /healthz every 3s, timeout 2s (1500ms rounded up), 4 failures, 2 successes", p)
	}
	if l := cs[0].LivenessProbe; l == nil || l.SuccessThreshold != 1 || l.InitialDelaySeconds != 45 {
		t.Errorf("liveness probe = %+v, want successThreshold 1 and initial delay 45s", l)
	}
	if model.Lookup[*appsv1.DaemonSet](objs, "DaemonSet", "agent") == nil {
		t.Error("io.rancher.scheduler.global did not give a DaemonSet")
	}
	if model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-data") != nil || model.Lookup[*appsv1.Deployment](objs, "Deployment", "lb") != nil {
		t.Error("sidekick or load balancer kept as its own Deployment")
	}
	side := model.Lookup[*corev1.Service](objs, "Service", "web-data")
	if side == nil || side.Spec.Selector["app.kubernetes.io/name"] != "web" {
		t.Errorf("Service/web-data = %+v: the sidekick's name must resolve to the pod it joined", side)
	}
	lb := model.Lookup[*corev1.Service](objs, "Service", "lb")
	if lb == nil || lb.Spec.Selector["app.kubernetes.io/name"] != "web" || lb.Spec.Ports[0].Port != 8080 || lb.Spec.Ports[0].TargetPort.IntValue() != 80 {
		t.Errorf("Service/lb = %+v, want port 8080 -> web:80", lb)
	}
	ing := model.Lookup[*networkingv1.Ingress](objs, "Ingress", "lb")
	if ing == nil || ing.Spec.Rules[0].Host != "app.example.com" || ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name != "web" {
		t.Errorf("Ingress/lb = %+v", ing)
	}
	webSvc := model.Lookup[*corev1.Service](objs, "Service", "web")
	if webSvc == nil || webSvc.Spec.ClusterIP == corev1.ClusterIPNone {
		t.Errorf("Service/web = %+v: the Ingress backend needs port 80 on a ClusterIP Service", webSvc)
	}
	dropped := false
	for _, f := range findings {
		dropped = dropped || strings.Contains(f.Message, "volume_driver")
	}
	if !dropped {
		t.Error("no finding says volume_driver was not carried over")
	}
}

func TestAnswerErrors(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{"unknown answer key", Options{Answers: "testdata/unknown.txt"}, []string{"testdata/unknown.txt:2", "NOPE", "no such question"}},
		{"unknown --set key", Options{Answers: "testdata/answers.txt", Set: []string{"NOPE=1"}}, []string{"answer NOPE", "no such question"}},
		{"unanswered required question", Options{}, []string{"rancher-compose.yml", ".catalog.questions[0]", "DB_PASSWORD", "required"}},
		{"wrong type", Options{Answers: "testdata/answers.txt", Set: []string{"WORKERS=many"}}, []string{"answer WORKERS", "want an int"}},
		{"enum", Options{Answers: "testdata/answers.txt", Set: []string{"DRIVER=ceph"}}, []string{"DRIVER", "want one of local, nfs"}},
		{"bad answers line", Options{Answers: "testdata/catalog/templates/app/config.yml"}, []string{"config.yml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Load("testdata/catalog/templates/app", c.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for dir, want := range map[string]bool{
		"testdata/catalog":                 true,
		"testdata/catalog/templates/app":   true,
		"testdata/catalog/templates/app/1": true,
		"testdata":                         false,
	} {
		if got := Detect(dir); got != want {
			t.Errorf("Detect(%s) = %v, want %v", dir, got, want)
		}
	}
}

// FuzzRancherCompose converts a catalog entry in-process (rancher-compose.yml,
// docker-compose.yml, answers; no file is written per input) and checks: no
// panic, an error names the file it is about, converting twice gives the
// same objects, and no password-type default appears in a finding.
func FuzzRancherCompose(f *testing.F) {
	// Compose files of at most 2 KiB, as for the Compose target: compose-go's
	// cost grows with the document.
	composes := fuzzseed.FilesUnder(2<<10, 20, []string{"docker-compose.yml"}, "testdata", fuzzseed.Corpus())
	for i, rc := range fuzzseed.Files(40, []string{"rancher-compose.yml"}, "testdata", fuzzseed.Corpus()) {
		dc := []byte("version: '2'\nservices:\n  web:\n    image: nginx\n")
		if len(composes) > 0 {
			dc = composes[i%len(composes)]
		}
		f.Add(rc, dc, []byte("DB_PASSWORD=x\n"))
	}
	f.Add([]byte("version: '2'\ncatalog:\n  questions:\n  - {variable: pw, type: password, default: topsecret}\n"), []byte("version: '2'\nservices:\n  web: {image: x}\n"), []byte(""))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, rcData, composeData, answersData []byte) {
		defer fuzzseed.Watch(rcData, composeData, answersData)()
		objs, findings, err := fuzzLoad(rcData, composeData, answersData, dir)
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "rancher-compose.yml") && !strings.Contains(msg, "docker-compose.yml") && !strings.Contains(msg, "answers.txt") {
				t.Fatalf("error names no file: %v", err)
			}
			return
		}
		again, _, err := fuzzLoad(rcData, composeData, answersData, dir)
		if err != nil || len(again) != len(objs) {
			t.Fatalf("loading again: %d objects, err %v; first %d", len(again), err, len(objs))
		}
		rc, _ := parseRancherCompose("rancher-compose.yml", rcData)
		for _, q := range rc.catalog.Questions {
			def := fmt.Sprint(q.Default)
			if !q.Secret() || q.Default == nil || len(def) < 4 {
				continue
			}
			for _, fd := range findings {
				if strings.Contains(fd.Message, def) {
					t.Fatalf("secret default of %s in a finding: %s", q.Variable, fd.Message)
				}
			}
		}
	})
}

func fuzzLoad(rcData, composeData, answersData []byte, dir string) ([]*model.Object, []model.Finding, error) {
	rc, err := parseRancherCompose("rancher-compose.yml", rcData)
	if err != nil {
		return nil, nil, err
	}
	answers, err := parseAnswers(answersData, "answers.txt")
	if err != nil {
		return nil, nil, err
	}
	values, notes, err := resolveAnswers(rc, answers, nil)
	if err != nil {
		return nil, nil, err
	}
	return convert(rc, dir, "docker-compose.yml", composeData, values, notes, Options{})
}
