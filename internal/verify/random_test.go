package verify_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/model"
)

// randomApps is how many generated apps TestDifferentialRandom compares.
const randomApps = 240

// TestDifferentialRandom generates apps and targets (init containers,
// native sidecars, limit-only and request-only containers, LimitRange
// defaults, bounds and ratios, StatefulSets with claims, Jobs, services of
// every type, tight and loose quotas, quotas scoped to BestEffort,
// NotBestEffort, Terminating or NotTerminating pods) and compares the control plane with
// the footprint on each. The seed is fixed, so a failure reproduces; the
// case name carries it.
//
// RIGHTSIZE_SEEDS=3,17 limits the run to those seeds, to replay a failure.
func TestDifferentialRandom(t *testing.T) {
	var cases []*vcase
	for i := range randomApps {
		if only := os.Getenv("RIGHTSIZE_SEEDS"); only != "" && !slices.Contains(strings.Split(only, ","), strconv.Itoa(i)) {
			continue
		}
		g := &gen{r: rand.New(rand.NewPCG(uint64(i), 42))}
		app, tg := g.app(), g.target()
		cases = append(cases, &vcase{name: fmt.Sprintf("seed-%d", i), app: app, target: tg})
	}
	start := time.Now()
	verifyAll(t, verifier, cases, time.Second)
	t.Logf("verified %d generated apps in %s", len(cases), time.Since(start).Round(time.Millisecond))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			report(t, c)
			if t.Failed() || os.Getenv("RIGHTSIZE_SEEDS") != "" {
				t.Logf("app:\n%s\ntarget:\n%s\nreport:\n%s", dumpObjects(c.app), dumpTarget(c.target), dumpReport(c.report))
			}
		})
	}
}

type gen struct {
	r *rand.Rand
	n int
}

func (g *gen) pick(options ...string) string { return options[g.r.IntN(len(options))] }
func (g *gen) chance(p float64) bool         { return g.r.Float64() < p }
func (g *gen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s-%d", prefix, g.n)
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

var cpus = []string{"50m", "100m", "250m", "500m", "1"}
var mems = []string{"32Mi", "64Mi", "128Mi", "256Mi", "512Mi"}

// resources returns one container's resources: none, requests only,
// limits only, or both with limits at or above requests.
func (g *gen) resources() corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	set := func(l *corev1.ResourceList, name corev1.ResourceName, v string) {
		if *l == nil {
			*l = corev1.ResourceList{}
		}
		(*l)[name] = q(v)
	}
	for _, res := range []struct {
		name   corev1.ResourceName
		values []string
	}{{corev1.ResourceCPU, cpus}, {corev1.ResourceMemory, mems}} {
		i := g.r.IntN(len(res.values))
		switch g.r.IntN(4) {
		case 1:
			set(&r.Requests, res.name, res.values[i])
		case 2:
			set(&r.Limits, res.name, res.values[i])
		case 3:
			set(&r.Requests, res.name, res.values[i])
			set(&r.Limits, res.name, res.values[i+g.r.IntN(len(res.values)-i)])
		}
	}
	return r
}

func (g *gen) podSpec(restart corev1.RestartPolicy) corev1.PodSpec {
	spec := corev1.PodSpec{RestartPolicy: restart}
	for range 1 + g.r.IntN(3) {
		spec.Containers = append(spec.Containers, corev1.Container{
			Name: g.name("c"), Image: "busybox", Resources: g.resources(),
		})
	}
	for range g.r.IntN(3) {
		c := corev1.Container{Name: g.name("init"), Image: "busybox", Resources: g.resources()}
		if g.chance(0.5) {
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways) // native sidecar
		}
		spec.InitContainers = append(spec.InitContainers, c)
	}
	// References pod admission checks: a missing account or class refuses
	// every pod.
	switch {
	case g.chance(0.03):
		spec.ServiceAccountName = "missing"
	case g.chance(0.03):
		spec.PriorityClassName = "missing"
	case g.chance(0.05):
		spec.PriorityClassName = "system-cluster-critical"
	}
	return spec
}

func typed(obj runtime.Object, gv schema.GroupVersion, kind string) *model.Object {
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(kind))
	return &model.Object{Obj: obj, Source: model.Source{File: "generated", Format: "kubernetes"}}
}

func (g *gen) app() *model.App {
	app := &model.App{}
	add := func(o *model.Object) { app.Objects = append(app.Objects, o) }
	// A standalone claim, which Deployments and bare pods may mount.
	claim := ""
	if g.chance(0.3) {
		claim = g.name("claim")
	}
	mount := func(spec *corev1.PodSpec) {
		if claim == "" || !g.chance(0.5) {
			return
		}
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "shared", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim},
		}})
		spec.Containers[0].VolumeMounts = append(spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "shared", MountPath: "/shared"})
	}
	for range 1 + g.r.IntN(4) {
		name := g.name("w")
		labels := map[string]string{"app": name}
		meta := metav1.ObjectMeta{Name: name}
		tmpl := func(restart corev1.RestartPolicy) corev1.PodTemplateSpec {
			return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: g.podSpec(restart)}
		}
		replicas := ptr.To(int32(1 + g.r.IntN(3)))
		// No bare ReplicaSets: with a tight count/replicasets.apps, whether
		// one or a Deployment's ReplicaSet gets in is a race between verify
		// and the Deployment controller.
		switch g.pick("Deployment", "Deployment", "StatefulSet", "Job", "Pod", "DaemonSet", "CronJob") {
		case "DaemonSet":
			add(typed(&appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl(corev1.RestartPolicyAlways),
			}}, appsv1.SchemeGroupVersion, "DaemonSet"))
		case "CronJob":
			jt := tmpl(corev1.RestartPolicyOnFailure)
			jt.Labels = nil
			add(typed(&batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{
				Schedule:    "0 0 1 1 *", // not during the test
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jt}},
			}}, batchv1.SchemeGroupVersion, "CronJob"))
		case "Deployment":
			d := &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
				Replicas: replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl(corev1.RestartPolicyAlways),
			}}
			mount(&d.Spec.Template.Spec)
			add(typed(d, appsv1.SchemeGroupVersion, "Deployment"))
		case "StatefulSet":
			ss := &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
				Replicas: replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, ServiceName: name,
				Template: tmpl(corev1.RestartPolicyAlways),
			}}
			if g.chance(0.5) {
				ss.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
			}
			if g.chance(0.6) {
				ss.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: q(g.pick("100Mi", "1Gi", "2Gi"))}},
					},
				}}
				c := &ss.Spec.Template.Spec.Containers[0]
				c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: "/data"})
			}
			add(typed(ss, appsv1.SchemeGroupVersion, "StatefulSet"))
		case "Job":
			job := &batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{
				Parallelism: ptr.To(int32(1 + g.r.IntN(3))), Template: tmpl(corev1.RestartPolicyNever),
			}}
			if g.chance(0.7) {
				job.Spec.Completions = ptr.To(int32(1 + g.r.IntN(4)))
			}
			if g.chance(0.4) { // a Terminating pod, for quota scopes
				job.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To(int64(600))
			}
			job.Spec.Template.Labels = nil // the Job controller labels its pods
			add(typed(job, batchv1.SchemeGroupVersion, "Job"))
		case "Pod":
			p := tmpl(corev1.RestartPolicyAlways)
			mount(&p.Spec)
			add(typed(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: p.Spec}, corev1.SchemeGroupVersion, "Pod"))
		}
	}
	for range g.r.IntN(4) {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: g.name("svc")}}
		ports := 1 + g.r.IntN(2)
		for p := range ports {
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
				Name: fmt.Sprintf("p%d", p), Port: int32(80 + p), TargetPort: intstr.FromInt32(int32(8080 + p)),
			})
		}
		svc.Spec.Selector = map[string]string{"app": "w-1"}
		switch g.pick("ClusterIP", "headless", "NodePort", "LoadBalancer", "ExternalName") {
		case "headless":
			svc.Spec.ClusterIP = corev1.ClusterIPNone
		case "NodePort":
			svc.Spec.Type = corev1.ServiceTypeNodePort
		case "LoadBalancer":
			svc.Spec.Type = corev1.ServiceTypeLoadBalancer
		case "ExternalName":
			svc.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}
		}
		add(typed(svc, corev1.SchemeGroupVersion, "Service"))
	}
	if g.chance(0.3) {
		add(typed(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: g.name("cm")}, Data: map[string]string{"k": "v"}}, corev1.SchemeGroupVersion, "ConfigMap"))
	}
	if claim != "" {
		add(typed(&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: claim}, Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: q(g.pick("500Mi", "1Gi", "5Gi"))}},
		}}, corev1.SchemeGroupVersion, "PersistentVolumeClaim"))
	}
	return app
}

// limitItem returns a consistent LimitRange item for one resource:
// min <= defaultRequest <= default <= max, ratio >= default/defaultRequest,
// each present or not.
func (g *gen) limitItem(item *corev1.LimitRangeItem, name corev1.ResourceName, values []string) {
	set := func(l *corev1.ResourceList, v string) {
		if *l == nil {
			*l = corev1.ResourceList{}
		}
		(*l)[name] = q(v)
	}
	lo := g.r.IntN(2)
	dr := lo + g.r.IntN(2)
	d := dr + g.r.IntN(2)
	hi := min(d+g.r.IntN(2), len(values)-1)
	if g.chance(0.4) {
		set(&item.Min, values[lo])
	}
	if g.chance(0.6) {
		set(&item.DefaultRequest, values[dr])
	}
	if g.chance(0.6) {
		set(&item.Default, values[d])
	}
	if g.chance(0.3) {
		set(&item.Max, values[hi])
	}
	_, hasMax := item.Max[name]
	_, hasMin := item.Min[name]
	if g.chance(0.3) && !(hasMax && hasMin) { // with both, the ratio must not exceed max/min
		set(&item.MaxLimitRequestRatio, g.pick("2", "4", "10"))
		// An explicit default pair must respect the ratio, or the
		// LimitRange itself is invalid.
		if dq, ok := item.Default[name]; ok {
			if rq, ok := item.DefaultRequest[name]; ok && dq.MilliValue() > 2*rq.MilliValue() {
				item.MaxLimitRequestRatio[name] = q("10")
				if dq.MilliValue() > 10*rq.MilliValue() {
					delete(item.MaxLimitRequestRatio, name)
				}
			}
		}
	}
}

func (g *gen) target() *model.Target {
	t := &model.Target{Name: "generated"}
	if g.chance(0.6) {
		item := corev1.LimitRangeItem{Type: corev1.LimitTypeContainer}
		g.limitItem(&item, corev1.ResourceCPU, cpus)
		g.limitItem(&item, corev1.ResourceMemory, mems)
		lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "limits"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{item}}}
		if g.chance(0.2) {
			lr.Spec.Limits = append(lr.Spec.Limits, corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: corev1.ResourceList{corev1.ResourceCPU: q(g.pick("1", "2", "4"))}})
		}
		if g.chance(0.2) {
			lr.Spec.Limits = append(lr.Spec.Limits, corev1.LimitRangeItem{Type: corev1.LimitTypePersistentVolumeClaim, Max: corev1.ResourceList{corev1.ResourceStorage: q(g.pick("1Gi", "2Gi"))}})
		}
		t.LimitRanges = append(t.LimitRanges, lr)
	}
	hard := corev1.ResourceList{}
	// Tight values bind for some generated apps and not for others.
	keys := []struct {
		key   corev1.ResourceName
		tight []string
		huge  string
	}{
		{corev1.ResourceRequestsCPU, []string{"500m", "1", "2"}, "1000"},
		{corev1.ResourceLimitsCPU, []string{"1", "2", "4"}, "1000"},
		{corev1.ResourceRequestsMemory, []string{"256Mi", "1Gi"}, "1Ti"},
		{corev1.ResourceLimitsMemory, []string{"512Mi", "2Gi"}, "1Ti"},
		{corev1.ResourcePods, []string{"2", "4", "8"}, "1000"},
		{"count/pods", []string{"3", "6"}, "1000"},
		{"count/replicasets.apps", []string{"1", "2"}, "1000"},
		{"count/daemonsets.apps", []string{"0", "1"}, "1000"},
		{"count/cronjobs.batch", []string{"0", "1"}, "1000"},
		{corev1.ResourceServices, []string{"1", "2"}, "1000"},
		{corev1.ResourceServicesNodePorts, []string{"0", "1", "2"}, "1000"},
		{corev1.ResourceServicesLoadBalancers, []string{"0", "1"}, "1000"},
		{corev1.ResourcePersistentVolumeClaims, []string{"1", "2"}, "1000"},
		{corev1.ResourceRequestsStorage, []string{"1Gi", "3Gi"}, "1Pi"},
		{"count/deployments.apps", []string{"1", "2"}, "1000"},
		{corev1.ResourceConfigMaps, []string{"1", "2"}, "1000"},
	}
	for _, k := range keys {
		switch {
		case g.chance(0.15):
			hard[k.key] = q(g.pick(k.tight...))
		case g.chance(0.4):
			hard[k.key] = q(k.huge)
		}
	}
	if len(hard) > 0 {
		t.Quotas = append(t.Quotas, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "quota"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}})
	}
	if g.chance(0.35) { // a scoped quota next to it
		scope := corev1.ResourceQuotaScope(g.pick(string(corev1.ResourceQuotaScopeBestEffort), string(corev1.ResourceQuotaScopeNotBestEffort),
			string(corev1.ResourceQuotaScopeTerminating), string(corev1.ResourceQuotaScopeNotTerminating)))
		scoped := corev1.ResourceList{corev1.ResourcePods: q(g.pick("1", "3", "1000"))}
		if scope != corev1.ResourceQuotaScopeBestEffort && g.chance(0.5) { // BestEffort quotas may only count pods
			scoped[corev1.ResourceRequestsCPU] = q(g.pick("500m", "2", "1000"))
		}
		t.Quotas = append(t.Quotas, &corev1.ResourceQuota{
			ObjectMeta: metav1.ObjectMeta{Name: "scoped"},
			Spec:       corev1.ResourceQuotaSpec{Hard: scoped, Scopes: []corev1.ResourceQuotaScope{scope}},
		})
	}
	return t
}
