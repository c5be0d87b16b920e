package rancher

import (
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

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
		{"unknown --set key", Options{Answers: "testdata/answers.txt", Set: []string{"NOPE=1"}}, []string{"--set NOPE", "no such question"}},
		{"unanswered required question", Options{}, []string{"rancher-compose.yml", ".catalog.questions[0]", "DB_PASSWORD", "required"}},
		{"wrong type", Options{Answers: "testdata/answers.txt", Set: []string{"WORKERS=many"}}, []string{"--set WORKERS", "want an int"}},
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

func FuzzRancherCompose(f *testing.F) {
	for _, p := range []string{"testdata/catalog/templates/app/1/rancher-compose.yml", "../../../../shared/corpus/rancher-sentry/templates/sentry/5/rancher-compose.yml", "../../../../shared/corpus/rancher-wordpress/templates/wordpress/1/rancher-compose.yml"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, []byte("DB_PASSWORD=x\n"))
		}
	}
	f.Fuzz(func(t *testing.T, data, answers []byte) {
		rc, err := parseRancherCompose("rancher-compose.yml", data)
		if err != nil {
			return
		}
		file := t.TempDir() + "/answers.txt"
		if err := os.WriteFile(file, answers, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, _ = answerQuestions(rc, file, nil)
	})
}

// TestStartOnce reads the Rancher catalog pattern of start-once sidekicks:
// data-volume containers (entrypoint /bin/true) whose volumes the primary
// takes with volumes_from, and a start-once privileged bootstrap container.
func TestStartOnce(t *testing.T) {
	objs, findings, err := Load("testdata/startonce", Options{})
	if err != nil {
		t.Fatal(err)
	}
	once := map[string]bool{"mongo-base": true, "mongo-datavolume": true, "es-sysctl": true}
	for _, o := range objs {
		spec, ok := podSpec(o)
		if !ok {
			continue
		}
		for _, c := range spec.Containers {
			if once[c.Name] {
				t.Errorf("%s: start-once container %s is a regular container: the pod never becomes Ready", o.Ref(), c.Name)
			}
		}
	}
	mongo := model.Lookup[*appsv1.Deployment](objs, "Deployment", "mongo")
	if mongo == nil {
		t.Fatal("no Deployment/mongo")
	}
	pod := mongo.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 2 {
		t.Fatalf("mongo pod: containers %d, init containers %d; want 1 and 2", len(pod.Containers), len(pod.InitContainers))
	}
	mounts := map[string]string{}
	for _, m := range pod.Containers[0].VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	for _, ic := range pod.InitContainers {
		for _, m := range ic.VolumeMounts {
			if mounts[m.MountPath] != m.Name {
				t.Errorf("volumes_from %s: mongo mounts %q at %s, the init container %q", ic.Name, mounts[m.MountPath], m.MountPath, m.Name)
			}
		}
	}
	if mounts["/data/db"] == "" || mounts["/opt/rancher/bin"] == "" {
		t.Errorf("mongo mounts %v, want /data/db and /opt/rancher/bin from its data containers", mounts)
	}
	es := model.Lookup[*appsv1.Deployment](objs, "Deployment", "es-master")
	if es == nil || len(es.Spec.Template.Spec.InitContainers) != 1 || len(es.Spec.Template.Spec.Containers) != 2 {
		t.Fatalf("es-master: want es-sysctl as init container and es-exporter beside it: %+v", es)
	}
	if ic := es.Spec.Template.Spec.InitContainers[0]; ic.SecurityContext == nil || ic.SecurityContext.Privileged == nil || !*ic.SecurityContext.Privileged {
		t.Errorf("es-sysctl lost privileged: %+v", ic.SecurityContext)
	}
	for _, f := range findings {
		if f.Key == "network" && f.Severity != model.Info {
			t.Errorf("network finding for sidekicks of one pod: %s", f.Message)
		}
	}
	for _, n := range []string{"mongo-base", "mongo-datavolume", "es-sysctl", "es-exporter"} {
		if model.Lookup[*corev1.Service](objs, "Service", n) == nil {
			t.Errorf("no Service %s: its name no longer resolves", n)
		}
	}
}

func podSpec(o *model.Object) (corev1.PodSpec, bool) {
	switch w := o.Obj.(type) {
	case *appsv1.Deployment:
		return w.Spec.Template.Spec, true
	case *appsv1.DaemonSet:
		return w.Spec.Template.Spec, true
	case *appsv1.StatefulSet:
		return w.Spec.Template.Spec, true
	}
	return corev1.PodSpec{}, false
}
