package fit

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
)

func service(name string, port, target int32) *model.Object {
	return &model.Object{Obj: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: port, TargetPort: intstr.FromInt32(target)}}}}}
}

func withEnv(o *model.Object, value string) *model.Object {
	c := &o.Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: "PEER", Value: value})
	return o
}

func withPort(o *model.Object, port int32) *model.Object {
	c := &o.Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
	c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: port})
	return o
}

func configMap(name, data string) *model.Object {
	return &model.Object{Obj: &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Data: map[string]string{"app.conf": data}}}
}

func withConfigVolume(o *model.Object, cm string) *model.Object {
	spec := &o.Obj.(*appsv1.Deployment).Spec.Template.Spec
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: cm}}}})
	spec.Containers[0].VolumeMounts = append(spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "conf", MountPath: "/etc/app"})
	return o
}

// TestRunServices: a services quota is met by removing Services whose only
// users share a pod with their server, merging them when it takes that, and
// never by breaking a name or a port.
func TestRunServices(t *testing.T) {
	tests := []struct {
		name     string
		objects  []*model.Object
		services string
		allow    []string
		fits     bool
		// left are the Services after the fit; finding is part of a finding.
		left    []string
		finding string
	}{
		{"client merged with its server", []*model.Object{
			withEnv(withPort(deployment("web", 1, "100m", "64Mi"), 80), "http://api:8080"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", nil, true, []string{"web"}, ""},
		{"port mapped elsewhere: the client's port follows", []*model.Object{
			withEnv(withPort(deployment("web", 1, "100m", "64Mi"), 80), "http://api:80/v1"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 80, 8080),
		}, "1", nil, true, []string{"web"}, ""},
		{"port mapped elsewhere, the client names no port", []*model.Object{
			withEnv(withPort(deployment("web", 1, "100m", "64Mi"), 80), "http://api/v1"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 80, 8080),
		}, "1", nil, false, []string{"web", "api"}, "maps port 80->8080 to a different target port and Deployment/web names it in env[PEER] without a port"},
		{"merge not allowed", []*model.Object{
			withEnv(withPort(deployment("web", 1, "100m", "64Mi"), 80), "http://api:8080"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", []string{AllowResources, AllowServices}, false, []string{"web", "api"}, "Service(s) too many"},
		{"used only by its own pod", []*model.Object{
			withEnv(withPort(deployment("web", 1, "100m", "64Mi"), 80), "web:80"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", []string{AllowResources, AllowServices}, true, []string{"api"}, ""},
		{"named in a ConfigMap that its client mounts", []*model.Object{
			withConfigVolume(withPort(deployment("web", 1, "100m", "64Mi"), 80), "web-conf"), service("web", 80, 80),
			configMap("web-conf", "upstream http://api:8080;"),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", nil, true, []string{"web"}, ""},
		{"named in a ConfigMap that no pod reads", []*model.Object{
			withPort(deployment("web", 1, "100m", "64Mi"), 80), service("web", 80, 80),
			configMap("web-conf", "upstream http://api:8080;"),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", nil, false, []string{"web", "api"}, "from outside any pod"},
		{"unequal replicas", []*model.Object{
			withEnv(withPort(deployment("web", 2, "100m", "64Mi"), 80), "http://api:8080"), service("web", 80, 80),
			withPort(deployment("api", 1, "100m", "64Mi"), 8080), service("api", 8080, 8080),
		}, "1", []string{AllowResources, AllowServices, AllowMerge}, false, []string{"web", "api"}, "replicas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: tt.objects}
			tg := quotaTarget(corev1.ResourceList{"services": resource.MustParse(tt.services)})
			res, err := Run(app, tg, Options{Allow: tt.allow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tt.fits {
				t.Errorf("fits = %v, want %v: %v", res.Fits, tt.fits, res.Findings)
			}
			var svcs []string
			for _, o := range res.App.Objects {
				if o.Kind() == "Service" {
					svcs = append(svcs, o.Name())
				}
			}
			if fmt.Sprint(svcs) != fmt.Sprint(tt.left) {
				t.Errorf("services %v, want %v", svcs, tt.left)
			}
			if broken := names.Broken(app, res.App); len(broken) > 0 {
				t.Errorf("names broken: %v", broken)
			}
			if tt.finding != "" {
				found := false
				for _, f := range res.Findings {
					found = found || strings.Contains(f.Message, tt.finding)
				}
				if !found {
					t.Errorf("no finding says %q: %v", tt.finding, res.Findings)
				}
			}
			if !tt.fits {
				return
			}
			// The name the client uses resolves to the pod itself, on the
			// port the server listens on.
			for _, r := range names.Check(res.App) {
				if r.Field == "env[PEER]" && r.Host == "api" && r.Port != 8080 {
					t.Errorf("%s names port %d, want the target port 8080", r, r.Port)
				}
				if (r.Field == "env[PEER]" || r.Field == "data[app.conf]") && r.Resolves != "hostAliases" {
					t.Errorf("%s resolves to %q, want hostAliases", r, r.Resolves)
				}
			}
		})
	}
}
