package names

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

func svc(ns, name string) *model.Object {
	return &model.Object{Obj: &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
	}}
}

func deploy(ns, name string, c corev1.Container, aliases ...string) *model.Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
	}
	d.Spec.Template.Spec.Containers = []corev1.Container{c}
	if len(aliases) > 0 {
		d.Spec.Template.Spec.HostAliases = []corev1.HostAlias{{IP: "127.0.0.1", Hostnames: aliases}}
	}
	return &model.Object{Obj: d}
}

func env(pairs ...string) []corev1.EnvVar {
	var out []corev1.EnvVar
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, corev1.EnvVar{Name: pairs[i], Value: pairs[i+1]})
	}
	return out
}

func TestCheck(t *testing.T) {
	web := corev1.Container{
		Name: "web",
		Env: env(
			"DB", "postgres://user@db:5432/app",
			"CACHE", "redis.data.svc.cluster.local:6379",
			"QUEUE", "queue",
			"CONF", "/etc/db.conf",
			"EXTERNAL", "https://example.com/api",
			"PEER", "sidecar:9000",
		),
		Args: []string{"--master=http://db.prod:80", "--gone=missing:1"},
	}
	app := &model.App{Objects: []*model.Object{
		svc("prod", "db"), svc("data", "redis"), svc("prod", "queue"),
		deploy("prod", "web", web, "sidecar"),
	}}
	got := map[string]string{}
	for _, r := range Check(app) {
		got[r.Field+" "+r.Host] = r.Resolves
	}
	want := map[string]string{
		"env[DB] db": "Service/prod/db",
		"env[CACHE] redis.data.svc.cluster.local": "Service/data/redis",
		"env[QUEUE] queue":                        "Service/prod/queue",
		"env[EXTERNAL] example.com":               "",
		"env[PEER] sidecar":                       "hostAliases",
		"args[0] db.prod":                         "Service/prod/db",
		"args[1] missing":                         "",
	}
	for k, v := range want {
		r, ok := got[k]
		if !ok {
			t.Errorf("missing ref %q (have %v)", k, got)
			continue
		}
		if r != v {
			t.Errorf("%s resolves to %q, want %q", k, r, v)
		}
	}
	for k := range got {
		if strings.Contains(k, "db.conf") {
			t.Errorf("file name taken for a host: %s", k)
		}
	}
}

func TestBroken(t *testing.T) {
	c := corev1.Container{Name: "web", Env: env("DB", "db.prod.svc.cluster.local", "CACHE", "redis:6379")}
	before := &model.App{Objects: []*model.Object{svc("prod", "db"), svc("prod", "redis"), deploy("prod", "web", c)}}

	// Folding into another namespace with the reference shortened keeps
	// every name resolving.
	folded := c
	folded.Env = env("DB", "db", "CACHE", "redis:6379")
	after := &model.App{Objects: []*model.Object{svc("t", "db"), svc("t", "redis"), deploy("t", "merged", folded)}}
	if b := Broken(before, after); len(b) != 0 {
		t.Errorf("folded app: broken %v, want none", b)
	}

	// Folding without rewriting the reference breaks it.
	after = &model.App{Objects: []*model.Object{svc("t", "db"), svc("t", "redis"), deploy("t", "web", c)}}
	b := Broken(before, after)
	if len(b) != 1 || b[0].Host != "db.prod.svc.cluster.local" {
		t.Errorf("unrewritten reference: broken %v, want db.prod.svc.cluster.local", b)
	}

	// Dropping a Service breaks its name, unless a hostAlias takes over.
	after = &model.App{Objects: []*model.Object{svc("prod", "db"), deploy("prod", "web", c)}}
	if b := Broken(before, after); len(b) != 1 || b[0].Host != "redis" {
		t.Errorf("dropped Service: broken %v, want redis", b)
	}
	after = &model.App{Objects: []*model.Object{svc("prod", "db"), deploy("prod", "web", c, "redis")}}
	if b := Broken(before, after); len(b) != 0 {
		t.Errorf("hostAlias: broken %v, want none", b)
	}
}

// TestSelectorMustSelect: a Service with a selector reaches someone only
// while a pod of the app carries its labels, which is what a merge that
// forgot to re-point a Service would break.
func TestSelectorMustSelect(t *testing.T) {
	selecting := func(name string, sel map[string]string) *model.Object {
		o := svc("prod", name)
		o.Obj.(*corev1.Service).Spec.Selector = sel
		return o
	}
	labelled := func(name string, labels map[string]string, c corev1.Container) *model.Object {
		o := deploy("prod", name, c)
		o.Obj.(*appsv1.Deployment).Spec.Template.Labels = labels
		return o
	}
	web := corev1.Container{Name: "web", Env: env("API", "http://api:8080", "EXT", "manual:1")}
	before := &model.App{Objects: []*model.Object{
		selecting("api", map[string]string{"app": "api"}), selecting("manual", nil),
		labelled("web", map[string]string{"app": "web"}, web), labelled("api", map[string]string{"app": "api"}, corev1.Container{Name: "api"}),
	}}
	for _, r := range Check(before) {
		if r.Resolves == "" {
			t.Errorf("%s does not resolve before", r)
		}
	}
	// The api pods now carry other labels: the Service selects nothing.
	after := &model.App{Objects: []*model.Object{
		selecting("api", map[string]string{"app": "api"}), selecting("manual", nil),
		labelled("web", map[string]string{"app": "web"}, web), labelled("api", map[string]string{"app": "merged"}, corev1.Container{Name: "api"}),
	}}
	if b := Broken(before, after); len(b) != 1 || b[0].Host != "api" {
		t.Errorf("broken %v, want api only (a selector-less Service keeps resolving)", b)
	}
}

// TestConfigMapNamesResolveThroughReaders: a name in a ConfigMap resolves
// through host aliases only when every pod that reads the ConfigMap has
// the alias.
func TestConfigMapNamesResolveThroughReaders(t *testing.T) {
	cm := &model.Object{Obj: &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "conf"}, Data: map[string]string{"app.conf": "upstream api:8080"}}}
	reader := func(name string, aliases ...string) *model.Object {
		o := deploy("", name, corev1.Container{Name: name, EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "conf"}}}}}, aliases...)
		return o
	}
	for _, tt := range []struct {
		name    string
		readers []*model.Object
		want    string
	}{
		{"one reader with the alias", []*model.Object{reader("web", "api")}, "hostAliases"},
		{"a second reader without it", []*model.Object{reader("web", "api"), reader("other")}, ""},
		{"every reader has it", []*model.Object{reader("web", "api"), reader("other", "api")}, "hostAliases"},
		{"no reader", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: append([]*model.Object{cm}, tt.readers...)}
			got := "(no ref)"
			for _, r := range Check(app) {
				if r.Field == "data[app.conf]" {
					got = r.Resolves
				}
			}
			if got != tt.want {
				t.Errorf("resolves %q, want %q", got, tt.want)
			}
		})
	}
}
