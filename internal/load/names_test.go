package load

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
)

// TestCorpusNamesResolve runs the names integrity check on every converted
// corpus app: every host name a container uses must resolve.
func TestCorpusNamesResolve(t *testing.T) {
	needCorpus(t)
	for _, c := range corpusCases {
		t.Run(c.name, func(t *testing.T) {
			app, err := Load([]string{filepath.Join(corpus, c.path)}, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range names.Check(app) {
				if r.Resolves == "" {
					t.Errorf("%s does not resolve", r)
				}
			}
		})
	}
}

// podTemplate returns a workload's pod template.
func podTemplate(o *model.Object) *corev1.PodTemplateSpec {
	switch w := o.Obj.(type) {
	case *appsv1.Deployment:
		return &w.Spec.Template
	case *appsv1.StatefulSet:
		return &w.Spec.Template
	case *appsv1.DaemonSet:
		return &w.Spec.Template
	}
	return nil
}

// TestROSNames is the ROS 1 rule: every ROS_HOSTNAME and the host of every
// ROS_MASTER_URI is a headlesss Service that selects that node's pod.
func TestROSNames(t *testing.T) {
	needCorpus(t)
	app, err := Load([]string{filepath.Join(corpus, "ros-compose/docker/docker-compose-network-self-contained.yml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]*corev1.Service{}
	hostOwner := map[string]*corev1.PodTemplateSpec{} // ROS_HOSTNAME -> pod
	type use struct{ host, env, workload string }
	var uses []use
	for _, o := range app.Objects {
		if s, ok := o.Obj.(*corev1.Service); ok {
			services[s.Name] = s
		}
		tmpl := podTemplate(o)
		if tmpl == nil {
			continue
		}
		for _, c := range tmpl.Spec.Containers {
			for _, e := range c.Env {
				switch e.Name {
				case "ROS_HOSTNAME":
					hostOwner[e.Value] = tmpl
					uses = append(uses, use{e.Value, e.Name, o.Name()})
				case "ROS_MASTER_URI":
					u, err := url.Parse(e.Value)
					if err != nil {
						t.Fatalf("%s: %v", o.Ref(), err)
					}
					uses = append(uses, use{u.Hostname(), e.Name, o.Name()})
				}
			}
		}
	}
	if len(uses) != 5 {
		t.Fatalf("found %d ROS names, want 3 ROS_HOSTNAME and 2 ROS_MASTER_URI: %v", len(uses), uses)
	}
	for _, u := range uses {
		svc := services[u.host]
		if svc == nil {
			t.Errorf("%s %s of %s: no Service named %s", u.env, u.host, u.workload, u.host)
			continue
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("Service %s is not headlesss: ROS peers use undeclared ports", u.host)
		}
		pod := hostOwner[u.host]
		if pod == nil {
			t.Errorf("%s %s: no node advertises that ROS_HOSTNAME", u.env, u.host)
			continue
		}
		if sel := labels.SelectorFromSet(svc.Spec.Selector); svc.Spec.Selector == nil || !sel.Matches(labels.Set(pod.Labels)) {
			t.Errorf("Service %s selects %v, which does not match the pod of the node named %s (%v)", u.host, svc.Spec.Selector, u.host, pod.Labels)
		}
	}
	for _, r := range names.Check(app) {
		if (strings.Contains(r.Field, "ROS_")) && r.Resolves != "Service//"+r.Host && r.Resolves != "Service/"+r.Host {
			t.Errorf("names check: %s resolves to %q", r, r.Resolves)
		}
	}
}

// shape is what must agree between the Compose and Kubernetes variants of an
// app: per workload, its kind, images and the ports it declares or serves.
type shape struct {
	kind     string
	images   []string
	ports    []string // container ports
	svc      []string // Service port -> target port
	headless bool
}

func shapes(t *testing.T, app *model.App) map[string]*shape {
	t.Helper()
	out := map[string]*shape{}
	for _, o := range app.Objects {
		tmpl := podTemplate(o)
		if tmpl == nil {
			continue
		}
		s := &shape{kind: o.Kind()}
		for _, c := range tmpl.Spec.Containers {
			s.images = append(s.images, c.Image)
			for _, p := range c.Ports {
				proto := p.Protocol
				if proto == "" {
					proto = corev1.ProtocolTCP // the API server's default
				}
				s.ports = append(s.ports, fmt.Sprintf("%d/%s", p.ContainerPort, proto))
			}
		}
		sort.Strings(s.ports)
		out[o.Name()] = s
	}
	for _, o := range app.Objects {
		svc, ok := o.Obj.(*corev1.Service)
		if !ok {
			continue
		}
		s := out[svc.Name]
		if s == nil {
			t.Errorf("Service %s is named after no workload", svc.Name)
			continue
		}
		s.headless = svc.Spec.ClusterIP == corev1.ClusterIPNone
		for _, p := range svc.Spec.Ports {
			s.svc = append(s.svc, fmt.Sprintf("%d->%s", p.Port, p.TargetPort.String()))
		}
		sort.Strings(s.svc)
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestVotingAppVariants: the Compose and Kubernetes variants of the voting
// app convert to the same workloads, images and ports. Compose does not
// declare the ports of redis and postgres (its network reaches every port);
// the conversion gives them headlesss Services, where every port resolves.
func TestVotingAppVariants(t *testing.T) {
	needCorpus(t)
	kapp, err := Load([]string{filepath.Join(corpus, "voting-app-k8s/k8s-specifications")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	capp, err := Load([]string{filepath.Join(corpus, "voting-app-compose/docker-compose.images.yml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, c := shapes(t, kapp), shapes(t, capp)
	var kn, cn []string
	for n := range k {
		kn = append(kn, n)
	}
	for n := range c {
		cn = append(cn, n)
	}
	sort.Strings(kn)
	sort.Strings(cn)
	if strings.Join(kn, ",") != strings.Join(cn, ",") {
		t.Fatalf("workloads differ: kubernetes %v, compose %v", kn, cn)
	}
	for _, n := range kn {
		ks, cs := k[n], c[n]
		if ks.kind != cs.kind {
			t.Errorf("%s: kind %s (kubernetes) vs %s (compose)", n, ks.kind, cs.kind)
		}
		if strings.Join(ks.images, ",") != strings.Join(cs.images, ",") {
			t.Errorf("%s: images %v (kubernetes) vs %v (compose)", n, ks.images, cs.images)
		}
		for _, p := range cs.ports {
			if !contains(ks.ports, p) {
				t.Errorf("%s: compose declares container port %s, kubernetes does not (%v)", n, p, ks.ports)
			}
		}
		for _, p := range ks.ports {
			if !contains(cs.ports, p) && !cs.headless {
				t.Errorf("%s: kubernetes declares container port %s; compose neither declares it nor makes the Service headlesss", n, p)
			}
		}
		for _, p := range ks.svc {
			if !contains(cs.svc, p) && !cs.headless {
				t.Errorf("%s: kubernetes Service port %s is missing from the compose conversion %v", n, p, cs.svc)
			}
		}
	}
	// The ports published by both: vote 8080->80 and result 8081->80.
	for n, p := range map[string]string{"vote": "8080->80", "result": "8081->80"} {
		if !contains(c[n].svc, p) || !contains(k[n].svc, p) {
			t.Errorf("%s: Service port %s: compose %v, kubernetes %v", n, p, c[n].svc, k[n].svc)
		}
	}
}
