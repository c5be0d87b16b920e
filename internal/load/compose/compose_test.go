package compose

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fuzzseed"
	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/render"
)

// load writes a compose.yaml (and any extra files) to a temporary directory
// and loads it.
func load(t *testing.T, content string, opts Options, extra map[string]string) ([]*model.Object, []model.Finding, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for n, c := range extra {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	return Load(".", opts)
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, content string
		want          []string
	}{
		{"unknown key", "services:\n  web:\n    image: nginx\n    replicaz: 2\n", []string{"compose.yaml", "services.web.replicaz", "unknown key"}},
		{"wrong type", "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n", []string{"compose.yaml", "services.web.deploy.replicas"}},
		{"bad memory", "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: 2Gbb\n", []string{"compose.yaml", "services.web.deploy.resources.limits.memory", "gbb"}},
		{"bad port", "services:\n  web:\n    image: nginx\n    ports: [\"80:abc\"]\n", []string{"compose.yaml", "services.web.ports[0]", "80:abc"}},
		{"request above limit", "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits: {memory: 100M}\n        reservations: {memory: 200M}\n", []string{"compose.yaml", "services.web.deploy.resources.reservations.memory", "above the limit"}},
		{"unknown top-level key", "services:\n  web:\n    image: nginx\nservicez: {}\n", []string{"compose.yaml", "servicez"}},
		{"statefulset of unknown service", "services:\n  web:\n    image: nginx\n", []string{"StatefulSet service nope", "no such service"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{}
			if strings.HasPrefix(c.name, "statefulset") {
				opts.StatefulSets = []string{"nope"}
			}
			_, _, err := load(t, c.content, opts, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "/tmp") || strings.Contains(err.Error(), os.TempDir()+"/") {
				t.Errorf("error %q holds an absolute path", err)
			}
		})
	}
}

const app = `
services:
  web_app:
    image: nginx:1.25
    entrypoint: ["/docker-entrypoint.sh"]
    command: nginx -g "daemon off;"
    ports: ["8080:80", "9000/udp"]
    environment:
      FROM_ENV: ${TAG}
      PLAIN: x
    env_file: web.env
    deploy:
      replicas: 3
      resources:
        limits: {cpus: "0.5", memory: 2G}
        reservations: {cpus: "0.25", memory: 1.5G}
    healthcheck:
      test: ["CMD-SHELL", "curl -f localhost || exit 1"]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 30s
    depends_on:
      db: {condition: service_healthy}
    volumes:
      - data:/data
      - /scratch
      - ./conf:/etc/conf
    restart: always
  db:
    image: postgres
    volumes: ["data:/var/lib/postgresql/data"]
    environment:
      CALLBACK: http://web_app:80/hook
      OTHER: web_app_extra
  agent:
    image: agent
    deploy: {mode: global}
  seed:
    image: seed
    restart: "no"
    profiles: [tools]
volumes:
  data: {}
`

func TestConvert(t *testing.T) {
	objs, findings, err := load(t, app, Options{Profiles: []string{"tools"}}, map[string]string{
		".env":    "TAG=from-dotenv\n",
		"web.env": "FROM_FILE=yes\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	web := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-app")
	if web == nil {
		t.Fatalf("no Deployment/web-app (service web_app renamed) in %v", names(objs))
	}
	if *web.Spec.Replicas != 3 {
		t.Errorf("replicas = %d, want 3", *web.Spec.Replicas)
	}
	c := web.Spec.Template.Spec.Containers[0]
	if got := strings.Join(c.Command, " "); got != "/docker-entrypoint.sh" {
		t.Errorf("command (from entrypoint) = %q", got)
	}
	if got := strings.Join(c.Args, "|"); got != "nginx|-g|daemon off;" {
		t.Errorf("args (from command) = %q", got)
	}
	lim, req := c.Resources.Limits, c.Resources.Requests
	if lim.Memory().String() != "2Gi" || lim.Cpu().String() != "500m" {
		t.Errorf("limits = %v, want 2Gi memory (binary units, no raw bytes) and 500m cpu", lim)
	}
	if req.Memory().String() != "1536Mi" || req.Cpu().String() != "250m" {
		t.Errorf("requests = %v, want 1536Mi and 250m", req)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["FROM_ENV"] != "from-dotenv" || env["FROM_FILE"] != "yes" || env["PLAIN"] != "x" {
		t.Errorf("env = %v: want .env interpolation, env_file and environment", env)
	}
	p := c.ReadinessProbe
	if p == nil || c.LivenessProbe == nil {
		t.Fatal("healthcheck gave no probes")
	}
	if got := strings.Join(p.Exec.Command, "|"); got != "sh|-c|curl -f localhost || exit 1" {
		t.Errorf("CMD-SHELL probe = %q, want it run through sh -c", got)
	}
	if p.PeriodSeconds != 10 || p.TimeoutSeconds != 3 || p.FailureThreshold != 5 || p.InitialDelaySeconds != 30 {
		t.Errorf("probe timing = %+v", p)
	}
	if web.Annotations["rightsize.io/depends-on"] != "db:service_healthy" {
		t.Errorf("depends-on annotation = %q", web.Annotations["rightsize.io/depends-on"])
	}
	var claim, empty bool
	for _, v := range web.Spec.Template.Spec.Volumes {
		claim = claim || (v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "data")
		empty = empty || v.EmptyDir != nil
	}
	if !claim || !empty {
		t.Errorf("volumes = %+v: want claim data and an emptyDir", web.Spec.Template.Spec.Volumes)
	}
	if len(c.VolumeMounts) != 2 {
		t.Errorf("mounts = %+v: the bind mount must not be carried over", c.VolumeMounts)
	}
	if model.Lookup[*corev1.PersistentVolumeClaim](objs, "PersistentVolumeClaim", "data") == nil {
		t.Error("no claim for named volume data")
	}
	svc := model.Lookup[*corev1.Service](objs, "Service", "web-app")
	if svc == nil || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		t.Fatalf("Service/web-app = %+v, want a ClusterIP Service", svc)
	}
	ports := map[string]string{}
	for _, sp := range svc.Spec.Ports {
		ports[sp.Name] = sp.TargetPort.String()
	}
	if ports["80-tcp"] != "80" || ports["8080-tcp"] != "80" || ports["9000-udp"] != "9000" {
		t.Errorf("service ports = %v", ports)
	}
	db := model.Lookup[*corev1.Service](objs, "Service", "db")
	if db == nil || db.Spec.ClusterIP != corev1.ClusterIPNone || db.Spec.Selector["app.kubernetes.io/name"] != "db" {
		t.Errorf("Service/db = %+v: a service without ports needs a headless Service selecting it", db)
	}
	dbEnv := map[string]string{}
	for _, e := range model.Lookup[*appsv1.Deployment](objs, "Deployment", "db").Spec.Template.Spec.Containers[0].Env {
		dbEnv[e.Name] = e.Value
	}
	if dbEnv["CALLBACK"] != "http://web-app:80/hook" || dbEnv["OTHER"] != "web_app_extra" {
		t.Errorf("db env = %v: a reference to the renamed web_app must follow the rename, and only whole host names", dbEnv)
	}
	if model.Lookup[*appsv1.DaemonSet](objs, "DaemonSet", "agent") == nil {
		t.Error("deploy.mode global did not give a DaemonSet")
	}
	job := model.Lookup[*batchv1.Job](objs, "Job", "seed")
	if job == nil || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restart \"no\" (profile tools active) = %+v, want a Job that never restarts", job)
	}
	want := map[string]bool{"rename": false, "depends-on": false, "volumes": false}
	for _, f := range findings {
		if _, ok := want[f.Key]; ok {
			want[f.Key] = true
		}
		if f.Key == "volumes" && strings.Contains(f.Message, "./conf") && f.Severity != model.Warning {
			t.Errorf("bind mount finding %+v should be a warning", f)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no %s finding in %+v", k, findings)
		}
	}
}

func TestEnvFileAndProfiles(t *testing.T) {
	objs, findings, err := load(t, app, Options{EnvFiles: []string{"other.env"}}, map[string]string{
		".env": "TAG=from-dotenv\n", "other.env": "TAG=from-flag\n", "web.env": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	web := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web-app")
	if got := web.Spec.Template.Spec.Containers[0].Env; got[0].Name != "FROM_ENV" || got[0].Value != "from-flag" {
		t.Errorf("env = %v: --env-file must replace .env", got)
	}
	if model.Lookup[*batchv1.Job](objs, "Job", "seed") != nil {
		t.Error("service seed of an inactive profile was converted")
	}
	skipped := false
	for _, f := range findings {
		skipped = skipped || strings.Contains(f.Message, "seed skipped")
	}
	if !skipped {
		t.Error("no finding says seed was skipped")
	}
}

func TestStatefulSet(t *testing.T) {
	objs, _, err := load(t, app, Options{StatefulSets: []string{"db"}}, map[string]string{"web.env": ""})
	if err != nil {
		t.Fatal(err)
	}
	ss := model.Lookup[*appsv1.StatefulSet](objs, "StatefulSet", "db")
	if ss == nil || len(ss.Spec.VolumeClaimTemplates) != 1 || ss.Spec.VolumeClaimTemplates[0].Name != "data" {
		t.Fatalf("StatefulSet/db = %+v, want claim template data", ss)
	}
	if svc := model.Lookup[*corev1.Service](objs, "Service", "db"); svc == nil || svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Error("a StatefulSet's Service must be headless")
	}
}

func TestHealthcheckFromBindMount(t *testing.T) {
	objs, findings, err := load(t, "services:\n  redis:\n    image: redis\n    volumes: [\"./hc:/hc\"]\n    healthcheck:\n      test: /hc/redis.sh\n", Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := model.Lookup[*appsv1.Deployment](objs, "Deployment", "redis")
	if d.Spec.Template.Spec.Containers[0].LivenessProbe != nil {
		t.Error("a probe running a script of a dropped bind mount would kill the container forever")
	}
	found := false
	for _, f := range findings {
		found = found || f.Key == "probes"
	}
	if !found {
		t.Error("no finding about the dropped probe")
	}
}

func TestVersion1(t *testing.T) {
	objs, _, err := load(t, "web:\n  image: nginx\n  net: host\n  volumes: [\"cache:/cache\"]\n", Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
	if d == nil || !d.Spec.Template.Spec.HostNetwork {
		t.Errorf("version 1 file: %v", names(objs))
	}
	if model.Lookup[*corev1.PersistentVolumeClaim](objs, "PersistentVolumeClaim", "cache") == nil {
		t.Error("version 1 named volume was not declared")
	}
}

func names(objs []*model.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Ref())
	}
	return out
}

// FuzzCompose loads Compose files in-process, with no per-input setup (one
// directory for every input), and checks: no panic, the same project or
// error with and without the interpolation shortcut, errors name the file,
// converting twice gives the same manifests, and they decode as Kubernetes
// objects again (written as rightsize writes them).
func FuzzCompose(f *testing.F) {
	f.Add([]byte(app))
	// Seeds of at most 2 KiB: compose-go's cost grows with the document
	// (about 5 ms of CPU for 2 KiB, 20 ms for the corpus's 7 KiB file),
	// and the fuzzer mutates around the seeds.
	for _, b := range fuzzseed.FilesUnder(2<<10, 100, FileNames, "testdata", fuzzseed.Corpus()) {
		f.Add(b)
	}
	// Generated files of 4 services: the split load applies to them.
	for seed := uint64(1); seed <= 3; seed++ {
		f.Add(appgen.ComposeGenerate(4, seed))
	}
	f.Add([]byte("web:\n  image: x\n"))
	// A control character is written escaped, so the output decodes again.
	f.Add([]byte("0:\n image: \x7f"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzseed.Watch(data)()
		if _, diff := parseBothWays(data, dir); diff != "" {
			t.Fatal(diff)
		}
		first, err := fuzzConvert(data, dir)
		if err != nil {
			if !strings.Contains(err.Error(), "compose.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		second, err := fuzzConvert(data, dir)
		if err != nil || !bytes.Equal(first, second) {
			t.Fatalf("converting again gave other manifests (err %v)", err)
		}
		if _, _, err := kube.Decode(first, "out.yaml", kube.Options{}); err != nil {
			t.Fatalf("converted manifests do not decode: %v\n%s", err, first)
		}
	})
}

// fuzzConvert converts a Compose file and returns its objects as a JSON stream.
func fuzzConvert(data []byte, dir string) ([]byte, error) {
	data, _, err := Legacy("compose.yaml", data)
	if err != nil {
		return nil, err
	}
	p, err := Parse("compose.yaml", data, dir, map[string]string{}, Options{})
	if err != nil {
		return nil, err
	}
	r, err := Convert(p.Project, "compose.yaml", "compose", Options{})
	if err != nil {
		return nil, err
	}
	r.Set.Finish()
	var buf bytes.Buffer
	if err := render.Stream(&buf, r.Set.Objects(), render.YAML); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// A port range over the ports limit is refused before compose-go expands
// it (one port each: "1-65535" took 35 s), also when a variable holds it;
// the limit can be raised.
func TestHugePortRange(t *testing.T) {
	for _, ports := range []string{`"1-30000:1-30000"`, `"${RANGE:-1-65535:1-65535}"`} {
		start := time.Now()
		_, _, err := load(t, "services:\n  web:\n    image: x\n    ports: ["+ports+"]\n", Options{}, nil)
		var le *limit.Error
		if !errors.As(err, &le) || le.Limit != "ports" || !strings.Contains(err.Error(), "services.web.ports[0]") {
			t.Errorf("%s: err = %v, want the ports limit, naming services.web.ports[0]", ports, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: refused after %s", ports, d)
		}
	}
	doc := "services:\n  web:\n    image: x\n    ports: [\"8000-9499:8000-9499\"]\n"
	if _, _, err := load(t, doc, Options{}, nil); err == nil {
		t.Error("1,500 ports accepted under the default limit of 1,000")
	}
	objs, _, err := load(t, doc, Options{Limits: limit.Limits{Ports: 2000}}, nil)
	if err != nil {
		t.Fatalf("with --limit ports=2000: %v", err)
	}
	if svc := model.Lookup[*corev1.Service](objs, "Service", "web"); svc == nil || len(svc.Spec.Ports) != 1500 {
		t.Errorf("Service/web: want 1,500 ports")
	}
}

// TestDataContainer reads the Docker data-volume container pattern: a
// service that only declares volumes and exits, whose volumes others take
// with volumes_from, runs as an init container in each consumer's pod.
func TestDataContainer(t *testing.T) {
	objs, findings, err := load(t, `
services:
  app:
    image: nginx
    volumes_from: [data:ro]
  data:
    image: example/site-content
    command: /bin/true
    volumes: [/usr/share/nginx/html, content:/srv]
  migrate:
    image: example/migrate
    entrypoint: [sh, -c, "echo ready"]
volumes:
  content: {}
`, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	app := model.Lookup[*appsv1.Deployment](objs, "Deployment", "app")
	if app == nil || model.Lookup[*appsv1.Deployment](objs, "Deployment", "data") != nil {
		t.Fatal("want Deployment/app and no Deployment/data")
	}
	pod := app.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 1 || pod.InitContainers[0].Name != "data" {
		t.Fatalf("app pod: containers %v init %v", pod.Containers, pod.InitContainers)
	}
	mounts := map[string]corev1.VolumeMount{} // by volume
	for _, m := range pod.Containers[0].VolumeMounts {
		mounts[m.Name] = m
	}
	want := map[string]string{"/usr/share/nginx/html": "", "/srv": ""}
	for _, m := range mounts {
		if _, ok := want[m.MountPath]; !ok || !m.ReadOnly {
			t.Errorf("app mounts %s at %s (read-only %v), want data's paths read-only (volumes_from data:ro)", m.Name, m.MountPath, m.ReadOnly)
		}
	}
	init := pod.InitContainers[0]
	if len(mounts) != 2 || len(init.VolumeMounts) != 2 {
		t.Fatalf("app mounts %v, init container %v: want the two volumes of data", mounts, init.VolumeMounts)
	}
	// The init container fills each volume from its image (as Docker fills
	// a new volume), so it mounts them elsewhere and copies.
	script := strings.Join(init.Command, " ")
	for i, m := range init.VolumeMounts {
		app := mounts[m.Name]
		if app.Name == "" || !strings.Contains(script, "cp -an '"+app.MountPath+"'/. "+m.MountPath) {
			t.Errorf("init mount %d %+v: app mounts that volume at %q; script %q does not copy it there", i, m, app.MountPath, script)
		}
	}
	if svc := model.Lookup[*corev1.Service](objs, "Service", "data"); svc == nil || svc.Spec.Selector["app.kubernetes.io/name"] != "app" {
		t.Errorf("Service/data = %+v, want it to select app's pod", svc)
	}
	if job := model.Lookup[*batchv1.Job](objs, "Job", "migrate"); job == nil || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migrate (echo and exit) = %+v, want a Job that runs once", job)
	}
	for _, f := range findings {
		if f.Key == "volumes" && strings.Contains(f.Message, "volumes_from") && f.Severity == model.Warning {
			t.Errorf("volumes_from of a data container reported as not carried over: %s", f.Message)
		}
	}
}

func TestRunsOnce(t *testing.T) {
	for _, tc := range []struct {
		entrypoint, command []string
		labels              map[string]string
		want                bool
	}{
		{entrypoint: []string{"/bin/true"}, want: true},
		{command: []string{"true"}, want: true},
		{command: []string{"echo", "data only"}, want: true},
		{entrypoint: []string{"/bin/sh", "-c", "exit 0"}, want: true},
		{labels: map[string]string{StartOnceLabel: "true"}, command: []string{"run.sh"}, want: true},
		{command: []string{"cat"}},
		{entrypoint: []string{"sh", "-c", "echo x; sleep 1000"}},
		{entrypoint: []string{"/bin/true", "--serve"}},
		{labels: map[string]string{StartOnceLabel: "false"}},
	} {
		svc := &types.ServiceConfig{}
		svc.Entrypoint, svc.Command, svc.Labels = tc.entrypoint, tc.command, tc.labels
		if got := RunsOnce(svc) != ""; got != tc.want {
			t.Errorf("%v %v %v: runs once = %v, want %v", tc.entrypoint, tc.command, tc.labels, got, tc.want)
		}
	}
}

// TestSharedNetwork: a service with network_mode service:X shares X's
// network namespace, so it runs as a container of X's pod.
func TestSharedNetwork(t *testing.T) {
	objs, findings, err := load(t, `
services:
  vpn:
    image: example/vpn
    ports: ["8080:8080"]
  app:
    image: example/app
    network_mode: service:vpn
    environment: {LISTEN: "localhost:8080"}
  other:
    image: example/other
    network_mode: container:outside
`, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vpn := model.Lookup[*appsv1.Deployment](objs, "Deployment", "vpn")
	if vpn == nil || len(vpn.Spec.Template.Spec.Containers) != 2 || model.Lookup[*appsv1.Deployment](objs, "Deployment", "app") != nil {
		t.Fatalf("want app as a second container of vpn's pod: %v", vpn)
	}
	if svc := model.Lookup[*corev1.Service](objs, "Service", "app"); svc == nil || svc.Spec.Selector["app.kubernetes.io/name"] != "vpn" {
		t.Errorf("Service/app = %+v, want it to select vpn's pod", svc)
	}
	warned := map[string]bool{}
	for _, f := range findings {
		if f.Key == "network" && f.Severity == model.Warning {
			warned[f.Object.Name] = true
		}
	}
	if warned["vpn"] || !warned["other"] {
		t.Errorf("network warnings for %v: want one for other (container:outside) only", warned)
	}
}
