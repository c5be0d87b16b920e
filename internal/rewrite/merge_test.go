package rewrite

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/solve"
)

// mdep is a Deployment labelled app=NAME with one container "server"
// listening on port (0: none).
func mdep(name string, port int32) *appsv1.Deployment {
	one := int32(1)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec:       appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}},
	}
	d.Spec.Template.Labels = map[string]string{"app": name}
	c := corev1.Container{Name: "server", Image: name}
	if port != 0 {
		c.Ports = []corev1.ContainerPort{{ContainerPort: port}}
	}
	d.Spec.Template.Spec.Containers = []corev1.Container{c}
	return d
}

func msvc(name string, selector map[string]string, port, target int32) *corev1.Service {
	return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Selector: selector, Ports: []corev1.ServicePort{{Port: port, TargetPort: intstr.FromInt32(target)}}}}
}

func sa(name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func mapp(objs ...any) *model.App {
	app := &model.App{}
	for _, o := range objs {
		switch t := o.(type) {
		case *appsv1.Deployment:
			app.Objects = append(app.Objects, &model.Object{Obj: t})
		case *corev1.Service:
			app.Objects = append(app.Objects, &model.Object{Obj: t})
		case *corev1.ServiceAccount:
			app.Objects = append(app.Objects, &model.Object{Obj: t})
		case *rbacv1.RoleBinding:
			app.Objects = append(app.Objects, &model.Object{Obj: t})
		case *policyv1.PodDisruptionBudget:
			app.Objects = append(app.Objects, &model.Object{Obj: t})
		}
	}
	return app
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name string
		// app builds the app; the group is objects 0 and 1.
		app func() *model.App
		// conflict is a part of the conflict message; "" when the merge
		// must succeed.
		conflict string
		check    func(t *testing.T, app *model.App, m *Merged)
	}{
		{"services keep selecting the merged pod", func() *model.App {
			c := mdep("c", 82)
			c.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "B", Value: "http://b:81"}, {Name: "A", Value: "a:80"}}
			return mapp(mdep("a", 80), mdep("b", 81), c, msvc("a", map[string]string{"app": "a"}, 80, 80), msvc("b", map[string]string{"app": "b"}, 81, 81))
		}, "", func(t *testing.T, app *model.App, m *Merged) {
			d := m.Object.Obj.(*appsv1.Deployment)
			if d.Name != "a-merged" || d.Annotations[MergedFromAnnotation] != "a,b" {
				t.Errorf("name %q, merged-from %q", d.Name, d.Annotations[MergedFromAnnotation])
			}
			if got := len(d.Spec.Template.Spec.Containers); got != 2 {
				t.Fatalf("%d containers, want 2", got)
			}
			if _, ok := m.Services[3]; ok {
				t.Error("Service a still selects app=a on the merged pod and needs no change")
			}
			sb, ok := m.Services[4]
			if !ok {
				t.Fatal("Service b was not re-pointed")
			}
			for _, s := range []*corev1.Service{app.Objects[3].Obj.(*corev1.Service), sb.Obj.(*corev1.Service)} {
				if !names.Selects(s.Spec.Selector, d.Spec.Template.Labels) {
					t.Errorf("Service %s (%v) does not select the merged pod %v", s.Name, s.Spec.Selector, d.Spec.Template.Labels)
				}
			}
			// The merged Deployment selects its own pods and no other's.
			sel := d.Spec.Selector.MatchLabels
			if !names.Selects(sel, d.Spec.Template.Labels) || names.Selects(sel, app.Objects[2].Obj.(*appsv1.Deployment).Spec.Template.Labels) {
				t.Errorf("selector %v: must select %v only", sel, d.Spec.Template.Labels)
			}
			// The names c uses still resolve.
			after := &model.App{Objects: []*model.Object{m.Object, app.Objects[2], app.Objects[3], sb}}
			if broken := names.Broken(app, after); len(broken) > 0 {
				t.Errorf("names broken: %v", broken)
			}
		}},
		{"declared port clash blocks", func() *model.App {
			return mapp(mdep("a", 8080), mdep("b", 8080))
		}, "port 8080/TCP", nil},
		{"undeclared port a Service targets clashes", func() *model.App {
			return mapp(mdep("a", 0), mdep("b", 9000), msvc("a", map[string]string{"app": "a"}, 80, 9000))
		}, "port 9000/TCP", nil},
		{"same port, other protocol merges", func() *model.App {
			b := mdep("b", 53)
			b.Spec.Template.Spec.Containers[0].Ports[0].Protocol = corev1.ProtocolUDP
			return mapp(mdep("a", 53), b)
		}, "", nil},
		{"probe port clash blocks", func() *model.App {
			b := mdep("b", 0)
			b.Spec.Template.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}}}
			return mapp(mdep("a", 80), b)
		}, "port 80/TCP", nil},
		{"hostPort clash blocks", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Spec.Containers[0].Ports[0].HostPort = 8000
			b.Spec.Template.Spec.Containers[0].Ports[0].HostPort = 8000
			return mapp(a, b)
		}, "hostPort 8000/TCP", nil},
		{"port name clash blocks", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Spec.Containers[0].Ports[0].Name = "http"
			b.Spec.Template.Spec.Containers[0].Ports[0].Name = "http"
			return mapp(a, b)
		}, `port name "http"`, nil},
		{"volumes renamed with their mounts", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			for _, d := range []*appsv1.Deployment{a, b} {
				d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: d.Name + "-conf"}}}}}
				d.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/etc/" + d.Name}}
			}
			return mapp(a, b)
		}, "", func(t *testing.T, app *model.App, m *Merged) {
			spec := m.Object.Obj.(*appsv1.Deployment).Spec.Template.Spec
			vols := map[string]string{}
			for _, v := range spec.Volumes {
				vols[v.Name] = v.ConfigMap.Name
			}
			if !reflect.DeepEqual(vols, map[string]string{"data": "a-conf", "b-data": "b-conf"}) {
				t.Errorf("volumes %v", vols)
			}
			for _, c := range spec.Containers {
				vm := c.VolumeMounts[0]
				if vols[vm.Name] != strings.TrimPrefix(vm.MountPath, "/etc/")+"-conf" {
					t.Errorf("container %s mounts %s at %s: not its own volume", c.Name, vm.Name, vm.MountPath)
				}
			}
			if !hasChange(m.Changes, "spec.template.spec.volumes[b-data].name", "data (of Deployment/b)", "b-data") {
				t.Errorf("volume rename not reported: %+v", m.Changes)
			}
		}},
		{"init containers kept, names made unique", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			for _, d := range []*appsv1.Deployment{a, b} {
				d.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "setup", Image: d.Name + "-setup"}}
			}
			b.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "LIMIT", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "server", Resource: "limits.memory"}}}}
			return mapp(a, b)
		}, "", func(t *testing.T, app *model.App, m *Merged) {
			spec := m.Object.Obj.(*appsv1.Deployment).Spec.Template.Spec
			var inits, cs []string
			for _, c := range spec.InitContainers {
				inits = append(inits, c.Name+"="+c.Image)
			}
			for _, c := range spec.Containers {
				cs = append(cs, c.Name+"="+c.Image)
			}
			if !reflect.DeepEqual(inits, []string{"setup=a-setup", "b-setup=b-setup"}) || !reflect.DeepEqual(cs, []string{"server=a", "b-server=b"}) {
				t.Errorf("init containers %v, containers %v", inits, cs)
			}
			if ref := spec.Containers[1].Env[0].ValueFrom.ResourceFieldRef.ContainerName; ref != "b-server" {
				t.Errorf("resourceFieldRef names %q, want the renamed b-server", ref)
			}
			if !hasChange(m.Changes, "spec.template.spec.initContainers[b-setup].name", "setup (of Deployment/b)", "b-setup") {
				t.Errorf("init container rename not reported: %+v", m.Changes)
			}
		}},
		{"replica mismatch blocks", func() *model.App {
			b := mdep("b", 81)
			two := int32(2)
			b.Spec.Replicas = &two
			return mapp(mdep("a", 80), b)
		}, "1 replicas and Deployment/b 2", nil},
		{"nodeSelector differs blocks", func() *model.App {
			b := mdep("b", 81)
			b.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"}
			return mapp(mdep("a", 80), b)
		}, "pod-level nodeSelector", nil},
		{"hostNetwork differs blocks", func() *model.App {
			b := mdep("b", 81)
			b.Spec.Template.Spec.HostNetwork = true
			return mapp(mdep("a", 80), b)
		}, "pod-level hostNetwork", nil},
		{"defaults that only look different merge", func() *model.App {
			b := mdep("b", 81)
			b.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
			b.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{}
			return mapp(mdep("a", 80), b)
		}, "", nil},
		{"bound ServiceAccounts block", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Spec.ServiceAccountName, b.Spec.Template.Spec.ServiceAccountName = "a", "b"
			rb := &rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"}, ObjectMeta: metav1.ObjectMeta{Name: "b"},
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "b"}}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "reader"}}
			return mapp(a, b, sa("a"), sa("b"), rb)
		}, "pod-level serviceAccountName", nil},
		{"unbound look-alike ServiceAccounts merge", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Spec.ServiceAccountName, b.Spec.Template.Spec.ServiceAccountName = "a", "b"
			return mapp(a, b, sa("a"), sa("b"))
		}, "", func(t *testing.T, app *model.App, m *Merged) {
			if got := m.Object.Obj.(*appsv1.Deployment).Spec.Template.Spec.ServiceAccountName; got != "a" {
				t.Errorf("serviceAccountName %q", got)
			}
			if !hasChange(m.Changes, "spec.template.spec.serviceAccountName", "b (of Deployment/b)", "a") {
				t.Errorf("ServiceAccount change not reported: %+v", m.Changes)
			}
		}},
		{"a ServiceAccount the app does not define blocks", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Spec.ServiceAccountName = "a"
			return mapp(a, b, sa("a"))
		}, "pod-level serviceAccountName", nil},
		{"an init container waiting for a member blocks", func() *model.App {
			b := mdep("b", 81)
			b.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "wait", Image: "busybox", Args: []string{"until nc -z a 80; do sleep 1; done"}}}
			return mapp(mdep("a", 80), b, msvc("a", map[string]string{"app": "a"}, 80, 80))
		}, "wait for ever", nil},
		{"a Service that also selects a non-member blocks", func() *model.App {
			c := mdep("c", 82)
			c.Spec.Template.Labels = map[string]string{"app": "b", "role": "c"}
			c.Spec.Selector.MatchLabels = map[string]string{"role": "c"}
			return mapp(mdep("a", 80), mdep("b", 81), c, msvc("b", map[string]string{"app": "b"}, 81, 81))
		}, "would lose Deployment/c", nil},
		{"a PodDisruptionBudget pins its pods", func() *model.App {
			pdb := &policyv1.PodDisruptionBudget{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"}, ObjectMeta: metav1.ObjectMeta{Name: "b"},
				Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "b"}}}}
			return mapp(mdep("a", 80), mdep("b", 81), pdb)
		}, "PodDisruptionBudget/b selects its pods", nil},
		{"pod annotations that disagree block", func() *model.App {
			a, b := mdep("a", 80), mdep("b", 81)
			a.Spec.Template.Annotations = map[string]string{"prometheus.io/port": "80"}
			b.Spec.Template.Annotations = map[string]string{"prometheus.io/port": "81"}
			return mapp(a, b)
		}, "prometheus.io/port", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := tt.app()
			orig := Copy(app)
			m, err := NewMerger(app, nil).Merge([]int{0, 1}, "test")
			if !reflect.DeepEqual(Copy(app), orig) {
				t.Error("Merge changed its input app")
			}
			if tt.conflict != "" {
				var c *Conflict
				if !errors.As(err, &c) || !strings.Contains(c.Msg, tt.conflict) {
					t.Fatalf("err = %v, want a conflict saying %q", err, tt.conflict)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			again, err := NewMerger(app, nil).Merge([]int{0, 1}, "test")
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Error("a second merge of the same group differs")
			}
			if tt.check != nil {
				tt.check(t, app, m)
			}
		})
	}
}

func hasChange(cs []Change, field, before, after string) bool {
	for _, c := range cs {
		if c.Field == field && c.Before == before && c.After == after {
			return true
		}
	}
	return false
}

// TestApplyMerge checks the op in Apply: members go, the merged Deployment
// takes the first member's place, and every change is listed.
func TestApplyMerge(t *testing.T) {
	c := mdep("c", 82)
	c.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "B", Value: "b:81"}}
	app := mapp(mdep("a", 80), msvc("a", map[string]string{"app": "a"}, 80, 80), mdep("b", 81), msvc("b", map[string]string{"app": "b"}, 81, 81), c)
	out, cs, err := Apply(app, []solve.Op{{Kind: solve.OpMerge, Object: -1, Members: []int{0, 2}, Reason: "quota pods binds"}})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, o := range out.Objects {
		refs = append(refs, o.Ref())
	}
	if want := []string{"Deployment/a-merged", "Service/a", "Service/b", "Deployment/c"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("objects %v, want %v", refs, want)
	}
	for _, want := range []Change{
		{Object: model.Key{Group: "apps", Kind: "Deployment", Name: "a-merged"}, Field: "(object)", Before: "(none)", After: "created from Deployment/a, Deployment/b", Reason: "quota pods binds"},
		{Object: model.Key{Group: "apps", Kind: "Deployment", Name: "b"}, Field: "(object)", Before: "present", After: "merged into Deployment/a-merged", Reason: "quota pods binds"},
	} {
		found := false
		for _, c := range cs {
			found = found || c == want
		}
		if !found {
			t.Errorf("missing change %+v in %+v", want, cs)
		}
	}
	if broken := names.Broken(app, out); len(broken) > 0 {
		t.Errorf("names broken: %v", broken)
	}
	// Without re-pointing Service/b, c's name would reach no one.
	stale := Copy(out)
	stale.Objects[2] = app.Objects[3]
	if broken := names.Broken(app, stale); len(broken) != 1 || broken[0].Host != "b" {
		t.Errorf("a Service left selecting the merged-away pods: broken = %v, want b", broken)
	}
}
