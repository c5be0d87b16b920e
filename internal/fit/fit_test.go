package fit

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
)

func deployment(name string, replicas int32, cpu, mem string) *model.Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas},
	}
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
	d.Spec.Template.Labels = map[string]string{"app": name}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: name, Image: "img", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
	}}}
	return &model.Object{Obj: d, Source: model.Source{File: "gen.yaml"}}
}

func quotaTarget(hard corev1.ResourceList) *model.Target {
	return &model.Target{Name: "test", Namespace: "t", Quotas: []*corev1.ResourceQuota{{
		ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "t"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}}}
}

func TestRunScalesAndReducesReplicas(t *testing.T) {
	tests := []struct {
		name     string
		hard     corev1.ResourceList
		allow    []string
		fits     bool
		replicas int32  // of Deployment/a after the fit
		cpu      string // request of Deployment/a after the fit
	}{
		{"fits as is", corev1.ResourceList{"requests.cpu": resource.MustParse("5")}, nil, true, 3, "1"},
		// 3x1 + 1x1 = 4 cores, and one more 1-core pod for a rolling
		// update's surge (maxUnavailable 25% of 3 rounds down to 0): 5
		// cores into 4, f = 0.8.
		{"rollout headroom", corev1.ResourceList{"requests.cpu": resource.MustParse("4")}, nil, true, 3, "800m"},
		// 5 cores into 2: f = 0.4.
		{"scaled", corev1.ResourceList{"requests.cpu": resource.MustParse("2")}, nil, true, 3, "400m"},
		// 4 pods into 2 needs replicas; scaling cannot help.
		{"replicas", corev1.ResourceList{"pods": resource.MustParse("2")}, nil, true, 1, "1"},
		{"replicas not allowed", corev1.ResourceList{"pods": resource.MustParse("2")}, []string{AllowResources}, false, 3, "1"},
		// Floors of 10m: 4 pods need 40m, 30m cannot fit even at 1 replica each... 2 pods x 10m = 20m do.
		{"floors force replicas", corev1.ResourceList{"requests.cpu": resource.MustParse("30m")}, nil, true, 2, "10m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: []*model.Object{deployment("a", 3, "1", "64Mi"), deployment("b", 1, "1", "64Mi")}}
			res, err := Run(app, quotaTarget(tt.hard), Options{Allow: tt.allow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tt.fits {
				t.Fatalf("fits = %v, want %v; findings %v", res.Fits, tt.fits, res.After.Findings)
			}
			d := res.App.Objects[0].Obj.(*appsv1.Deployment)
			if *d.Spec.Replicas != tt.replicas {
				t.Errorf("replicas = %d, want %d", *d.Spec.Replicas, tt.replicas)
			}
			if q := d.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU]; q.String() != tt.cpu {
				t.Errorf("cpu = %s, want %s", q.String(), tt.cpu)
			}
			if d.Namespace != "t" {
				t.Errorf("namespace = %q, want the target's", d.Namespace)
			}
		})
	}
}

func TestRunNoFitSaysWhy(t *testing.T) {
	app := &model.App{Objects: []*model.Object{deployment("a", 1, "1", "64Mi")}}
	res, err := Run(app, quotaTarget(corev1.ResourceList{"requests.memory": resource.MustParse("16Mi")}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fits {
		t.Fatal("fits below the 32Mi floor")
	}
	over, need := res.Over["requests.memory"], res.Needs["requests.memory"]
	if over.String() != "16Mi" || need.String() != "32Mi" {
		t.Errorf("over %s, needs %s; want 16Mi over, 32Mi needed", over.String(), need.String())
	}
}

// generated is an app of n Deployments of 1-3 replicas with a Service each.
func generated(n int) *model.App {
	app := &model.App{}
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		app.Objects = append(app.Objects, deployment(name, int32(1+i%3), fmt.Sprintf("%dm", 100+i%400), fmt.Sprintf("%dMi", 64+i%256)))
		app.Objects = append(app.Objects, &model.Object{Obj: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}}}})
	}
	return app
}

func BenchmarkFit(b *testing.B) {
	app := generated(5000)
	tg := quotaTarget(corev1.ResourceList{
		"requests.cpu": resource.MustParse("200"), "requests.memory": resource.MustParse("300Gi"), "pods": resource.MustParse("8000"),
	})
	benchFit(b, app, tg)
}

// served gives the Deployment a Service of its own on port.
func served(d *model.Object, port int32) []*model.Object {
	name := d.Name()
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: port}}}}
	return []*model.Object{d, {Obj: svc}}
}

func TestRunMerges(t *testing.T) {
	pods := func(n string) corev1.ResourceList { return corev1.ResourceList{"pods": resource.MustParse(n)} }
	// Each pod requests 64Mi: two in one pod need 128Mi.
	withPodMax := func(t *model.Target, mem string) *model.Target {
		t.LimitRanges = []*corev1.LimitRange{{ObjectMeta: metav1.ObjectMeta{Name: "lr"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
			{Type: corev1.LimitTypePod, Max: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)}}}}}}
		return t
	}
	withNodes := func(t *model.Target, mem string) *model.Target {
		for _, n := range []string{"n1", "n2", "n3"} {
			t.Nodes = append(t.Nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}, Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse(mem)}}})
		}
		return t
	}
	tests := []struct {
		name   string
		target *model.Target
		allow  []string
		fits   bool
		// deployments after the fit, in app order
		deployments []string
		// finding is a part of a finding's message, when one is expected
		finding string
	}{
		{"two smallest merged", quotaTarget(pods("2")), nil, true, []string{"a-merged", "c"}, ""},
		{"merge not allowed", quotaTarget(pods("2")), []string{AllowResources, AllowReplicas}, false, []string{"b", "a", "c"}, ""},
		{"no merge needed", quotaTarget(pods("3")), nil, true, []string{"b", "a", "c"}, ""},
		{"all three", quotaTarget(pods("1")), nil, true, []string{"a-merged"}, ""},
		// Without scaling, two 64Mi pods do not fit a 100Mi Pod max (with it,
		// the merged pod is scaled to fit: see "scaled to the Pod max").
		{"LimitRange Pod max blocks", withPodMax(quotaTarget(pods("2")), "100Mi"), []string{AllowReplicas, AllowMerge}, false, []string{"b", "a", "c"}, "would be refused"},
		{"LimitRange Pod max takes two", withPodMax(quotaTarget(pods("2")), "128Mi"), nil, true, []string{"a-merged", "c"}, ""},
		{"scaled to the Pod max", withPodMax(quotaTarget(pods("2")), "100Mi"), []string{AllowResources, AllowMerge}, true, []string{"a-merged", "c"}, ""},
		{"largest node blocks", withNodes(quotaTarget(pods("2")), "100Mi"), []string{AllowReplicas, AllowMerge}, false, []string{"b", "a", "c"}, "largest node"},
		{"largest node takes two", withNodes(quotaTarget(pods("2")), "128Mi"), nil, true, []string{"a-merged", "c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{}
			for i, d := range []*model.Object{deployment("b", 1, "200m", "64Mi"), deployment("a", 1, "100m", "64Mi"), deployment("c", 1, "300m", "64Mi")} {
				c := &d.Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
				c.Resources.Limits = c.Resources.Requests.DeepCopy()
				app.Objects = append(app.Objects, served(d, int32(8000+i))...)
			}
			app.Objects[4].Obj.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "PEERS", Value: "a:8001,b:8000"}}
			res, err := Run(app, tt.target, Options{Allow: tt.allow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tt.fits {
				t.Errorf("fits = %v, want %v; findings %v %v", res.Fits, tt.fits, res.Findings, res.After.Findings)
			}
			var ds []string
			for _, o := range res.App.Objects {
				if o.Kind() == "Deployment" {
					ds = append(ds, o.Name())
				}
			}
			if fmt.Sprint(ds) != fmt.Sprint(tt.deployments) {
				t.Errorf("deployments %v, want %v", ds, tt.deployments)
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
			if broken := names.Broken(app, res.App); len(broken) > 0 {
				t.Errorf("names broken: %v", broken)
			}
			// Every merged-away Deployment is reported, with the key that bound.
			for _, c := range res.Changes {
				if strings.HasPrefix(c.After, "merged into") && !strings.Contains(c.Reason, "quota pods binds") {
					t.Errorf("merge reason %q does not say which key bound", c.Reason)
				}
			}
		})
	}
}

// BenchmarkFitMerge fits the generated app, each Service on its own port, to
// a pods quota below its Deployment count (10,000 pods for 4,000): most
// Deployments are merged, in groups of up to solve.MaxMergeGroup.
func BenchmarkFitMerge(b *testing.B) {
	app := generated(5000)
	for i, o := range app.Objects {
		if s, ok := o.Obj.(*corev1.Service); ok {
			s.Spec.Ports[0].Port = int32(10000 + i)
		}
	}
	tg := quotaTarget(corev1.ResourceList{
		"requests.cpu": resource.MustParse("2000"), "requests.memory": resource.MustParse("3000Gi"), "pods": resource.MustParse("4000"),
	})
	benchFit(b, app, tg)
}

func benchFit(b *testing.B, app *model.App, tg *model.Target) {
	b.Helper()
	b.ResetTimer()
	for range b.N {
		res, err := Run(app, tg, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !res.Fits {
			b.Fatal("generated app does not fit")
		}
	}
}

// TestRunMergesAtOneReplica: replicas that differ block a merge; with
// replicas allowed, fit brings them to one and merges.
func TestRunMergesAtOneReplica(t *testing.T) {
	for _, tt := range []struct {
		name        string
		allow       []string
		fits        bool
		deployments string
	}{
		{"replicas allowed", nil, true, "[b a-merged]"},
		{"replicas not allowed", []string{AllowResources, AllowMerge}, false, "[b a c]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{}
			for i, d := range []*model.Object{deployment("b", 1, "300m", "64Mi"), deployment("a", 2, "100m", "64Mi"), deployment("c", 1, "200m", "64Mi")} {
				app.Objects = append(app.Objects, served(d, int32(8000+i))...)
			}
			res, err := Run(app, quotaTarget(corev1.ResourceList{"pods": resource.MustParse("2")}), Options{Allow: tt.allow})
			if err != nil {
				t.Fatal(err)
			}
			var ds []string
			for _, o := range res.App.Objects {
				if d, ok := o.Obj.(*appsv1.Deployment); ok {
					ds = append(ds, d.Name)
					if d.Name == "a-merged" && *d.Spec.Replicas != 1 {
						t.Errorf("a-merged has %d replicas", *d.Spec.Replicas)
					}
				}
			}
			if res.Fits != tt.fits || fmt.Sprint(ds) != tt.deployments {
				t.Errorf("fits %v, deployments %v; want %v, %s (findings %v)", res.Fits, ds, tt.fits, tt.deployments, res.Findings)
			}
			if tt.fits {
				found := false
				for _, c := range res.Changes {
					found = found || (c.Object.String() == "Deployment/a" && c.Field == "spec.replicas" && c.Before == "2" && c.After == "1" && strings.Contains(c.Reason, "equal replicas"))
				}
				if !found {
					t.Errorf("the replica change is not reported: %+v", res.Changes)
				}
			}
		})
	}
}
